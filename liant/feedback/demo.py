"""Demo feedback of Maison Lumière: verbatims kept from the inbox and from listening (an
after-sales complaint, praise in French and English, a product idea) gathered in a report,
and an idea box where ideas stand at every status, with the community's votes.

Statuses are set as history here: nobody is told again about what the demo pretends was
decided weeks ago (and the demo's Mastodon account has no server to send through).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from liant.demo.loader import DemoContext, step
from liant.feedback import ideas, sources, verbatims
from liant.feedback.models import Collection, Idea, IdeaStatus, NotebookNote, Theme
from liant.inbox.models import Department, Direction, Message
from liant.listening.models import Mention
from liant.members.models import Kind, Member

COLLECTION = "Voix des clients — novembre"

# Inbox messages of the Mastodon history (liant/inbox/demo.py), by remote id:
# (themes, department, collection?)
FROM_INBOX = {
    "m-201": (["Service après-vente", "Moulins"], "Service après-vente"),
    "m-102": (["Accueil en boutique"], ""),
    "m-401": (["Goût"], "Produit"),
    "m-301": (["Abonnement"], "Produit"),
}

# (title, text, status, public reason, department, votes, days ago)
IDEAS = [
    (
        "Des capsules compostables compatibles",
        "Plusieurs clients demandent des capsules pour leur machine, mais compostables.",
        IdeaStatus.UNDER_REVIEW,
        "Nous testons deux fournisseurs de capsules compostables ; réponse en janvier.",
        "Produit",
        14,
        20,
    ),
    (
        "Un atelier dégustation le samedi matin",
        "Découvrir les origines en boutique, en petit groupe, avec le torréfacteur.",
        IdeaStatus.SHIPPED,
        "Premier atelier le samedi 6 décembre à 10 h, inscriptions en boutique !",
        "Produit",
        22,
        60,
    ),
    (
        "Louer un moulin professionnel pour un événement",
        "Pour un mariage ou une fête d'entreprise.",
        IdeaStatus.DECLINED,
        "Nous ne pouvons pas assurer l'entretien des moulins prêtés ; nous vous conseillons "
        "volontiers un loueur partenaire.",
        "Ventes",
        5,
        45,
    ),
    (
        "Gift cards you can send by e-mail",
        "Last-minute presents for coffee lovers abroad.",
        IdeaStatus.RECEIVED,
        "",
        "Ventes",
        3,
        3,
    ),
]


@step(160)  # after the inbox (130), listening (130) and members (145) demos
def feedback(context: DemoContext) -> None:
    workspace = context.workspaces["maison-lumiere"]
    if Collection.objects.filter(workspace=workspace, name=COLLECTION).exists():
        return  # loaded before: the demo is idempotent
    camille = context.users["camille"]
    now = timezone.now()
    departments = {d.name: d for d in Department.objects.filter(workspace=workspace)}
    themes: dict[str, Theme] = {}

    def theme(name: str) -> Theme:
        if name not in themes:
            themes[name], _ = Theme.objects.get_or_create(workspace=workspace, name=name)
        return themes[name]

    collection = Collection.objects.create(
        workspace=workspace,
        name=COLLECTION,
        description="Ce que les clients ont dit ce mois-ci, pour le comité de direction.",
        created_by=camille,
    )
    kept = 0
    messages = {
        m.event.remote_id: m
        for m in Message.objects.filter(
            workspace=workspace, direction=Direction.IN, event__remote_id__in=[*FROM_INBOX, "m-101"]
        ).select_related("conversation__channel", "event__channel")
        if m.event
    }
    for remote_id, (theme_names, department) in FROM_INBOX.items():
        message = messages.get(remote_id)
        if message is None:
            continue  # no Mastodon channel in this demo
        verbatim, _ = verbatims.keep(workspace.pk, sources.from_message(message), camille)
        verbatim.themes.add(*[theme(n) for n in theme_names])
        if department in departments:
            verbatim.departments.add(departments[department])
        collection.verbatims.add(verbatim)
        kept += 1
    # Two mentions of the brand (not of a competitor) from listening: a French complaint,
    # English praise.
    about_us = Mention.objects.filter(workspace=workspace, matches__query__kind="brand")
    for wanted, theme_name in (
        (about_us.filter(sentiment="negative", language="fr"), "Qualité"),
        (about_us.filter(sentiment="positive", language="en"), "Image de marque"),
    ):
        mention = wanted.order_by("-occurred_at").select_related("channel", "event").first()
        if mention is None:
            continue
        verbatim, _ = verbatims.keep(workspace.pk, sources.from_mention(mention), camille)
        verbatim.themes.add(theme(theme_name))
        if mention.sentiment == "negative" and "Service après-vente" in departments:
            verbatim.departments.add(departments["Service après-vente"])
        collection.verbatims.add(verbatim)
        kept += 1

    voters = list(
        Member.objects.filter(
            workspace=workspace, kind=Kind.PERSON, merged_into__isnull=True, erased_at=None
        )
        .prefetch_related("identities")
        .order_by("-score", "pk")[:30]
    )

    def votes_for(idea: Idea, count: int, offset: int) -> None:
        for member in (voters[offset:] + voters[:offset])[:count]:
            identity = next(iter(member.identities.all()), None)
            ideas.vote(
                idea,
                member,
                identity=identity,
                channel=identity.channel if identity else None,
            )

    box: list[Idea] = []
    subscription = messages.get("m-301")
    if subscription is not None:
        idea, _ = ideas.from_said(workspace.pk, sources.from_message(subscription), camille)
        idea.title = "Une box abonnement avec deux origines par mois"
        idea.department = departments.get("Produit")
        idea.save(update_fields=["title", "department"])
        idea.themes.add(theme("Abonnement"))
        votes_for(idea, 18, 0)
        _set_status(
            idea,
            IdeaStatus.PLANNED,
            "Lancement prévu au printemps, avec fiches de dégustation.",
            now - timedelta(days=2),
        )
        duplicate = Idea.objects.create(
            workspace=workspace,
            title="Recevoir un café différent chaque mois",
            text="Vu sur Mastodon et en boutique : une formule découverte.",
            created_by=camille,
        )
        votes_for(duplicate, 6, 15)  # three of them voted for both: they count once
        ideas.merge(idea, duplicate)
        box.append(idea)
    for offset, (title, text, status, reason, department, count, days) in enumerate(IDEAS):
        idea = Idea.objects.create(
            workspace=workspace,
            title=title,
            text=text,
            department=departments.get(department),
            created_by=camille,
            created_at=now - timedelta(days=days),
        )
        votes_for(idea, count, offset * 5)
        if voters:
            first = voters[(offset * 7) % len(voters)]
            identity = next(iter(first.identities.all()), None)
            ideas.propose(
                idea, first, identity=identity, channel=identity.channel if identity else None
            )
        _set_status(idea, status, reason, now - timedelta(days=max(days - 5, 1)))
        box.append(idea)

    NotebookNote.objects.create(
        workspace=workspace,
        author=camille,
        kind=NotebookNote.Kind.IDEA,
        text="Inviter les plus fidèles du Guji à une dégustation privée avant la sortie du "
        "prochain lot.",
        message=messages.get("m-101"),
    )
    NotebookNote.objects.create(
        workspace=workspace,
        author=camille,
        text="Relancer Paul sur le moulin de Marc : le SAV a promis une réponse vendredi.",
        message=messages.get("m-201"),
    )
    context.notes.append(
        f"Feedback: {kept} verbatims in the collection “{COLLECTION}”, {len(box)} ideas with "
        "votes (planned, under review, shipped, declined, received), a duplicate merged, and "
        "Camille's private notebook"
    )


def _set_status(idea: Idea, status: str, reason: str, at: datetime) -> None:
    """History, not news: set without telling anyone (see the module's docstring)."""
    Idea.objects.filter(pk=idea.pk).update(
        status=status, public_reason=reason, status_changed_at=at
    )
