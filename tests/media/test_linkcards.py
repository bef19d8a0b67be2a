"""Link cards read through the safe fetcher: a fake web served by MockTransport (names resolve
to a public address), the real private-address refusal, hostile pages, and the day's cache."""

from __future__ import annotations

import socket
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from liant.connectors.base import ConnectorError
from liant.media import linkcards, tasks
from liant.media.models import LinkCard, MediaItem
from tests.media.conftest import png

pytestmark = pytest.mark.django_db

PAGE = """<!doctype html><html><head><meta charset="utf-8">
<title>Le titre du document</title>
<meta property="og:title" content="Salon du café &amp; thé">
<meta property="og:description" content="Trois jours   de
dégustation.">
<meta property="og:site_name" content="Maison">
<meta property="og:image" content="/img/card.png">
</head><body><meta property="og:title" content="Pas dans la tête"></body></html>"""


@pytest.fixture
def web(monkeypatch):
    """pages: URL → httpx.Response (or a callable of the request); `seen`: every request."""
    pages: dict = {}
    seen: list[httpx.Request] = []

    def resolve(host, port, *args, **kwargs):
        # The fake web's names are public; 127.0.0.1 and localhost stay what they are.
        address = host if host in {"127.0.0.1", "localhost"} else "93.184.215.14"
        if host == "localhost":
            address = "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        found = pages.get(str(request.url))
        if found is None:
            return httpx.Response(404)
        return found(request) if callable(found) else found

    transport = httpx.MockTransport(handler)
    real_client = linkcards.client
    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    monkeypatch.setattr(linkcards, "client", lambda _t, size: real_client(transport, size))
    monkeypatch.setenv("LIANT_ALLOW_PRIVATE_HOSTS", "")
    pages["seen"] = seen
    return pages


def html(body: str | bytes, content_type: str = "text/html; charset=utf-8") -> httpx.Response:
    content = body.encode() if isinstance(body, str) else body
    return httpx.Response(200, headers={"Content-Type": content_type}, content=content)


def card_of(workspace, url: str) -> LinkCard:
    return LinkCard.objects.create(workspace=workspace, url=url, url_hash=linkcards.url_hash(url))


def test_the_card_is_read_with_its_image_kept_in_the_library(web, workspace):
    web["https://salon.example/"] = html(PAGE)
    web["https://salon.example/img/card.png"] = httpx.Response(
        200, headers={"Content-Type": "image/png"}, content=png((120, 63))
    )
    card = linkcards.refresh(card_of(workspace, "https://salon.example/"))
    assert card.status == "ready"
    assert (card.title, card.description, card.site_name) == (
        "Salon du café & thé",
        "Trois jours de dégustation.",
        "Maison",
    )
    item = card.image
    assert item.workspace == workspace and item.tag_list == ["link-card"]
    assert (item.width, item.height, item.content_type) == (120, 63, "image/png")


def test_the_job_reads_the_card_in_the_worker(web, workspace):
    web["https://salon.example/"] = html(PAGE)
    card = card_of(workspace, "https://salon.example/")
    assert tasks.fetch_link_card.call_local(card.pk) == "ready"
    card.refresh_from_db()
    assert card.title == "Salon du café & thé" and card.image is None  # its image was a 404


def test_a_script_in_the_tags_stays_text(web, workspace):
    web["https://evil.example/"] = html(
        '<head><meta property="og:title" content="<script>alert(1)</script>\u202eevil">'
        '<meta property="og:image" content="javascript:alert(1)"></head>'
    )
    card = linkcards.refresh(card_of(workspace, "https://evil.example/"))
    assert card.title == "<script>alert(1)</script> evil"  # kept as text, escaped when shown
    assert card.image is None
    assert [str(r.url) for r in web["seen"]] == ["https://evil.example/"]


def test_the_charset_is_the_servers_or_else_the_pages(web):
    latin = '<head><meta property="og:title" content="Crème brûlée"></head>'.encode("latin-1")
    web["https://a.example/"] = html(latin, "text/html; charset=ISO-8859-1")
    assert linkcards.read_card("https://a.example/").title == "Crème brûlée"
    declared = b'<head><meta charset="windows-1252">' + latin[6:]
    web["https://b.example/"] = html(declared, "text/html")
    assert linkcards.read_card("https://b.example/").title == "Crème brûlée"
    web["https://c.example/"] = html(
        b'<head><meta charset="nonsense"><title>\xff ok</title>', "text/html"
    )
    assert linkcards.read_card("https://c.example/").title == "\ufffd ok"


def test_only_web_pages_are_parsed(web, workspace):
    web["https://img.example/photo.png"] = httpx.Response(
        200,
        headers={"Content-Type": "image/png"},
        content=b"<meta property='og:title' content='x'>",
    )
    card = linkcards.refresh(card_of(workspace, "https://img.example/photo.png"))
    assert card.status == "failed" and "not a web page" in card.error


def test_a_huge_page_is_not_read_to_the_end(web, workspace):
    web["https://huge.example/"] = html(b"<head>" + b" " * (linkcards.MAX_PAGE_BYTES + 1))
    card = linkcards.refresh(card_of(workspace, "https://huge.example/"))
    assert card.status == "failed" and "larger than" in card.error


def test_a_page_dripping_bytes_is_given_up_at_the_deadline(web, workspace, monkeypatch):
    """Each chunk arrives within the read timeout, but the whole fetch has one budget: the
    clock is moved on by each chunk sent (no real waiting), and the reading stops there."""
    now = [1000.0]
    monkeypatch.setattr(linkcards, "seconds_now", lambda: now[0])
    sent = []

    def drip():
        yield b"<!doctype html><html><head>"
        for _ in range(10_000):  # 30 kB, far under the 2 MB limit
            now[0] += 1.0  # a second per chunk, under the 5 s read timeout
            sent.append(1)
            yield b"<!-- . -->"

    web["https://slow.example/"] = lambda request: httpx.Response(
        200, headers={"Content-Type": "text/html"}, content=drip()
    )
    card = linkcards.refresh(card_of(workspace, "https://slow.example/"))
    assert card.status == "failed" and "longer than 10.0 s" in card.error
    assert len(sent) == int(linkcards.DEADLINE) + 1  # stopped at the first chunk past it


def test_a_redirect_to_this_machine_is_refused(web, workspace):
    web["https://trap.example/"] = httpx.Response(
        302, headers={"Location": "http://127.0.0.1/admin"}
    )
    card = linkcards.refresh(card_of(workspace, "https://trap.example/"))
    assert card.status == "failed" and "private address" in card.error
    assert [str(r.url) for r in web["seen"]] == ["https://trap.example/"]


def test_a_redirect_loop_ends(web, workspace):
    web["https://a.example/"] = httpx.Response(302, headers={"Location": "https://b.example/"})
    web["https://b.example/"] = httpx.Response(302, headers={"Location": "https://a.example/"})
    card = linkcards.refresh(card_of(workspace, "https://a.example/"))
    assert card.status == "failed" and "Too many redirects" in card.error
    assert len(web["seen"]) == linkcards.MAX_REDIRECTS + 1


def test_an_image_on_a_private_address_is_not_fetched(web, workspace):
    web["https://salon.example/"] = html(PAGE.replace("/img/card.png", "http://localhost/x.png"))
    card = linkcards.refresh(card_of(workspace, "https://salon.example/"))
    assert card.status == "ready" and card.image is None
    assert [str(r.url) for r in web["seen"]] == ["https://salon.example/"]


def test_a_hostile_image_is_refused_by_the_upload_checks(web, workspace):
    web["https://salon.example/"] = html(PAGE)
    web["https://salon.example/img/card.png"] = httpx.Response(
        200, headers={"Content-Type": "image/png"}, content=b"<svg onload=alert(1)>"
    )
    card = linkcards.refresh(card_of(workspace, "https://salon.example/"))
    assert card.status == "ready" and card.image is None
    assert not MediaItem.objects.exists()


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/", "http://localhost/", "http://[::1]/"])
def test_private_addresses_are_refused_for_real(monkeypatch, url):
    monkeypatch.setenv("LIANT_ALLOW_PRIVATE_HOSTS", "")
    with pytest.raises(ConnectorError, match="private address"):
        linkcards.read_card(url)


def test_the_card_is_kept_a_day(workspace, other_workspace, django_capture_on_commit_callbacks):
    url = "https://news.example/a"
    with django_capture_on_commit_callbacks() as asked:
        assert linkcards.card_for(workspace, url) == (None, True)
        assert linkcards.card_for(workspace, url) == (None, True)  # already asked
    assert len(asked) == 1 and LinkCard.objects.count() == 1
    card = LinkCard.objects.get()
    LinkCard.objects.filter(pk=card.pk).update(status="ready", title="T", fetched_at=timezone.now())
    with django_capture_on_commit_callbacks() as asked:
        shown, pending = linkcards.card_for(workspace, url)
        assert shown.title == "T" and not pending and not asked
        # Another workspace has its own card (its image is its own library's).
        assert linkcards.card_for(other_workspace, url) == (None, True)
    assert len(asked) == 1
    LinkCard.objects.filter(pk=card.pk).update(fetched_at=timezone.now() - timedelta(days=2))
    with django_capture_on_commit_callbacks() as asked:
        shown, pending = linkcards.card_for(workspace, url)
    assert shown.title == "T" and pending and len(asked) == 1  # shown while read again
    LinkCard.objects.filter(pk=card.pk).update(status="failed", fetched_at=timezone.now())
    with django_capture_on_commit_callbacks() as asked:
        assert linkcards.card_for(workspace, url) == (None, False)
    assert not asked
    for bad in ["javascript:alert(1)", "ftp://x.example/", "https://x.example/" + "a" * 3000]:
        assert linkcards.card_for(workspace, bad) == (None, False)


def test_another_workspace_cannot_see_the_card_image(web, workspace, owner_client, outsider_client):
    web["https://salon.example/"] = html(PAGE)
    web["https://salon.example/img/card.png"] = httpx.Response(200, content=png((120, 63)))
    card = linkcards.refresh(card_of(workspace, "https://salon.example/"))
    thumbnail = f"/w/{workspace.slug}/media/{card.image.pk}/thumbnail/"
    assert owner_client.get(thumbnail).status_code == 200
    assert outsider_client.get(thumbnail).status_code == 404
