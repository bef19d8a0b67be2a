"""GDPR: a member's leads and form submissions are in their export, and their erasure
leaves no row naming them while the pipeline keeps its counts and history."""

from __future__ import annotations

import pytest

from liant.leads import pipeline
from liant.leads.models import Lead, StageChange, Submission
from liant.members import gdpr
from liant.members.models import Member
from tests.leads.conftest import post_data

pytestmark = pytest.mark.django_db


def test_export_and_erasure(client, contact_form, owner):
    client.post(f"/forms/{contact_form.token}/", post_data())
    client.post(
        f"/forms/{contact_form.token}/",
        post_data(email="paul@bar.example", name="Paul", company="Bar Paul", message="Autre chose"),
    )
    member = Member.objects.get(email="claire@cafe.example")
    lead = Lead.objects.get(member=member)
    pipeline.do_move(lead, "qualified", owner)
    sections = {s.key: s for s in gdpr.collect(member)}
    assert [r["company"] for r in sections["leads"].rows] == ["Café Claire"]
    assert sections["form_submissions"].rows[0]["ip"] == "127.0.0.1"
    assert len(sections["form_submissions"].rows) == 1  # nobody else's

    gdpr.erase(member)
    assert not Lead.objects.filter(email="claire@cafe.example").exists()
    assert not Lead.objects.filter(company="Café Claire").exists()
    assert not Lead.objects.filter(notes__contains="torréfacteur").exists()
    erased = Submission.objects.get(pk=lead.submission_id)
    assert erased.data == {} and erased.ip is None
    assert Lead.objects.count() == 2 and StageChange.objects.count() == 1  # counts stay
    assert Lead.objects.filter(
        email="paul@bar.example", company="Bar Paul"
    ).exists()  # others untouched
