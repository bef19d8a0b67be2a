from datetime import UTC, datetime

import httpx
import pytest

from liant.connectors import oauth
from liant.connectors.base import ConnectorError, Draft, ErrorKind, EventKind
from liant.connectors.base import ModerationAction as Do
from liant.connectors.reddit import demo
from liant.connectors.reddit.connector import RedditConnector, RedditSettings, ratelimit_wait

from .conftest import AGENT, CREDENTIALS, RATE, FakeReddit, load, make_http, ok

SR = "MaisonLumiereCafe"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


# --- fetch ------------------------------------------------------------------------------------


def test_the_first_fetch_reads_comments_posts_inbox_and_modmail(connector, reddit):
    result = connector.fetch({})
    by_id = {e.remote_id: e for e in result.events}

    rude = by_id["t1_m8q1a07"]
    assert rude.kind is EventKind.COMMENT and rude.author.remote_id == "rude_troll42"
    assert rude.author.url == "https://www.reddit.com/user/rude_troll42/"
    assert rude.parent_remote_id == rude.thread_remote_id == "t3_1h2ab3c"
    assert rude.url.endswith(f"/r/{SR}/comments/1h2ab3c/nouveau_ethiopie_guji_lave/m8q1a07/")
    assert rude.occurred_at.tzinfo is not None and rude.html.startswith('<div class="md">')
    # A mention in the subreddit is one event, the mention (not a comment too).
    assert by_id["t1_m8q0y12"].kind is EventKind.MENTION
    assert [e.kind for e in result.events if e.remote_id == "t1_m8q0y12"] == [EventKind.MENTION]
    mention_elsewhere = by_id["t1_m8p9k20"]
    assert mention_elsewhere.thread_remote_id == "t3_1h1zz0a"  # from `context`
    assert by_id["t3_1h2bc9d"].kind is EventKind.POST
    assert by_id["t3_1h2bc9d"].text.startswith("Moulin pour débuter")
    assert by_id["t4_2r17c8r"].kind is EventKind.DIRECT_MESSAGE
    # Our own post and comment are not events.
    assert "t3_1h2ab3c" not in by_id and "t1_m8q0z55" not in by_id
    # Modmail: the conversation whose earlier messages the listing lacks was read whole;
    # our own answer in it is not an event.
    modmail = sorted(i for i in by_id if i.startswith("modmail:"))
    assert modmail == ["modmail:vhltl:1b5fia", "modmail:vilw3:1b6w3o", "modmail:vilw3:1b6wb2"]
    first = by_id["modmail:vilw3:1b6w3o"]
    assert first.text.startswith("Commande 4512 pas reçue\n\n")
    assert by_id["modmail:vilw3:1b6wb2"].parent_remote_id == "modmail:vilw3:1b6w3o"
    assert len(reddit.sent("GET", r"/api/mod/conversations/vilw3$")) == 1
    listing = reddit.sent("GET", r"/api/mod/conversations$")[0]
    assert listing.url.params["entity"] == SR and listing.url.params["state"] == "all"
    # The comment without a date is skipped and said.
    assert any("created_utc" in p.message for p in result.errors)
    assert result.cursor["comments"] == {"t1": "t1_m8q1a07"}
    assert result.cursor["posts"] == {"t3": "t3_1h2bc9d"}
    assert result.cursor["inbox"] == {"t4": "t4_2r17c8r", "t1": "t1_m8q0y12"}
    assert result.cursor["modmail"] == "2025-11-29T12:40:00+00:00"
    # Every call said who is calling, in Reddit's format.
    assert {r.headers["user-agent"] for r in reddit.requests} == {AGENT}


def test_fetching_twice_brings_nothing_new_then_only_what_is_new(connector, reddit):
    first = connector.fetch({})
    again = connector.fetch(first.cursor)
    assert again.events == [] and again.errors == []
    assert again.cursor == first.cursor

    reddit.route("GET", rf"/r/{SR}/comments", ok("comments_newer.json"))
    later = connector.fetch(again.cursor)
    assert [e.remote_id for e in later.events] == ["t1_m8q1b44"]
    assert later.cursor["comments"] == {"t1": "t1_m8q1b44"}


def test_a_busy_modmail_is_read_page_after_page_until_what_was_seen(connector, reddit):
    cursor = connector.fetch({}).cursor
    base = load("modmail_conversations.json")
    template, message = base["conversations"]["vhltl"], base["messages"]["1b5fia"]
    busy: dict = {"conversations": {}, "messages": {}, "conversationIds": []}
    for n in range(25):  # 25 conversations updated since: a full page
        conv_id, message_id = f"w{n:02d}", f"1c{n:02d}"
        date = f"2025-11-30T10:{59 - n:02d}:00+00:00"
        busy["conversations"][conv_id] = {
            **template,
            "id": conv_id,
            "lastUpdated": date,
            "objIds": [{"id": message_id, "key": "messages"}],
        }
        busy["messages"][message_id] = {**message, "id": message_id, "date": date}
        busy["conversationIds"].append(conv_id)
    later = {**base, "conversations": {**base["conversations"]}}
    later["conversations"]["vhltl"] = {**template, "lastUpdated": "2025-11-30T09:00:00+00:00"}
    later["messages"] = {
        **base["messages"],
        "1b5fzz": {**message, "id": "1b5fzz", "date": "2025-11-30T09:00:00+00:00"},
    }
    later["conversations"]["vhltl"]["objIds"] = [
        {"id": "1b5fia", "key": "messages"},
        {"id": "1b5fzz", "key": "messages"},
    ]

    def pages(request, match):
        page = later if request.url.params.get("after") == "w24" else busy
        return httpx.Response(200, json=page, headers=RATE)

    reddit.route("GET", r"/api/mod/conversations", pages)
    result = connector.fetch(cursor)

    modmail = [e.remote_id for e in result.events if e.remote_id.startswith("modmail:")]
    assert len(modmail) == 26 and "modmail:vhltl:1b5fzz" in modmail
    assert "modmail:vhltl:1b5fia" not in modmail  # seen in the first fetch
    asked = reddit.sent("GET", r"/api/mod/conversations$")[-2:]
    assert [r.url.params.get("after") for r in asked] == [None, "w24"]
    assert result.cursor["modmail"] == "2025-11-30T10:59:00+00:00"


def test_a_profile_channel_reads_only_the_inbox(reddit):
    settings = {
        "account_id": "t5_3nv60a",
        "subreddit": "u_nina_v60",
        "username": "nina_v60",
        "moderator": False,
        "post_to": ["u_nina_v60", "Coffee"],
    }
    connector = RedditConnector(settings, CREDENTIALS, make_http(reddit))
    result = connector.fetch({})
    assert {e.remote_id for e in result.events} == {"t4_2r17c8r", "t1_m8q0y12", "t1_m8p9k20"}
    assert not reddit.sent("GET", r"/r/|/api/mod/")
    with pytest.raises(ConnectorError) as caught:
        connector.moderate("t1_m8q1a07", Do.BAN)
    assert "profile" in caught.value.message


# --- publish and reply ------------------------------------------------------------------------


def test_a_self_post_takes_its_title_from_the_first_line(connector, reddit):
    post = connector.publish(
        Draft("Atelier dégustation samedi\nHuit places, trois origines.", idempotency_key="k")
    )
    assert post.remote_id == "t3_1h3xy7z"
    assert post.url == f"https://www.reddit.com/r/{SR}/comments/1h3xy7z/atelier_degustation_samedi/"
    form = FakeReddit.form(reddit.sent("POST", r"/api/submit")[0])
    assert form == {
        "api_type": "json",
        "sr": SR,
        "title": "Atelier dégustation samedi",
        "sendreplies": "true",
        "kind": "self",
        "text": "Huit places, trois origines.",
    }
    assert RedditConnector.publish_idempotency_window == 0


def test_a_link_post_with_a_title_field(connector, reddit):
    connector.publish(
        Draft(
            "Notre guide des moulins.",
            link="https://maisonlumiere.example/guide",
            extras={"title": "Quel moulin choisir ?"},
        )
    )
    form = FakeReddit.form(reddit.sent("POST", r"/api/submit")[0])
    assert (form["kind"], form["url"], form["title"], form["text"]) == (
        "link",
        "https://maisonlumiere.example/guide",
        "Quel moulin choisir ?",
        "Notre guide des moulins.",
    )


def test_what_reddit_would_refuse_is_refused_before_sending(connector, reddit):
    with pytest.raises(ConnectorError) as caught:
        connector.publish(Draft("é" * 301 + "\ntexte"))
    assert "300" in caught.value.message
    with pytest.raises(ConnectorError):
        connector.publish(Draft("Titre", extras={"subreddit": "Coffee"}))  # not this channel's
    with pytest.raises(ConnectorError):
        connector.publish(Draft("Titre\n" + "x" * 40_001))
    assert reddit.requests == []
    assert RedditConnector.rules.check("x" * 40_000) == []


def test_a_ratelimit_error_on_submit_is_rate_limited_with_reddits_wait(connector, reddit):
    reddit.script("POST /api/submit", ok("submit_ratelimit.json"))
    with pytest.raises(ConnectorError) as caught:
        connector.publish(Draft("Bonjour\nÀ samedi !"))
    assert caught.value.kind is ErrorKind.RATE_LIMITED
    assert caught.value.retry_after == 300.0
    assert "try again in 5 minutes" in caught.value.message
    assert len(reddit.sent("POST", r"/api/submit")) == 1  # never sent twice
    assert ratelimit_wait("You are doing that too much. Try again in 6 seconds.") == 6.0
    assert ratelimit_wait("you are doing that too much. try again in 1 minute.") == 60.0


def test_another_json_error_is_permanent_in_reddits_words(connector, reddit):
    reddit.script("POST /api/submit", ok("submit_subreddit_noexist.json"))
    with pytest.raises(ConnectorError) as caught:
        connector.publish(Draft("Bonjour"))
    assert caught.value.kind is ErrorKind.PERMANENT
    assert caught.value.message == (
        "Reddit refused (SUBREDDIT_NOEXIST): that subreddit doesn't exist"
    )


def test_a_reply_is_a_comment_on_its_parent(connector, reddit):
    parent = next(e for e in connector.fetch({}).events if e.remote_id == "t1_m8q0y12")
    post = connector.reply(parent, Draft("Oui, en 3 jours ouvrés !"))
    form = FakeReddit.form(reddit.sent("POST", r"/api/comment")[0])
    assert form == {
        "api_type": "json",
        "thing_id": "t1_m8q0y12",
        "text": "Oui, en 3 jours ouvrés !",
    }
    assert post.remote_id == "t1_m8q2c18"
    assert post.url == "https://www.reddit.com/comments/1h2ab3c/_/m8q2c18/"
    assert post.published_at is not None


def test_a_modmail_reply_goes_to_its_conversation(connector, reddit):
    parent = next(e for e in connector.fetch({}).events if e.remote_id == "modmail:vilw3:1b6wb2")
    post = connector.reply(parent, Draft("Votre colis part aujourd'hui."))
    form = FakeReddit.form(reddit.sent("POST", r"/api/mod/conversations/vilw3$")[0])
    assert form == {
        "body": "Votre colis part aujourd'hui.",
        "isAuthorHidden": "false",
        "isInternal": "false",
    }
    assert post.remote_id == "modmail:vilw3:1b6wz9"


# --- moderation and metrics -------------------------------------------------------------------


def test_hide_and_delete_remove_delete_as_spam(connector, reddit):
    connector.moderate("t1_m8q1a07", Do.HIDE)
    connector.moderate("t1_m8q1a07", Do.DELETE)
    hide, delete = (FakeReddit.form(r) for r in reddit.sent("POST", r"/api/remove"))
    assert hide == {"id": "t1_m8q1a07", "spam": "false"}
    assert delete == {"id": "t1_m8q1a07", "spam": "true"}


def test_ban_and_unban_the_author_of_a_comment(connector, reddit):
    connector.moderate("t1_m8q1a07", Do.BAN)
    connector.moderate("t1_m8q1a07", Do.UNBAN)
    assert reddit.sent("GET", r"/api/info")[0].url.params["id"] == "t1_m8q1a07"
    ban = FakeReddit.form(reddit.sent("POST", rf"/r/{SR}/api/friend")[0])
    assert ban == {"api_type": "json", "name": "rude_troll42", "type": "banned"}
    unban = FakeReddit.form(reddit.sent("POST", rf"/r/{SR}/api/unfriend")[0])
    assert unban["type"] == "banned" and unban["name"] == "rude_troll42"


def test_mute_a_modmail_conversation_and_ban_its_person(connector, reddit):
    connector.moderate("modmail:vilw3:1b6wb2", Do.MUTE)
    connector.moderate("modmail:vilw3:1b6wb2", Do.UNMUTE)
    assert reddit.sent("POST", r"/api/mod/conversations/vilw3/mute$")
    assert reddit.sent("POST", r"/api/mod/conversations/vilw3/unmute$")
    connector.moderate("modmail:vilw3:1b6wb2", Do.BAN)
    assert FakeReddit.form(reddit.sent("POST", r"/api/friend")[0])["name"] == "marc_lyon"
    with pytest.raises(ConnectorError):
        connector.moderate("t1_m8q1a07", Do.KICK)


def test_not_a_moderator_is_permanent_in_reddits_words(connector, reddit):
    reddit.script("POST /api/remove", ok("error_403.json", 403))
    with pytest.raises(ConnectorError) as caught:
        connector.moderate("t1_m8q1a07", Do.HIDE)
    assert caught.value.kind is ErrorKind.PERMANENT and caught.value.status == 403
    assert "403 Forbidden" in caught.value.message
    assert "not a moderator" in caught.value.message


def test_metrics_read_score_comments_and_ratio(connector, reddit):
    found = connector.metrics(["t3_1h2ab3c", "t1_m8q1a07", "modmail:vilw3:1b6wb2"])
    assert [(m.remote_id, m.values) for m in found] == [
        ("t3_1h2ab3c", {"likes": 57, "replies": 14, "upvote_ratio_percent": 96}),
        ("t1_m8q1a07", {"likes": -8}),
    ]
    assert reddit.sent("GET", r"/api/info")[0].url.params["id"] == "t3_1h2ab3c,t1_m8q1a07"


# --- tokens and limits ------------------------------------------------------------------------


def test_an_expired_token_is_auth_expired_and_is_refreshed(reddit):
    stale = {**CREDENTIALS, "access_token": "expired"}
    connector = RedditConnector(demo.SETTINGS, stale, make_http(reddit))
    with pytest.raises(ConnectorError) as caught:
        connector.check_connection()
    assert caught.value.kind is ErrorKind.AUTH_EXPIRED

    fresh = connector.refresh_credentials()

    assert fresh["access_token"] == "eyJhbGciOi.access-2"
    assert fresh["refresh_token"] == "122-refresh-1"
    assert oauth.expires_at(fresh) is not None and oauth.expires_at(fresh) > datetime.now(UTC)
    token_call = reddit.sent("POST", r"/api/v1/access_token")[0]
    assert token_call.headers["user-agent"] == AGENT
    assert token_call.headers["authorization"].startswith("Basic ")
    assert FakeReddit.form(token_call) == {
        "grant_type": "refresh_token",
        "refresh_token": "122-refresh-1",
    }
    again = RedditConnector(demo.SETTINGS, fresh, make_http(reddit))
    assert again.check_connection() == "u/maison_lumiere"


def test_a_revoked_refresh_token_says_so(reddit):
    connector = RedditConnector(
        demo.SETTINGS, {**CREDENTIALS, "refresh_token": "revoked"}, make_http(reddit)
    )
    with pytest.raises(ConnectorError) as caught:
        connector.refresh_credentials()
    assert caught.value.kind is ErrorKind.AUTH_EXPIRED and "invalid_grant" in caught.value.message
    assert (
        RedditConnector(
            demo.SETTINGS, {"access_token": "x"}, make_http(reddit)
        ).refresh_credentials()
        is None
    )


def test_a_429_waits_x_ratelimit_reset(connector, reddit, recorder):
    reddit.script(
        f"GET /r/{SR}/comments",
        httpx.Response(
            429,
            json=load("error_429.json"),
            headers={
                "x-ratelimit-remaining": "0",
                "x-ratelimit-reset": "42",
                "x-ratelimit-used": "100",
            },
        ),
    )
    with pytest.raises(ConnectorError) as caught:
        connector.fetch({})
    assert caught.value.kind is ErrorKind.RATE_LIMITED and caught.value.retry_after == 42.0
    assert recorder.until is not None
    with pytest.raises(ConnectorError) as blocked:  # nothing more is sent until then
        connector.check_connection()
    assert blocked.value.kind is ErrorKind.RATE_LIMITED
    assert len(reddit.requests) == 1


def test_no_request_left_blocks_the_next_call_until_the_reset(connector, reddit):
    reddit.route(
        "GET",
        r"/api/v1/me",
        httpx.Response(
            200,
            json=load("me.json"),
            headers={**RATE, "x-ratelimit-remaining": "0.0", "x-ratelimit-reset": "30"},
        ),
    )
    connector.check_connection()
    with pytest.raises(ConnectorError) as blocked:
        connector.check_connection()
    assert blocked.value.kind is ErrorKind.RATE_LIMITED and 0 < blocked.value.retry_after <= 30


# --- demo -------------------------------------------------------------------------------------


def test_the_demo_settings_and_events_are_valid():
    assert RedditSettings.model_validate(demo.SETTINGS).subreddit == SR
    assert demo.NAME == "Maison Lumière (Reddit)"
    events = demo.events(NOW)
    assert 15 <= len(events) <= 30
    ids = [e.remote_id for e in events]
    assert len(set(ids)) == len(ids) and ids == [e.remote_id for e in demo.events(NOW)]
    for event in events:
        assert event.occurred_at < NOW and event.author and event.author.url and event.url
        assert event.remote_id.startswith(("t1_", "t3_", "t4_", "modmail:"))
    kinds = {e.kind for e in events}
    assert {EventKind.POST, EventKind.COMMENT, EventKind.MENTION, EventKind.DIRECT_MESSAGE} <= kinds
    assert any("arnaque" in e.text for e in events)
    english = [e for e in events if e.language == "en"]
    assert 1 <= len(english) < len(events) / 4
