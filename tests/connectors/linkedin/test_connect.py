"""Connecting LinkedIn pages through the shared OAuth flow, and the demo data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from liant.channels import connect_oauth, fetching, tasks, tokens
from liant.channels.models import Channel
from liant.connectors.base import EventKind
from liant.connectors.http import HttpClient, MemoryRecorder
from liant.connectors.linkedin import demo
from liant.connectors.linkedin.connector import LinkedInConnector
from tests.connectors.linkedin.conftest import APP, FRESH, TOKEN, FakeLinkedIn

KIND = "linkedin"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def signed_in(monkeypatch, linkedin: FakeLinkedIn) -> FakeLinkedIn:
    monkeypatch.setattr(
        connect_oauth,
        "client",
        lambda: HttpClient(
            MemoryRecorder(),
            transport=httpx.MockTransport(linkedin.handle),
            sleep=lambda s: None,
            check_urls=False,
        ),
    )
    monkeypatch.setattr(tasks, "fetch_channel", lambda pk: None)
    return linkedin


def start(client, workspace):
    return client.post(f"/w/{workspace.slug}/channels/connect/linkedin/oauth/", {"name": ""})


@pytest.mark.django_db
@override_settings(NETWORK_APPS=APP)
def test_the_member_picks_among_the_pages_they_administer(owner_client, workspace, signed_in):
    sent_to = urlsplit(start(owner_client, workspace)["Location"])
    query = parse_qs(sent_to.query)
    assert (sent_to.netloc, sent_to.path) == ("www.linkedin.com", "/oauth/v2/authorization")
    assert query["scope"] == [
        "r_organization_social w_organization_social rw_organization_admin r_organization_admin"
    ]
    state = owner_client.session[connect_oauth.SESSION_KEY]["state"]

    back = owner_client.get(
        "/connect/oauth/linkedin/callback/", {"code": "good-code", "state": state}
    )
    assert back.status_code == 302
    page = owner_client.get(back["Location"]).content.decode()
    assert "Maison Lumière Pro" in page and TOKEN not in page
    owner_client.post(back["Location"], {"account": ["0"]})

    channel = Channel.objects.get(workspace=workspace, kind="linkedin")
    assert channel.name == "Maison Lumière"
    assert channel.settings == {
        "account_id": "urn:li:organization:90123456",
        "name": "Maison Lumière",
        "vanity_name": "maison-lumiere-lyon",
    }
    assert channel.credentials["access_token"] == TOKEN
    # 60 days for the access token, 365 for the refresh token: both dates are kept.
    expires = datetime.fromisoformat(channel.credentials["expires_at"])
    assert timedelta(days=59) < expires - timezone.now() <= timedelta(days=60)
    refresh_ends = datetime.fromisoformat(channel.credentials["refresh_expires_at"])
    assert refresh_ends - timezone.now() > timedelta(days=364)
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials_json FROM channels_channel WHERE id = %s", [channel.pk])
        assert TOKEN not in cursor.fetchone()[0]
    token_call = signed_in.sent("POST", r"/oauth/v2/accessToken")[0]
    form = parse_qs(token_call.content.decode())
    assert form["client_secret"] == ["WPL_AP1.secret"] and "code_verifier" not in form


@pytest.mark.django_db
@override_settings(NETWORK_APPS=APP)
def test_a_refused_code_says_linkedins_words(owner_client, workspace, signed_in):
    start(owner_client, workspace)
    state = owner_client.session[connect_oauth.SESSION_KEY]["state"]

    back = owner_client.get("/connect/oauth/linkedin/callback/", {"code": "old", "state": state})

    assert back.status_code == 400
    assert "refresh token is invalid, expired or revoked" in back.content.decode()
    assert not Channel.objects.filter(kind="linkedin").exists()


def linkedin_channel(workspace, **credentials) -> Channel:
    channel = Channel(workspace=workspace, kind="linkedin", name="LI", settings=demo.SETTINGS)
    channel.credentials = credentials
    channel.save()
    return channel


@pytest.mark.django_db
@override_settings(NETWORK_APPS=APP)
def test_an_expired_token_is_renewed_and_the_fetch_goes_on(monkeypatch, workspace, linkedin):
    monkeypatch.setattr(
        fetching,
        "connector_for",
        lambda channel: LinkedInConnector(
            channel.settings,
            channel.credentials,
            HttpClient(
                MemoryRecorder(),
                transport=httpx.MockTransport(linkedin.handle),
                sleep=lambda s: None,
                check_urls=False,
            ),
        ),
    )
    channel = linkedin_channel(
        workspace,
        access_token="expired",
        refresh_token="AQWAft",
        expires_at=(timezone.now() - timedelta(minutes=1)).isoformat(),
    )

    assert fetching.run_fetch(channel).events

    channel.refresh_from_db()
    assert channel.credentials["access_token"] == FRESH
    assert channel.credentials_expire_at > timezone.now() + timedelta(days=59)


@pytest.mark.django_db
def test_without_a_refresh_token_the_owners_are_warned_a_week_ahead(
    workspace, owner, django_capture_on_commit_callbacks
):
    channel = linkedin_channel(
        workspace,
        access_token=TOKEN,
        expires_at=(timezone.now() + timedelta(days=5)).isoformat(),
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert tokens.renew(channel.pk) == "warned"


def test_the_demo_settings_and_events_are_valid():
    LinkedInConnector.settings_model.model_validate(demo.SETTINGS)
    assert demo.NAME == "Maison Lumière (LinkedIn)"
    events = demo.events(NOW)
    assert 15 <= len(events) <= 30
    ids = [e.remote_id for e in events]
    assert len(set(ids)) == len(ids) and ids == [e.remote_id for e in demo.events(NOW)]
    for event in events:
        assert event.occurred_at.tzinfo is not None and event.occurred_at < NOW
        assert event.author and event.author.remote_id.startswith("urn:li:")
        assert event.text and event.url.startswith("https://www.linkedin.com/feed/update/")
        if event.kind is EventKind.COMMENT:
            assert event.remote_id.startswith("urn:li:comment:(urn:li:activity:")
            assert event.thread_remote_id == event.parent_remote_id
    assert {e.kind for e in events} == {EventKind.POST, EventKind.COMMENT}
    assert any("Arnaque" in e.text for e in events)
    english = [e for e in events if e.text.startswith(("Is ", "Great"))]
    assert 1 <= len(english) < len(events) / 4


@pytest.mark.django_db
def test_the_demo_history_is_stored_once(workspace):
    from liant.channels.fetching import store_events
    from liant.connectors.base import FetchResult

    channel = Channel.objects.create(
        workspace=workspace, kind=KIND, name=demo.NAME, settings=demo.SETTINGS
    )
    for _round in range(2):
        store_events(channel, FetchResult(demo.events(timezone.now()), cursor={}))

    assert channel.events.count() == len(demo.events(NOW))
