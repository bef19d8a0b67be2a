import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from liant.connectors.base import ConnectorError, Draft, ErrorKind, EventKind, Media
from liant.connectors.base import ModerationAction as Do
from liant.connectors.discord import demo
from liant.connectors.discord.connector import (
    PERMISSIONS_INTEGER,
    DiscordConnector,
    DiscordSettings,
    install_url,
    nonce_for,
)

from .conftest import ANN, COMP, GUILD, THREAD, error, make_http, rate_limited

JULES, NINA, RUDE = "1180000000000000101", "1180000000000000102", "1180000000000000106"
PNG = Media("image/png", b"\x89PNG\r\n\x1a\nfake", alt_text="Trois sacs de café", filename="a.png")


# --- fetch ------------------------------------------------------------------------------------


def test_the_first_fetch_reads_the_latest_messages_of_each_channel_and_active_thread(
    connector, discord
):
    result = connector.fetch({})
    by_id = {e.remote_id: e for e in result.events}
    question = by_id[f"{COMP}:1180000000000001303:{JULES}"]
    assert question.kind is EventKind.POST and question.author.name == "Jules"
    assert question.author.url == f"https://discord.com/users/{JULES}"
    assert question.author.avatar_url.startswith(f"https://cdn.discordapp.com/avatars/{JULES}/")
    assert question.url == f"https://discord.com/channels/{GUILD}/{COMP}/1180000000000001303"
    reply = by_id[f"{COMP}:1180000000000001308:{NINA}"]
    assert reply.kind is EventKind.COMMENT and reply.parent_remote_id == question.remote_id
    assert by_id[f"{COMP}:1180000000000001304:1180000000000000107"].kind is EventKind.MENTION
    # Thread messages hang on the message the thread was started from.
    in_thread = by_id[f"{THREAD}:1180000000000001502:{JULES}"]
    root = f"{COMP}:{THREAD}:{NINA}"
    assert in_thread.thread_remote_id == in_thread.parent_remote_id == root
    # Our own messages, system notices and the thread starter notice are not events.
    assert not any(":1180000000000001305" in i or ":1180000000000001306" in i for i in by_id)
    assert f"{ANN}:1180000000000001400" not in by_id and len(result.events) == 5
    problems = [p.message for p in result.errors]
    assert any("1180000000000001309" in p for p in problems)  # no timestamp: skipped
    assert any("Message Content intent" in p for p in problems)  # the empty one
    assert result.cursor["channels"] == {
        COMP: "1180000000000001309",
        ANN: "1180000000000001400",
        THREAD: "1180000000000001502",
    }
    assert result.cursor["roots"] == {THREAD: root}
    # A thread under a channel not watched is not read.
    assert not discord.sent("GET", "/channels/1180000000000009000/")
    first = discord.sent("GET", f"/channels/{COMP}/messages")[0]
    assert first.url.params["limit"] == "50" and "after" not in first.url.params


def test_fetching_again_asks_after_the_cursor_and_brings_nothing_new(connector, discord):
    first = connector.fetch({})
    again = connector.fetch(first.cursor)
    assert again.events == [] and again.cursor == first.cursor
    asked = discord.sent("GET", f"/channels/{COMP}/messages")[-1]
    assert asked.url.params["after"] == "1180000000000001309"
    # The thread's root is kept in the cursor for the thread's later messages.
    discord.pages[THREAD].insert(
        0,
        {
            **discord.pages[THREAD][0],
            "id": "1180000000000001503",
            "content": "Merci !",
        },
    )
    later = connector.fetch(again.cursor)
    assert [e.thread_remote_id for e in later.events] == [f"{COMP}:{THREAD}:{NINA}"]


def test_a_rate_limit_midway_keeps_what_was_read(connector, discord, recorder):
    discord.script(f"GET /channels/{COMP}/messages", rate_limited())
    result = connector.fetch({})
    assert result.cursor["channels"] == {ANN: "1180000000000001400"}  # the rest next time
    assert recorder.until is not None


# --- publish and reply ------------------------------------------------------------------------


def test_publishing_sends_a_nonce_and_crossposts_in_an_announcement_channel(connector, discord):
    post = connector.publish(Draft("Atelier dégustation samedi 14 h.", idempotency_key="v-42"))
    assert post.remote_id == f"{ANN}:1180000000000001600"
    assert post.published_at == datetime(2026, 11, 30, 9, tzinfo=UTC)
    body = json.loads(discord.sent("POST", f"/channels/{ANN}/messages$")[0].content)
    assert body["nonce"] == nonce_for("v-42") and len(body["nonce"]) <= 25
    assert body["enforce_nonce"] is True and body["allowed_mentions"]["parse"] == []
    assert discord.sent("POST", "/crosspost$")


def test_a_publish_retried_after_a_lost_answer_gives_back_the_same_message(connector, discord):
    discord.script(f"POST /channels/{ANN}/messages$", httpx.Response(502, text="Bad Gateway"))
    first = connector.publish(Draft("Bonjour", idempotency_key="v-7"))  # retried by HttpClient
    again = connector.publish(Draft("Bonjour", idempotency_key="v-7"))  # the publisher's retry
    assert first.remote_id == again.remote_id and len(discord.created) == 1
    assert 0 < DiscordConnector.publish_idempotency_window <= 300


def test_a_failed_crosspost_does_not_fail_the_published_message(connector, discord):
    discord.script("POST /crosspost$", error(403, "error_missing_permissions.json"))
    post = connector.publish(Draft("Nouveau café", idempotency_key="v-8"))
    assert post.remote_id and "Missing Permissions" in post.raw["liant_crosspost_error"]


def test_images_are_attachments_in_a_multipart_body(connector, discord):
    connector.publish(Draft("Trois origines", media=[PNG, PNG], idempotency_key="v-9"))
    request = discord.sent("POST", f"/channels/{ANN}/messages$")[0]
    payload = discord.payload(request)
    assert payload["attachments"] == [
        {"id": 0, "filename": "a.png", "description": "Trois sacs de café"},
        {"id": 1, "filename": "a.png", "description": "Trois sacs de café"},
    ]
    assert b'name="files[1]"; filename="a.png"' in request.content


def test_a_reply_references_the_message_in_its_channel(connector, discord):
    parent = next(e for e in connector.fetch({}).events if e.kind is EventKind.MENTION)
    post = connector.reply(parent, Draft("Oui, en 3 jours !", idempotency_key="r-1"))
    body = json.loads(discord.sent("POST", f"/channels/{COMP}/messages$")[0].content)
    assert body["message_reference"] == {
        "message_id": "1180000000000001304",
        "fail_if_not_exists": False,
    }
    assert post.remote_id.startswith(f"{COMP}:") and not discord.sent("POST", "/crosspost$")


def test_a_message_too_long_is_refused_before_sending(connector, discord):
    with pytest.raises(ConnectorError):
        connector.publish(Draft("é" * 2001))
    assert discord.requests == []
    assert DiscordConnector.rules.check("😍" * 2000) == []  # code points, as Discord counts


def test_a_direct_message_opens_the_dm_channel_first(connector, discord):
    from liant.connectors.base import Author

    connector.send_direct(Author(JULES), Draft("Votre colis part demain.", idempotency_key="d"))
    assert json.loads(discord.sent("POST", "/users/@me/channels")[0].content) == {
        "recipient_id": JULES
    }
    assert discord.sent("POST", "/channels/1180000000000007000/messages")


# --- moderation and metrics -------------------------------------------------------------------


def test_mute_is_a_timeout_and_unmute_lifts_it(connector, discord):
    target = f"{COMP}:1180000000000001307:{RUDE}"
    connector.moderate(target, Do.MUTE)
    connector.moderate(target, Do.UNMUTE)
    muted, unmuted = discord.sent("PATCH", f"/guilds/{GUILD}/members/{RUDE}")
    until = json.loads(muted.content)["communication_disabled_until"]
    assert datetime.fromisoformat(until).tzinfo is not None
    assert json.loads(unmuted.content) == {"communication_disabled_until": None}
    assert muted.headers["x-audit-log-reason"].startswith("Liant")


def test_delete_kick_ban_unban(connector, discord):
    target = f"{COMP}:1180000000000001307:{RUDE}"
    for action in (Do.DELETE, Do.KICK, Do.BAN, Do.UNBAN):
        connector.moderate(target, action)
    assert discord.sent("DELETE", f"/channels/{COMP}/messages/1180000000000001307")
    assert discord.sent("DELETE", f"/guilds/{GUILD}/members/{RUDE}")
    assert json.loads(discord.sent("PUT", f"/bans/{RUDE}")[0].content) == {
        "delete_message_seconds": 0
    }
    assert discord.sent("DELETE", f"/guilds/{GUILD}/bans/{RUDE}")
    with pytest.raises(ConnectorError) as caught:
        connector.moderate(f"{ANN}:1180000000000001400", Do.BAN)  # the bot's own
    assert "no member" in caught.value.message


def test_metrics_count_reactions_and_thread_replies_and_skip_deleted(connector):
    found = connector.metrics([f"{COMP}:1180000000000001303:{JULES}", f"{COMP}:1:2"])
    assert [(m.remote_id, m.values) for m in found] == [
        (f"{COMP}:1180000000000001303:{JULES}", {"reactions": 2, "replies": 3})
    ]


# --- errors -----------------------------------------------------------------------------------


def test_a_reset_token_is_an_expired_credential(discord):
    connector = DiscordConnector(demo.SETTINGS, {"bot_token": "old"}, make_http(discord))
    with pytest.raises(ConnectorError) as caught:
        connector.check_connection()
    assert (
        caught.value.kind is ErrorKind.AUTH_EXPIRED and "401: Unauthorized" in caught.value.message
    )
    assert connector.refresh_credentials() is None


def test_a_429_is_rate_limited_by_the_body_retry_after(connector, discord, recorder):
    discord.script("POST /messages$", rate_limited())
    with pytest.raises(ConnectorError) as caught:
        connector.publish(Draft("Bonjour", idempotency_key="k"))
    assert caught.value.kind is ErrorKind.RATE_LIMITED and caught.value.retry_after == 64.57
    assert recorder.until is not None
    with pytest.raises(ConnectorError) as blocked:
        connector.check_connection()
    assert blocked.value.kind is ErrorKind.RATE_LIMITED


def test_an_exhausted_bucket_waits_reset_after_before_the_next_call(connector, discord, recorder):
    discord.route(
        "GET",
        r"/users/@me",
        httpx.Response(
            200,
            json={"id": "1", "username": "maisonlumiere"},
            headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": "2.5"},
        ),
    )
    connector.check_connection()
    with pytest.raises(ConnectorError) as blocked:
        connector.check_connection()
    assert blocked.value.kind is ErrorKind.RATE_LIMITED and 0 < blocked.value.retry_after <= 2.5


def test_a_missing_permission_is_permanent_in_discords_words(connector, discord):
    discord.script("PUT /bans/", error(403, "error_missing_permissions.json"))
    with pytest.raises(ConnectorError) as caught:
        connector.moderate(f"{COMP}:1180000000000001307:{RUDE}", Do.BAN)
    assert caught.value.kind is ErrorKind.PERMANENT
    assert "Missing Permissions (50013)" in caught.value.message


# --- install link and demo --------------------------------------------------------------------


def test_the_install_link_asks_for_the_bot_scope_and_the_permissions():
    query = parse_qs(urlsplit(install_url("42", GUILD)).query)
    assert query["scope"] == ["bot"] and query["client_id"] == ["42"]
    assert query["permissions"] == [str(PERMISSIONS_INTEGER)] and query["guild_id"] == [GUILD]
    assert PERMISSIONS_INTEGER & (1 << 40) and PERMISSIONS_INTEGER & (1 << 16)


def test_the_demo_settings_and_events_are_valid():
    DiscordSettings.model_validate(demo.SETTINGS)
    events = demo.events(datetime(2026, 11, 30, tzinfo=UTC))
    assert 15 <= len(events) <= 30
    ids = [e.remote_id for e in events]
    assert len(set(ids)) == len(ids)
    assert all(e.parent_remote_id in set(ids) for e in events if e.parent_remote_id)
    assert {e.language for e in events} == {"fr", "en"}


def test_threads_that_cannot_be_listed_leave_the_channels_read(connector, discord):
    discord.script(f"GET /guilds/{GUILD}/threads/active", error(403, "error_missing_access.json"))
    result = connector.fetch({})
    assert set(result.cursor["channels"]) == {COMP, ANN}
    assert any("Missing Access (50001)" in p.message for p in result.errors)
