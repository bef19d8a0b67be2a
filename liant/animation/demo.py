"""Demo animation for Maison Lumière: a giveaway drawn last week whose public page verifies
(frozen list, both hashes, revealed secret, winners), an upcoming tasting that is full with a
waiting list, a past online session with its check-ins, and a poll with votes.

Idempotent: each object is looked up by its title first and left alone when it exists, so a
second run changes nothing (the draw's secret is random and must not be drawn again).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from liant.animation import challenges, contests, meetups, polls, quizzes
from liant.animation.models import (
    Challenge,
    Contest,
    Entry,
    Meetup,
    Poll,
    PollChoice,
    Quiz,
    Rsvp,
    Submission,
)
from liant.core.models import User, Workspace
from liant.demo.loader import DemoContext, step
from liant.members.models import Consent, Identity, Kind, Member

PEOPLE = [
    ("Amandine Roux", "amandine.roux@example.org", "FR"),
    ("Julien Lefèvre", "julien.lefevre@example.org", "FR"),
    ("Sophie Marchand", "sophie.marchand@example.org", "FR"),
    ("Thomas Petit", "thomas.petit@example.org", "FR"),
    ("Nadia Haddad", "nadia.haddad@example.org", "FR"),
    ("Hugo Fontaine", "hugo.fontaine@example.org", "BE"),
    ("Élodie Garnier", "elodie.garnier@example.org", "FR"),
    ("Mathis Chevalier", "mathis.chevalier@example.org", "FR"),
    ("Chloé Bertrand", "chloe.bertrand@example.org", "CH"),
    ("Karim Mansouri", "karim.mansouri@example.org", "FR"),
    ("Manon Faure", "manon.faure@example.org", "FR"),
    ("Lucas Mercier", "lucas.mercier@example.org", "FR"),
    ("Inès Carpentier", "ines.carpentier@example.org", "FR"),
    ("Baptiste Renaud", "baptiste.renaud@example.org", "FR"),
]
CONTEST_TITLE = "Un an de torréfaction : gagnez trois mois de café"
RULES = (
    "Jeu gratuit sans obligation d'achat, ouvert aux personnes majeures résidant en France ou "
    "en Belgique. Une participation par personne. Trois gagnants tirés au sort de façon "
    "vérifiable ; chacun reçoit un abonnement de trois mois (1 kg par mois)."
)
MEETUP_TITLE = "Dégustation : les cafés d'Éthiopie"
SESSION_TITLE = "Atelier en ligne : réussir son café filtre"
POLL_TITLE = "Quelle origine voulez-vous en édition limitée cet hiver ?"
QUIZ_TITLE = "Connaissez-vous vos cafés ?"
QUIZ = """D'où vient le Guji ?
* Éthiopie
- Kenya
- Colombie

Quelle mouture pour un espresso ?
- Grossière
- Moyenne
* Fine

Combien de temps pour une extraction d'espresso ? (2 pts)
- 5 à 10 secondes
* 25 à 30 secondes
- 1 à 2 minutes
"""


def demo_members(workspace: Workspace) -> list[Member]:
    """People of the workspace who left an e-mail address (an RSVP and the entry form need
    one); the demo's own are added when the members step has not brought enough."""

    def people() -> list[Member]:
        return list(
            Member.objects.filter(
                workspace=workspace, kind=Kind.PERSON, merged_into__isnull=True, erased_at=None
            )
            .exclude(email="")
            .order_by("pk")[: len(PEOPLE)]
        )

    if len(people()) >= 12:
        return people()
    now = timezone.now()
    for n, (name, email, country) in enumerate(PEOPLE):
        if Identity.objects.filter(workspace=workspace, network="email", key=email).exists():
            continue
        member = Member.objects.create(
            workspace=workspace,
            name=name,
            email=email,
            country=country,
            language="fr",
            first_seen_at=now - timedelta(days=300 - 15 * n),
            last_active_at=now - timedelta(days=n),
        )
        Identity.objects.create(
            workspace=workspace,
            member=member,
            network="email",
            key=email,
            handle=email,
            name=name,
            email=email,
            email_verified=True,
        )
    return people()


def _at(workspace: Workspace, days: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in the workspace's zone, `days` from today."""
    zone = ZoneInfo(workspace.timezone)
    day = timezone.localtime(timezone.now(), zone).date() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def past_contest(workspace: Workspace, people: list[Member], camille: User) -> None:
    if Contest.objects.filter(workspace=workspace, title=CONTEST_TITLE).exists():
        return
    contest = Contest.objects.create(
        workspace=workspace,
        title=CONTEST_TITLE,
        description=(
            "Pour fêter la première année de l'atelier, nous offrons trois abonnements. "
            "Inscrivez-vous avec le formulaire ou commentez notre publication."
        ),
        prize="Abonnement de trois mois (1 kg par mois)",
        rules=RULES,
        winners_count=3,
        countries="FR, BE",
        min_account_days=30,
        ends_at=_at(workspace, -9, 23, 59),
        created_by=camille,
        created_at=_at(workspace, -30, 10),
    )
    for n, member in enumerate(people):
        at = _at(workspace, -25 + n, 9 + n % 10, 15)
        # Two entrants forget to tick the rules box: the freeze leaves them out, on screen.
        if n not in (4, 10):
            Consent.objects.create(
                member=member,
                purpose=Consent.Purpose.CONTEST_RULES,
                text=RULES,
                source=f"contest {contest.token}",
                at=at,
            )
        contests.add_entry(contest, member, Entry.Source.FORM, at)
    frozen_at = _at(workspace, -8, 10)
    contests.freeze(contest, draw_at=_at(workspace, -7, 12), now=frozen_at)
    contests.draw(contest, now=_at(workspace, -7, 12))


def upcoming_meetup(workspace: Workspace, people: list[Member], camille: User) -> None:
    if Meetup.objects.filter(workspace=workspace, title=MEETUP_TITLE).exists():
        return
    meetup = Meetup.objects.create(
        workspace=workspace,
        title=MEETUP_TITLE,
        kind=Meetup.Kind.IN_PERSON,
        description=(
            "Trois lots lavés et naturels de Guji et Sidama, préparés en filtre et en "
            "espresso par l'équipe de torréfaction. Une heure et demie, places limitées."
        ),
        starts_at=_at(workspace, 6, 18, 30),
        ends_at=_at(workspace, 6, 20),
        place="Atelier Maison Lumière, 12 rue des Torréfacteurs, 69007 Lyon",
        capacity=8,
        created_by=camille,
    )
    for member in people[:11]:
        meetups.rsvp(meetup, member, member.name, member.email)
    # One cancels: the first on the waiting list takes the place.
    first = Rsvp.objects.filter(meetup=meetup, member=people[2]).first()
    if first is not None:
        meetups.cancel(first)


def past_session(workspace: Workspace, people: list[Member], camille: User) -> None:
    if Meetup.objects.filter(workspace=workspace, title=SESSION_TITLE).exists():
        return
    session = Meetup.objects.create(
        workspace=workspace,
        title=SESSION_TITLE,
        kind=Meetup.Kind.ONLINE,
        description="Mouture, ratio, temps de contact : 45 minutes de questions-réponses.",
        starts_at=_at(workspace, -12, 19),
        ends_at=_at(workspace, -12, 19, 45),
        link="https://visio.maison-lumiere.example/atelier-filtre",
        created_by=camille,
    )
    for n, member in enumerate(people[5:12]):
        row = meetups.rsvp(session, member, member.name, member.email)
        if n % 3 != 2:  # most came
            meetups.check_in(row, at=_at(workspace, -12, 19, 2))


def winter_poll(workspace: Workspace, people: list[Member]) -> None:
    if Poll.objects.filter(workspace=workspace, question=POLL_TITLE).exists():
        return
    poll = Poll.objects.create(workspace=workspace, question=POLL_TITLE)
    choices = [
        PollChoice.objects.create(poll=poll, text=text, position=i)
        for i, text in enumerate(["Colombie Huila", "Kenya Nyeri", "Guatemala Huehuetenango"])
    ]
    picks = [0, 1, 0, 2, 0, 1, 0, 2, 1, 0]
    for member, pick in zip(people, picks, strict=False):
        identity = Identity.objects.filter(member=member, network="email").first()
        polls.vote(poll, choices[pick], member, identity)


def coffee_quiz(workspace: Workspace, people: list[Member]) -> None:
    if Quiz.objects.filter(workspace=workspace, title=QUIZ_TITLE).exists():
        return
    quiz = quizzes.create(workspace.pk, QUIZ_TITLE, quizzes.parse(QUIZ))
    questions = list(quiz.questions.all())
    answer_sets = [(0, 2, 1), (0, 2, 0), (1, 2, 1), (0, 1, 1), (0, 2, 1), (2, 0, 2)]
    for member, picks in zip(people, answer_sets, strict=False):
        answers = {q.pk: pick for q, pick in zip(questions, picks, strict=True)}
        quizzes.submit(quiz, member, member.name, answers)


CHALLENGE_TITLE = "Défi « Un café, une photo » de novembre"


def photo_challenge(workspace: Workspace, people: list[Member]) -> None:
    """A month-long challenge under way: members sent a photo on several days."""
    if Challenge.objects.filter(workspace=workspace, title=CHALLENGE_TITLE).exists():
        return
    now = timezone.now()
    challenge = Challenge.objects.create(
        workspace=workspace,
        title=CHALLENGE_TITLE,
        description=(
            "Chaque jour de novembre, partagez la photo de votre tasse du moment avec "
            "#UnCafeUnePhoto. Les plus réguliers gagnent une visite de la torréfaction."
        ),
        starts_at=now - timedelta(days=20),
        ends_at=now + timedelta(days=10),
        hashtag="UnCafeUnePhoto",
    )
    # (member index, days ago) — a few regulars and some who tried once.
    for index, days in [(0, 18), (0, 12), (0, 5), (0, 1), (1, 15), (1, 2), (2, 9), (3, 3)]:
        member = people[index]
        identity = Identity.objects.filter(member=member, network="email").first()
        challenges.add(
            challenge,
            member,
            Submission.Source.FORM,
            now - timedelta(days=days, hours=2),
            identity,
            text="Ma tasse du jour, un Guji en V60.",
        )


@step(150)
def animation(context: DemoContext) -> None:
    workspace = context.workspaces["maison-lumiere"]
    camille = context.users["camille"]
    people = demo_members(workspace)
    if len(people) < 12:
        return
    past_contest(workspace, people, camille)
    upcoming_meetup(workspace, people, camille)
    past_session(workspace, people, camille)
    winter_poll(workspace, people)
    coffee_quiz(workspace, people)
    photo_challenge(workspace, people)
    contest = Contest.objects.get(workspace=workspace, title=CONTEST_TITLE)
    meetup = Meetup.objects.get(workspace=workspace, title=MEETUP_TITLE)
    context.notes.append(
        f"Animation: a verifiable draw at /animation/contests/{contest.token}/ and a full "
        f"tasting with a waiting list at /animation/events/{meetup.token}/"
    )
