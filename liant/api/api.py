"""The REST API, version 1: /api/v1/. Its OpenAPI document is /api/v1/openapi.json and its
readable docs /api/docs (Swagger UI from the django-ninja wheel, served by WhiteNoise)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from liant.api import problems
from liant.api.auth import SessionAuth, TokenAuth
from liant.api.routers import (
    analytics,
    animation,
    calendar,
    channels,
    feedback,
    inbox,
    leads,
    listening,
    members,
    moderation,
    newsletters,
    publishing,
)

DESCRIPTION = """
Liant's REST API. Every call acts in the workspace of its token.

**Authentication.** `Authorization: Bearer liant_…` with a token made in the workspace's
settings (API tokens). A token can do what its scope allows, and never more than the person
who made it may do: *read* (every list and detail), *publish* (read, plus posts, inbox
replies, members and leads), *moderate* (read, plus inbox replies and moderation), *admin*
(all its creator may do). Feedback, newsletters and animation, and a member's data export
and erasure, need an *admin* token (their single permission both reads and changes). The web
app's own session works too (CSRF token on POST/PATCH;
the workspace in the `Liant-Workspace` header).

**Errors** are RFC 9457 problem details (`application/problem+json`): `type`, `title`,
`status`, `detail`, `instance`; validation problems add `errors`, a list of
`{field, in, message}`. An object of another workspace is a 404, like one that does not exist.

**Lists** return `{items, next}`: follow `next` until it is null. `limit` is at most 200.

**Rate limit** per token, per minute: `RateLimit-Limit`, `RateLimit-Remaining`,
`RateLimit-Reset` on every answer; a 429 adds `Retry-After`.

**Idempotency.** POSTs that act outside Liant (a reply, scheduling, a lead stage, which may
call a webhook, a moderation decision, an idea's new status told to its backers, a newsletter
confirmation mail) take an `Idempotency-Key` header: the first answer is given back for the same
key and body for 24 hours; the same key with another body is a 422.
"""

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "in": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}
RATE_HEADERS = {
    name: {"schema": {"type": "integer"}, "description": text}
    for name, text in [
        ("RateLimit-Limit", "Requests allowed per minute for this token."),
        ("RateLimit-Remaining", "Requests left in this minute."),
        ("RateLimit-Reset", "Seconds until the minute ends."),
    ]
}


class LiantAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Every operation may answer a problem (any 4xx/5xx), as problem+json."""
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        problem = {
            "description": "A problem (RFC 9457)",
            "content": {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            },
        }
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                responses = operation.setdefault("responses", {})
                for status, response in responses.items():
                    if str(status).startswith("2"):
                        response.setdefault("headers", {}).update(RATE_HEADERS)
                responses["default"] = problem
        return schema


api = LiantAPI(
    title="Liant",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=[TokenAuth(), SessionAuth()],
    docs_url=None,  # served at /api/docs, outside the versioned prefix
)
problems.install(api)
for module in (
    channels,
    publishing,
    calendar,
    inbox,
    moderation,
    members,
    listening,
    leads,
    feedback,
    analytics,
    newsletters,
    animation,
):
    api.add_router("", module.router)


def docs(request: HttpRequest) -> HttpResponse:
    return api.docs.render_page(request, api)
