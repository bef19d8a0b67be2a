"""The feed connector against a real HTTP server on 127.0.0.1 (pytest-httpserver)."""

from __future__ import annotations

import gzip
import socket
from pathlib import Path

import pytest
from werkzeug import Response

from liant.channels import fetching
from liant.channels.models import Channel, Event, Exchange, Health
from liant.connectors.base import ConnectorError, EventKind
from liant.connectors.feeds.connector import FeedConnector, discover
from liant.connectors.http import HttpClient, MemoryRecorder
from liant.connectors.urlsafety import check_url

FIXTURES = Path(__file__).parent / "fixtures"
RSS = "application/rss+xml; charset=utf-8"


def serve(httpserver, path: str, name: str, content_type: str = RSS, **headers) -> str:
    httpserver.expect_request(path).respond_with_data(
        (FIXTURES / name).read_bytes(), content_type=content_type, headers=headers
    )
    return httpserver.url_for(path)


def feed(url: str, **client) -> FeedConnector:
    return FeedConnector({"url": url}, {}, HttpClient(MemoryRecorder(), **client))


def test_rss2_items_become_events(httpserver):
    result = feed(serve(httpserver, "/blog.xml", "rss2.xml")).fetch({})
    first, second = result.events
    assert first.kind is EventKind.POST
    assert first.remote_id == "ml-blog-2026-11-guji"
    assert first.text == "Éthiopie Guji : la nouvelle récolte"
    assert first.url == "https://maison-lumiere.example/blog/guji"
    assert first.author.name == "Camille Laurent"
    assert first.occurred_at.isoformat() == "2026-11-20T07:30:00+00:00"
    assert "<em>pêche</em>" in first.html
    assert (
        second.remote_id == "https://maison-lumiere.example/blog/how-we-roast"
    )  # no guid: the link
    assert result.errors == []


def test_atom_relative_links_are_resolved(httpserver):
    [event] = (
        feed(serve(httpserver, "/atom.xml", "atom.xml", "application/atom+xml")).fetch({}).events
    )
    assert event.remote_id == "tag:journal.example,2026:prix-arabica"
    assert event.url == "https://journal.example/articles/prix-arabica"
    assert event.author.name == "Lucie Marchand"
    assert "répercutent" in event.html


def test_rss1_rdf(httpserver):
    [event] = (
        feed(serve(httpserver, "/rss.rdf", "rss1.rdf", "application/rdf+xml")).fetch({}).events
    )
    assert event.text == "Un salon du café à Lyon"
    assert event.occurred_at.isoformat() == "2026-11-10T08:00:00+00:00"


def test_json_feed_keeps_good_items_and_names_the_bad_one(httpserver):
    result = feed(serve(httpserver, "/feed.json", "feed.json", "application/feed+json")).fetch({})
    assert [e.remote_id for e in result.events] == ["https://saint-roch.example/abonnement", "2"]
    assert [e.message for e in result.errors] == ["item 2: JSON Feed item without an id"]
    assert result.events[0].author.name == "Équipe Saint-Roch"
    assert "&lt;with&gt;" in result.events[1].html  # plain text is escaped, never trusted as HTML


def test_conditional_get_sends_the_validators_and_a_304_changes_nothing(httpserver):
    url = serve(
        httpserver,
        "/blog.xml",
        "rss2.xml",
        ETag='"v1"',
        **{"Last-Modified": "Fri, 20 Nov 2026 08:00:00 GMT"},
    )
    connector = feed(url)
    first = connector.fetch({})
    assert first.cursor["etag"] == '"v1"' and first.cursor["modified"].startswith(
        "Fri, 20 Nov 2026"
    )
    httpserver.clear()
    httpserver.expect_request("/blog.xml", headers={"If-None-Match": '"v1"'}).respond_with_response(
        Response(status=304)
    )
    second = connector.fetch(first.cursor)
    assert second.events == [] and second.cursor == first.cursor
    request, _response = httpserver.log[-1]
    assert request.headers["If-Modified-Since"] == "Fri, 20 Nov 2026 08:00:00 GMT"


def test_a_feed_sent_again_gives_no_duplicates_and_new_items_once(httpserver):
    url = serve(httpserver, "/blog.xml", "rss2.xml")
    connector = feed(url)
    first = connector.fetch({})
    assert connector.fetch(first.cursor).events == []
    newer = (
        (FIXTURES / "rss2.xml")
        .read_text()
        .replace(
            "<item>",
            "<item><title>Nouveau</title><guid>new-1</guid><link>https://maison-lumiere.example/new</link></item><item>",
            1,
        )
    )
    httpserver.clear()
    httpserver.expect_request("/blog.xml").respond_with_data(newer, content_type=RSS)
    third = connector.fetch(first.cursor)
    assert [e.remote_id for e in third.events] == ["new-1"]


def test_a_malformed_feed_keeps_its_readable_items_and_says_where(httpserver):
    result = feed(serve(httpserver, "/broken.xml", "broken.xml")).fetch({})
    # feedparser's lenient pass recovers what it can; the error still says what was wrong.
    assert [e.remote_id for e in result.events][:1] == ["b1"]
    assert "not well-formed" in result.errors[0].message and "line" in result.errors[0].message


def test_an_html_page_is_not_a_feed(httpserver):
    httpserver.expect_request("/page").respond_with_data(
        "<html><body>Hello</body></html>", content_type="text/html"
    )
    with pytest.raises(ConnectorError, match="not well-formed|does not serve a feed"):
        feed(httpserver.url_for("/page")).fetch({})


def test_a_json_document_that_is_not_a_json_feed(httpserver):
    httpserver.expect_request("/api").respond_with_json({"hello": "world"})
    with pytest.raises(ConnectorError, match="not a JSON Feed"):
        feed(httpserver.url_for("/api")).fetch({})


def test_latin1_feeds_are_decoded(httpserver):
    [event] = (
        feed(serve(httpserver, "/latin.xml", "latin1.xml", "application/rss+xml")).fetch({}).events
    )
    assert event.text == "Torréfaction à l'ancienne, ça sent bon"


def test_a_utf8_feed_with_a_lying_charset_header_still_reads(httpserver):
    url = serve(httpserver, "/blog.xml", "rss2.xml", "application/rss+xml; charset=iso-8859-1")
    [first, _second] = feed(url).fetch({}).events
    assert "Guji" in first.text  # feedparser trusts the XML declaration over a contradicting header
    assert first.text == "Éthiopie Guji : la nouvelle récolte"


def test_a_huge_feed_is_refused(httpserver):
    httpserver.expect_request("/huge.xml").respond_with_data(
        b"<rss>" + b"x" * 50_000, content_type=RSS
    )
    with pytest.raises(ConnectorError, match="larger than"):
        feed(httpserver.url_for("/huge.xml"), max_bytes=10_000).fetch({})


def test_a_gzip_feed_is_read(httpserver):
    httpserver.expect_request("/gz.xml").respond_with_data(
        gzip.compress((FIXTURES / "rss2.xml").read_bytes()),
        content_type=RSS,
        headers={"Content-Encoding": "gzip"},
    )
    assert len(feed(httpserver.url_for("/gz.xml")).fetch({}).events) == 2


def test_redirects_are_followed_on_the_same_server(httpserver):
    httpserver.expect_request("/old").respond_with_response(
        Response(status=301, headers={"Location": "/blog.xml"})
    )
    serve(httpserver, "/blog.xml", "rss2.xml")
    assert len(feed(httpserver.url_for("/old")).fetch({}).events) == 2


def fake_dns(monkeypatch, answers: dict[str, str]) -> None:
    def getaddrinfo(host, port, *args, **kwargs):
        address = answers.get(host)
        if address is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_a_redirect_to_the_metadata_service_is_refused(httpserver, monkeypatch):
    httpserver.expect_request("/evil").respond_with_response(
        Response(status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    )
    with pytest.raises(ConnectorError, match="private address"):
        feed(httpserver.url_for("/evil")).fetch({})
    assert len(httpserver.log) == 1  # nothing left for the metadata address


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "::1",
        "fd00::1",
        "::ffff:127.0.0.1",
        "0.0.0.0",
    ],
)
def test_private_addresses_are_refused(monkeypatch, address):
    monkeypatch.setenv("LIANT_ALLOW_PRIVATE_HOSTS", "")
    fake_dns(monkeypatch, {"feeds.example": address})
    with pytest.raises(ConnectorError, match="private address"):
        check_url("https://feeds.example/rss")


def test_a_public_address_is_allowed_and_only_listed_hosts_may_be_private(monkeypatch):
    fake_dns(
        monkeypatch,
        {
            "feeds.example": "93.184.215.14",
            "intranet.example": "10.0.0.5",
            "ok.example": "10.0.0.6",
        },
    )
    monkeypatch.setenv("LIANT_ALLOW_PRIVATE_HOSTS", "ok.example")
    check_url("https://feeds.example/rss")
    check_url("https://ok.example/rss")
    with pytest.raises(ConnectorError):
        check_url("https://intranet.example/rss")
    with pytest.raises(ConnectorError, match="Only http and https"):
        check_url("file:///etc/passwd")


def test_discovery_finds_the_feeds_a_page_advertises(httpserver):
    page = """<html><head>
      <link rel="alternate" type="application/rss+xml" href="/blog.xml" title="Articles">
      <link rel="alternate" type="application/atom+xml" href="https://other.example/atom" title="Atom">
      <link rel="stylesheet" href="/style.css">
    </head><body></body></html>"""
    httpserver.expect_request("/").respond_with_data(page, content_type="text/html; charset=utf-8")
    with HttpClient(MemoryRecorder()) as http:
        found = discover(http, httpserver.url_for("/"))
    assert found == [
        (httpserver.url_for("/blog.xml"), "Articles"),
        ("https://other.example/atom", "Atom"),
    ]


def test_discovery_of_a_feed_address_returns_it(httpserver):
    url = serve(httpserver, "/blog.xml", "rss2.xml")
    with HttpClient(MemoryRecorder()) as http:
        assert discover(http, url) == [(url, "Le blog de Maison Lumière")]


@pytest.mark.django_db
def test_fetching_a_channel_twice_stores_items_once_sanitized(httpserver, workspace):
    url = serve(httpserver, "/blog.xml", "rss2.xml") + "?token=abc"
    channel = Channel.objects.create(
        workspace=workspace, kind="feed", name="Blog", settings={"url": url}
    )
    assert fetching.fetch_channel(channel.pk).stored == 2
    assert fetching.fetch_channel(channel.pk).stored == 0
    channel.refresh_from_db()
    assert channel.health == Health.OK and channel.next_fetch_at > channel.last_fetch_at
    stored = Event.objects.get(remote_id="ml-blog-2026-11-guji")
    assert (
        "<script" not in stored.html
        and "onerror" not in stored.html
        and "javascript:" not in stored.html
    )
    assert "<em>pêche</em>" in stored.html
    urls = list(Exchange.objects.filter(channel=channel).values_list("url", flat=True))
    assert len(urls) == 2 and all("token=***" in u and "abc" not in u for u in urls)


@pytest.mark.django_db
def test_a_failing_server_is_shown_on_the_channel_and_nothing_is_stored(httpserver, workspace):
    httpserver.expect_request("/down.xml").respond_with_data("oops", status=500)
    channel = Channel.objects.create(
        workspace=workspace,
        kind="feed",
        name="Down",
        settings={"url": httpserver.url_for("/down.xml")},
    )
    fetching.fetch_channel(channel.pk)
    channel.refresh_from_db()
    assert channel.health == Health.FAILING and "500" in channel.last_error
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_a_rate_limited_feed_waits(httpserver, workspace):
    httpserver.expect_request("/busy.xml").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "120"}
    )
    channel = Channel.objects.create(
        workspace=workspace,
        kind="feed",
        name="Busy",
        settings={"url": httpserver.url_for("/busy.xml")},
    )
    fetching.fetch_channel(channel.pk)
    channel.refresh_from_db()
    assert channel.health == Health.RATE_LIMITED
    assert (channel.next_fetch_at - channel.last_fetch_at).total_seconds() >= 119


@pytest.mark.django_db
def test_connecting_a_site_finds_its_feed_and_reads_it(
    httpserver, workspace, owner_client, outsider_client
):
    serve(httpserver, "/blog.xml", "rss2.xml")
    page = '<html><head><link rel="alternate" type="application/rss+xml" href="/blog.xml" title="Blog"></head></html>'
    httpserver.expect_request("/").respond_with_data(page, content_type="text/html")
    httpserver.expect_request("/nothing").respond_with_data(
        "<html></html>", content_type="text/html"
    )
    assert (
        outsider_client.post(
            f"/w/{workspace.slug}/channels/connect/feed/", {"url": httpserver.url_for("/")}
        ).status_code
        == 404
    )
    failed = owner_client.post(
        f"/w/{workspace.slug}/channels/connect/feed/", {"url": httpserver.url_for("/nothing")}
    )
    assert b"No feed was found" in failed.content
    response = owner_client.post(
        f"/w/{workspace.slug}/channels/connect/feed/", {"url": httpserver.url_for("/")}
    )
    channel = Channel.objects.get(workspace=workspace)
    assert response.status_code == 302
    assert channel.settings == {"url": httpserver.url_for("/blog.xml")} and channel.name == "Blog"
    assert Event.objects.filter(channel=channel).count() == 2  # jobs run inline in unit tests
