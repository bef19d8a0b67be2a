"""The demo's newsletter: a list fed by the members who agreed, one sent campaign whose
figures come from its send rows, next month's letter scheduled; loaded twice, same data."""

from __future__ import annotations

import pytest

from liant.demo.loader import DemoContext
from liant.members.models import Consent, Member
from liant.newsletters import demo, stats
from liant.newsletters.models import Campaign, MailingList, Send, Subscriber
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def context(organisation, workspace):
    workspace.slug = "maison-lumiere"
    workspace.save()
    for n in range(40):
        member = Member.objects.create(
            workspace=workspace, name=f"P{n}", email=f"p{n}@exemple.fr", language="fr"
        )
        if n % 4:
            Consent.objects.create(member=member, purpose="newsletter", text=demo.CONSENT)
    users = {"camille": make_user("camille@example.org", workspace)}
    return DemoContext(organisation, {"maison-lumiere": workspace}, users)


def test_the_demo_newsletter_loads_once_with_figures(context, workspace, mailoutbox):
    demo.newsletters(context)
    demo.newsletters(context)
    mailing_list = MailingList.objects.get(workspace=workspace)
    members = set(
        Subscriber.objects.filter(mailing_list=mailing_list).values_list("member__email", flat=True)
    )
    assert len(members) == 30  # only those who agreed
    sent = Campaign.objects.get(workspace=workspace, state="sent")
    figures = stats.of(sent)
    assert figures.recipients == 30 == Send.objects.filter(campaign=sent).count()
    assert figures.sent + figures.failed == 30
    scheduled = Campaign.objects.get(workspace=workspace, state="scheduled")
    assert scheduled.scheduled_at is not None
    assert not mailoutbox  # nothing was sent
    assert Campaign.objects.filter(workspace=workspace).count() == 2
