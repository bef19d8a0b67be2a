"""The one place connectors make HTTP calls.

It applies one policy to every network: timeouts, bounded retries with backoff for what is
safe to retry, rate-limit headers tracked per channel, URL safety, typed errors, and a
record of every exchange (secrets removed) that the channel page shows.
"""

from __future__ import annotations

import email.utils
import functools
import re
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import httpx
from django.utils.translation import gettext_noop as _

from liant.connectors.base import ConnectorError, ErrorKind
from liant.connectors.urlsafety import check_url

USER_AGENT = "Liant/0.1 (+https://liant.example; community management workbench)"
IDEMPOTENT = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}
SECRET_PARAM = re.compile(r"(token|key|secret|password|passwd|sig|auth|code|session)", re.I)
SECRET_JSON = re.compile(
    r'("(?:access_?token|refresh_?token|accessJwt|refreshJwt|token|password|client_secret|'
    r'secret|session_?key)"\s*:\s*)"[^"]*"',
    re.I,
)
EXCERPT = 500
MAX_RETRY_WAIT = 30.0  # longer waits go back to the job queue instead of holding a worker


@dataclass
class Exchange:
    method: str
    url: str
    status: int | None
    duration_ms: int
    excerpt: str = ""
    error: str = ""
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


class Recorder(Protocol):
    """Where exchanges and rate-limit state go (the channels app stores them per channel)."""

    def record(self, exchange: Exchange) -> None: ...

    def blocked_until(self) -> datetime | None: ...

    def block_until(self, until: datetime) -> None: ...


class MemoryRecorder:
    """Keeps everything in memory: for tests and for connections not yet saved."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []
        self.until: datetime | None = None

    def record(self, exchange: Exchange) -> None:
        self.exchanges.append(exchange)

    def blocked_until(self) -> datetime | None:
        return self.until

    def block_until(self, until: datetime) -> None:
        self.until = until


def redact_url(url: str) -> str:
    parts = urlsplit(url)
    query = [(k, "***" if SECRET_PARAM.search(k) else v) for k, v in parse_qsl(parts.query, True)]
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, safe="*"), ""))


def redact_text(text: str) -> str:
    return SECRET_JSON.sub(r'\1"***"', text)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - now).total_seconds())


def parse_reset(value: str | None, now: datetime) -> datetime | None:
    """X-RateLimit-Reset / RateLimit-Reset: epoch seconds, ISO 8601 date, or delta seconds."""
    if not value:
        return None
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return when if when.tzinfo else when.replace(tzinfo=UTC)
    if number > 1_000_000_000:
        return datetime.fromtimestamp(number, UTC)
    return now + timedelta(seconds=number)


def rate_limit_until(headers: httpx.Headers, now: datetime) -> datetime | None:
    """When the headers say no request is left, the moment requests are allowed again."""
    for prefix in ("x-ratelimit-", "ratelimit-"):
        remaining = headers.get(prefix + "remaining")
        if remaining is None:
            continue
        try:
            if int(float(remaining)) > 0:
                return None
        except ValueError:
            return None
        return parse_reset(headers.get(prefix + "reset"), now) or now + timedelta(seconds=60)
    return None


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """httpx's own default context (certifi's bundle, or SSL_CERT_FILE/DIR), built once per
    process: building it loads the whole CA bundle, ~35 ms of CPU, which every connector (one
    per publish, one per fetch) otherwise paid again."""
    return httpx.create_ssl_context()


class HttpClient:
    def __init__(
        self,
        recorder: Recorder | None = None,
        *,
        timeout: float = 20.0,
        retries: int = 2,
        backoff: float = 0.5,
        max_redirects: int = 5,
        max_bytes: int = 20_000_000,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        check_urls: bool = True,
        headers: Mapping[str, str] | None = None,
        deadline: float | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self.recorder = recorder or MemoryRecorder()
        self.retries = retries
        self.backoff = backoff
        self.max_redirects = max_redirects
        self.max_bytes = max_bytes
        self.sleep = sleep
        self.clock = clock
        self.check_urls = check_urls
        # One budget (seconds) for a whole request: every redirect hop and every chunk of the
        # body. `timeout` is per connect/read, so a server dripping a byte now and then would
        # otherwise hold the worker until max_bytes. Checked between reads: the overrun is at
        # most one read timeout.
        self.deadline = deadline
        self.monotonic = monotonic
        self.client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            transport=transport,
            verify=shared_ssl_context(),
            follow_redirects=False,  # each hop is checked by check_url
            headers={"User-Agent": USER_AGENT, **(headers or {})},
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def request(
        self,
        method: str,
        url: str,
        *,
        idempotent: bool | None = None,
        ok_statuses: tuple[int, ...] = (),
        **kwargs: Any,
    ) -> httpx.Response:
        """Send a request under the policy and return the final response.

        A POST is retried only when it surely never reached the server (connection refused)
        unless the caller says it is idempotent (an idempotency key, a read-only RPC).
        `ok_statuses` are error statuses the caller handles itself (e.g. 304, 404).
        """
        method = method.upper()
        retry_safe = method in IDEMPOTENT if idempotent is None else idempotent
        attempt = 0
        ends_at = None if self.deadline is None else self.monotonic() + self.deadline
        while True:
            self._check_not_blocked()
            try:
                response = self._send_following_redirects(method, url, kwargs, ends_at)
            except ConnectorError as exc:
                never_sent = exc.status == -1
                if (
                    exc.kind is ErrorKind.TRANSIENT
                    and (retry_safe or never_sent)
                    and attempt < self.retries
                ):
                    attempt += 1
                    self.sleep(self.backoff * 2 ** (attempt - 1))
                    continue
                raise
            now = self.clock()
            until = rate_limit_until(response.headers, now)
            if until is not None and until > now:
                self.recorder.block_until(until)
            status = response.status_code
            if status < 400 or status in ok_statuses:
                return response
            error = self._classify(response, now)
            if error.kind is ErrorKind.TRANSIENT and retry_safe and attempt < self.retries:
                wait = (
                    error.retry_after
                    if error.retry_after is not None
                    else self.backoff * 2**attempt
                )
                if wait <= MAX_RETRY_WAIT:
                    attempt += 1
                    self.sleep(wait)
                    continue
            raise error

    def _check_not_blocked(self) -> None:
        until = self.recorder.blocked_until()
        now = self.clock()
        if until is not None and until > now:
            wait = (until - now).total_seconds()
            raise ConnectorError(
                _("The network's rate limit is reached; requests resume in %(seconds)s s."),
                ErrorKind.RATE_LIMITED,
                retry_after=wait,
                seconds=int(wait) + 1,
            )

    def _send_following_redirects(
        self, method: str, url: str, kwargs: dict, ends_at: float | None = None
    ) -> httpx.Response:
        for _hop in range(self.max_redirects + 1):
            response = self._send_once(method, url, kwargs, ends_at)
            if (
                response.status_code not in (301, 302, 303, 307, 308)
                or "location" not in response.headers
            ):
                return response
            url = urljoin(str(response.request.url), response.headers["location"])
            if response.status_code == 303 or (
                response.status_code in (301, 302) and method == "POST"
            ):
                method, kwargs = (
                    "GET",
                    {k: v for k, v in kwargs.items() if k in {"headers", "params"}},
                )
        raise ConnectorError(
            _("Too many redirects (more than %(count)s)."), count=self.max_redirects
        )

    def _past_deadline(self, ends_at: float | None) -> None:
        if ends_at is not None and self.monotonic() > ends_at:
            raise ConnectorError(
                _("The answer took longer than %(seconds)s s; Liant stopped waiting."),
                ErrorKind.TRANSIENT,
                seconds=self.deadline,
            )

    def _send_once(
        self, method: str, url: str, kwargs: dict, ends_at: float | None = None
    ) -> httpx.Response:
        if self.check_urls:
            check_url(url)
        self._past_deadline(ends_at)
        started = time.monotonic()
        try:
            request = self.client.build_request(method, url, **kwargs)
            response = self.client.send(request, stream=True)
            try:
                # Already-read bodies come from in-memory transports (tests, replays).
                decoded = response.is_stream_consumed
                chunks = [response.content] if decoded else response.iter_raw()
                body = bytearray()
                for chunk in chunks:
                    body += chunk
                    self._past_deadline(ends_at)
                    if len(body) > self.max_bytes:
                        raise ConnectorError(
                            _("The answer is larger than %(size)s; Liant stopped reading it."),
                            size=_size(self.max_bytes),
                        )
            finally:
                response.close()
            headers = response.headers.copy()
            if decoded:
                headers.pop("content-encoding", None)
            response = httpx.Response(
                response.status_code,
                headers=headers,
                content=bytes(body),  # httpx undoes gzip/deflate/br here
                request=request,
            )
        except httpx.HTTPError as exc:
            never_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
            message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            self.recorder.record(
                Exchange(method, redact_url(url), None, _ms(started), error=redact_text(message))
            )
            raise ConnectorError(
                _("The network did not answer (%(error)s)."),
                ErrorKind.TRANSIENT,
                status=-1 if never_sent else None,
                error=message,
            ) from exc
        excerpt = redact_text(_excerpt(response))
        self.recorder.record(
            Exchange(
                method,
                redact_url(str(response.request.url)),
                response.status_code,
                _ms(started),
                excerpt,
            )
        )
        return response

    def _classify(self, response: httpx.Response, now: datetime) -> ConnectorError:
        status = response.status_code
        detail = _network_message(response)
        if status == 429:
            wait = parse_retry_after(response.headers.get("retry-after"), now)
            if wait is None:
                until = rate_limit_until(response.headers, now)
                wait = (until - now).total_seconds() if until else 60.0
            self.recorder.block_until(now + timedelta(seconds=wait))
            return ConnectorError(
                _("Rate limited by the network; retry in %(seconds)s s. %(detail)s"),
                ErrorKind.RATE_LIMITED,
                retry_after=wait,
                status=status,
                seconds=int(wait) + 1,
                detail=detail,
            )
        if status == 401:
            return ConnectorError(
                _("The network refused the credentials (401). %(detail)s"),
                ErrorKind.AUTH_EXPIRED,
                status=status,
                detail=detail,
            )
        if status in (408, 425) or status >= 500:
            return ConnectorError(
                _("The network failed (%(code)s). %(detail)s"),
                ErrorKind.TRANSIENT,
                retry_after=parse_retry_after(response.headers.get("retry-after"), now),
                status=status,
                code=status,
                detail=detail,
            )
        return ConnectorError(
            _("The network refused the request (%(code)s). %(detail)s"),
            status=status,
            code=status,
            detail=detail,
        )


def _size(n: int) -> str:
    return f"{n / 1_000_000:g} MB" if n >= 1_000_000 else f"{n / 1000:g} kB"


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _excerpt(response: httpx.Response) -> str:
    content_type = response.headers.get("content-type", "")
    if not any(t in content_type for t in ("json", "text", "xml", "html")) and content_type:
        return f"<{content_type}, {len(response.content)} bytes>"
    return response.content[:EXCERPT].decode("utf-8", "replace")


def _network_message(response: httpx.Response) -> str:
    """The network's own words, when its error body has them."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return text[:200] if text and "<html" not in text[:100].lower() else ""
    if isinstance(body, dict):
        for key in ("error_description", "message", "error", "detail", "errcode"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return redact_text(value[:200])
            if isinstance(value, dict) and isinstance(value.get("message"), str):
                return redact_text(value["message"][:200])
    return ""
