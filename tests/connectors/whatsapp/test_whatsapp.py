"""The WhatsApp Cloud API connector against a fake Graph API replaying Meta's answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from liant.connectors.base import Author, ConnectorError, Draft, ErrorKind, Event, EventKind
from liant.connectors.http import HttpClient
from liant.connectors.whatsapp import demo
from liant.connectors.whatsapp.connector import WhatsAppConnector, WhatsAppSettings

from .conftest import PHONE, TOKEN, answer, load

SARAH = Author(remote_id="33612000003", handle="+33612000003", name="Sarah")
TEMPLATE = {"template": "atelier_rappel", "language": "fr", "parameters": ["samedi", "14 h"]}
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def incoming(hours_ago: float) -> Event:
    return Event(
        kind=EventKind.DIRECT_MESSAGE,
        remote_id="wamid.HBgLMzM2MTIwMDAwMDMVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
        author=SARAH,
        occurred_at=NOW - timedelta(hours=hours_ago),
        text="Il reste des places ?",
    )


def test_a_template_goes_to_the_member_once(connector, graph):
    post = connector.send_direct(SARAH, Draft(text="", extras=TEMPLATE, idempotency_key="k"))

    assert graph.sent() == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "33612000003",
            "type": "template",
            "template": {
                "name": "atelier_rappel",
                "language": {"code": "fr"},
                "components": [
                    {
                        "type": "body",
                        "parameters": [
                            {"type": "text", "text": "samedi"},
                            {"type": "text", "text": "14 h"},
                        ],
                    }
                ],
            },
        }
    ]
    assert post.remote_id == "wamid.HBgLMzM2MTIwMDAwMDMVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"
    assert graph.requests[0].url.path == f"/v21.0/{PHONE}/messages"


def test_free_text_cannot_open_a_conversation(connector, graph):
    with pytest.raises(ConnectorError) as caught:
        connector.send_direct(SARAH, Draft(text="Bonjour !"))

    assert "template" in caught.value.message and not graph.requests


def test_a_reply_within_24_hours_is_free_text_answering_the_message(connector, graph):
    connector.reply(incoming(hours_ago=23), Draft(text="Oui, trois places !"), now=NOW)

    sent = graph.sent()[0]
    assert sent["type"] == "text" and sent["text"]["body"] == "Oui, trois places !"
    assert sent["context"] == {"message_id": incoming(0).remote_id}


def test_a_reply_after_24_hours_asks_for_a_template_and_sends_nothing(connector, graph):
    with pytest.raises(ConnectorError) as caught:
        connector.reply(incoming(hours_ago=25), Draft(text="Oui !"), now=NOW)

    assert caught.value.kind is ErrorKind.PERMANENT
    assert "24 hours" in caught.value.message and "template" in caught.value.message
    assert not graph.requests
    # A template is allowed at any time.
    connector.reply(incoming(hours_ago=25), Draft(text="", extras=TEMPLATE), now=NOW)
    assert graph.sent()[0]["type"] == "template"


def test_metas_window_error_is_permanent_and_says_a_template_is_needed(connector, graph):
    graph.scripts.append(answer("error_131047_window.json", 400))

    with pytest.raises(ConnectorError) as caught:
        connector.reply(incoming(hours_ago=1), Draft(text="Oui !"), now=NOW)

    assert caught.value.kind is ErrorKind.PERMANENT
    assert "template" in caught.value.message and "24 hours" in caught.value.message


def test_an_expired_token_is_auth_expired(graph):
    connector = WhatsAppConnector(demo.SETTINGS, {"access_token": "old"}, _http(graph))

    with pytest.raises(ConnectorError) as caught:
        connector.check_connection()

    assert caught.value.kind is ErrorKind.AUTH_EXPIRED
    assert "Session has expired" in caught.value.message
    assert connector.refresh_credentials() is None  # a system user's token is replaced by hand


def test_a_rate_limit_is_rate_limited(connector, graph, recorder):
    graph.scripts.append(answer("error_130429_rate.json", 400))

    with pytest.raises(ConnectorError) as caught:
        connector.send_direct(SARAH, Draft(text="", extras=TEMPLATE))

    assert caught.value.kind is ErrorKind.RATE_LIMITED and caught.value.retry_after == 60
    assert recorder.blocked_until() is not None


@pytest.mark.parametrize("code", [4, 80007, 131056])
def test_metas_other_rate_limit_codes_are_rate_limited(connector, graph, code):
    body = load("error_130429_rate.json")
    body["error"]["code"] = code
    graph.scripts.append(httpx.Response(400, json=body))

    with pytest.raises(ConnectorError) as caught:
        connector.send_direct(SARAH, Draft(text="", extras=TEMPLATE))

    assert caught.value.kind is ErrorKind.RATE_LIMITED


def test_a_429_is_rate_limited_too(connector, graph):
    graph.scripts.append(answer("error_130429_rate.json", 429))

    with pytest.raises(ConnectorError) as caught:
        connector.send_direct(SARAH, Draft(text="", extras=TEMPLATE))

    assert caught.value.kind is ErrorKind.RATE_LIMITED


@pytest.mark.parametrize(
    ("fixture", "words"),
    [
        ("error_10_permission.json", "whatsapp_business_messaging permission"),
        ("error_132001_template.json", "atelier_rapel"),
    ],
)
def test_a_refusal_is_permanent_in_metas_words(connector, graph, fixture, words):
    graph.scripts.append(answer(fixture, 400))

    with pytest.raises(ConnectorError) as caught:
        connector.send_direct(SARAH, Draft(text="", extras=TEMPLATE))

    assert caught.value.kind is ErrorKind.PERMANENT and words in caught.value.message


def test_an_interrupted_send_is_not_sent_again(graph):
    def timeout(request: httpx.Request) -> httpx.Response:
        graph.requests.append(request)
        raise httpx.ReadTimeout("no answer", request=request)

    http = HttpClient(
        transport=httpx.MockTransport(timeout), sleep=lambda s: None, check_urls=False
    )
    connector = WhatsAppConnector(demo.SETTINGS, {"access_token": TOKEN}, http)

    with pytest.raises(ConnectorError) as caught:
        connector.send_direct(SARAH, Draft(text="", extras=TEMPLATE, idempotency_key="k"))

    assert caught.value.kind is ErrorKind.TRANSIENT and len(graph.requests) == 1
    assert WhatsAppConnector.publish_idempotency_window == 0


def test_fetch_checks_the_number_and_reads_nothing(connector, graph):
    result = connector.fetch({"x": 1})

    assert result.events == [] and result.cursor == {"x": 1}
    assert graph.requests[0].url.params["fields"] == (
        "display_phone_number,verified_name,quality_rating"
    )


def test_the_demo_is_valid_and_stable():
    assert WhatsAppSettings.model_validate(demo.SETTINGS).account_id == demo.PHONE_NUMBER_ID
    assert demo.NAME == "Maison Lumière (WhatsApp Business)"
    events = demo.events(NOW)
    assert 15 <= len(events) <= 30
    ids = [e.remote_id for e in events]
    assert len(set(ids)) == len(ids) and ids == [e.remote_id for e in demo.events(NOW)]
    assert all(e.occurred_at < NOW for e in events)
    messages = [e for e in events if e.kind is EventKind.DIRECT_MESSAGE]
    assert len(messages) >= 12 and all(e.author and e.author.remote_id.isdigit() for e in messages)
    statuses = [e for e in events if e.author is None]
    assert statuses and all(e.remote_id.startswith(e.parent_remote_id + ":") for e in statuses)
    assert any("escrocs" in e.text for e in events)


def _http(graph) -> HttpClient:
    return HttpClient(
        transport=httpx.MockTransport(graph.handle), sleep=lambda s: None, check_urls=False
    )
