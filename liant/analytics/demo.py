"""Six months of daily KPIs for Maison Lumière, computed from what the other demos loaded
(posts, conversations, mentions, moderation, members, animation, ideas), and the strategy's
"interactions per publication" measured by the publishing KPI.

Idempotent: the roll-up is an upsert, and the link is made once."""

from __future__ import annotations

import time

from django.utils import translation

from liant.analytics import roi_demo, rollup  # noqa: F401 (roi_demo registers its step)
from liant.analytics.models import (
    Frequency,
    ObjectiveLink,
    PeriodKind,
    Report,
    ReportSchedule,
    ReportSection,
    SectionKind,
)
from liant.analytics.reports import last_whole, make_from, set_commentary
from liant.demo.loader import DemoContext, step
from liant.strategy.models import Kpi

DEMO_DAYS = 183  # six months
# The strategy demo's KPI names → what measures them (the others, followers and coffee
# subscriptions, are not measured by any module yet and stay "not measured").
LINKS = {"Interactions par publication": "publishing.engagement"}


@step(195)  # after members' scores (190): every other demo's rows are in
def analytics(context: DemoContext) -> None:
    workspace = context.workspaces["maison-lumiere"]
    for kpi in Kpi.objects.filter(objective__workspace=workspace, name__in=LINKS):
        ObjectiveLink.objects.get_or_create(kpi=kpi, defaults={"key": LINKS[kpi.name]})
    began = time.perf_counter()
    written = rollup.backfill(workspace, DEMO_DAYS)
    context.notes.append(
        f"Analytics: {written} daily KPI values over {DEMO_DAYS} days "
        f"in {time.perf_counter() - began:.1f} s"
    )


# Camille's words on last month, one per section (the figures are beside them on the page).
COMMENTARY = {
    SectionKind.OBJECTIVES: (
        "Les objectifs de l'année restent atteignables. **Interactions par publication** : "
        "nous suivons la ligne prévue ; les autres indicateurs ne sont pas encore mesurés "
        "dans Liant."
    ),
    SectionKind.KPIS: (
        "Le rythme éditorial a été tenu sur Mastodon et le forum. Les recettes et les "
        "coulisses de la torréfaction restent les formats qui font le plus réagir."
    ),
    SectionKind.TOP_POSTS: (
        "La publication sur le nouvel espresso de saison arrive en tête : à refaire pour "
        "l'arrivée du café de Noël."
    ),
    SectionKind.LISTENING: (
        "Les mentions négatives portent surtout sur les délais de livraison. Le point est "
        "remonté à la logistique (voir le retour clients)."
    ),
    SectionKind.INBOX: (
        "Le délai de première réponse reste sous l'objectif de 4 heures en semaine ; "
        "le week-end est à renforcer.\n\n- Proposition : une astreinte le samedi matin."
    ),
    SectionKind.COMMUNITY: (
        "De nouveaux membres arrivent chaque semaine depuis le concours ; les ambassadeurs "
        "animent le forum."
    ),
}
SECTIONS: list[tuple[str, list[str]]] = [
    (SectionKind.OBJECTIVES, []),
    (SectionKind.KPIS, ["publishing.posts", "publishing.rhythm", "publishing.engagement"]),
    (SectionKind.TOP_POSTS, []),
    (SectionKind.LISTENING, []),
    (SectionKind.INBOX, []),
    (SectionKind.COMMUNITY, []),
]


@step(196)  # after the daily KPIs (195): the report reads them
def monthly_report(context: DemoContext) -> None:
    """A monthly template, last month's report made from it with Camille's commentary, and
    a schedule that e-mails it to Paul (the director, who reads English) each month."""
    workspace = context.workspaces["maison-lumiere"]
    camille, paul = context.users["camille"], context.users["paul"]
    template, created = Report.objects.get_or_create(
        workspace=workspace,
        is_template=True,
        title="Rapport mensuel",
        defaults={"period": PeriodKind.MONTH, "created_by": camille},
    )
    if created:
        ReportSection.objects.bulk_create(
            ReportSection(report=template, position=n, kind=kind, kpis=kpis)
            for n, (kind, kpis) in enumerate(SECTIONS)
        )
    span = last_whole(PeriodKind.MONTH, rollup.today(workspace))
    report = Report.objects.filter(template=template, starts_on=span.start).first()
    if report is None:
        with translation.override(workspace.language):
            report = make_from(template, span, camille)
    for section in report.sections.all():
        if not section.commentary and section.kind in COMMENTARY:
            set_commentary(section, COMMENTARY[SectionKind(section.kind)])
    schedule, _ = ReportSchedule.objects.get_or_create(
        workspace=workspace,
        template=template,
        defaults={
            "frequency": Frequency.MONTHLY,
            "extra_emails": "direction@maison-lumiere.example",
        },
    )
    schedule.members.add(paul)
    context.notes.append(f"Analytics: the report “{report.title}” is ready to download as a PDF")
