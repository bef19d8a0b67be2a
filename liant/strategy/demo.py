"""Maison Lumière's strategy and editorial line: what the demo's posts are measured against."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from liant.channels.models import Channel
from liant.demo.loader import DemoContext, step
from liant.strategy.models import Audience, Format, Kpi, Objective, Pillar, Rhythm, Tone

# (name, share of posts in %, what it is about)
PILLARS = [
    ("Origines", 25, "Les cafés, leurs producteurs, leurs terroirs."),
    ("Ateliers", 20, "Dégustations, latte art, cours de méthodes douces."),
    ("Coulisses", 20, "La torréfaction, l'équipe, la boutique avant l'ouverture."),
    ("Conseils", 15, "Mouture, dosage, conservation : bien faire chez soi."),
    ("Communauté", 10, "Les clients, leurs avis, les partenaires du quartier."),
    ("Événements", None, "Portes ouvertes, salons, marchés."),
    ("Offres", None, "Abonnement, coffrets, nouveautés en boutique."),
]
TONES = [
    ("Chaleureux", "On tutoie le café, pas forcément le lecteur ; on sourit."),
    ("Didactique", "On explique un geste ou un mot du métier, simplement."),
    ("Complice", "Clins d'œil aux habitués, humour léger, jamais moqueur."),
]
FORMATS = [
    ("Texte court", "Une idée, une phrase, un lien."),
    ("Photo", "Une image de la boutique ou de l'atelier, avec texte alternatif."),
    ("Fil", "Deux à quatre publications qui racontent une origine."),
    ("Sondage", "Une question aux habitués, deux à quatre réponses."),
]


@step(125)  # after the publishing step, which creates the Mastodon channel
def strategy(context: DemoContext) -> None:
    workspace = context.workspaces["maison-lumiere"]
    if Objective.objects.filter(workspace=workspace).exists():
        return  # loaded before
    today = timezone.localdate()
    notoriety = Objective.objects.create(
        workspace=workspace,
        kind="notoriety",
        name="Être le torréfacteur de référence du quartier",
        description="Que les voisins pensent à nous avant la grande surface.",
        starts_on=today - timedelta(days=90),
        ends_on=today + timedelta(days=180),
    )
    Kpi.objects.create(
        objective=notoriety,
        name="Abonnés Mastodon",
        baseline=Decimal(480),
        target=Decimal(1500),
        due_on=notoriety.ends_on,
    )
    Kpi.objects.create(
        objective=notoriety,
        name="Interactions par publication",
        baseline=Decimal(8),
        target=Decimal(20),
        due_on=notoriety.ends_on,
    )
    loyalty = Objective.objects.create(
        workspace=workspace,
        kind="loyalty",
        name="Faire revenir les clients",
        description="L'abonnement café comme rendez-vous mensuel.",
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=365),
    )
    Kpi.objects.create(
        objective=loyalty,
        name="Abonnements actifs",
        unit="abonnés",
        baseline=Decimal(40),
        target=Decimal(120),
        due_on=loyalty.ends_on,
    )
    channels = list(Channel.objects.filter(workspace=workspace, kind__in=["mastodon", "feed"]))
    neighbours = Audience.objects.create(
        workspace=workspace,
        name="Les voisins",
        description="Habitants et travailleurs du quartier, 25-55 ans, passent devant la boutique.",
    )
    neighbours.channels.set(c for c in channels if c.kind == "mastodon")
    Audience.objects.create(
        workspace=workspace,
        name="Amateurs de café de spécialité",
        description="Connaissent les méthodes douces, comparent les origines, lisent les fiches.",
    )
    Audience.objects.create(
        workspace=workspace,
        name="Cafés et restaurants",
        description="Clients professionnels : régularité, prix, formation des équipes.",
    )
    Pillar.objects.bulk_create(
        Pillar(workspace=workspace, name=name, share=share, description=description)
        for name, share, description in PILLARS
    )
    Tone.objects.bulk_create(Tone(workspace=workspace, name=n, description=d) for n, d in TONES)
    Format.objects.bulk_create(
        Format(workspace=workspace, name=n, description=d) for n, d in FORMATS
    )
    for channel in channels:
        if channel.kind == "mastodon":
            Rhythm.objects.get_or_create(channel=channel, defaults={"posts_per_week": 3})
    context.notes.append(
        f"Strategy: 2 objectives, 3 KPIs, 3 audiences, {len(PILLARS)} pillars, rhythm 3/week"
    )
