from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from liant.channels.models import Channel, Health
from liant.connectors.base import ConnectorError
from liant.core.models import AuditEvent
from liant.inbox import grouping, replies
from liant.inbox.models import Conversation, Message, SavedReply, SendState
from tests.inbox.conftest import stored, ws_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(channel) -> Conversation:
    stored(channel, "Bonjour, où en est ma commande ?", thread="t1", remote_id="c-1", name="José")
    grouping.group_all()
    return Conversation.objects.select_related("channel", "workspace").get()


def send(client, workspace, conversation, text, capture):
    with capture(execute=True):
        return client.post(ws_url(workspace, f"{conversation.pk}/reply/"), {"text": text})


def test_a_reply_goes_out_in_thread_once_and_keeps_its_remote_id(
    owner_client, workspace, conversation, replier, django_capture_on_commit_callbacks
):
    response = send(
        owner_client,
        workspace,
        conversation,
        "Elle part demain !",
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    reply = Message.objects.get(direction="out")
    assert (reply.state, reply.remote_id) == (SendState.SENT, "reply-1")
    assert replier.sent[0][:2] == ("reply", "c-1")
    assert replier.sent[0][2].idempotency_key == reply.idempotency_key
    conversation.refresh_from_db()
    assert conversation.first_response_at is not None and not conversation.awaiting_reply
    assert AuditEvent.objects.filter(action="inbox.reply_queued").exists()
    # The job handed out again (a duplicate wake-up) finds it sent and sends nothing.
    assert replies.send_reply(reply.pk) == SendState.SENT
    assert len(replier.sent) == 1


def test_the_outsider_cannot_reply(outsider_client, workspace, conversation, replier):
    url = ws_url(workspace, f"{conversation.pk}/reply/")
    assert outsider_client.post(url, {"text": "hijack"}).status_code == 404
    assert not Message.objects.filter(direction="out").exists()


def test_a_failed_send_is_shown_on_the_message_and_retried_with_the_same_key(
    owner_client,
    outsider_client,
    workspace,
    conversation,
    replier,
    django_capture_on_commit_callbacks,
):
    replier.script = [ConnectorError("The network said no (503)", "transient", status=503)]
    send(owner_client, workspace, conversation, "Réponse", django_capture_on_commit_callbacks)
    reply = Message.objects.get(direction="out")
    assert reply.state == SendState.FAILED
    # Written in the workspace's language (French here) for its people.
    assert "503" in reply.last_error and "vérifiez avant de la renvoyer" in reply.last_error
    page = owner_client.get(ws_url(workspace, f"{conversation.pk}/")).content.decode()
    assert "The network said no (503)" in page and "Send again" in page

    retry_url = ws_url(workspace, f"messages/{reply.pk}/retry/")
    assert outsider_client.post(retry_url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(retry_url)
    reply.refresh_from_db()
    assert reply.state == SendState.SENT
    assert [d.idempotency_key for _v, _t, d in replier.sent] == [reply.idempotency_key]


def test_two_workers_woken_for_the_same_reply_send_it_once(conversation, replier):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(replies, "enqueue", lambda message_id: None)
        reply = replies.queue_reply(conversation, "Une seule fois")
    original = replies.call_network

    def racing(connector, message):
        # The second worker arrives while the first one is on the network.
        assert replies.send_reply(message.pk) == SendState.SENDING
        return original(connector, message)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(replies, "call_network", racing)
        assert replies.send_reply(reply.pk) == SendState.SENT
    assert len(replier.sent) == 1


def test_a_worker_that_died_mid_send_leaves_it_failed_with_a_warning_never_resent(
    conversation, replier
):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(replies, "enqueue", lambda message_id: None)
        reply = replies.queue_reply(conversation, "Perdue ?")
    Message.objects.filter(pk=reply.pk).update(
        state=SendState.SENDING, claimed_at=timezone.now() - timedelta(hours=1)
    )
    assert replies.sweep() == 1
    reply.refresh_from_db()
    assert reply.state == SendState.FAILED and "peut-être atteint" in reply.last_error
    assert replier.sent == []


def test_an_expired_sign_in_marks_the_channel(
    conversation, replier, django_capture_on_commit_callbacks
):
    replier.script = [ConnectorError("token revoked", "auth_expired")]
    with django_capture_on_commit_callbacks(execute=True):
        replies.queue_reply(conversation, "Bonjour")
    assert Channel.objects.get(pk=conversation.channel_id).health == Health.AUTH_EXPIRED
    assert Message.objects.get(direction="out").state == SendState.FAILED


def test_saved_replies_fill_their_variables_in_the_member_s_language(
    owner_client, outsider_client, workspace, channel, owner
):
    saved = SavedReply.objects.create(
        workspace=workspace,
        name="Merci",
        text_fr="Bonjour {member_name}, merci ! {agent_name} ({channel})",
        text_en="Hello {member_name}, thanks! {agent_name} ({channel}) {unknown}",
    )
    stored(channel, "Thanks a lot for the quick delivery, I love it!", thread="en", name="Ann Lee")
    grouping.group_all()
    conv = Conversation.objects.get()
    url = ws_url(workspace, f"{conv.pk}/saved-reply/")
    page = owner_client.get(url, {"saved": saved.pk}).content.decode()
    assert "Hello Ann Lee, thanks! Owner (Social) {unknown}" in page
    conv.language = "fr"
    conv.save()
    page = owner_client.get(url, {"saved": saved.pk}).content.decode()
    assert "Bonjour Ann Lee, merci ! Owner (Social)" in page
    assert outsider_client.get(url, {"saved": saved.pk}).status_code == 404


def test_a_conversation_without_a_parent_event_is_answered_directly(
    workspace, channel, replier, django_capture_on_commit_callbacks
):
    conv = Conversation.objects.create(
        workspace=workspace, channel=channel, key="person:zoe", contact_remote_id="zoe"
    )
    with django_capture_on_commit_callbacks(execute=True):
        replies.queue_reply(conv, "Bonjour Zoé")
    assert replier.sent[0][:2] == ("direct", "zoe")


def test_a_disconnected_channel_is_not_tried_and_says_why(
    conversation, replier, django_capture_on_commit_callbacks
):
    Channel.objects.filter(pk=conversation.channel_id).update(health=Health.DISCONNECTED)
    conversation.channel.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        replies.queue_reply(conversation, "Bonjour")
    reply = Message.objects.get(direction="out")
    assert reply.state == SendState.FAILED and "reconnect" in reply.last_error.lower()
    assert replier.sent == []


def test_a_direct_message_on_a_social_network_carries_no_subject_as_a_link(
    workspace, channel, replier, django_capture_on_commit_callbacks
):
    conv = Conversation.objects.create(
        workspace=workspace,
        channel=channel,
        key="person:zoe",
        contact_remote_id="zoe",
        subject="Ma commande",
    )
    with django_capture_on_commit_callbacks(execute=True):
        replies.queue_reply(conv, "Bonjour Zoé")
    assert replier.sent[0][2].link == ""
