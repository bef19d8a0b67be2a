"""Moderation pages: the queue by risk with filters and one-click decisions that can be
undone, rules with a dry run, the charter published as versions on a public page, the log;
nobody outside the workspace sees or changes anything."""

from __future__ import annotations

import pytest

from liant.core.models import AuditEvent
from liant.core.permissions import Role
from liant.moderation import queue
from liant.moderation.engine import moderate_new_events
from liant.moderation.models import Action, Charter, Item, ItemState, LogEntry, Outcome, Rule
from tests.conftest import client_for, make_user
from tests.moderation.conftest import rule, store

pytestmark = pytest.mark.django_db


def url(workspace, tail=""):
    return f"/w/{workspace.slug}/moderation/{tail}"


@pytest.fixture
def queued(workspace, channel):
    rule(workspace, name="Insultes", words="connard", action=Action.HOLD, severity=4, article=1)
    rule(workspace, name="Liens", min_links=1, action=Action.HOLD, severity=1)
    store(channel, "Voir https://example.org/menu", author="amy")
    store(channel, "Espèce de connard", author="bob")
    store(channel, "Please read this, you connard", author="cid")
    moderate_new_events(workspace)
    return list(Item.objects.order_by("-risk"))


def test_the_queue_is_ordered_by_risk_and_filtered(member_client, workspace, queued):
    page = member_client.get(url(workspace)).content.decode()
    assert page.index("Espèce de connard") < page.index("https://example.org/menu")
    links = Rule.objects.get(name="Liens")
    page = member_client.get(url(workspace), {"rule": links.pk}).content.decode()
    assert "https://example.org/menu" in page and "Espèce de connard" not in page
    page = member_client.get(url(workspace), {"language": "en"}).content.decode()
    assert "you connard" in page and "Espèce de connard" not in page


def test_message_text_is_escaped_in_the_queue(member_client, workspace, channel):
    rule(workspace, words="connard", action=Action.HOLD)
    store(channel, "<script>alert(1)</script> connard")
    moderate_new_events(workspace)
    page = member_client.get(url(workspace)).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_a_decision_is_recorded_then_can_be_undone(member_client, workspace, queued):
    item = queued[0]
    answer = member_client.post(url(workspace, f"items/{item.pk}/decide/"), {"decision": "remove"})
    assert answer.status_code == 302
    item.refresh_from_db()
    assert item.state == ItemState.DONE
    entry = LogEntry.objects.get(item=item, actor__isnull=False)
    assert entry.outcome == Outcome.PENDING and entry.text == item.text
    assert AuditEvent.objects.filter(action="moderation.decided").exists()
    page = member_client.get(url(workspace)).content.decode()
    assert "Undo" in page
    member_client.post(url(workspace, f"decisions/{entry.pk}/undo/"))
    entry.refresh_from_db()
    item.refresh_from_db()
    assert entry.outcome == Outcome.UNDONE and item.state == ItemState.QUEUED


def test_an_unknown_decision_is_refused(member_client, workspace, queued):
    answer = member_client.post(url(workspace, f"items/{queued[0].pk}/decide/"), {"decision": "x"})
    assert answer.status_code == 404
    assert not LogEntry.objects.filter(actor__isnull=False).exists()


def test_an_upheld_report_makes_the_reporters_next_report_weigh_more(workspace, owner, channel):
    first = store(channel, "Message un", author="x1")
    second = store(channel, "Message deux", author="x2")
    third = store(channel, "Message trois", author="x3")
    items = [
        Item.objects.create(
            workspace=workspace, event=e, channel=channel, reason="reported", text=e.text
        )
        for e in (first, second, third)
    ]
    queue.report(items[0], "member:lea")
    before = Item.objects.get(pk=items[0].pk).risk
    queue.decide(items[0], "remove", owner)
    queue.report(items[1], "member:lea")
    queue.report(items[2], "member:tom")
    assert Item.objects.get(pk=items[1].pk).risk > before  # Léa was right once
    assert Item.objects.get(pk=items[1].pk).risk > Item.objects.get(pk=items[2].pk).risk


def test_a_rule_is_saved_off_then_tried_on_the_last_30_days_then_switched_on(
    owner_client, workspace, channel
):
    from django.utils import timezone

    store(channel, "Quel connard ce vendeur", occurred_at=timezone.now())
    store(channel, "Merci pour l'assistance", occurred_at=timezone.now())
    answer = owner_client.post(
        url(workspace, "rules/new/"),
        {"name": "Insultes", "severity": "3", "action": "delete", "words": "connard\nass",
         "mute_minutes": "60"},
    )  # fmt: skip
    assert answer.status_code == 302
    saved = Rule.objects.get()
    assert not saved.active
    page = owner_client.get(url(workspace, f"rules/{saved.pk}/dry-run/")).content.decode()
    assert "would have matched 1 message" in page
    assert "Quel connard ce vendeur" in page and "assistance" not in page
    assert not Item.objects.exists() and not LogEntry.objects.exists()
    owner_client.post(url(workspace, f"rules/{saved.pk}/switch/"))
    saved.refresh_from_db()
    assert saved.active


def test_a_rule_with_a_broken_pattern_or_no_condition_is_refused(owner_client, workspace):
    base = {"name": "R", "severity": "2", "action": "hold", "mute_minutes": "60"}
    page = owner_client.post(url(workspace, "rules/new/"), base | {"pattern": "(x"}).content
    assert "not valid" in page.decode()
    page = owner_client.post(url(workspace, "rules/new/"), base).content.decode()
    assert "at least one condition" in page
    assert not Rule.objects.exists()


def test_the_charter_is_published_as_versions_on_a_public_page(owner_client, client, workspace):
    body = "## 1. Respect\nPas d'insultes. <script>alert(1)</script> [lien](javascript:alert(1))"
    owner_client.post(url(workspace, "charter/"), {"body_fr": body, "body_en": "## 1. Respect"})
    owner_client.post(
        url(workspace, "charter/"), {"body_fr": body + "\n\n## 2. Spam", "body_en": ""}
    )
    assert list(Charter.objects.values_list("version", flat=True)) == [2, 1]
    assert Charter.current(workspace).articles("fr") == {1: "Respect", 2: "Spam"}
    editor = owner_client.get(url(workspace, "charter/")).content.decode()
    assert f'href="/charter/{workspace.slug}/"' in editor and "v2" in editor
    page = client.get(f"/charter/{workspace.slug}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Pas d&#x27;insultes" in page or "Pas d'insultes" in page
    assert "<script>" not in page and "javascript:" not in page
    assert "<h2>2. Spam</h2>" in page


def test_a_workspace_without_a_charter_has_no_public_page(client, workspace):
    assert client.get(f"/charter/{workspace.slug}/").status_code == 404


def test_an_analyst_sees_nothing_and_a_moderator_cannot_edit_rules(workspace, queued):
    analyst = client_for(make_user("analyst@brand.example", workspace, Role.ANALYST))
    assert analyst.get(url(workspace)).status_code == 403
    moderator = client_for(make_user("mod@brand.example", workspace, Role.MODERATOR))
    assert moderator.get(url(workspace)).status_code == 200
    assert moderator.get(url(workspace, "rules/new/")).status_code == 403
    assert moderator.get(url(workspace, "charter/")).status_code == 403


def test_the_outsider_gets_nothing(outsider_client, workspace, queued):
    item = queued[0]
    some_rule = Rule.objects.first()
    for path in (
        "", "log/", "rules/", "rules/new/", f"rules/{some_rule.pk}/",
        f"rules/{some_rule.pk}/dry-run/", "charter/",
    ):  # fmt: skip
        assert outsider_client.get(url(workspace, path)).status_code == 404, path
    entry = queue.decide(item, "remove", make_user("m2@brand.example", workspace))
    for path, data in (
        (f"items/{item.pk}/decide/", {"decision": "ban"}),
        (f"decisions/{entry.pk}/undo/", {}),
        (f"rules/{some_rule.pk}/switch/", {}),
        ("charter/", {"body_fr": "pirate"}),
        ("rules/new/", {"name": "x", "words": "x", "severity": "1", "action": "ban"}),
    ):
        assert outsider_client.post(url(workspace, path), data).status_code == 404, path
    entry.refresh_from_db()
    some_rule.refresh_from_db()
    assert entry.outcome == Outcome.PENDING and some_rule.active
    assert not Charter.objects.exists() and Rule.objects.count() == 2


def test_the_log_shows_who_or_which_rule_and_the_text(member_client, workspace, queued):
    page = member_client.get(url(workspace, "log/")).content.decode()
    assert "rule “Insultes”" in page and "Espèce de connard" in page
