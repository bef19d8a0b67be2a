"""The Slack connector against a fake Web API replaying Slack's documented answers."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from django.test import override_settings

from liant.connectors.base import ConnectorError, Draft, ErrorKind, EventKind
from liant.connectors.base import ModerationAction as Do
from liant.connectors.slack import demo
from liant.connectors.slack.connector import SlackConnector, SlackSettings

from .conftest import ANN, APP, BOT, COMP, TOKEN, answer, make_http

JULES, NINA, EMMA = "U06JULES01", "U06NINA002", "U06EMMA004"
ROOT = f"{COMP}:1764400200.000200"


# --- fetch ------------------------------------------------------------------------------------


def test_the_first_fetch_reads_the_bots_channels_and_the_threads_it_sees(connector, slack):
    result = connector.fetch({})

    by_id = {e.remote_id: e for e in result.events}
    question = by_id[ROOT]
    assert question.kind is EventKind.POST
    assert question.text.endswith("pas assez fin & je galère")  # Slack's &amp; read back
    assert question.author.remote_id == JULES and question.author.name == "Jules"
    assert question.author.url == f"https://maisonlumiere.slack.com/team/{JULES}"
    assert question.url == f"https://maisonlumiere.slack.com/archives/{COMP}/p1764400200000200"
    reply = by_id[f"{COMP}:1764400260.000260"]
    assert reply.kind is EventKind.COMMENT
    assert reply.parent_remote_id == reply.thread_remote_id == ROOT
    assert by_id[f"{COMP}:1764400400.000300"].kind is EventKind.MENTION
    # Joins, other apps' messages and Liant's own bot are not the community speaking.
    assert not {f"{COMP}:1764400350.000250", f"{COMP}:1764400320.000220"} & set(by_id)
    assert f"{COMP}:1764400310.000210" not in by_id and f"{ANN}:1764300000.000100" not in by_id
    assert len(result.events) == 6 and not result.errors
    assert result.cursor["channels"] == {
        ANN: {"oldest": "1764300000.000100"},
        COMP: {"oldest": "1764400500.000400"},
    }
    assert result.cursor["threads"] == {ROOT: "1764400260.000260"}
    # Only the channels the bot is a member of (not #general).
    assert {p["channel"] for p in slack.sent("conversations.history")} == {ANN, COMP}


def test_fetching_again_brings_nothing_new_then_only_what_is_new(connector, slack):
    first = connector.fetch({})
    again = connector.fetch(first.cursor)
    assert again.events == [] and again.cursor == first.cursor
    assert slack.sent("conversations.history")[-1]["oldest"] == "1764400500.000400"

    slack.replies.append(
        {**slack.replies[-1], "ts": "1764400990.000990", "text": "Finalement j'ai pris le Niche"}
    )
    slack.history[COMP].insert(0, {**slack.history[COMP][-1], "ts": "1764401000.001000"})
    later = connector.fetch(again.cursor)
    assert sorted(e.remote_id for e in later.events) == [
        f"{COMP}:1764400990.000990",
        f"{COMP}:1764401000.001000",
    ]
    assert later.cursor["threads"][ROOT] == "1764400990.000990"


def test_a_long_backlog_is_read_in_pages_and_resumed_without_a_gap(connector, slack):
    first = connector.fetch({})
    template = slack.history[COMP][-1]
    slack.history[COMP] = [
        {**template, "ts": f"1764500{n:03d}.000100"} for n in range(80, 0, -1)
    ] + slack.history[COMP]

    second = connector.fetch(first.cursor)
    position = second.cursor["channels"][COMP]
    assert len(second.events) == 60  # 4 pages of 15, the newest first
    assert position["oldest"] == "1764400500.000400" and position["next"]
    third = connector.fetch(second.cursor)
    ids = {e.remote_id for e in second.events} | {e.remote_id for e in third.events}
    assert len(ids) == 80
    assert third.cursor["channels"][COMP] == {"oldest": "1764500080.000100"}


def test_a_rate_limit_midway_keeps_what_was_read(connector, slack, recorder):
    slack.script("conversations.history", httpx.Response(200, json={"ok": True, "messages": []}))
    slack.script(
        "conversations.history",
        answer("error_ratelimited.json", 429, **{"Retry-After": "30"}),
    )
    # The first channel is read; the limit on the second stops the round, keeping it.
    result = connector.fetch({})
    assert result.cursor["channels"].keys() == {ANN}


def test_a_429_is_rate_limited_with_its_retry_after(connector, slack, recorder):
    slack.script("chat.postMessage", answer("error_ratelimited.json", 429, **{"Retry-After": "30"}))

    with pytest.raises(ConnectorError) as caught:
        connector.publish(Draft(text="Bonjour"))

    assert caught.value.kind is ErrorKind.RATE_LIMITED and caught.value.retry_after == 30
    assert recorder.blocked_until() is not None


# --- publish and reply ------------------------------------------------------------------------


def test_publish_posts_once_to_the_publish_channel_with_slack_escaping(connector, slack):
    post = connector.publish(Draft(text="Kenya & Éthiopie <3", idempotency_key="k1"))

    assert slack.sent("chat.postMessage") == [
        {"channel": ANN, "text": "Kenya &amp; Éthiopie &lt;3"}
    ]
    assert post.remote_id == f"{ANN}:1764500000.000900"
    assert post.url == f"https://maisonlumiere.slack.com/archives/{ANN}/p1764500000000900"
    assert post.published_at == datetime.fromtimestamp(1764500000.0009, UTC)


def test_an_interrupted_publish_is_not_sent_again(slack, recorder):
    def timeout(request: httpx.Request) -> httpx.Response:
        slack.requests.append(request)
        raise httpx.ReadTimeout("no answer", request=request)

    connector = SlackConnector(
        demo.SETTINGS,
        {"access_token": TOKEN},
        make_http(slack, recorder).__class__(
            recorder, transport=httpx.MockTransport(timeout), sleep=lambda s: None, check_urls=False
        ),
    )
    with pytest.raises(ConnectorError) as caught:
        connector.publish(Draft(text="Bonjour", idempotency_key="k1"))
    assert caught.value.kind is ErrorKind.TRANSIENT
    assert len(slack.requests) == 1  # Slack has no idempotency key: no second try
    assert SlackConnector.publish_idempotency_window == 0


def test_a_reply_goes_to_the_thread_of_its_parent(connector, slack):
    events = {e.remote_id: e for e in connector.fetch({}).events}

    connector.reply(events[f"{COMP}:1764400260.000260"], Draft(text="Merci Nina !"))
    connector.reply(events[f"{COMP}:1764400100.000100"], Draft(text="On regarde."))

    assert [(p["channel"], p.get("thread_ts")) for p in slack.sent("chat.postMessage")] == [
        (COMP, "1764400200.000200"),
        (COMP, "1764400100.000100"),
    ]


def test_an_empty_or_too_long_message_is_refused_before_sending(connector, slack):
    for text in ("  ", "x" * 4001):
        with pytest.raises(ConnectorError):
            connector.publish(Draft(text=text))
    assert not slack.sent("chat.postMessage")


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["error_invalid_auth.json", "error_token_revoked.json"])
def test_a_revoked_or_bad_token_is_auth_expired(connector, slack, fixture):
    slack.script("auth.test", answer(fixture))

    with pytest.raises(ConnectorError) as caught:
        connector.check_connection()

    assert caught.value.kind is ErrorKind.AUTH_EXPIRED


def test_a_missing_scope_is_permanent_and_says_which(connector, slack):
    slack.script("chat.postMessage", answer("error_missing_scope.json"))

    with pytest.raises(ConnectorError) as caught:
        connector.publish(Draft(text="Bonjour"))

    assert caught.value.kind is ErrorKind.PERMANENT
    assert "missing_scope" in caught.value.message and "chat:write" in caught.value.message


def test_a_channel_the_bot_left_is_a_problem_and_the_others_are_read(connector, slack):
    slack.script("conversations.history", answer("error_not_in_channel.json"))

    result = connector.fetch({})

    assert any("not_in_channel" in p.message for p in result.errors)
    assert result.events and ANN not in result.cursor["channels"]


@override_settings(NETWORK_APPS=APP)
def test_rotating_tokens_are_refreshed_with_the_refresh_token(slack):
    connector = SlackConnector(
        demo.SETTINGS,
        {"access_token": TOKEN, "refresh_token": "xoxe-1-refresh-token-1"},
        make_http(slack),
    )
    fresh = connector.refresh_credentials()

    assert fresh is not None
    assert fresh["access_token"] == "xoxe.xoxb-1-rotated-bot-token"
    assert fresh["refresh_token"] == "xoxe-1-refresh-token-2" and fresh["expires_at"]
    # Without rotation the bot token does not expire: nothing to refresh.
    assert (
        SlackConnector(
            demo.SETTINGS, {"access_token": TOKEN}, make_http(slack)
        ).refresh_credentials()
        is None
    )


# --- moderation and metrics -------------------------------------------------------------------


def test_delete_removes_a_message_and_says_why_when_slack_refuses(connector, slack):
    connector.moderate(f"{COMP}:1764400500.000400", Do.DELETE)
    assert slack.sent("chat.delete") == [{"channel": COMP, "ts": "1764400500.000400"}]

    slack.script("chat.delete", answer("error_cant_delete_message.json"))
    with pytest.raises(ConnectorError) as caught:
        connector.moderate(f"{COMP}:1764400100.000100", Do.DELETE)
    assert "cant_delete_message" in caught.value.message
    assert caught.value.kind is ErrorKind.PERMANENT

    with pytest.raises(ConnectorError):
        connector.moderate(f"{COMP}:1764400100.000100", Do.BAN)
    assert SlackConnector.moderation_actions == {Do.DELETE}


def test_metrics_are_the_reactions_and_replies(connector, slack):
    assert [m.values for m in connector.metrics([ROOT])] == [{"reactions": 3, "replies": 2}]
    assert slack.sent("reactions.get")[0] == {
        "channel": COMP,
        "timestamp": "1764400200.000200",
        "full": "true",
    }


# --- demo -------------------------------------------------------------------------------------


def test_the_demo_is_valid_and_stable():
    assert SlackSettings.model_validate(demo.SETTINGS).account_id == demo.TEAM
    assert demo.NAME == "Maison Lumière (Slack)"
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    events = demo.events(now)
    assert 15 <= len(events) <= 30
    ids = [e.remote_id for e in events]
    assert len(set(ids)) == len(ids)
    assert ids == [e.remote_id for e in demo.events(datetime(2026, 12, 25, tzinfo=UTC))]
    assert all(e.occurred_at < now and e.author and e.author.remote_id for e in events)
    assert {e.kind for e in events} >= {EventKind.POST, EventKind.COMMENT, EventKind.MENTION}
    assert any("arnaque" in e.text for e in events)
    assert all(e.parent_remote_id in ids for e in events if e.parent_remote_id)
    assert BOT in demo.SETTINGS["bot_user_id"]


def test_slack_markup_is_stored_as_people_read_it():
    from liant.connectors.slack.connector import readable

    assert readable(
        "<@U06JULES01> regarde <https://lumiere.example/kenya|le Kenya> &amp; <#C06ANNONCES|annonces> <!here>"
    ) == ("@U06JULES01 regarde le Kenya (https://lumiere.example/kenya) & #annonces @here")
    assert readable("<https://lumiere.example> 3 &lt; 4") == "https://lumiere.example 3 < 4"


def test_a_link_is_added_to_the_message(connector, slack):
    connector.publish(Draft(text="Le Kenya est là", link="https://lumiere.example/kenya"))

    assert slack.sent("chat.postMessage")[0]["text"] == (
        "Le Kenya est là\n\nhttps://lumiere.example/kenya"
    )
