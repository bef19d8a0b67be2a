"""Quizzes (scored, with a leaderboard) and open questions (answers are the replies to a post).

A quiz is written as plain text, one block per question, so it can be pasted from anywhere:

    Which country does the Guji come from?
    * Ethiopia
    - Kenya
    - Colombia

The first line is the question; `*` marks the right answer (exactly one), `-` the others; a
blank line starts the next question. An optional `(3 pts)` at the end of the question line
sets its points (1 by default).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import nh3
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from liant.animation.models import OpenQuestion, Quiz, QuizAttempt, QuizQuestion
from liant.channels.models import Event
from liant.members.models import Member

POINTS_RE = re.compile(r"\s*\((\d{1,3})\s*pts?\)\s*$", re.IGNORECASE)


@dataclass
class ParsedQuestion:
    text: str
    choices: list[str]
    correct: int
    points: int


def parse(source: str) -> list[ParsedQuestion]:
    """The questions of a quiz written in the format above; ValueError says what is wrong."""
    questions = []
    blocks = [b for b in re.split(r"\n\s*\n", source.strip().replace("\r\n", "\n")) if b.strip()]
    for number, block in enumerate(blocks, start=1):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        text, points = lines[0], 1
        if found := POINTS_RE.search(text):
            points = max(int(found.group(1)), 1)
            text = text[: found.start()].strip()
        choices: list[str] = []
        correct: list[int] = []
        for line in lines[1:]:
            if line[0] not in "*-":
                raise ValueError(
                    _("Question %(n)s: each answer starts with * (right) or - (wrong).")
                    % {"n": number}
                )
            if line[0] == "*":
                correct.append(len(choices))
            choices.append(line[1:].strip()[:200])
        if len(choices) < 2 or len(correct) != 1:
            raise ValueError(
                _("Question %(n)s needs at least two answers, exactly one marked with *.")
                % {"n": number}
            )
        questions.append(ParsedQuestion(text[:500], choices, correct[0], points))
    if not questions:
        raise ValueError(_("Write at least one question."))
    return questions


def create(workspace_id: int, title: str, questions: list[ParsedQuestion]) -> Quiz:
    with transaction.atomic():
        quiz = Quiz.objects.create(workspace_id=workspace_id, title=title)
        QuizQuestion.objects.bulk_create(
            QuizQuestion(
                quiz=quiz,
                text=q.text,
                choices=q.choices,
                correct=q.correct,
                points=q.points,
                position=i,
            )  # fmt: skip
            for i, q in enumerate(questions)
        )
    return quiz


def display_name(name: str) -> str:
    """ "Amandine Roux" -> "Amandine R.": enough to recognise oneself, not to find someone."""
    parts = name.split()
    if not parts:
        return "?"
    if len(parts) == 1:
        return parts[0][:40]
    return f"{parts[0][:40]} {parts[-1][0]}."


def submit(quiz: Quiz, member: Member, name: str, answers: dict[int, int]) -> QuizAttempt:
    """Score the answers; a member who already answered keeps their first attempt."""
    existing = QuizAttempt.objects.filter(quiz=quiz, member=member).first()
    if existing is not None:
        return existing
    questions = list(quiz.questions.all())
    score = sum(q.points for q in questions if answers.get(q.pk) == q.correct)
    try:
        with transaction.atomic():
            return QuizAttempt.objects.create(
                quiz=quiz,
                member=member,
                display_name=display_name(name),
                answers={str(k): v for k, v in answers.items()},
                score=score,
                max_score=sum(q.points for q in questions),
            )
    except IntegrityError:  # the same person submitted twice at once
        return QuizAttempt.objects.get(quiz=quiz, member=member)


def leaderboard(quiz: Quiz, size: int = 10) -> list[QuizAttempt]:
    """Best score first; of equal scores, who answered first."""
    return list(quiz.attempts.order_by("-score", "at", "pk")[:size])


def rank_of(attempt: QuizAttempt) -> int:
    better = QuizAttempt.objects.filter(quiz_id=attempt.quiz_id, score__gt=attempt.score).count()
    same_earlier = QuizAttempt.objects.filter(
        quiz_id=attempt.quiz_id, score=attempt.score, at__lt=attempt.at
    ).count()
    return better + same_earlier + 1


# --- Open questions ---------------------------------------------------------------------------


@dataclass
class Answer:
    event: Event
    html: str  # sanitized again here: stored html is trusted no further than this page


def answers(question: OpenQuestion, limit: int = 500) -> list[Answer]:
    events = Event.objects.filter(
        workspace_id=question.workspace_id,
        channel_id=question.channel_id,
        parent_remote_id=question.post_remote_id,
        kind__in=("comment", "mention"),
    ).order_by("occurred_at", "pk")[:limit]
    return [
        Answer(
            e,
            nh3.clean(
                e.html,
                tags={"p", "br", "a", "strong", "em"},
                attributes={"a": {"href"}},
                link_rel="nofollow noopener",
            )
            if e.html
            else "",
        )
        for e in events
    ]
