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
from typing import Any

import nh3
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liant.animation.models import OpenQuestion, Quiz, QuizAttempt, QuizQuestion
from liant.channels.models import Channel, Event
from liant.members.models import Member
from liant.publishing.models import Post, State, Variant, move
from liant.publishing.publisher import schedule

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


def where_answers(question: OpenQuestion) -> Q:
    """The posts whose replies answer the question: the one watched, and each variant Liant
    published of its prompt (a reply deeper in the thread answers too)."""
    posts = []
    if question.channel_id and question.post_remote_id:
        posts.append((question.channel_id, question.post_remote_id))
    if question.post_id:
        posts += [
            (v.channel_id, v.remote_id)
            for v in Variant.objects.filter(post_id=question.post_id).exclude(remote_id="")
        ]
    found = Q(pk__in=[])
    for channel_id, remote_id in posts:
        found |= Q(channel_id=channel_id) & (
            Q(parent_remote_id=remote_id) | Q(thread_remote_id=remote_id)
        )
    return found


def post_prompt(question: OpenQuestion, channels: list[Channel], owner: Any) -> Post:
    """One post, a variant per chosen channel, scheduled for now: the publisher sends each
    once, and the replies to every variant come back to the same question."""
    with transaction.atomic():
        post = Post.objects.create(
            workspace_id=question.workspace_id, owner=owner, title=question.prompt[:200]
        )
        variants = [
            Variant.objects.create(post=post, channel=channel, text=question.prompt)
            for channel in channels
        ]
        move(post, State.SCHEDULED, actor=owner)
        now = timezone.now()
        for variant in variants:
            schedule(variant, now, actor=owner)
        OpenQuestion.objects.filter(pk=question.pk).update(post=post)
    question.post = post
    return post


def answers(question: OpenQuestion, limit: int = 500) -> list[Answer]:
    events = (
        Event.objects.filter(
            where_answers(question),
            workspace_id=question.workspace_id,
            kind__in=("comment", "mention"),
        )
        .select_related("channel")
        .order_by("occurred_at", "pk")[:limit]
    )
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
