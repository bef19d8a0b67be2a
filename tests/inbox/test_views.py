from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from liant.core.models import AuditEvent
from liant.core.permissions import Role
from liant.inbox import grouping
from liant.inbox.models import Conversation, Label, Notification, Presence, Status
from tests.conftest import client_for, make_user
from tests.inbox.conftest import stored, ws_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(channel) -> Conversation:
    stored(channel, "Ma commande 1042 n'est jamais arrivée, je suis très déçu.", thread="t1")
    grouping.group_all()
    return Conversation.objects.get()


def test_the_queue_lists_conversations_newest_first_and_the_outsider_gets_404(
    owner_client, outsider_client, workspace, channel
):
    stored(channel, "older question", thread="a", minutes=1)
    stored(channel, "newer question", thread="b", minutes=2)
    grouping.group_all()
    page = owner_client.get(ws_url(workspace)).content.decode()
    assert page.index("newer question") < page.index("older question")
    assert outsider_client.get(ws_url(workspace)).status_code == 404


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sentiment": "negative"}, ["Livraison ratée, café froid, très déçue."]),
        ({"language": "en"}, ["I love the new roast, thanks!"]),
        ({"priority": "3"}, ["Livraison ratée, café froid, très déçue."]),
        ({"assignee": "none"}, ["I love the new roast, thanks!"]),
        ({"label": "LABEL"}, ["I love the new roast, thanks!"]),
        ({"status": "closed"}, ["Old closed topic"]),
        ({"unanswered": "1"}, ["I love the new roast, thanks!", "Livraison ratée"]),
        ({"q": "livraison"}, ["Livraison ratée"]),
        ({"q": "cafe"}, ["Livraison ratée"]),  # accents folded
        ({"q": "roa"}, ["I love the new roast"]),  # the last word is a prefix
    ],
)
def test_the_fast_filters(owner_client, workspace, channel, owner, params, expected):
    stored(channel, "Livraison ratée, café froid, très déçue.", thread="neg", minutes=1)
    stored(channel, "I love the new roast, thanks!", thread="pos", minutes=2)
    stored(channel, "Old closed topic", thread="old", minutes=3)
    grouping.group_all()
    label = Label.objects.create(workspace=workspace, name="fan")
    Conversation.objects.get(key="thread:pos").labels.add(label)
    Conversation.objects.filter(key="thread:neg").update(priority=3, assignee=owner)
    Conversation.objects.filter(key="thread:old").update(status=Status.CLOSED, awaiting_reply=False)
    if params.get("label") == "LABEL":
        params = {"label": str(label.pk)}
    page = owner_client.get(ws_url(workspace), params).content.decode()
    for text in expected:
        assert text in page
    shown = [
        t for t in ("Livraison ratée", "I love the new roast", "Old closed topic") if t in page
    ]
    assert len(shown) == len(expected)


def test_search_takes_hostile_syntax_as_words(owner_client, workspace, conversation):
    for query in ['"', "NEAR(", "commande OR", "*", "a:b", "'); DROP TABLE x; --"]:
        assert owner_client.get(ws_url(workspace), {"q": query}).status_code == 200


def test_search_never_shows_another_workspace(owner_client, workspace, channel, other_channel):
    stored(other_channel, "secret rival commande", thread="r")
    stored(channel, "notre commande", thread="n")
    grouping.group_all()
    page = owner_client.get(ws_url(workspace), {"q": "commande"}).content.decode()
    assert "notre commande" in page and "secret rival" not in page


def test_the_conversation_page_and_the_outsider(
    owner_client, outsider_client, workspace, conversation
):
    url = ws_url(workspace, f"{conversation.pk}/")
    assert "Ma commande 1042" in owner_client.get(url).content.decode()
    assert outsider_client.get(url).status_code == 404


def test_hostile_text_is_escaped(owner_client, workspace, channel):
    stored(channel, "<script>alert(1)</script>", thread="x")
    grouping.group_all()
    conv = Conversation.objects.get()
    for url in (ws_url(workspace), ws_url(workspace, f"{conv.pk}/")):
        page = owner_client.get(url).content.decode()
        assert "<script>alert(1)" not in page


def test_status_priority_assignment_labels_and_snooze(
    owner_client, outsider_client, workspace, conversation, member
):
    url = ws_url(workspace, f"{conversation.pk}/update/")
    data = {"status": "pending", "priority": "2", "assignee": member.pk, "new_label": "SAV"}
    assert outsider_client.post(url, data).status_code == 404
    assert owner_client.post(url, data).status_code == 302
    conversation.refresh_from_db()
    assert (conversation.status, conversation.priority, conversation.assignee) == (
        "pending",
        2,
        member,
    )
    assert [lb.name for lb in conversation.labels.all()] == ["SAV"]
    assert AuditEvent.objects.filter(action="inbox.conversation_updated").exists()

    past = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = owner_client.post(url, {"status": "snoozed", "priority": "1", "snoozed_until": past})
    assert response.status_code == 400
    soon = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    owner_client.post(url, {"status": "snoozed", "priority": "1", "snoozed_until": soon})
    conversation.refresh_from_db()
    assert conversation.status == "snoozed"


def test_a_snoozed_conversation_wakes_when_its_time_comes(conversation):
    from liant.inbox.tasks import wake_snoozed

    Conversation.objects.filter(pk=conversation.pk).update(
        status=Status.SNOOZED, snoozed_until=timezone.now() - timedelta(minutes=1)
    )
    assert wake_snoozed() == 1
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN and conversation.snoozed_until is None


def test_an_analyst_cannot_change_a_conversation(workspace, conversation):
    analyst = make_user("analyst@brand.example", workspace, Role.ANALYST)
    url = ws_url(workspace, f"{conversation.pk}/update/")
    assert client_for(analyst).post(url, {"status": "closed", "priority": "1"}).status_code == 403


def test_a_note_mentioning_a_teammate_notifies_them_in_their_language(
    owner_client,
    outsider_client,
    workspace,
    conversation,
    member,
    django_capture_on_commit_callbacks,
):
    member.language = "fr"
    member.save()
    url = ws_url(workspace, f"{conversation.pk}/note/")
    assert outsider_client.post(url, {"note-text": "@member hello"}).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(url, {"note-text": "@member peux-tu regarder ? Client fâché."})
    notification = Notification.objects.get(user=member)
    assert notification.conversation == conversation
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [member.email]
    assert "vous a mentionné" in mail.outbox[0].subject
    page = client_for(member).get(ws_url(workspace, "notifications/")).content.decode()
    assert "Owner" in page


def test_two_people_writing_a_reply_see_each_other(workspace, conversation, owner, member):
    url = ws_url(workspace, f"{conversation.pk}/presence/")
    owner_page = client_for(owner).post(url, {"text": "Bonjour, nous"})
    assert "writing" not in owner_page.content.decode()
    member_page = client_for(member).post(url, {"text": "Bonjour"}).content.decode()
    assert "Owner is writing a reply here too." in member_page
    # A marker expires by itself: someone who closed the tab is not writing any more.
    Presence.objects.filter(user=owner).update(seen_at=timezone.now() - timedelta(minutes=5))
    assert "writing" not in client_for(member).post(url, {"text": "x"}).content.decode()


def test_presence_of_the_outsider_is_refused(outsider_client, workspace, conversation):
    url = ws_url(workspace, f"{conversation.pk}/presence/")
    assert outsider_client.post(url, {"text": "x"}).status_code == 404
    assert not Presence.objects.exists()


def test_a_snoozed_conversation_shows_its_date_in_the_date_field(
    owner_client, workspace, conversation
):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    until = datetime(2031, 5, 4, 9, 30, tzinfo=ZoneInfo(workspace.timezone))
    Conversation.objects.filter(pk=conversation.pk).update(status="snoozed", snoozed_until=until)
    page = owner_client.get(ws_url(workspace, f"{conversation.pk}/")).content.decode()
    assert 'value="2031-05-04T09:30"' in page
