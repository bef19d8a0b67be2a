from datetime import UTC, datetime

import httpx
import pytest

from liant.connectors.base import ConnectorError, Draft, ErrorKind, EventKind, Media
from liant.connectors.base import ModerationAction as Do
from liant.connectors.telegram import demo
from liant.connectors.telegram.connector import (
    PERMISSIONS,
    TelegramConnector,
    TelegramSettings,
    count_utf16,
)

from .conftest import TOKEN, answer, make_http

CHANNEL, GROUP = -1001987654321, -1001987654322
JPEG = Media("image/jpeg", b"\xff\xd8\xff\xe0fake-jpeg", filename="guji.jpg")


def test_length_is_counted_in_utf16_code_units_as_telegram_does():
    assert count_utf16("café") == 4
    assert count_utf16("☕") == 1  # in the Basic Multilingual Plane
    assert count_utf16("😍") == 2  # a surrogate pair
    assert TelegramConnector.rules.check("😍" * 2048) == []
    assert TelegramConnector.rules.check("😍" * 2049) != []


# --- fetch ------------------------------------------------------------------------------------


def test_fetch_reads_posts_comments_mentions_and_members_of_the_watched_chats(connector):
    result = connector.fetch({})
    by_id = {e.remote_id: e for e in result.events}
    post = by_id[f"{CHANNEL}:101"]
    assert post.kind is EventKind.POST and post.author.handle == "@maisonlumiere"
    assert post.url == "https://t.me/maisonlumiere/101"
    # A comment answers the discussion group's copy of the post: its parent is the post.
    comment = by_id[f"{GROUP}:12:5120000001"]
    assert comment.kind is EventKind.COMMENT
    assert comment.parent_remote_id == comment.thread_remote_id == f"{CHANNEL}:101"
    assert comment.author.url == "https://t.me/claire_dms" and comment.language == "fr"
    assert comment.url == "https://t.me/c/1987654322/12"
    mention = by_id[f"{GROUP}:13:5120000004"]
    assert mention.kind is EventKind.MENTION
    assert mention.parent_remote_id == f"{GROUP}:12:5120000001"  # the comment it answers
    assert by_id[f"{GROUP}:14:5120000006"].kind is EventKind.MEMBERSHIP
    assert by_id[f"{GROUP}:15:5120000006"].text == "Vos cafés c'est de l'arnaque"
    # The automatic copy of the post is not a second post; another chat is not ours.
    assert f"{GROUP}:11" not in by_id and not any(":7:" in i for i in by_id)
    assert len(result.events) == 5
    assert [p.params["update"] for p in result.errors] == [480001008]
    assert result.cursor == {"offset": 480001009}


def test_fetch_takes_one_page_so_nothing_is_confirmed_before_it_is_stored(connector, bot_api):
    connector.fetch({})
    assert len(bot_api.sent("getUpdates")) == 1
    sent = bot_api.sent("getUpdates")[0]
    assert sent["allowed_updates"] == ["message", "channel_post"] and "offset" not in sent


def test_fetching_the_same_window_twice_gives_the_same_events_and_then_nothing(connector):
    first = connector.fetch({})
    again = connector.fetch({})  # the cursor was not stored: Telegram sends them again
    assert [e.remote_id for e in again.events] == [e.remote_id for e in first.events]
    after = connector.fetch(first.cursor)
    assert after.events == [] and after.cursor == first.cursor


# --- publish and reply ------------------------------------------------------------------------


def test_publishing_text_sends_plain_text_to_the_chat(connector, bot_api):
    post = connector.publish(Draft("Atelier dégustation samedi 14 h à la boutique."))
    assert post.remote_id == f"{CHANNEL}:102"
    assert post.url == "https://t.me/maisonlumiere/102"
    assert post.published_at == datetime.fromtimestamp(1764320400, UTC)
    sent = bot_api.sent("sendMessage")[0]
    assert sent["chat_id"] == CHANNEL and "parse_mode" not in sent


def test_one_image_is_a_photo_with_its_caption(connector, bot_api):
    post = connector.publish(Draft("Le Guji en sac de 1 kg", media=[JPEG]))
    assert post.remote_id == f"{CHANNEL}:103"
    sent = bot_api.sent("sendPhoto")[0]
    assert sent["caption"] == "Le Guji en sac de 1 kg" and sent["chat_id"] == str(CHANNEL)
    assert sent["photo"] == ("file", JPEG.data)


def test_several_images_are_one_album_with_the_caption_on_the_first(connector, bot_api):
    post = connector.publish(Draft("Trois origines", media=[JPEG, JPEG, JPEG]))
    assert post.remote_id == f"{CHANNEL}:104"
    sent = bot_api.sent("sendMediaGroup")[0]
    import json

    album = json.loads(sent["media"])
    assert [m["media"] for m in album] == ["attach://photo0", "attach://photo1", "attach://photo2"]
    assert album[0]["caption"] == "Trois origines" and "caption" not in album[1]
    assert sent["photo2"] == ("file", JPEG.data)


def test_a_caption_too_long_for_telegram_is_refused_before_anything_is_sent(connector, bot_api):
    with pytest.raises(ConnectorError) as caught:
        connector.publish(Draft("é" * 1025, media=[JPEG]))
    assert caught.value.kind is ErrorKind.PERMANENT and "1024" in caught.value.message
    assert bot_api.requests == []


def test_a_send_that_failed_on_the_server_is_not_sent_again(connector, bot_api):
    bot_api.script("sendMessage", httpx.Response(502, text="Bad Gateway"))
    with pytest.raises(ConnectorError) as caught:
        connector.publish(Draft("Bonjour"))
    assert caught.value.kind is ErrorKind.TRANSIENT
    assert len(bot_api.sent("sendMessage")) == 1  # no idempotency key: never twice
    assert TelegramConnector.publish_idempotency_window == 0


def test_a_reply_answers_in_the_thread_of_the_parent(connector, bot_api):
    bot_api.routes["sendMessage"] = answer("sendMessage_reply.json")
    parent = next(e for e in connector.fetch({}).events if e.kind is EventKind.MENTION)
    post = connector.reply(parent, Draft("Yes, we ship to Belgium in 3 days."))
    sent = bot_api.sent("sendMessage")[0]
    assert sent["chat_id"] == GROUP and sent["reply_parameters"] == {"message_id": 13}
    assert post.remote_id == f"{GROUP}:17"  # the bot's own message: no member part


# --- moderation and metrics -------------------------------------------------------------------


def test_mute_restricts_every_permission_until_a_date_and_unmute_gives_them_back(
    connector, bot_api
):
    connector.moderate(f"{GROUP}:15:5120000006", Do.MUTE)
    connector.moderate(f"{GROUP}:15:5120000006", Do.UNMUTE)
    muted, unmuted = bot_api.sent("restrictChatMember")
    assert muted["chat_id"] == GROUP and muted["user_id"] == 5120000006
    assert set(muted["permissions"]) == set(PERMISSIONS)
    assert not any(muted["permissions"].values()) and muted["until_date"] > 0
    assert all(unmuted["permissions"].values()) and "until_date" not in unmuted


def test_delete_ban_unban_and_kick(connector, bot_api):
    target = f"{GROUP}:15:5120000006"
    connector.moderate(target, Do.DELETE)
    connector.moderate(target, Do.BAN)
    connector.moderate(target, Do.UNBAN)
    connector.moderate(target, Do.KICK)
    assert bot_api.sent("deleteMessage") == [{"chat_id": GROUP, "message_id": 15}]
    assert len(bot_api.sent("banChatMember")) == 2
    assert all(u["only_if_banned"] for u in bot_api.sent("unbanChatMember"))


def test_a_channel_post_has_no_member_to_ban(connector, bot_api):
    with pytest.raises(ConnectorError) as caught:
        connector.moderate(f"{CHANNEL}:101", Do.BAN)
    assert "no member" in caught.value.message and bot_api.requests == []
    with pytest.raises(ConnectorError):
        connector.moderate("not-an-id", Do.DELETE)


def test_metrics_give_the_chat_member_count_as_reach_read_once_per_chat(connector, bot_api):
    found = connector.metrics([f"{CHANNEL}:101", f"{CHANNEL}:102"])
    assert [m.values for m in found] == [{"reach": 1843}, {"reach": 1843}]
    assert len(bot_api.sent("getChatMemberCount")) == 1


# --- errors -----------------------------------------------------------------------------------


def test_a_revoked_token_is_an_expired_credential(bot_api):
    connector = TelegramConnector(demo.SETTINGS, {"bot_token": "123:revoked"}, make_http(bot_api))
    with pytest.raises(ConnectorError) as caught:
        connector.fetch({})
    assert caught.value.kind is ErrorKind.AUTH_EXPIRED and "Unauthorized" in caught.value.message
    assert connector.refresh_credentials() is None  # a bot token is not refreshed: pasted again


def test_flood_control_is_rate_limited_with_the_wait_telegram_gives(connector, bot_api, recorder):
    bot_api.script("getUpdates", answer("error_flood.json"))
    with pytest.raises(ConnectorError) as caught:
        connector.fetch({})
    assert caught.value.kind is ErrorKind.RATE_LIMITED and caught.value.retry_after == 17
    assert recorder.until is not None
    with pytest.raises(ConnectorError) as blocked:  # the next call waits without asking
        connector.fetch({})
    assert blocked.value.kind is ErrorKind.RATE_LIMITED
    assert len(bot_api.sent("getUpdates")) == 1


def test_a_missing_right_is_permanent_in_telegrams_words(connector, bot_api):
    bot_api.script("restrictChatMember", answer("error_not_enough_rights.json"))
    with pytest.raises(ConnectorError) as caught:
        connector.moderate(f"{GROUP}:15:5120000006", Do.MUTE)
    assert caught.value.kind is ErrorKind.PERMANENT
    assert "not enough rights to restrict/unrestrict chat member" in caught.value.message


def test_the_token_never_reaches_the_exchange_log(connector, recorder):
    connector.fetch({})
    connector.publish(Draft("Bonjour"))
    assert recorder.exchanges
    assert all(TOKEN not in e.url and "bot***" in e.url for e in recorder.exchanges)


# --- demo -------------------------------------------------------------------------------------


def test_the_demo_settings_and_events_are_valid():
    TelegramSettings.model_validate(demo.SETTINGS)
    events = demo.events(datetime(2026, 11, 30, tzinfo=UTC))
    assert 15 <= len(events) <= 30
    ids = [e.remote_id for e in events]
    assert len(set(ids)) == len(ids)
    known = set(ids)
    assert all(e.parent_remote_id in known for e in events if e.parent_remote_id)
    assert {e.language for e in events} == {"fr", "en"}
