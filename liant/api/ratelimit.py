"""Requests per minute per token (or per signed-in person), counted in Django's cache.

The "api" cache is Redis when REDIS_URL is set, so every web process counts together;
otherwise it is the local-memory cache and each process counts on its own (a limit per
process: fine on one machine with a few processes, say so in `liant check` terms).
Headers follow the IETF RateLimit fields draft: RateLimit-Limit, RateLimit-Remaining,
RateLimit-Reset (seconds), and Retry-After on a 429.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from liant.api.problems import Problem

WINDOW = 60  # seconds


def clock() -> float:
    return time.time()  # tests replace it: a window never ends in the middle of a test


@dataclass(frozen=True)
class Budget:
    limit: int
    remaining: int
    reset: int  # seconds until the window ends


def hit(ident: str) -> Budget:
    """Count one request; raises a 429 problem when the window's budget is spent."""
    limit = int(getattr(settings, "LIANT_API_RATE_LIMIT", 600))
    now = clock()
    start = int(now // WINDOW) * WINDOW
    reset = max(1, int(start + WINDOW - now))
    key = f"liant-api:rate:{ident}:{start}"
    cache = caches["api"]
    cache.add(key, 0, timeout=WINDOW + 5)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW + 5)
        used = 1
    budget = Budget(limit=limit, remaining=max(0, limit - used), reset=reset)
    if used > limit:
        raise Problem(
            429,
            _("Too many requests for this token; try again in %(seconds)s seconds.")
            % {"seconds": reset},
            slug="rate-limited",
            headers={**as_headers(budget), "Retry-After": str(reset)},
        )
    return budget


def as_headers(budget: Budget) -> dict[str, str]:
    return {
        "RateLimit-Limit": str(budget.limit),
        "RateLimit-Remaining": str(budget.remaining),
        "RateLimit-Reset": str(budget.reset),
    }


def add_headers(request: HttpRequest, response: HttpResponse) -> None:
    budget = getattr(request, "liant_rate_budget", None)
    if budget is not None and not response.has_header("RateLimit-Limit"):
        for name, value in as_headers(budget).items():
            response[name] = value
