"""The demo's leads: two forms, a lead at every stage with its history; loaded twice, same."""

from __future__ import annotations

import pytest

from liant.demo.loader import DemoContext
from liant.leads import demo
from liant.leads.models import Form, Lead, Stage, StageChange
from liant.members.models import Member
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def context(organisation, workspace):
    workspace.slug = "maison-lumiere"
    workspace.save()
    for n in range(3):
        Member.objects.create(workspace=workspace, name=f"P{n}", email=f"p{n}@exemple.fr")
    users = {
        "camille": make_user("camille@example.org", workspace),
        "ines": make_user("ines@example.org", workspace),
    }
    return DemoContext(organisation, {"maison-lumiere": workspace}, users)


def test_the_demo_leads_load_once_at_every_stage(context, workspace, mailoutbox):
    demo.leads(context)
    counts = (Lead.objects.count(), StageChange.objects.count())
    demo.leads(context)
    assert (Lead.objects.count(), StageChange.objects.count()) == counts
    assert Form.objects.filter(workspace=workspace).count() == 2
    assert set(Lead.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert Lead.objects.filter(member__isnull=False).count() == 2
    won = Lead.objects.get(stage=Stage.WON)
    assert won.value and won.owner is not None
    assert [c.to_stage for c in won.changes.order_by("at")] == ["qualified", "handed", "won"]
    assert mailoutbox == []  # history is written, not played: nobody is mailed


def test_the_demo_space_holds_the_newsletter_sign_up_and_the_contact_form(context, workspace):
    from liant.newsletters import demo as newsletters_demo
    from liant.newsletters.models import MailingList
    from liant.space.models import Space

    mailing_list = MailingList.objects.create(workspace=workspace, name=newsletters_demo.LIST_NAME)
    Space.objects.create(workspace=workspace, title="Le Comptoir")
    demo.leads(context)
    demo.leads(context)
    signup = Form.objects.get(workspace=workspace, name=demo.SIGNUP)
    assert signup.purpose == "newsletter" and signup.mailing_list == mailing_list
    space = Space.objects.get(workspace=workspace)
    assert space.sidebar_form == signup
    assert space.contact_form == Form.objects.get(workspace=workspace, name=demo.CONTACT)
    assert Form.objects.filter(workspace=workspace).count() == 3
