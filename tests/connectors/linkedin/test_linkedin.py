"""The LinkedIn connector against a fake LinkedIn replaying documented payloads."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, unquote

import httpx
import pytest
from django.test import override_settings

from liant.connectors.base import (
    ConnectorError,
    Draft,
    ErrorKind,
    Event,
    EventKind,
    Media,
    ModerationAction,
)
from liant.connectors.http import HttpClient, MemoryRecorder
from liant.connectors.linkedin.connector import LinkedInConnector, escape_commentary
from liant.connectors.linkedin.demo import SETTINGS
from tests.connectors.linkedin.conftest import (
    APP,
    FIRST,
    FRESH,
    ORG,
    SHARE,
    TOKEN,
    UGC,
    make_connector,
    ok,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def body(request: httpx.Request) -> dict:
    return json.loads(request.content)


# --- publishing -----------------------------------------------------------------------------


def test_a_text_post_is_published_as_the_page_with_its_markup_escaped(connector, linkedin):
    post = connector.publish(Draft(text="Atelier (samedi) à 10h #café — 12 places"))

    [sent] = linkedin.sent("POST", r"^/rest/posts$")
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    payload = body(sent)
    assert payload["author"] == ORG
    assert payload["commentary"] == r"Atelier \(samedi\) à 10h {hashtag|\#|café} — 12 places"
    assert payload["visibility"] == "PUBLIC" and payload["lifecycleState"] == "PUBLISHED"
    assert payload["distribution"]["feedDistribution"] == "MAIN_FEED"
    assert "content" not in payload
    assert post.remote_id == "urn:li:share:7269000000000000001"
    assert post.url == "https://www.linkedin.com/feed/update/urn:li:share:7269000000000000001/"


def test_a_link_becomes_an_article(connector, linkedin):
    connector.publish(
        Draft(
            text="Notre guide de mouture",
            link="https://maison-lumiere.example/guide",
            extras={"link_title": "Guide de mouture"},
        )
    )

    [sent] = linkedin.sent("POST", r"^/rest/posts$")
    assert body(sent)["content"] == {
        "article": {"source": "https://maison-lumiere.example/guide", "title": "Guide de mouture"}
    }


def test_an_image_is_uploaded_then_posted_with_its_urn(connector, linkedin):
    connector.publish(
        Draft(text="Nouveau sac", media=[Media("image/png", PNG, alt_text="Sac de café")])
    )

    [start] = linkedin.sent("POST", r"^/rest/images$")
    assert start.url.params["action"] == "initializeUpload"
    assert body(start) == {"initializeUploadRequest": {"owner": ORG}}
    [upload] = linkedin.sent("PUT", r"^/dms-uploads/")
    assert upload.content == PNG
    [sent] = linkedin.sent("POST", r"^/rest/posts$")
    assert body(sent)["content"] == {
        "media": {"id": "urn:li:image:D4E10AQE7exampleImg", "altText": "Sac de café"}
    }


def test_an_upload_that_fails_posts_nothing_and_publishing_again_posts_once(connector, linkedin):
    linkedin.script("PUT /dms-uploads/", *[httpx.Response(500)] * 3)
    draft = Draft(text="Nouveau sac", media=[Media("image/png", PNG)])

    with pytest.raises(ConnectorError) as failed:
        connector.publish(draft)
    assert failed.value.kind is ErrorKind.TRANSIENT
    assert not linkedin.sent("POST", r"^/rest/posts$")

    connector.publish(draft)  # the publisher's retry: a fresh image, one post

    assert len(linkedin.sent("POST", r"^/rest/posts$")) == 1
    assert len(linkedin.sent("POST", r"^/rest/images$")) == 2


def test_a_post_whose_answer_is_lost_is_not_sent_again(connector, linkedin):
    linkedin.script("POST ^/rest/posts$", httpx.Response(504))

    with pytest.raises(ConnectorError):
        connector.publish(Draft(text="Bonjour"))

    # LinkedIn has no idempotency key: the post may be out, so Liant does not resend it.
    assert len(linkedin.sent("POST", r"^/rest/posts$")) == 1
    assert LinkedInConnector.publish_idempotency_window == 0


def test_an_upload_address_outside_linkedin_never_gets_the_token(connector, linkedin):
    answer = ok("images_initialize.json")
    data = answer.json()
    data["value"]["uploadUrl"] = "https://attacker.example/upload"
    linkedin.route("POST", r"/rest/images", httpx.Response(200, json=data))

    with pytest.raises(ConnectorError):
        connector.publish(Draft(text="x", media=[Media("image/png", PNG)]))

    assert not [r for r in linkedin.requests if r.url.host == "attacker.example"]


def test_too_long_a_post_is_refused_before_anything_is_sent(connector, linkedin):
    with pytest.raises(ConnectorError):
        connector.publish(Draft(text="a" * 3001))
    assert not linkedin.requests
    assert LinkedInConnector.rules.check("a" * 3001)


def test_escaping_keeps_plain_text_readable():
    assert escape_commentary("Prix: 12€ *promo* [1] <3 @ami ~ _x_ | {y} \\") == (
        r"Prix: 12€ \*promo\* \[1\] \<3 \@ami \~ \_x\_ \| \{y\} \\"
    )
    assert escape_commentary("#café et #V60!") == r"{hashtag|\#|café} et {hashtag|\#|V60}!"
    assert escape_commentary("n#1") == r"n\#1"  # not a hashtag after a letter


# --- reading --------------------------------------------------------------------------------


def test_fetch_reads_posts_and_comments_then_nothing_new_the_second_time(connector, linkedin):
    first = connector.fetch({})

    posts = [e for e in first.events if e.kind is EventKind.POST]
    comments = [e for e in first.events if e.kind is EventKind.COMMENT]
    assert {p.remote_id for p in posts} == {SHARE, UGC}
    assert posts[0].author.remote_id == ORG and posts[0].author.name == "Maison Lumière"
    assert [c.text for c in comments] == [
        "Super ! Est-ce que l'atelier est accessible aux débutants ?",
        "Is the workshop in English too?",
        "Merci, je m'inscris !",  # an answer under the first comment; the page's own is skipped
    ]
    top, _english, answer = comments
    assert top.remote_id == FIRST
    assert top.parent_remote_id == SHARE and top.thread_remote_id == SHARE
    assert top.author.remote_id == "urn:li:person:Zq3aB1cD2e"
    assert top.occurred_at == datetime(2025, 11, 20, 15, 0, tzinfo=UTC)
    assert answer.parent_remote_id == FIRST and answer.thread_remote_id == SHARE
    assert top.url.startswith(f"https://www.linkedin.com/feed/update/{SHARE}/?commentUrn=")
    assert len(first.errors) == 1  # the comment without a date, skipped
    query = linkedin.sent("GET", r"^/rest/posts$")[0].url
    assert query.params["q"] == "author" and query.params["author"] == ORG
    assert "author=urn%3Ali%3Aorganization%3A90123456" in str(query)

    second = connector.fetch(first.cursor)

    assert second.events == []
    assert second.cursor == first.cursor


def test_a_comment_that_comes_later_is_read_once(connector, linkedin):
    first = connector.fetch({})
    linkedin.added.setdefault(SHARE, []).append(
        {
            "actor": "urn:li:person:New0000001",
            "commentUrn": "urn:li:comment:(urn:li:activity:7264000000000000100,7264100000000000050)",
            "created": {"actor": "urn:li:person:New0000001", "time": 1763700000000},
            "id": "7264100000000000050",
            "message": {"attributes": [], "text": "Et pour les enfants ?"},
            "object": "urn:li:activity:7264000000000000100",
        }
    )

    second = connector.fetch(first.cursor)
    third = connector.fetch(second.cursor)

    assert [e.text for e in second.events] == ["Et pour les enfants ?"]
    assert third.events == []


# --- answering and moderating ---------------------------------------------------------------


def comment_event(connector, linkedin) -> Event:
    return next(e for e in connector.fetch({}).events if e.remote_id == FIRST)


def test_a_reply_is_a_comment_of_the_page_under_the_comment(connector, linkedin):
    parent = comment_event(connector, linkedin)

    reply = connector.reply(parent, Draft(text="Oui, aucun matériel requis !"))

    [sent] = linkedin.sent("POST", r"/comments$")
    assert unquote(sent.url.raw_path.decode()) == f"/rest/socialActions/{FIRST}/comments"
    assert body(sent) == {
        "actor": ORG,
        "object": "urn:li:activity:7264000000000000100",
        "message": {"text": "Oui, aucun matériel requis !"},
        "parentComment": FIRST,
    }
    assert reply.remote_id == (
        "urn:li:comment:(urn:li:activity:7264000000000000100,7264200000000000001)"
    )


def test_a_reply_to_an_answer_goes_under_the_first_comment(connector, linkedin):
    answer = next(e for e in connector.fetch({}).events if e.text == "Merci, je m'inscris !")

    connector.reply(answer, Draft(text="Avec plaisir"))

    [sent] = linkedin.sent("POST", r"/comments$")
    assert body(sent)["parentComment"] == FIRST


def test_a_comment_on_the_pages_post(connector, linkedin):
    post = next(e for e in connector.fetch({}).events if e.remote_id == SHARE)

    connector.reply(post, Draft(text="Merci à tous !"))

    [sent] = linkedin.sent("POST", r"/comments$")
    assert unquote(sent.url.raw_path.decode()) == f"/rest/socialActions/{SHARE}/comments"
    assert body(sent)["object"] == SHARE and "parentComment" not in body(sent)


def test_deleting_a_comment_names_the_page_as_actor(connector, linkedin):
    connector.moderate(FIRST, ModerationAction.DELETE)

    [sent] = linkedin.sent("DELETE", r"/comments/")
    assert unquote(sent.url.path) == (
        "/rest/socialActions/urn:li:activity:7264000000000000100/comments/7264100000000000001"
    )
    assert sent.url.params["actor"] == ORG


def test_hiding_is_not_something_linkedin_allows(connector, linkedin):
    with pytest.raises(ConnectorError) as refused:
        connector.moderate(FIRST, ModerationAction.HIDE)
    assert refused.value.kind is ErrorKind.PERMANENT
    assert not linkedin.requests


# --- metrics --------------------------------------------------------------------------------


def test_metrics_of_posts_and_of_the_page(connector, linkedin):
    metrics = connector.metrics([SHARE, UGC, ORG])
    found = {m.remote_id: m.values for m in metrics}
    assert len(metrics) == 3  # each once

    assert found[SHARE] == {
        "impressions": 1084,
        "reach": 812,
        "clicks": 37,
        "likes": 21,
        "replies": 6,
        "reposts": 4,
    }
    assert found[UGC]["likes"] == 5
    assert found[ORG] == {
        "followers": 1843,
        "followers_gained_organic_30d": 8,
        "followers_gained_paid_30d": 1,
    }
    shares, ugc_posts = linkedin.sent("GET", r"organizationalEntityShareStatistics")
    assert "shares=List(urn%3Ali%3Ashare%3A7264000000000000001)" in str(shares.url)
    assert "ugcPosts=List(urn%3Ali%3AugcPost%3A7262000000000000002)" in str(ugc_posts.url)


# --- errors and tokens ----------------------------------------------------------------------


def test_an_expired_token_says_so(linkedin):
    stale = make_connector(linkedin, access_token="expired")

    with pytest.raises(ConnectorError) as expired:
        stale.fetch({})

    assert expired.value.kind is ErrorKind.AUTH_EXPIRED
    assert "Invalid access token" in expired.value.message


@override_settings(NETWORK_APPS=APP)
def test_the_refresh_token_buys_a_new_access_token(linkedin):
    stale = make_connector(
        linkedin,
        access_token="expired",
        refresh_token="AQWAft",
        refresh_expires_at="2027-11-30T12:00:00+00:00",
    )

    fresh = stale.refresh_credentials()

    assert fresh is not None
    assert fresh["access_token"] == FRESH
    assert datetime.fromisoformat(fresh["expires_at"]) > datetime.now(UTC) + timedelta(days=59)
    assert "refresh_expires_at" in fresh
    [sent] = linkedin.sent("POST", r"/oauth/v2/accessToken")
    form = parse_qs(sent.content.decode())
    assert form["grant_type"] == ["refresh_token"] and form["client_id"] == ["86abcdef"]
    assert make_connector(linkedin, access_token=fresh["access_token"]).fetch({}).events


def test_without_a_refresh_token_there_is_nothing_to_refresh(connector):
    assert connector.refresh_credentials() is None


def test_a_429_waits_until_midnight_utc_or_an_hour(linkedin):
    recorder = MemoryRecorder()
    late = datetime(2026, 11, 30, 23, 40, tzinfo=UTC)
    http = HttpClient(
        recorder,
        transport=httpx.MockTransport(linkedin.handle),
        sleep=lambda s: None,
        check_urls=False,
        clock=lambda: late,
    )
    connector = LinkedInConnector(SETTINGS, {"access_token": TOKEN}, http)
    linkedin.script("GET ^/rest/posts$", ok("error_throttled.json", 429))

    with pytest.raises(ConnectorError) as limited:
        connector.fetch({})

    assert limited.value.kind is ErrorKind.RATE_LIMITED
    assert limited.value.retry_after == 20 * 60  # midnight UTC comes first
    assert recorder.until == datetime(2026, 12, 1, tzinfo=UTC)
    assert "Resource level throttle" in limited.value.message

    recorder.until = None
    http.clock = lambda: datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    linkedin.script("GET ^/rest/posts$", ok("error_throttled.json", 429))
    with pytest.raises(ConnectorError) as again:
        connector.fetch({})
    assert again.value.retry_after == 3600


def test_a_permission_error_is_permanent_with_linkedins_words(connector, linkedin):
    linkedin.script("POST ^/rest/posts$", ok("error_access_denied.json", 403))

    with pytest.raises(ConnectorError) as refused:
        connector.publish(Draft(text="Bonjour"))

    assert refused.value.kind is ErrorKind.PERMANENT
    assert "Not enough permissions to access: partnerApiPostsExternal.CREATE" in (
        refused.value.message
    )
