"""The demo's moderation: a charter, a dozen rules, a realistic FR/EN queue, and the heated
but fair complaint left alone."""

from __future__ import annotations

import pytest

from liant.channels.demo import email_channel
from liant.demo.loader import DemoContext
from liant.moderation import demo
from liant.moderation.models import Charter, Item, LogEntry, Rule
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def context(organisation, workspace):
    workspace.slug = "maison-lumiere"
    workspace.save()
    users = {"camille": make_user("camille@example.org", workspace), "malik": make_user("m@x.org")}
    return DemoContext(organisation, {"maison-lumiere": workspace}, users)


def test_the_demo_has_a_charter_rules_and_a_queue(context, workspace):
    email_channel(context)
    demo.moderation(context)
    demo.moderation(context)  # idempotent
    assert Charter.objects.filter(workspace=workspace).count() == 1
    assert Rule.objects.filter(workspace=workspace, active=True).count() == 14
    queued = Item.objects.filter(workspace=workspace, state="queued")
    texts = " ".join(queued.values_list("text", flat=True))
    assert "connard" in texts and "morons" in texts  # FR and EN insults
    assert "06 12 34 56 78" in texts
    wave = queued.filter(event__author_remote_id__startswith="promo-bot")
    assert wave.count() >= 2
    assert Item.objects.filter(label="publicité").exists() or "salon de thé" in texts


def test_the_heated_but_fair_complaint_is_not_removed(context, workspace):
    email_channel(context)
    demo.moderation(context)
    complaint = demo.MESSAGES[demo.HEATED][2]
    assert not Item.objects.filter(workspace=workspace, text=complaint).exists()
    assert not LogEntry.objects.filter(text=complaint).exists()
    english = next(m[2] for m in demo.MESSAGES if m[1] == "chris@example.com")
    assert not Item.objects.filter(workspace=workspace, text=english).exists()
