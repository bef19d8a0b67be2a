"""The YouTube connector against a fake Data API replaying documented payloads."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import httpx
import pytest
from django.test import override_settings

from liant.connectors.base import (
    Capability,
    ConnectorError,
    Draft,
    ErrorKind,
    EventKind,
    ModerationAction,
)
from liant.connectors.http import MemoryRecorder
from liant.connectors.youtube.connector import YouTubeConnector, until_pacific_midnight
from liant.connectors.youtube.demo import SETTINGS
from tests.connectors.youtube.conftest import (
    APP,
    CHANNEL,
    FRESH,
    REFRESH,
    THREAD,
    make_connector,
    make_http,
    ok,
)


def texts(events) -> list[str]:
    return [e.text for e in events]


# --- reading --------------------------------------------------------------------------------


def test_fetch_reads_published_and_held_comments_and_replies_then_nothing_new(connector, youtube):
    first = connector.fetch({})

    assert texts(first.events) == [
        "Quelle mouture pour une Aeropress ? J'ai un Comandante.",
        # The thread carries 1 of its 7 replies: all are asked for; the channel's own skipped.
        "Merci ! Et pour un filtre V60 ?",
        "Pareil, je suis à 22 clics sur V60.",
        "Vous vendez le Comandante en boutique ?",
        "Top vidéo, merci pour les conseils.",
        "Testé ce matin, parfait.",
        "Great tips, thanks!",
        "Do you ship to Belgium?",
        "Arnaque totale, bande d'incapables !!! http://spam.example",
    ]
    top, reply = first.events[0], first.events[1]
    assert top.kind is EventKind.COMMENT and top.remote_id == THREAD
    assert top.thread_remote_id == THREAD and top.parent_remote_id == ""
    assert top.author.remote_id == "UCkarim00000000000000aB"
    assert top.author.handle == "@karimbenali"
    assert top.author.url == "http://www.youtube.com/@karimbenali"
    assert top.occurred_at == datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    assert top.url == f"https://www.youtube.com/watch?v=dQw4Lumiere&lc={THREAD}"
    assert reply.parent_remote_id == THREAD and reply.thread_remote_id == THREAD
    assert first.events[-1].raw["moderationStatus"] == "heldForReview"
    assert len(first.errors) == 1  # the thread without a date
    listed = youtube.sent("GET", r"/commentThreads$")
    assert {r.url.params["moderationStatus"] for r in listed} == {"published", "heldForReview"}
    assert all(r.url.params["allThreadsRelatedToChannelId"] == CHANNEL for r in listed)
    [replies] = youtube.sent("GET", r"/comments$")
    assert replies.url.params["parentId"] == THREAD

    second = connector.fetch(first.cursor)

    assert second.events == []
    # The replies are not asked for again while the thread's count stays the same.
    assert len(youtube.sent("GET", r"/comments$")) == 1


def test_a_new_reply_under_a_known_thread_is_read_once(connector, youtube):
    first = connector.fetch({})
    threads = ok("comment_threads_published.json").json()
    threads["items"][0]["snippet"]["totalReplyCount"] = 8
    replies = ok("comments_replies.json").json()
    late = json.loads(json.dumps(replies["items"][-1]))
    late["id"] = f"{THREAD}.AbCdEf00008"
    late["snippet"]["textDisplay"] = "Et en espresso ?"
    late["snippet"]["publishedAt"] = "2026-11-30T08:00:00Z"
    replies["items"].append(late)
    youtube.route("GET", r"/youtube/v3/comments", httpx.Response(200, json=replies))
    youtube.threads["published"] = "unused"
    youtube.route(
        "GET",
        r"/youtube/v3/commentThreads",
        lambda request: (
            httpx.Response(200, json=threads)
            if request.url.params["moderationStatus"] == "published"
            else ok("comment_threads_empty.json")
        ),
    )

    second = connector.fetch(first.cursor)
    third = connector.fetch(second.cursor)

    assert texts(second.events) == ["Et en espresso ?"]
    assert third.events == []


# --- answering and moderating ---------------------------------------------------------------


def test_a_reply_goes_under_the_thread(connector, youtube):
    events = connector.fetch({}).events
    reply_to = next(e for e in events if e.text == "Vous vendez le Comandante en boutique ?")

    sent = connector.reply(reply_to, Draft(text="Oui, en boutique à la Croix-Rousse !"))

    [insert] = youtube.sent("POST", r"/comments$")
    assert insert.url.params["part"] == "snippet"
    assert json.loads(insert.content) == {
        "snippet": {"parentId": THREAD, "textOriginal": "Oui, en boutique à la Croix-Rousse !"}
    }
    assert sent.remote_id == f"{THREAD}.AbCdEf00099"
    assert sent.url == f"https://www.youtube.com/watch?v=dQw4Lumiere&lc={sent.remote_id}"


@pytest.mark.parametrize(
    ("action", "status", "ban"),
    [
        (ModerationAction.HIDE, "heldForReview", None),
        (ModerationAction.DELETE, "rejected", None),
        (ModerationAction.BAN, "rejected", "true"),
    ],
)
def test_moderation_sets_the_comments_status(connector, youtube, action, status, ban):
    connector.moderate("UgwThreadRude04", action)

    [sent] = youtube.sent("POST", r"/comments/setModerationStatus$")
    assert sent.url.params["id"] == "UgwThreadRude04"
    assert sent.url.params["moderationStatus"] == status
    assert sent.url.params.get("banAuthor") == ban


def test_muting_is_not_a_youtube_action(connector, youtube):
    with pytest.raises(ConnectorError):
        connector.moderate("UgwThreadRude04", ModerationAction.MUTE)
    assert not youtube.requests


def test_nothing_is_published_and_the_class_says_so():
    assert Capability.PUBLISH not in YouTubeConnector.capabilities
    assert "community posts" in YouTubeConnector.limitations


# --- metrics --------------------------------------------------------------------------------


def test_metrics_of_videos_and_of_the_channel(connector, youtube):
    found = {
        m.remote_id: m.values for m in connector.metrics(["dQw4Lumiere", "Xy9Lumiere2", CHANNEL])
    }

    assert found["dQw4Lumiere"] == {"views": 5230, "likes": 312, "replies": 48}
    assert found["Xy9Lumiere2"] == {"views": 870}  # likes hidden, comments off
    assert found[CHANNEL] == {"followers": 3120, "views": 184503, "videos": 58}
    [videos] = youtube.sent("GET", r"/videos$")
    assert videos.url.params["id"] == "dQw4Lumiere,Xy9Lumiere2"


# --- errors and tokens ----------------------------------------------------------------------


def test_an_expired_token_says_so(youtube):
    with pytest.raises(ConnectorError) as expired:
        make_connector(youtube, access_token="ya29.expired").fetch({})

    assert expired.value.kind is ErrorKind.AUTH_EXPIRED
    assert "invalid authentication credentials" in expired.value.message


@override_settings(NETWORK_APPS=APP)
def test_the_refresh_token_buys_a_new_hour(youtube):
    stale = make_connector(youtube, access_token="ya29.expired", refresh_token=REFRESH)

    fresh = stale.refresh_credentials()

    assert fresh is not None and fresh["access_token"] == FRESH
    assert fresh["refresh_token"] == REFRESH  # Google sends none back: the old one stays
    until = datetime.fromisoformat(fresh["expires_at"]) - datetime.now(UTC)
    assert timedelta(minutes=55) < until <= timedelta(hours=1)
    [sent] = youtube.sent("POST", r"/token$")
    assert parse_qs(sent.content.decode())["grant_type"] == ["refresh_token"]


def test_without_a_refresh_token_there_is_nothing_to_refresh(connector):
    assert connector.refresh_credentials() is None


def test_the_daily_quota_waits_until_midnight_pacific_time(youtube):
    recorder = MemoryRecorder()
    now = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)  # 12:00 in Los Angeles (PST, UTC-8)
    connector = YouTubeConnector(
        SETTINGS,
        {"access_token": "ya29.a0AfB_byC-maisonlumiere-test-token"},
        make_http(youtube, recorder, clock=lambda: now),
    )
    youtube.script("GET /commentThreads$", ok("error_quota.json", 403))

    with pytest.raises(ConnectorError) as limited:
        connector.fetch({})

    assert limited.value.kind is ErrorKind.RATE_LIMITED
    assert limited.value.retry_after == 12 * 3600
    assert recorder.until == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    # In summer Los Angeles is UTC-7: midnight there is 07:00 UTC.
    assert until_pacific_midnight(datetime(2026, 7, 1, 6, 0, tzinfo=UTC)) == 3600


def test_a_429_honours_retry_after(youtube):
    recorder = MemoryRecorder()
    connector = make_connector(youtube, recorder)
    youtube.script(
        "POST /comments/setModerationStatus$",
        ok("error_rate_limit.json", 429, **{"Retry-After": "120"}),
    )

    with pytest.raises(ConnectorError) as limited:
        connector.moderate("UgwThreadRude04", ModerationAction.HIDE)

    assert limited.value.kind is ErrorKind.RATE_LIMITED
    assert limited.value.retry_after == 120


@pytest.mark.parametrize(
    ("fixture", "words"),
    [
        ("error_forbidden.json", "The comment could not be updated due to insufficient"),
        ("error_insufficient_scopes.json", "Request had insufficient authentication scopes."),
    ],
)
def test_a_permission_error_is_permanent_with_googles_words(connector, youtube, fixture, words):
    youtube.script("POST /comments/setModerationStatus$", ok(fixture, 403))

    with pytest.raises(ConnectorError) as refused:
        connector.moderate("UgwThreadRude04", ModerationAction.DELETE)

    assert refused.value.kind is ErrorKind.PERMANENT
    assert words in refused.value.message
