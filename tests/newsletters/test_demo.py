"""The demo's newsletter: a list fed by the members who agreed, one sent campaign whose
figures come from its send rows, next month's letter scheduled; loaded twice, same data."""

from __future__ import annotations

import pytest

from liant.demo.loader import DemoContext
from liant.members.models import Consent, Member
from liant.newsletters import abtest, demo, stats
from liant.newsletters.models import Campaign, Click, MailingList, Send, Subscriber
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
    sent = Campaign.objects.get(workspace=workspace, name=demo.SENT_NAME, state="sent")
    figures = stats.of(sent)
    assert figures.recipients == Send.objects.filter(campaign=sent).count()
    assert figures.sent + figures.failed == figures.recipients
    # September, earlier in the history, left the list smaller by its unsubscribes/bounces.
    assert figures.recipients <= 30
    scheduled = Campaign.objects.get(workspace=workspace, state="scheduled")
    assert scheduled.scheduled_at is not None
    assert not mailoutbox  # nothing was sent
    assert Campaign.objects.filter(workspace=workspace).count() == 3


def test_the_history_holds_a_subject_test_decided_by_unique_clicks(context, workspace):
    demo.newsletters(context)
    tested = Campaign.objects.get(workspace=workspace, name=demo.TESTED_NAME)
    clicks = Click.objects.filter(send__campaign=tested).count()
    assert tested.state == "sent" and tested.track and tested.ab_decided_at is not None
    assert tested.started_at < tested.ab_decided_at < tested.finished_at
    variants = abtest.figures(tested)
    assert len(variants) == 2 and sum(v.recipients for v in variants) == 9  # 30 % of 30
    winner = max(variants, key=lambda v: (v.clicked, v.opened, -v.variant))
    assert tested.ab_winner == winner.variant and winner.winner
    figures = stats.of(tested)
    assert figures.recipients == 30 and figures.opened > 0 and figures.clicked > 0
    assert clicks >= figures.clicked
    # The rest of the list got the winner after the decision.
    rest = Send.objects.filter(campaign=tested, variant__isnull=True)
    assert rest.count() == 21
    assert not rest.filter(sent_at__lt=tested.ab_decided_at).exists()
    # The autumn letter came after September: nobody September lost receives it.
    autumn = Campaign.objects.get(workspace=workspace, name=demo.SENT_NAME)
    gone = Send.objects.filter(campaign=tested).exclude(unsubscribed_at=None, bounced_at=None)
    assert not Send.objects.filter(campaign=autumn, email__in=gone.values("email")).exists()
    demo.newsletters(context)  # loading again adds nothing
    assert Click.objects.filter(send__campaign=tested).count() == clicks
    assert Campaign.objects.filter(workspace=workspace, name=demo.TESTED_NAME).count() == 1
