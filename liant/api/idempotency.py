"""Idempotency keys: a POST that acts outside Liant (a reply sent, a post scheduled, a lead
handed to sales) sent twice with the same Idempotency-Key acts once.

The first request stores a row before it runs; its answer is saved on it once made (by
ProblemMiddleware) and given back, as it was, to any later request with the same key and
the same body for 24 hours. The same key with another body is a 422: the client has mixed
up its keys, and guessing which request it meant would be worse.
"""

from __future__ import annotations

import hashlib
from typing import Annotated

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header

from liant.api.auth import caller_of
from liant.api.models import IdempotencyRecord
from liant.api.problems import Problem

HEADER = "Idempotency-Key"
# The header as a view argument: documented in the OpenAPI, checked by ninja.
IdempotencyKey = Annotated[
    str,
    Header(
        alias=HEADER,
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",  # visible ASCII: a UUID, a hash, a name
        description="A key of your choice, new for every action (a UUID).",
    ),
]


def request_hash(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    digest.update(request.body)
    return digest.hexdigest()


def begin(request: HttpRequest, key: str) -> HttpResponse | None:
    """None: go ahead (the answer will be stored). A response: send it back, as it was."""
    caller = caller_of(request)
    fingerprint = request_hash(request)
    for _attempt in range(2):
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    workspace=caller.workspace,
                    caller=caller.ident,
                    key=key,
                    request_hash=fingerprint,
                )
            request.liant_idempotency = record  # type: ignore[attr-defined]
            return None
        except IntegrityError:
            found = IdempotencyRecord.objects.filter(caller=caller.ident, key=key).first()
            if found is None:
                continue  # deleted meanwhile
            if found.created_at < timezone.now() - IdempotencyRecord.KEEP:
                found.delete()  # older than its promise: the key is free again
                continue
            if found.request_hash != fingerprint:
                raise Problem(
                    422,
                    _("This Idempotency-Key was already used with another request."),
                    slug="idempotency-key-reused",
                ) from None
            if found.status is None:
                raise Problem(
                    409,
                    _("A request with this Idempotency-Key is still running."),
                    slug="idempotency-in-progress",
                ) from None
            response = HttpResponse(
                found.body, status=found.status, content_type=found.content_type
            )
            response["Idempotent-Replayed"] = "true"
            return response
    raise Problem(409, _("Try again."), slug="idempotency-in-progress")


def finish(request: HttpRequest, response: HttpResponse) -> None:
    """Keep the answer of the first request; a server error frees the key for a retry."""
    record: IdempotencyRecord | None = getattr(request, "liant_idempotency", None)
    if record is None:
        return
    request.liant_idempotency = None  # type: ignore[attr-defined]
    if response.status_code >= 500:
        record.delete()
        return
    record.status = response.status_code
    record.content_type = response.get("Content-Type", "")[:100]
    record.body = response.content.decode("utf-8", errors="replace")
    record.save(update_fields=["status", "content_type", "body"])


def prune() -> int:
    deleted, _kinds = IdempotencyRecord.objects.filter(
        created_at__lt=timezone.now() - IdempotencyRecord.KEEP
    ).delete()
    return deleted
