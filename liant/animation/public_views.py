"""Public animation pages, reached by a per-object random token: a contest's entry form and
its draw, an event's RSVP form and invitation, a poll. No e-mail address is ever shown here;
entrants appear under their pseudonymous label.
"""

from __future__ import annotations

import json
from pathlib import Path

import nh3
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liant.animation import contests, meetups, polls, quizzes
from liant.animation.forms import EntryForm, QuizAnswerForm, RsvpForm, VoteForm
from liant.animation.models import Contest, Entry, Meetup, Poll, Quiz, QuizAttempt, Rsvp
from liant.animation.people import member_for_email
from liant.members.models import Consent

VERIFY_SCRIPT = Path(__file__).with_name("verify_draw.py")


def plain(text: str) -> str:
    """What a visitor typed, without any markup, before it is stored."""
    return nh3.clean(text, tags=set()).strip()


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def public_contest(request: HttpRequest, token: str) -> HttpResponse:
    contest = get_object_or_404(Contest.objects.select_related("workspace"), token=token)
    form = EntryForm(request.POST or None, contest=contest)
    entry = None
    if request.method == "POST":
        if not (contest.form_enabled and contests.accepts_entries(contest)):
            form.add_error(None, _("This contest no longer accepts entries."))
        elif form.is_valid():
            data = form.cleaned_data
            member, identity = member_for_email(
                contest.workspace, data["email"], plain(data["name"]), data["country"]
            )
            if data["consent"]:
                Consent.objects.create(
                    member=member,
                    purpose=Consent.Purpose.CONTEST_RULES,
                    text=contest.rules,
                    source=f"contest {contest.token}",
                    ip=client_ip(request),
                )
            try:
                entry, created = contests.add_entry(
                    contest, member, Entry.Source.FORM, timezone.now(), identity
                )
            except contests.ContestClosed:
                form.add_error(None, _("This contest no longer accepts entries."))
            else:
                request.session[f"entry-{contest.token}"] = entry.label
                return redirect("animation_public_contest", token=contest.token)
    label = request.session.get(f"entry-{contest.token}")
    document = json.loads(contest.list_json) if contest.list_json else None
    with timezone.override(contest.workspace.timezone):
        return render(
            request,
            "animation/public_contest.html",
            {
                "contest": contest,
                "workspace": contest.workspace,
                "form": form,
                "entry": entry,
                "my_label": label,
                "accepting": contest.form_enabled and contests.accepts_entries(contest),
                "frozen": document["entries"] if document else [],
                "winners": contest.winners.all() if contest.state == Contest.State.DRAWN else [],
            },
        )


def draw_json(request: HttpRequest, token: str) -> HttpResponse:
    contest = get_object_or_404(Contest, token=token)
    if contest.state == Contest.State.OPEN:
        raise Http404
    response = JsonResponse(contests.draw_document(contest), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="draw-{contest.token}.json"'
    return response


def list_json(request: HttpRequest, token: str) -> HttpResponse:
    """The frozen list as the exact bytes whose SHA-256 is published."""
    contest = get_object_or_404(Contest, token=token)
    if not contest.list_json:
        raise Http404
    return HttpResponse(contest.list_json.encode(), content_type="application/json")


def verify_script(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(VERIFY_SCRIPT.read_bytes(), content_type="text/x-python")
    response["Content-Disposition"] = 'attachment; filename="verify_draw.py"'
    return response


# --- Events ---------------------------------------------------------------------------------


def public_meetup(request: HttpRequest, token: str) -> HttpResponse:
    meetup = get_object_or_404(Meetup.objects.select_related("workspace"), token=token)
    form = RsvpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if meetup.starts_at <= timezone.now():
            form.add_error(None, _("This event has started: answers are closed."))
        else:
            name = plain(form.cleaned_data["name"])
            member, _identity = member_for_email(meetup.workspace, form.cleaned_data["email"], name)
            row = meetups.rsvp(meetup, member, name, form.cleaned_data["email"].lower())
            return redirect("animation_public_rsvp", token=row.token)
    with timezone.override(meetup.workspace.timezone):
        return render(
            request,
            "animation/public_meetup.html",
            {
                "meetup": meetup,
                "workspace": meetup.workspace,
                "form": form,
                "full": meetup.capacity is not None and meetup.going_count >= meetup.capacity,
                "places_left": None
                if meetup.capacity is None
                else max(meetup.capacity - meetup.going_count, 0),
            },
        )


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    meetup = get_object_or_404(Meetup.objects.select_related("workspace"), token=token)
    response = HttpResponse(meetups.invitation(meetup), content_type="text/calendar")
    response["Content-Disposition"] = 'attachment; filename="invitation.ics"'
    return response


def public_rsvp(request: HttpRequest, token: str) -> HttpResponse:
    """The person's own answer (the link in their reminder): status, invitation, cancel."""
    row = get_object_or_404(Rsvp.objects.select_related("meetup", "meetup__workspace"), token=token)
    position = None
    if row.status == Rsvp.Status.WAITING:
        position = (
            Rsvp.objects.filter(
                meetup=row.meetup, status=Rsvp.Status.WAITING, created_at__lt=row.created_at
            ).count()
            + 1
        )
    with timezone.override(row.meetup.workspace.timezone):
        return render(
            request,
            "animation/public_rsvp.html",
            {"rsvp": row, "meetup": row.meetup, "position": position},
        )


@require_POST
def public_rsvp_cancel(request: HttpRequest, token: str) -> HttpResponse:
    row = get_object_or_404(Rsvp, token=token)
    meetups.cancel(row)
    return redirect("animation_public_rsvp", token=row.token)


# --- Polls ----------------------------------------------------------------------------------


def public_poll(request: HttpRequest, token: str) -> HttpResponse:
    poll = get_object_or_404(Poll.objects.select_related("workspace"), token=token)
    form = VoteForm(request.POST or None, choices=[(c.pk, c.text) for c in poll.choices.all()])
    voted = request.session.get(f"poll-{poll.token}")
    if request.method == "POST" and form.is_valid():
        if not poll.is_open:
            form.add_error(None, _("This poll is closed."))
        else:
            member, identity = member_for_email(poll.workspace, form.cleaned_data["email"])
            choice = poll.choices.get(pk=form.cleaned_data["choice"])
            counted = polls.vote(poll, choice, member, identity)
            request.session[f"poll-{poll.token}"] = "counted" if counted else "already"
            return redirect("animation_public_poll", token=poll.token)
    rows, total = polls.results(poll)
    show_results = poll.results_public and (voted or not poll.is_open)
    return render(
        request,
        "animation/public_poll.html",
        {
            "poll": poll,
            "workspace": poll.workspace,
            "form": form,
            "voted": voted,
            "rows": rows if show_results else None,
            "total": total,
        },
    )


# --- Quizzes --------------------------------------------------------------------------------


def public_quiz(request: HttpRequest, token: str) -> HttpResponse:
    quiz = get_object_or_404(Quiz.objects.select_related("workspace"), token=token)
    questions = list(quiz.questions.all())
    form = QuizAnswerForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        if not quiz.is_open:
            form.add_error(None, _("This quiz is closed."))
        else:
            name = plain(form.cleaned_data["name"])
            member, _identity = member_for_email(quiz.workspace, form.cleaned_data["email"], name)
            attempt = quizzes.submit(quiz, member, name, form.answers())
            return redirect("animation_quiz_result", token=attempt.token)
    return render(
        request,
        "animation/public_quiz.html",
        {
            "quiz": quiz,
            "workspace": quiz.workspace,
            "form": form,
            "leaders": quizzes.leaderboard(quiz),
        },
    )


def quiz_result(request: HttpRequest, token: str) -> HttpResponse:
    attempt = get_object_or_404(
        QuizAttempt.objects.select_related("quiz", "quiz__workspace"), token=token
    )
    quiz = attempt.quiz
    corrections = []
    for question in quiz.questions.all():
        given = attempt.answers.get(str(question.pk))
        given_text = (
            question.choices[given]
            if isinstance(given, int) and 0 <= given < len(question.choices)
            else ""
        )
        corrections.append((question, given_text, question.choices[question.correct]))
    return render(
        request,
        "animation/public_quiz_result.html",
        {
            "attempt": attempt,
            "quiz": quiz,
            "workspace": quiz.workspace,
            "rank": quizzes.rank_of(attempt),
            "leaders": quizzes.leaderboard(quiz),
            "corrections": corrections,
        },
    )
