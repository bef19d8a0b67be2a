from __future__ import annotations

import pytest
from django.core import mail

from liant.inbox import grouping, routing
from liant.inbox.models import (
    Conversation,
    Department,
    Label,
    Message,
    Notification,
    Priority,
    RoutingRule,
    SavedReply,
    SendState,
)
from tests.inbox.conftest import stored, ws_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def after_sales(workspace, member) -> Department:
    department = Department.objects.create(
        workspace=workspace, name="SAV", email="sav@brand.example"
    )
    department.members.add(member)
    return department


def rule(workspace, name, position=0, **fields) -> RoutingRule:
    return RoutingRule.objects.create(workspace=workspace, name=name, position=position, **fields)


def test_rules_run_in_order_and_stop_where_told(workspace):
    first = rule(workspace, "commande", 1, keywords="commande, livraison")
    stopper = rule(workspace, "négatif", 2, sentiment="negative", stop=True)
    rule(workspace, "never reached", 3)
    rules = list(routing.active_rules(workspace.pk))
    sample = routing.Sample("Ma COMMANDE est en retard", sentiment="negative")
    assert routing.evaluate(rules, sample) == [first, stopper]
    assert routing.evaluate(rules, routing.Sample("Bravo", sentiment="positive"))[0].name == (
        "never reached"
    )


def test_conditions_channel_language_and_first_message(workspace, channel, other_channel):
    on_channel = rule(workspace, "c", channel=channel, language="en", first_message_only=True)
    assert routing.matches(on_channel, routing.Sample("x", channel.pk, "en", first=True))
    assert not routing.matches(on_channel, routing.Sample("x", other_channel.pk, "en"))
    assert not routing.matches(on_channel, routing.Sample("x", channel.pk, "fr"))
    assert not routing.matches(on_channel, routing.Sample("x", channel.pk, "en", first=False))
    accents = rule(workspace, "a", keywords="remboursé")
    assert routing.matches(accents, routing.Sample("Je veux être REMBOURSE"))


def test_a_matching_message_is_assigned_labelled_prioritised_routed_and_answered(
    workspace, channel, member, after_sales, replier, django_capture_on_commit_callbacks
):
    label = Label.objects.create(workspace=workspace, name="SAV")
    saved = SavedReply.objects.create(
        workspace=workspace,
        name="Accusé",
        text_fr="Bonjour {member_name}, le SAV regarde votre commande.",
        text_en="Hello {member_name}, after-sales is on it.",
    )
    rule(
        workspace,
        "SAV",
        keywords="commande",
        assign_to=member,
        add_label=label,
        set_priority=Priority.HIGH,
        department=after_sales,
        auto_reply=saved,
    )
    stored(channel, "Ma commande 1042 n'est pas arrivée.", thread="t", name="José Martin")
    with django_capture_on_commit_callbacks(execute=True):
        grouping.group_all()
    conv = Conversation.objects.get()
    assert conv.assignee == member and conv.priority == Priority.HIGH
    assert conv.department == after_sales
    assert list(conv.labels.all()) == [label]
    auto = Message.objects.get(direction="out")
    assert auto.automatic and auto.state == SendState.SENT
    assert auto.text == "Bonjour José Martin, le SAV regarde votre commande."
    # The department gets the summary and a link, its members an in-app notice too.
    assert sorted(m.to[0] for m in mail.outbox) == ["member@brand.example", "sav@brand.example"]
    assert f"/w/{workspace.slug}/inbox/{conv.pk}/" in mail.outbox[0].body
    assert "Ma commande 1042" in mail.outbox[0].body
    assert Notification.objects.filter(user=member, conversation=conv).exists()

    # A second message: nothing a person decided since is undone, no second auto-reply.
    Conversation.objects.filter(pk=conv.pk).update(priority=Priority.URGENT, assignee=None)
    stored(channel, "Et ma commande alors ?", thread="t")
    with django_capture_on_commit_callbacks(execute=True):
        grouping.group_all()
    conv.refresh_from_db()
    assert conv.priority == Priority.URGENT
    assert Message.objects.filter(direction="out").count() == 1


def test_the_rule_tester_shows_what_would_fire_and_changes_nothing(
    owner_client, outsider_client, workspace
):
    rule(workspace, "Recrutement", keywords="candidature, CV")
    rule(workspace, "Anglais", language="en")
    url = ws_url(workspace, "rules/test/")
    data = {"text": "Bonjour, voici ma candidature spontanée et mon CV.", "first": "on"}
    page = owner_client.post(url, data).content.decode()
    assert "Recrutement" in page and "Anglais" not in page
    assert outsider_client.post(url, data).status_code == 404
    assert not Conversation.objects.exists()


def test_rules_departments_and_saved_replies_are_edited_by_managers_only(
    owner_client, outsider_client, workspace, member
):
    from tests.conftest import client_for, make_user

    for path, data in [
        ("rules/new/", {"name": "R", "position": "1", "active": "on"}),
        ("departments/new/", {"name": "Ventes", "email": "ventes@brand.example"}),
        ("replies/new/", {"name": "Merci", "text_fr": "Merci !", "text_en": "Thanks!"}),
        (
            "sla/",
            {
                "first_response_minutes": 60,
                "next_response_minutes": 120,
                "resolution_minutes": 600,
                "opens_at": "09:00",
                "closes_at": "18:00",
                "weekdays": ["1", "2"],
                "holidays": "2026-12-25",
            },
        ),
    ]:
        assert outsider_client.post(ws_url(workspace, path), data).status_code == 404
        moderator = make_user(f"mod-{path[:3]}@brand.example", workspace, "moderator")
        assert client_for(moderator).post(ws_url(workspace, path), data).status_code == 403
        assert owner_client.post(ws_url(workspace, path), data).status_code == 302, path
    assert RoutingRule.objects.filter(workspace=workspace, name="R").exists()
    for path in ("rules/", "departments/", "replies/", "sla/"):
        assert owner_client.get(ws_url(workspace, path)).status_code == 200
        assert outsider_client.get(ws_url(workspace, path)).status_code == 404
    # The same name twice is said, not a server error.
    again = owner_client.post(ws_url(workspace, "departments/new/"), {"name": "Ventes"})
    assert again.status_code == 200 and b"already used" in again.content


def test_a_rule_cannot_point_at_another_workspace_s_objects(
    owner_client, workspace, other_workspace, other_channel
):
    foreign = SavedReply.objects.create(workspace=other_workspace, name="X", text_fr="x")
    response = owner_client.post(
        ws_url(workspace, "rules/new/"),
        {"name": "R", "position": "1", "channel": other_channel.pk, "auto_reply": foreign.pk},
    )
    assert response.status_code == 200
    assert not RoutingRule.objects.exists()
