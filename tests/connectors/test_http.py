"""The HTTP policy every connector goes through, checked with a scripted transport."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from liant.connectors.base import ConnectorError, ErrorKind
from liant.connectors.http import HttpClient, MemoryRecorder, parse_reset, redact_text, redact_url

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def client(responses, recorder=None, **kwargs):
    """A client whose 'network' answers from the list, recording the requests it got."""
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    waits: list[float] = []
    http = HttpClient(
        recorder or MemoryRecorder(),
        transport=httpx.MockTransport(handler),
        sleep=waits.append,
        clock=lambda: NOW,
        check_urls=False,
        **kwargs,
    )
    return http, seen, waits


def test_a_5xx_then_success_is_retried_with_backoff():
    http, seen, waits = client([httpx.Response(503), httpx.Response(200, json={"ok": True})])
    assert http.get("https://social.example/api/v1/notifications").json() == {"ok": True}
    assert len(seen) == 2
    assert waits == [0.5]


def test_retries_are_bounded():
    http, seen, _ = client([httpx.Response(502)] * 5, retries=2)
    with pytest.raises(ConnectorError) as error:
        http.get("https://social.example/x")
    assert error.value.kind is ErrorKind.TRANSIENT
    assert len(seen) == 3


def test_a_post_is_not_repeated_after_a_server_error():
    # The server may have published before failing: repeating could publish twice.
    http, seen, _ = client([httpx.Response(500), httpx.Response(200)])
    with pytest.raises(ConnectorError) as error:
        http.post("https://social.example/api/v1/statuses", json={"status": "hi"})
    assert error.value.kind is ErrorKind.TRANSIENT
    assert len(seen) == 1


def test_a_post_is_retried_when_the_connection_was_refused():
    refused = httpx.ConnectError("refused")
    http, seen, _ = client([refused, httpx.Response(200, json={"id": "1"})])
    assert http.post("https://social.example/api/v1/statuses", json={}).json() == {"id": "1"}
    assert len(seen) == 2


def test_a_post_with_an_idempotency_key_may_be_retried():
    http, seen, _ = client([httpx.Response(500), httpx.Response(200)])
    http.post(
        "https://social.example/api/v1/statuses", idempotent=True, headers={"Idempotency-Key": "k"}
    )
    assert len(seen) == 2


def test_a_429_with_retry_after_is_rate_limited_and_blocks_the_channel():
    recorder = MemoryRecorder()
    http, seen, _ = client([httpx.Response(429, headers={"Retry-After": "120"})], recorder)
    with pytest.raises(ConnectorError) as error:
        http.get("https://social.example/x")
    assert error.value.kind is ErrorKind.RATE_LIMITED
    assert error.value.retry_after == 120
    assert recorder.until == NOW + timedelta(seconds=120)
    # The next call does not even reach the network.
    with pytest.raises(ConnectorError) as again:
        http.get("https://social.example/x")
    assert again.value.kind is ErrorKind.RATE_LIMITED
    assert len(seen) == 1


def test_retry_after_as_an_http_date_is_understood():
    when = "Sun, 22 Nov 2026 12:01:30 GMT"
    http, _, _ = client([httpx.Response(429, headers={"Retry-After": when})])
    with pytest.raises(ConnectorError) as error:
        http.get("https://social.example/x")
    assert error.value.retry_after == 90


def test_a_short_retry_after_on_a_503_is_waited_and_retried():
    http, seen, waits = client(
        [httpx.Response(503, headers={"Retry-After": "3"}), httpx.Response(200)]
    )
    http.get("https://social.example/x")
    assert waits == [3.0] and len(seen) == 2


def test_remaining_zero_in_rate_limit_headers_blocks_until_the_reset():
    recorder = MemoryRecorder()
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2026-11-22T12:05:00.000Z"}
    http, _, _ = client([httpx.Response(200, headers=headers)], recorder)
    http.get("https://social.example/x")
    assert recorder.until == datetime(2026, 11, 22, 12, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1795435200", datetime.fromtimestamp(1795435200, UTC)),  # epoch seconds (Bluesky)
        ("2026-11-22T12:05:00Z", datetime(2026, 11, 22, 12, 5, tzinfo=UTC)),  # ISO (Mastodon)
        ("30", NOW + timedelta(seconds=30)),  # delta seconds (IETF RateLimit)
        ("soon", None),
    ],
)
def test_rate_limit_reset_formats(value, expected):
    assert parse_reset(value, NOW) == expected


def test_401_means_the_sign_in_expired():
    http, _, _ = client([httpx.Response(401, json={"error": "The access token expired"})])
    with pytest.raises(ConnectorError) as error:
        http.get("https://social.example/x")
    assert error.value.kind is ErrorKind.AUTH_EXPIRED
    assert "The access token expired" in error.value.message


def test_a_4xx_is_permanent_and_carries_the_networks_words():
    http, seen, _ = client(
        [httpx.Response(422, json={"error": "Validation failed: Text can't be blank"})]
    )
    with pytest.raises(ConnectorError) as error:
        http.post("https://social.example/api/v1/statuses", json={})
    assert error.value.kind is ErrorKind.PERMANENT
    assert "Text can't be blank" in error.value.message
    assert len(seen) == 1


def test_a_timeout_on_a_get_is_retried_then_reported_as_transient():
    http, seen, _ = client([httpx.ReadTimeout("slow")] * 3)
    with pytest.raises(ConnectorError) as error:
        http.get("https://social.example/x")
    assert error.value.kind is ErrorKind.TRANSIENT
    assert "did not answer" in error.value.message
    assert len(seen) == 3


def test_every_exchange_is_recorded_without_secrets():
    recorder = MemoryRecorder()
    body = {"access_token": "SECRET-TOKEN", "refresh_token": "SECRET-REFRESH", "scope": "read"}
    http, _, _ = client([httpx.Response(200, json=body)], recorder)
    http.post(
        "https://social.example/oauth/token?client_secret=SECRET-CS&grant_type=code&code=SECRET-CODE"
    )
    [exchange] = recorder.exchanges
    assert exchange.method == "POST" and exchange.status == 200
    everything = exchange.url + exchange.excerpt
    assert "SECRET" not in everything
    assert "grant_type=code" in exchange.url
    assert '"scope": "read"' in exchange.excerpt or '"scope":"read"' in exchange.excerpt


def test_user_and_password_in_an_address_are_not_recorded():
    assert redact_url("https://user:pw@mail.example:993/inbox?key=abc&page=2") == (
        "https://mail.example:993/inbox?key=***&page=2"
    )


def test_json_secrets_are_masked_in_excerpts():
    assert (
        redact_text('{"accessJwt": "eyJ.a.b", "handle": "x"}')
        == '{"accessJwt": "***", "handle": "x"}'
    )


def test_an_answer_larger_than_the_limit_is_refused():
    http, _, _ = client([httpx.Response(200, content=b"x" * 5000)], max_bytes=1000)
    with pytest.raises(ConnectorError, match="larger than"):
        http.get("https://feeds.example/huge.xml")


def test_one_deadline_covers_every_hop_and_chunk_of_a_request():
    """A page that answers each read in time but drips: the whole request has one budget.
    The clock is moved by the fake server itself: nothing waits for real."""
    now = [0.0]

    def drip():
        for _ in range(100):
            now[0] += 2.0
            yield b"."

    def slow_redirect():
        now[0] += 3.0
        yield b"moved"

    moved = httpx.Response(
        302, headers={"Location": "https://example.org/b"}, content=slow_redirect()
    )
    http, seen, _ = client(
        [moved, httpx.Response(200, content=drip())],
        deadline=10.0,
        monotonic=lambda: now[0],
        retries=0,
    )
    with pytest.raises(ConnectorError, match="longer than 10.0 s") as caught:
        http.get("https://example.org/a")
    assert caught.value.kind is ErrorKind.TRANSIENT
    assert len(seen) == 2 and now[0] == 11.0  # 3 s redirect + 4 chunks of 2 s: stopped there
    # Each request has its own budget, and none when no deadline is set.
    http, _, _ = client([httpx.Response(200, content=drip())], monotonic=lambda: now[0])
    assert len(http.get("https://example.org/").content) == 100


def test_redirect_loops_end_with_a_clear_error():
    loop = [httpx.Response(302, headers={"Location": "/again"})] * 10
    http, _, _ = client(loop, max_redirects=3)
    with pytest.raises(ConnectorError, match="Too many redirects"):
        http.get("https://feeds.example/start")


def test_a_redirect_to_a_private_address_is_refused(monkeypatch):
    import socket

    def fake_getaddrinfo(host, port, *args, **kwargs):
        address = "10.1.2.3" if host == "intranet.example" else "93.184.215.14"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    monkeypatch.setenv("LIANT_ALLOW_PRIVATE_HOSTS", "")
    seen: list[httpx.Request] = []

    def handler(request):
        seen.append(request)
        return httpx.Response(302, headers={"Location": "http://intranet.example/admin"})

    http = HttpClient(transport=httpx.MockTransport(handler), sleep=lambda s: None)
    with pytest.raises(ConnectorError, match="private address"):
        http.get("https://feeds.example/feed.xml")
    assert [str(r.url) for r in seen] == ["https://feeds.example/feed.xml"]
