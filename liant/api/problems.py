"""Every error of the REST API as RFC 9457 problem details (application/problem+json).

Views raise `Problem`; ninja's own errors (validation, authentication) and Django's (404,
PermissionDenied) go through the handlers installed by `install`; what escapes ninja (an
unknown address, a wrong method, a crash) is turned into a problem by `ProblemMiddleware`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

logger = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
API_PREFIX = "/api/v1/"


def type_uri(slug: str) -> str:
    # Not meant to be fetched: a stable name clients can switch on (RFC 9457 §3.1.1).
    return f"urn:liant:problem:{slug}"


def default_title(status: int) -> str:
    titles = {
        400: _("Bad request"),
        401: _("Authentication required"),
        403: _("Forbidden"),
        404: _("Not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        422: _("Invalid request"),
        429: _("Too many requests"),
        500: _("Server error"),
    }
    return titles.get(status, _("Error"))


class Problem(Exception):
    """An error answered as problem details."""

    def __init__(
        self,
        status: int,
        detail: str = "",
        *,
        slug: str = "",
        title: str = "",
        headers: dict[str, str] | None = None,
        **extra: Any,
    ):
        super().__init__(detail or title)
        self.status = status
        self.detail = detail
        self.slug = slug
        self.title = title
        self.headers = headers or {}
        self.extra = extra


def problem_response(
    request: HttpRequest,
    status: int,
    detail: str = "",
    *,
    slug: str = "",
    title: str = "",
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": type_uri(slug) if slug else "about:blank",
        "title": title or default_title(status),
        "status": status,
        "detail": detail or title or default_title(status),
        "instance": request.path,
        **extra,
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=MEDIA_TYPE
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def from_problem(request: HttpRequest, exc: Problem) -> HttpResponse:
    return problem_response(
        request,
        exc.status,
        exc.detail,
        slug=exc.slug,
        title=exc.title,
        headers=exc.headers,
        **exc.extra,
    )


def field_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ninja's validation errors as {field, message}: the field as a dotted path without the
    place ninja read it from (body, query, path, header)."""
    found = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", [])]
        where = loc[0] if loc else ""
        path = loc[1:] if where in ("body", "query", "path", "header", "cookie", "form") else loc
        if where == "body" and path and path[0] in ("body", "payload", "data"):
            path = path[1:]  # the name of the view's argument says nothing to the caller
        found.append(
            {
                "field": ".".join(path),
                "in": where,
                "message": str(error.get("msg", "")),
            }
        )
    return found


def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return problem_response(
        request,
        422,
        _("Some fields are not valid."),
        slug="validation",
        errors=field_errors(list(exc.errors)),
    )


def on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(
        request,
        401,
        _("Send a valid API token (Authorization: Bearer liant_…) or sign in."),
        headers={"WWW-Authenticate": 'Bearer realm="liant"'},
    )


def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja's own: the CSRF refusal of the session, a body that is not JSON...
    status = exc.status_code
    detail = _("The CSRF check failed.") if "CSRF" in str(exc.message) else ""
    return problem_response(request, status, detail or default_title(status))


def on_404(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(request, 404, _("Nothing here, or not in this workspace."))


def on_403(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(request, 403, _("This token or account may not do this."))


def on_crash(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return problem_response(request, 500, _("Something went wrong on our side; it is logged."))


def install(api: NinjaAPI) -> None:
    handlers: list[tuple[type[Exception], Callable[..., HttpResponse]]] = [
        (Exception, on_crash),
        (Problem, from_problem),
        (ValidationError, on_validation),
        (HttpError, on_http_error),
        (AuthenticationError, on_authentication),
        (Http404, on_404),
        (PermissionDenied, on_403),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)


class ProblemMiddleware:
    """Under /api/v1/: what did not come out of ninja as a problem becomes one (an unknown
    address, a method the route does not take, an error no handler caught); and the rate
    limit headers and the idempotent answer are finished here, once the response exists."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        response = self.get_response(request)
        if response.status_code >= 400 and response.get("Content-Type") != MEDIA_TYPE:
            headers = {}
            if response.status_code == 405 and response.has_header("Allow"):
                headers["Allow"] = response["Allow"]
            response = problem_response(request, response.status_code, headers=headers)
        from liant.api import idempotency, ratelimit  # noqa: PLC0415 - they import this module

        ratelimit.add_headers(request, response)
        idempotency.finish(request, response)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> Any:
        if not request.path.startswith(API_PREFIX):
            return None
        if isinstance(exception, Http404):
            return on_404(request, exception)
        return on_crash(request, exception)
