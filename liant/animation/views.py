"""Animation pages for the workspace's team: contests and their draw, events with the
check-in list, polls. The public pages (entry form, draw, RSVP, vote) are in public_views.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from liant.animation import contests, meetups, polls, quizzes
from liant.animation.forms import ContestForm, MeetupForm, OpenQuestionForm, PollForm, QuizForm
from liant.animation.models import (
    Challenge,
    Contest,
    Entry,
    Meetup,
    OpenQuestion,
    Poll,
    PollChoice,
    Quiz,
    Rsvp,
)
from liant.animation.polls import results
from liant.channels.models import Channel
from liant.core import audit, csvexport
from liant.core.access import WorkspaceRequest, workspace_view

PERMISSION = "animation.manage"


def in_zone(request: WorkspaceRequest) -> timezone.override:
    """Dates are typed and shown in the workspace's time zone, whoever looks."""
    return timezone.override(request.workspace.timezone)


@workspace_view(PERMISSION)
def home(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    with in_zone(request):
        return render(
            request,
            "animation/home.html",
            {
                "contests": Contest.objects.filter(workspace=workspace).annotate(
                    n_entries=Count("entries")
                )[:50],
                "meetups": Meetup.objects.filter(workspace=workspace).annotate(
                    n_waiting=Count("rsvps", filter=Q(rsvps__status=Rsvp.Status.WAITING))
                )[:50],
                "polls": Poll.objects.filter(workspace=workspace).annotate(n_votes=Count("votes"))[
                    :50
                ],
                "quizzes": Quiz.objects.filter(workspace=workspace).annotate(
                    n_attempts=Count("attempts")
                )[:50],
                "questions": OpenQuestion.objects.filter(workspace=workspace).select_related(
                    "channel"
                )[:50],
                "challenges": Challenge.objects.filter(workspace=workspace).annotate(
                    n_submissions=Count("submissions")
                )[:50],
            },
        )


# --- Contests -------------------------------------------------------------------------------


@workspace_view(PERMISSION)
def contest_edit(request: WorkspaceRequest, pk: int | None = None) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk, workspace=request.workspace) if pk else None
    if contest is not None and contest.state != Contest.State.OPEN:
        messages.error(request, _("The list is frozen: the contest can no longer change."))
        return redirect("animation_contest", ws=request.workspace.slug, pk=contest.pk)
    instance = contest or Contest(workspace=request.workspace, created_by=request.user)
    with in_zone(request):
        form = ContestForm(request.POST or None, instance=instance, workspace=request.workspace)
        if request.method == "POST" and form.is_valid():
            saved = form.save()
            audit.record(request, "animation.contest_saved", target=saved, created=pk is None)
            messages.success(request, _("The contest “%(title)s” is saved.") % {"title": saved})
            return redirect("animation_contest", ws=request.workspace.slug, pk=saved.pk)
        return render(request, "animation/contest_edit.html", {"form": form, "contest": contest})


REASONS = {
    "staff_or_bot": gettext_lazy("staff or bot"),
    "erased": gettext_lazy("data erased"),
    "account_too_new": gettext_lazy("account too new"),
    "country": gettext_lazy("country not allowed"),
    "no_consent": gettext_lazy("no consent to the rules"),
    "not_following": gettext_lazy("does not follow the account"),
    "not_in_segment": gettext_lazy("not in the contest's segment"),
}


def with_reasons(contest: Contest, entries: list[Entry], now: datetime) -> list[Entry]:
    """Each entry with `reason_shown`: why it is left out, or "" when eligible. Before the
    freeze it says who would be left out if it happened now."""
    consented = contests.consenting([e.member_id for e in entries])
    for entry in entries:
        reason = (
            entry.excluded_because
            if contest.state != Contest.State.OPEN
            else contests.why_not_eligible(contest, entry.member, now, consented)
        )
        entry.reason_shown = str(REASONS.get(reason, reason))  # type: ignore[attr-defined]
    return entries


def contest_entries(contest: Contest) -> QuerySet[Entry]:
    return (
        Entry.objects.filter(contest=contest)
        .select_related("member", "identity", "event")
        .order_by("entered_at", "pk")
    )


@workspace_view(PERMISSION)
def contest_entries_csv(request: WorkspaceRequest, pk: int) -> StreamingHttpResponse:
    contest = get_object_or_404(Contest, pk=pk, workspace=request.workspace)
    winners = dict(contest.winners.filter(entry__isnull=False).values_list("entry_id", "label"))
    header = [
        _("Label"),
        _("Member"),
        _("E-mail"),
        _("Handle"),
        _("Source"),
        _("Entered"),
        _("Eligibility"),
        _("Winner"),
    ]

    def rows() -> Iterator[tuple]:
        now = timezone.now()
        query = contest_entries(contest)
        last = 0
        while batch := list(query.filter(pk__gt=last).order_by("pk")[:2000]):
            last = batch[-1].pk
            for e in with_reasons(contest, batch, now):
                yield (
                    e.label,
                    str(e.member),
                    e.member.email,
                    e.identity.handle if e.identity else "",
                    e.get_source_display(),
                    e.entered_at,
                    e.reason_shown or _("eligible"),  # type: ignore[attr-defined]
                    winners.get(e.pk, ""),
                )

    return csvexport.response(request.workspace, f"contest-{contest.pk}-entries", header, rows())


@workspace_view(PERMISSION)
def contest_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk, workspace=request.workspace)
    now = timezone.now()
    entries = with_reasons(contest, list(contest_entries(contest)[:1000]), now)
    with in_zone(request):
        return render(
            request,
            "animation/contest_detail.html",
            {
                "contest": contest,
                "entries": entries,
                "eligible": sum(not e.reason_shown for e in entries),  # type: ignore[attr-defined]
                "winners": contest.winners.select_related("entry", "entry__member"),
                "draw_due": contest.state == Contest.State.FROZEN
                and contest.draw_at is not None
                and contest.draw_at <= now,
            },
        )


@workspace_view(PERMISSION)
@require_POST
def contest_collect(request: WorkspaceRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk, workspace=request.workspace)
    added = contests.collect(contest)
    messages.success(
        request,
        ngettext(
            "%(n)s new entry from the stored messages.",
            "%(n)s new entries from the stored messages.",
            added,
        )
        % {"n": added},
    )
    return redirect("animation_contest", ws=request.workspace.slug, pk=contest.pk)


@workspace_view(PERMISSION)
@require_POST
def contest_freeze(request: WorkspaceRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk, workspace=request.workspace)
    if contests.freeze(contest):
        audit.record(request, "animation.contest_frozen", target=contest, hash=contest.list_hash)
        messages.success(
            request, _("The list is frozen and its hash is published on the public page.")
        )
    else:
        messages.error(request, _("The list was already frozen."))
    return redirect("animation_contest", ws=request.workspace.slug, pk=contest.pk)


@workspace_view(PERMISSION)
@require_POST
def contest_draw(request: WorkspaceRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk, workspace=request.workspace)
    result = contests.draw(contest)
    if result is None:
        messages.error(
            request,
            _("No draw: the list must be frozen, the announced time reached, and a contest "
              "is drawn only once."),
        )  # fmt: skip
    else:
        audit.record(request, "animation.contest_drawn", target=contest, seed=contest.seed)
        messages.success(request, _("The winners are drawn and published."))
    return redirect("animation_contest", ws=request.workspace.slug, pk=contest.pk)


# --- Events ---------------------------------------------------------------------------------


@workspace_view(PERMISSION)
def meetup_edit(request: WorkspaceRequest, pk: int | None = None) -> HttpResponse:
    meetup = get_object_or_404(Meetup, pk=pk, workspace=request.workspace) if pk else None
    instance = meetup or Meetup(workspace=request.workspace, created_by=request.user)
    with in_zone(request):
        form = MeetupForm(request.POST or None, instance=instance)
        if request.method == "POST" and form.is_valid():
            saved = form.save()
            # A raised capacity lets the waiting list move up at once.
            meetups.fill_free_places(saved)
            audit.record(request, "animation.meetup_saved", target=saved, created=pk is None)
            messages.success(request, _("The event “%(title)s” is saved.") % {"title": saved})
            return redirect("animation_meetup", ws=request.workspace.slug, pk=saved.pk)
        return render(request, "animation/meetup_edit.html", {"form": form, "meetup": meetup})


@workspace_view(PERMISSION)
def meetup_rsvps_csv(request: WorkspaceRequest, pk: int) -> StreamingHttpResponse:
    meetup = get_object_or_404(Meetup, pk=pk, workspace=request.workspace)
    header = [_("Name"), _("E-mail"), _("Answer"), _("Answered on"), _("Arrived")]
    rows = (
        (r.name, r.email, r.get_status_display(), r.created_at, r.checked_in_at)
        for r in Rsvp.objects.filter(meetup=meetup).order_by("created_at", "pk").iterator()
    )
    return csvexport.response(request.workspace, f"event-{meetup.pk}-rsvps", header, rows)


@workspace_view(PERMISSION)
def meetup_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    meetup = get_object_or_404(Meetup, pk=pk, workspace=request.workspace)
    rsvps = list(Rsvp.objects.filter(meetup=meetup).select_related("member"))
    with in_zone(request):
        return render(
            request,
            "animation/meetup_detail.html",
            {
                "meetup": meetup,
                "going": [r for r in rsvps if r.status == Rsvp.Status.GOING],
                "waiting": [r for r in rsvps if r.status == Rsvp.Status.WAITING],
                "cancelled": [r for r in rsvps if r.status == Rsvp.Status.CANCELLED],
                "attended": sum(1 for r in rsvps if r.checked_in_at),
            },
        )


@workspace_view(PERMISSION)
@require_POST
def rsvp_check_in(request: WorkspaceRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(Rsvp, pk=pk, workspace=request.workspace, status=Rsvp.Status.GOING)
    if meetups.check_in(row):
        audit.record(request, "animation.checked_in", target=row)
    return redirect("animation_meetup", ws=request.workspace.slug, pk=row.meetup_id)


@workspace_view(PERMISSION)
@require_POST
def rsvp_cancel(request: WorkspaceRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(Rsvp, pk=pk, workspace=request.workspace)
    promoted = meetups.cancel(row)
    audit.record(request, "animation.rsvp_cancelled", target=row)
    if promoted is not None:
        messages.success(
            request, _("%(name)s moves up from the waiting list.") % {"name": promoted.name}
        )
    return redirect("animation_meetup", ws=request.workspace.slug, pk=row.meetup_id)


# --- Polls ----------------------------------------------------------------------------------


@workspace_view(PERMISSION)
def poll_new(request: WorkspaceRequest) -> HttpResponse:
    form = PollForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        poll = Poll.objects.create(
            workspace=request.workspace,
            question=form.cleaned_data["question"],
            results_public=form.cleaned_data["results_public"],
        )
        PollChoice.objects.bulk_create(
            PollChoice(poll=poll, text=text, position=i)
            for i, text in enumerate(form.cleaned_data["choices"])
        )
        audit.record(request, "animation.poll_created", target=poll)
        return redirect("animation_poll", ws=request.workspace.slug, pk=poll.pk)
    return render(request, "animation/poll_new.html", {"form": form})


@workspace_view(PERMISSION)
def poll_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    poll = get_object_or_404(
        Poll.objects.select_related("variant__channel", "variant__metrics", "variant__post"),
        pk=pk,
        workspace=request.workspace,
    )
    rows, total = results(poll)
    return render(
        request,
        "animation/poll_detail.html",
        {
            "poll": poll,
            "rows": rows,
            "total": total,
            "native_channels": polls.native_channels(request.workspace.pk),
            "native_votes": sum(polls.network_votes(poll).values()),
        },
    )


@workspace_view(PERMISSION)
@require_POST
def poll_post_natively(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """The same poll as a native poll on a network; its votes are added to the results."""
    poll = get_object_or_404(Poll, pk=pk, workspace=request.workspace)
    channel = Channel.objects.filter(
        pk=request.POST.get("channel") or 0, workspace=request.workspace
    ).first()
    try:
        hours = min(max(int(request.POST.get("hours", "24")), 1), 24 * 7)
    except ValueError:
        hours = 24
    if channel is None:
        messages.error(request, _("Choose a channel."))
    else:
        try:
            polls.post_natively(poll, channel, hours, request.user)
        except polls.NativePollRefused:
            messages.error(request, _("This poll cannot be posted there (or it already was)."))
        else:
            audit.record(request, "animation.poll_posted", target=poll, channel=channel.pk)
            messages.success(
                request,
                _("The poll goes out on %(channel)s now; its votes are added here as they come.")
                % {"channel": channel.name},
            )
    return redirect("animation_poll", ws=request.workspace.slug, pk=poll.pk)


@workspace_view(PERMISSION)
@require_POST
def poll_toggle(request: WorkspaceRequest, pk: int) -> HttpResponse:
    poll = get_object_or_404(Poll, pk=pk, workspace=request.workspace)
    poll.is_open = not poll.is_open
    poll.save(update_fields=["is_open"])
    audit.record(request, "animation.poll_switched", target=poll, open=poll.is_open)
    return redirect("animation_poll", ws=request.workspace.slug, pk=poll.pk)


# --- Quizzes and open questions ---------------------------------------------------------------


@workspace_view(PERMISSION)
def quiz_new(request: WorkspaceRequest) -> HttpResponse:
    form = QuizForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        quiz = quizzes.create(
            request.workspace.pk, form.cleaned_data["title"], form.cleaned_data["questions"]
        )
        audit.record(request, "animation.quiz_created", target=quiz)
        return redirect("animation_quiz", ws=request.workspace.slug, pk=quiz.pk)
    return render(request, "animation/quiz_new.html", {"form": form})


@workspace_view(PERMISSION)
def quiz_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    quiz = get_object_or_404(Quiz, pk=pk, workspace=request.workspace)
    attempts = list(quiz.attempts.select_related("member")[:500])
    return render(
        request,
        "animation/quiz_detail.html",
        {"quiz": quiz, "questions": quiz.questions.all(), "attempts": attempts},
    )


@workspace_view(PERMISSION)
@require_POST
def quiz_toggle(request: WorkspaceRequest, pk: int) -> HttpResponse:
    quiz = get_object_or_404(Quiz, pk=pk, workspace=request.workspace)
    quiz.is_open = not quiz.is_open
    quiz.save(update_fields=["is_open"])
    audit.record(request, "animation.quiz_switched", target=quiz, open=quiz.is_open)
    return redirect("animation_quiz", ws=request.workspace.slug, pk=quiz.pk)


@workspace_view(PERMISSION)
def question_new(request: WorkspaceRequest) -> HttpResponse:
    form = OpenQuestionForm(
        request.POST or None,
        instance=OpenQuestion(workspace=request.workspace),
        workspace=request.workspace,
    )
    if request.method == "POST" and form.is_valid():
        question = form.save()
        if form.cleaned_data.get("post_to"):
            quizzes.post_prompt(question, list(form.cleaned_data["post_to"]), request.user)
        audit.record(request, "animation.question_created", target=question)
        return redirect("animation_question", ws=request.workspace.slug, pk=question.pk)
    return render(request, "animation/question_new.html", {"form": form})


@workspace_view(PERMISSION)
def question_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(
        OpenQuestion.objects.select_related("channel"), pk=pk, workspace=request.workspace
    )
    variants = (
        question.post.variants.select_related("channel") if question.post_id else []  # type: ignore[union-attr]
    )
    with in_zone(request):
        return render(
            request,
            "animation/question_detail.html",
            {"question": question, "answers": quizzes.answers(question), "variants": variants},
        )
