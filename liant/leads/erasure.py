"""What leads hold about one member, for the GDPR export and erasure (members/gdpr.py).

Connected from LeadsConfig.ready(). A lead is found by its member or, for a lead typed in by
hand, by one of the person's addresses in the same workspace. Erasure keeps the rows, so the
pipeline's counts and values and the stage history stay true, and blanks everything that
names the person: contact details, notes, what the form received and from which IP.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from liant.leads.models import Lead, Submission
from liant.members.gdpr import Section, Subject, collect_personal_data, erase_personal_data, rows


def _leads(subject: Subject) -> Any:
    match = Q(member_id__in=subject.member_ids)
    if subject.emails:
        match |= Q(email__in=subject.emails)
    return Lead.objects.filter(match, workspace_id=subject.workspace_id)


def _submissions(subject: Subject) -> Any:
    return Submission.objects.filter(
        Q(member_id__in=subject.member_ids)
        | Q(pk__in=_leads(subject).exclude(submission=None).values("submission_id")),
        workspace_id=subject.workspace_id,
    )


@receiver(collect_personal_data)
def export_leads(sender: Any, subject: Subject, **kwargs: Any) -> list[Section]:
    return [
        Section(
            "leads",
            _("Leads"),
            rows(
                _leads(subject).values(
                    "name",
                    "email",
                    "company",
                    "phone",
                    "stage",
                    "source",
                    "campaign",
                    "utm_source",
                    "utm_medium",
                    "utm_campaign",
                    "notes",
                    "value",
                    "currency",
                    "created_at",
                )  # fmt: skip
            ),
        ),
        Section(
            "form_submissions",
            _("Form submissions"),
            rows(
                _submissions(subject).values(
                    "form__name", "data", "utm", "consent_text", "ip", "origin", "created_at"
                )
            ),
        ),
    ]


@receiver(erase_personal_data)
def erase_leads(sender: Any, subject: Subject, **kwargs: Any) -> dict[str, int]:
    # Submissions first: the leads' link to them is how hand-typed leads find theirs.
    submissions = _submissions(subject).update(data={}, utm={}, ip=None, origin="")
    leads = _leads(subject).update(name="", email="", company="", phone="", notes="")
    return {"leads": leads, "form_submissions": submissions}
