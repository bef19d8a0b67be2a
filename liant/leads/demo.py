"""Demo leads for Maison Lumière: a contact form, a "pro wholesale" form for cafés and
offices, a newsletter sign-up form (the newsletters' double opt-in) beside the community
space's home page with the contact form as its contact page, and leads at every stage with
values, owners and their history, some of them demo members who wrote through the contact
form.

History is written as rows (stage changes dated in the past), not played through
pipeline.do_move: loading the demo must send no hand-off e-mail and call no webhook.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from liant.core.models import User
from liant.demo.loader import DemoContext, step
from liant.leads.models import Form, Lead, Purpose, Stage, StageChange, Submission
from liant.members.models import Consent, Member
from liant.newsletters import demo as newsletters_demo
from liant.newsletters.models import MailingList
from liant.space.models import Space

CONTACT = "Nous contacter"
SIGNUP = "Recevoir la lettre"
WHOLESALE = "Offre pro : cafés, restaurants et bureaux"
CONSENT_FR = "J'accepte que Maison Lumière me recontacte au sujet de ma demande."
CONSENT_EN = "I agree that Maison Lumière may contact me about my request."
WHOLESALE_FR = (
    "J'accepte que l'équipe pro de Maison Lumière me recontacte pour une offre "
    "(mes données ne sont jamais cédées)."
)
WHOLESALE_EN = (
    "I agree that Maison Lumière's trade team may contact me with an offer "
    "(my data is never passed on)."
)

PATH = {
    Stage.NEW: [],
    Stage.QUALIFIED: [Stage.QUALIFIED],
    Stage.HANDED: [Stage.QUALIFIED, Stage.HANDED],
    Stage.WON: [Stage.QUALIFIED, Stage.HANDED, Stage.WON],
    Stage.LOST: [Stage.QUALIFIED, Stage.HANDED, Stage.LOST],
}

# (company, contact, e-mail, stage, value, owner, days ago, utm source/medium/campaign)
WHOLESALE_LEADS = [
    ("Café des Canuts", "Julien Perret", "julien@cafe-canuts.example", Stage.NEW, "1800",
     "", 1, ("instagram", "social", "offre-pro")),
    ("Bureaux Confluence", "Sarah Lemaire", "sarah@confluence-bureaux.example",
     Stage.QUALIFIED, "4200", "ines", 6, ("linkedin", "social", "offre-pro")),
    ("Le Comptoir du Parc", "Hugo Martin", "hugo@comptoir-parc.example", Stage.HANDED, "2600",
     "camille", 12, ("newsletter", "email", "lettre-automne")),
    ("Hôtel des Célestins", "Nadia Roux", "nadia@hotel-celestins.example", Stage.WON, "9600",
     "camille", 30, ("google", "cpc", "torrefacteur-lyon")),
    ("Brasserie Saint-Jean", "Marc Aubert", "marc@brasserie-saint-jean.example", Stage.LOST,
     "3100", "ines", 21, ("", "", "")),
]  # fmt: skip


def _owner(context: DemoContext, key: str) -> User | None:
    return context.users.get(key) if key else None


def _history(lead: Lead, days: int, by: User | None) -> None:
    if lead.changes.exists():
        return
    now = timezone.now()
    previous = Stage.NEW
    steps = PATH[Stage(lead.stage)]
    for n, stage in enumerate(steps, start=1):
        at = now - timedelta(days=days) + timedelta(days=days * n / (len(steps) + 1))
        StageChange.objects.create(lead=lead, from_stage=previous, to_stage=stage, by=by, at=at)
        previous = stage
    latest = lead.changes.first()  # newest first
    if latest is not None:
        Lead.objects.filter(pk=lead.pk).update(stage_changed_at=latest.at)


@step(175)  # after members (145) and newsletters (170)
def leads(context: DemoContext) -> None:
    workspace = context.workspaces["maison-lumiere"]
    contact, _created = Form.objects.get_or_create(
        workspace=workspace,
        name=CONTACT,
        defaults={
            "purpose": Purpose.CONTACT,
            "fields": ["email", "name", "message"],
            "consent_text_fr": CONSENT_FR,
            "consent_text_en": CONSENT_EN,
            "allowed_origins": "https://www.maison-lumiere.example",
        },
    )
    wholesale, _created = Form.objects.get_or_create(
        workspace=workspace,
        name=WHOLESALE,
        defaults={
            "purpose": Purpose.LEAD,
            "fields": ["email", "name", "company", "phone", "message"],
            "custom_labels": ["Type d'établissement", "Volume mensuel estimé (kg)"],
            "consent_text_fr": WHOLESALE_FR,
            "consent_text_en": WHOLESALE_EN,
            "allowed_origins": "https://www.maison-lumiere.example\nhttps://pro.maison-lumiere.example",
            "campaign": "offre-pro",
        },
    )
    mailing_list = MailingList.objects.filter(
        workspace=workspace, name=newsletters_demo.LIST_NAME
    ).first()
    if mailing_list is not None:
        signup, _created = Form.objects.get_or_create(
            workspace=workspace,
            name=SIGNUP,
            defaults={
                "purpose": Purpose.NEWSLETTER,
                "mailing_list": mailing_list,
                "fields": ["email", "name"],
                "consent_text_fr": newsletters_demo.CONSENT,
                "consent_text_en": "I would like to receive Maison Lumière's letter (one a month).",
            },
        )
        # On the community space, unless someone already chose its forms.
        Space.objects.filter(workspace=workspace, sidebar_form__isnull=True).update(
            sidebar_form=signup
        )
        Space.objects.filter(workspace=workspace, contact_form__isnull=True).update(
            contact_form=contact
        )
    now = timezone.now()
    for company, name, email, stage, value, owner_key, days, utm in WHOLESALE_LEADS:
        owner = _owner(context, owner_key)
        lead, created = Lead.objects.get_or_create(
            workspace=workspace,
            email=email,
            defaults={
                "name": name,
                "company": company,
                "stage": stage,
                "value": Decimal(value),
                "owner": owner,
                "source": f"form: {wholesale.name}",
                "campaign": wholesale.campaign,
                "utm_source": utm[0],
                "utm_medium": utm[1],
                "utm_campaign": utm[2],
                "created_at": now - timedelta(days=days),
                "stage_changed_at": now - timedelta(days=days),
            },
        )
        if created:
            Submission.objects.create(
                workspace=workspace,
                form=wholesale,
                data={"email": email, "name": name, "company": company},
                utm={
                    k: v
                    for k, v in zip(("utm_source", "utm_medium", "utm_campaign"), utm, strict=True)
                    if v
                },
                consent_text=WHOLESALE_FR,
                language="fr",
                created_at=now - timedelta(days=days),
            )
        _history(lead, days, owner or context.users.get("camille"))
    # Demo members who wrote through the contact form: one new, one qualified.
    writers = list(
        Member.objects.filter(workspace=workspace, merged_into__isnull=True)
        .exclude(email="")
        .order_by("pk")[:2]
    )
    messages = [
        "Bonjour, proposez-vous des ateliers de dégustation pour les entreprises ?",
        "Est-il possible de commander 5 kg de Huila pour notre association ?",
    ]
    for n, (member, text) in enumerate(zip(writers, messages, strict=False)):
        stage = (Stage.NEW, Stage.QUALIFIED)[n]
        if Lead.objects.filter(workspace=workspace, member=member).exists():
            continue
        at = now - timedelta(days=3 + 4 * n)
        submission = Submission.objects.create(
            workspace=workspace,
            form=contact,
            member=member,
            data={"email": member.email, "name": member.name, "message": text},
            consent_text=CONSENT_FR,
            language="fr",
            created_at=at,
        )
        Consent.objects.create(
            member=member,
            purpose=Consent.Purpose.CONTACT,
            text=CONSENT_FR,
            source=f"form: {contact.name}",
            at=at,
        )
        lead = Lead.objects.create(
            workspace=workspace,
            member=member,
            submission=submission,
            name=member.name,
            email=member.email,
            stage=stage,
            source=f"form: {contact.name}",
            notes=text,
            value=Decimal("150") if n else None,
            owner=context.users.get("ines") if n else None,
            created_at=at,
            stage_changed_at=at,
        )
        _history(lead, 3 + 4 * n, context.users.get("ines"))
    context.notes.append(
        f"Leads: {Lead.objects.filter(workspace=workspace).count()} leads; contact form at "
        f"/forms/{contact.token}/, wholesale form at /forms/{wholesale.token}/"
    )
