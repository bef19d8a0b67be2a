"""Publishing, replying and direct messages: what Liant sends to POST /api/v2/media and
POST /api/v1/statuses, and what it makes of Mastodon's answers."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from liant.connectors.base import Author, ConnectorError, Draft, ErrorKind, EventKind, Media
from tests.connectors.mastodon.conftest import TOKEN, error, load

JPEG = b"\xff\xd8\xff\xe0" + b"guji" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"roast" * 100


def test_it_publishes_two_images_with_alt_text_a_content_warning_and_a_visibility(
    instance, connector
):
    # The second upload is still processing (202, url null): Liant waits until it is ready.
    instance.script(
        "POST",
        "/api/v2/media",
        httpx.Response(200, json=load("media_image.json")),
        httpx.Response(202, json=load("media_processing.json")),
    )
    instance.media_polls_before_ready = 2  # 206, 206, then 200 with the url
    draft = Draft(
        text="Nouvelle récolte : Éthiopie Guji lavé. En boutique dès samedi !",
        media=[
            Media("image/jpeg", JPEG, alt_text="Deux tasses de Guji", filename="tasses.jpg"),
            Media("image/png", PNG, alt_text="Sacs de café vert"),
        ],
        content_warning="Nouveauté café",
        extras={"visibility": "unlisted"},
    )

    post = connector.publish(draft)

    uploads = instance.sent("POST", "/api/v2/media")
    assert len(uploads) == 2
    first, second = (instance.multipart(u) for u in uploads)
    assert first["description"].decode() == "Deux tasses de Guji"
    assert first["file"] == JPEG
    assert second["description"].decode() == "Sacs de café vert"
    assert b'filename="upload.png"' in uploads[1].content
    assert [r.url.path for r in instance.sent("GET", "/api/v1/media/113482391602")] == [
        "/api/v1/media/113482391602"
    ] * 3
    (sent,) = instance.sent("POST", "/api/v1/statuses")
    form = instance.form(sent)
    assert [v for k, v in form if k == "media_ids[]"] == ["113482391601", "113482391602"]
    assert ("spoiler_text", "Nouveauté café") in form
    assert ("visibility", "unlisted") in form
    assert ("status", draft.text) in form
    assert sent.headers["Authorization"] == f"Bearer {TOKEN}"
    assert all(r.headers["Authorization"] == f"Bearer {TOKEN}" for r in instance.requests)
    assert post.remote_id.isdigit()
    assert post.url == f"https://mastodon.example/@maisonlumiere/{post.remote_id}"
    assert post.published_at == datetime(2026, 11, 22, 9, 30, 12, 418000, tzinfo=UTC)


def test_media_that_never_finishes_processing_is_a_transient_error(instance, connector):
    instance.script(
        "POST", "/api/v2/media", httpx.Response(202, json=load("media_processing.json"))
    )
    instance.media_polls_before_ready = 1000
    with pytest.raises(ConnectorError) as failure:
        connector.publish(Draft(text="Vidéo", media=[Media("video/mp4", b"mp4", filename="v.mp4")]))
    assert failure.value.kind is ErrorKind.TRANSIENT
    assert "still processing v.mp4" in failure.value.message
    assert not instance.sent("POST", "/api/v1/statuses")


def test_the_default_visibility_comes_from_the_channel_settings(instance):
    from tests.connectors.mastodon.conftest import make_connector

    make_connector(instance, visibility="private").publish(Draft(text="Pour nos abonnés"))
    assert ("visibility", "private") in instance.form(instance.sent("POST", "/api/v1/statuses")[0])


def test_a_link_not_in_the_text_is_added_at_the_end(instance, connector):
    connector.publish(Draft(text="Le programme", link="https://maison-lumiere.example/ateliers"))
    form = dict(instance.form(instance.sent("POST", "/api/v1/statuses")[0]))
    assert form["status"] == "Le programme\n\nhttps://maison-lumiere.example/ateliers"


def test_it_publishes_a_poll(instance, connector):
    draft = Draft(
        text="Pour l'atelier de décembre, vous préférez :",
        extras={
            "poll": {
                "options": ["Latte art", "Cold brew", "Dégustation à l'aveugle"],
                "expires_in": 86400,
                "multiple": True,
            }
        },
    )
    post = connector.publish(draft)
    form = instance.form(instance.sent("POST", "/api/v1/statuses")[0])
    assert [v for k, v in form if k == "poll[options][]"] == [
        "Latte art",
        "Cold brew",
        "Dégustation à l'aveugle",
    ]
    assert ("poll[expires_in]", "86400") in form
    assert ("poll[multiple]", "true") in form
    assert "poll[hide_totals]" not in dict(form)
    assert post.remote_id


def test_a_poll_with_media_is_refused_before_anything_is_sent(instance, connector):
    draft = Draft(
        text="?", media=[Media("image/png", PNG)], extras={"poll": {"options": ["a", "b"]}}
    )
    with pytest.raises(ConnectorError, match="both a poll and media"):
        connector.publish(draft)
    assert instance.requests == []


def test_a_poll_needs_two_choices(connector):
    with pytest.raises(ConnectorError, match="at least two choices"):
        connector.publish(Draft(text="?", extras={"poll": {"options": ["Latte art"]}}))


def test_a_reply_mentions_the_author_and_threads_under_the_parent_then_comes_back_on_fetch(
    instance, connector
):
    # Round trip: our status → a follower answers it (a mention notification) → we answer.
    ours = connector.publish(Draft(text="Nouvelle récolte : Éthiopie Guji lavé."))
    instance.notifications = load("notifications.json")
    instance.notifications[0]["status"]["in_reply_to_id"] = ours.remote_id
    comment = next(e for e in connector.fetch({}).events if e.remote_id == "113482455000000016")
    assert comment.kind is EventKind.COMMENT
    assert comment.parent_remote_id == ours.remote_id
    assert comment.author is not None and comment.author.handle == "camille@piaille.example"

    answer = connector.reply(comment, Draft(text="Oui, en 250 g et 1 kg !"))

    form = dict(instance.form(instance.sent("POST", "/api/v1/statuses")[-1]))
    assert form["in_reply_to_id"] == "113482455000000016"
    assert form["status"] == "@camille@piaille.example Oui, en 250 g et 1 kg !"
    assert form["visibility"] == "public"
    assert answer.raw["in_reply_to_id"] == "113482455000000016"


def test_a_reply_does_not_repeat_a_mention_already_written(instance, connector):
    parent = next(e for e in connector.fetch({}).events if e.remote_id == "113482440000000012")
    connector.reply(parent, Draft(text="Merci @Jordan_Brews, à samedi !"))
    form = dict(instance.form(instance.sent("POST", "/api/v1/statuses")[-1]))
    assert form["status"] == "Merci @Jordan_Brews, à samedi !"


def test_a_reply_to_a_direct_message_stays_direct(instance, connector):
    dm = next(e for e in connector.fetch({}).events if e.kind is EventKind.DIRECT_MESSAGE)
    connector.reply(dm, Draft(text="Nous regardons tout de suite."))
    form = dict(instance.form(instance.sent("POST", "/api/v1/statuses")[-1]))
    assert form["visibility"] == "direct"
    assert form["in_reply_to_id"] == dm.remote_id


def test_a_favourite_cannot_be_answered(connector):
    reaction = next(e for e in connector.fetch({}).events if e.kind is EventKind.REACTION)
    with pytest.raises(ConnectorError, match="only a status can be answered"):
        connector.reply(reaction, Draft(text="Merci"))


def test_a_direct_message_is_a_direct_status_mentioning_the_recipient(instance, connector):
    recipient = Author(remote_id="109500000000000042", handle="lea@social.example")
    connector.send_direct(recipient, Draft(text="Votre colis part demain."))
    form = dict(instance.form(instance.sent("POST", "/api/v1/statuses")[0]))
    assert form["visibility"] == "direct"
    assert form["status"] == "@lea@social.example Votre colis part demain."


def test_a_status_with_an_idempotency_key_is_retried_with_the_same_key(instance, connector):
    # Mastodon keeps the key an hour: the retry cannot publish twice.
    instance.script("POST", "/api/v1/statuses", httpx.Response(500, json={"error": "boom"}))
    post = connector.publish(Draft(text="Atelier samedi", idempotency_key="variant-42-attempt"))
    sent = instance.sent("POST", "/api/v1/statuses")
    assert len(sent) == 2
    assert [r.headers["Idempotency-Key"] for r in sent] == ["variant-42-attempt"] * 2
    assert post.remote_id


def test_a_status_without_a_key_is_not_retried_after_a_server_error(instance, connector):
    instance.script("POST", "/api/v1/statuses", httpx.Response(500, json={"error": "boom"}))
    with pytest.raises(ConnectorError) as failure:
        connector.publish(Draft(text="Atelier samedi"))
    assert failure.value.kind is ErrorKind.TRANSIENT
    sent = instance.sent("POST", "/api/v1/statuses")
    assert len(sent) == 1
    assert "Idempotency-Key" not in sent[0].headers


def test_a_validation_error_reaches_the_message(instance, connector):
    instance.script("POST", "/api/v1/statuses", error(422, "error_validation.json"))
    with pytest.raises(ConnectorError) as failure:
        connector.publish(Draft(text=""))
    assert failure.value.kind is ErrorKind.PERMANENT
    assert failure.value.status == 422
    assert "Validation failed: Text can't be blank" in failure.value.message


def test_an_unknown_visibility_is_refused(connector):
    with pytest.raises(ConnectorError, match="no visibility 'friends'"):
        connector.publish(Draft(text="x", extras={"visibility": "friends"}))
