"""The workspace's polls, quizzes, contests, events and idea box, inside its community space.

A signed-in space account acts as the member behind it (accounts.link_member): the vote,
the quiz answers, the entry, the RSVP or the idea go through the same services as the public
pages (liant.animation.polls / quizzes / contests / meetups, liant.feedback.ideas), so their
rules hold here too — one vote, attempt or entry per member by a unique constraint, the last
place of an event taken by a conditional update. This module only finds the member and says
what happened.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liant.animation import contests, meetups, polls, quizzes
from liant.animation.forms import QuizQuestionsForm
from liant.animation.models import (
    Contest,
    Entry,
    Meetup,
    Poll,
    PollVote,
    Quiz,
    QuizAttempt,
    Rsvp,
)
from liant.feedback import ideas as idea_box
from liant.feedback.models import Idea, IdeaStatus, Vote
from liant.members.models import Consent, Identity, Member
from liant.space import accounts
from liant.space.forms import IdeaForm
from liant.space.models import Space, SpaceAccount
from liant.space.public_views import client_ip, open_space, page

IDEAS_SHOWN = 50


def home_url(space: Space, anchor: str = "") -> str:
    from django.urls import reverse  # noqa: PLC0415

    url = reverse("space_animation", kwargs={"slug": space.slug})
    return f"{url}#{anchor}" if anchor else url


def open_polls(space: Space) -> list[Poll]:
    return list(
        Poll.objects.filter(workspace_id=space.workspace_id, is_open=True).prefetch_related(
            "choices"
        )
    )


def open_quizzes(space: Space) -> list[Quiz]:
    return list(
        Quiz.objects.filter(workspace_id=space.workspace_id, is_open=True).prefetch_related(
            "questions"
        )
    )


def open_contests(space: Space) -> list[Contest]:
    now = timezone.now()
    return list(
        Contest.objects.filter(
            workspace_id=space.workspace_id, state=Contest.State.OPEN, form_enabled=True
        ).filter(Q(ends_at__isnull=True) | Q(ends_at__gte=now))
    )


def coming_events(space: Space) -> list[Meetup]:
    now = timezone.now()
    return list(
        Meetup.objects.filter(workspace_id=space.workspace_id)
        .filter(Q(starts_at__gte=now) | Q(ends_at__gte=now))
        .order_by("starts_at", "pk")
    )


def animation(request: HttpRequest, slug: str) -> HttpResponse:
    space, account = open_space(request, slug)
    poll_list, quiz_list, contest_list, event_list = (
        open_polls(space),
        open_quizzes(space),
        open_contests(space),
        coming_events(space),
    )
    idea_list = list(
        idea_box.visible(space.workspace_id).order_by(F("vote_count").desc(), "-created_at", "-pk")[
            :IDEAS_SHOWN
        ]
    )
    member = existing_member(account)
    if member is not None:
        voted = dict(
            PollVote.objects.filter(poll__in=poll_list, member=member).values_list(
                "poll_id", "choice_id"
            )
        )
        attempted = {
            attempt.quiz_id: attempt
            for attempt in QuizAttempt.objects.filter(quiz__in=quiz_list, member=member)
        }
        entered = dict(
            Entry.objects.filter(contest__in=contest_list, member=member).values_list(
                "contest_id", "label"
            )
        )
        answered = dict(
            Rsvp.objects.filter(meetup__in=event_list, member=member).values_list(
                "meetup_id", "status"
            )
        )
        backed = set(
            Vote.objects.filter(idea__in=idea_list, member=member).values_list("idea_id", flat=True)
        )
    else:
        voted, attempted, entered, answered, backed = {}, {}, {}, {}, set()
    for poll in poll_list:
        poll.my_choice = voted.get(poll.pk)  # type: ignore[attr-defined]
        if poll.my_choice is not None and poll.results_public:  # type: ignore[attr-defined]
            poll.rows, poll.total = polls.results(poll)  # type: ignore[attr-defined]
    for quiz in quiz_list:
        quiz.my_attempt = attempted.get(quiz.pk)  # type: ignore[attr-defined]
        if quiz.my_attempt is None and account is not None:  # type: ignore[attr-defined]
            quiz.form = QuizQuestionsForm(  # type: ignore[attr-defined]
                questions=list(quiz.questions.all()), auto_id=f"quiz-{quiz.pk}-%s"
            )
    for contest in contest_list:
        contest.my_label = entered.get(contest.pk)  # type: ignore[attr-defined]
    for event in event_list:
        event.my_status = answered.get(event.pk, "")  # type: ignore[attr-defined]
        event.full = (  # type: ignore[attr-defined]
            event.capacity is not None and event.going_count >= event.capacity
        )
    for idea in idea_list:
        idea.mine = idea.pk in backed  # type: ignore[attr-defined]
    with timezone.override(space.workspace.timezone):
        return page(
            request,
            "space/animation.html",
            space,
            account,
            polls=poll_list,
            quizzes=quiz_list,
            contests=contest_list,
            events=event_list,
            ideas=idea_list,
            idea_form=IdeaForm(),
            declined=IdeaStatus.DECLINED,
        )


def existing_member(account: SpaceAccount | None) -> Member | None:
    """Reading the page never creates a member: only an identity already there is followed."""
    if account is None:
        return None
    identity = (
        Identity.objects.filter(
            workspace_id=account.space.workspace_id,
            network=accounts.NETWORK,
            key=account.remote_id,
        )
        .select_related("member")
        .first()
    )
    if identity is None:
        return None
    member = identity.member
    while member.merged_into_id is not None:
        member = Member.objects.get(pk=member.merged_into_id)
    return None if member.erased_at else member


def acting(
    request: HttpRequest, slug: str
) -> tuple[Space, SpaceAccount | None, Member | None, Identity | None, HttpResponse | None]:
    """The space, the account, its member and identity — or the answer to give instead."""
    space, account = open_space(request, slug)
    if account is None:
        return space, None, None, None, redirect("space_signin", slug=slug)
    refused = ""
    if account.banned_at:
        refused = _("Your account can no longer take part in this space.")
    elif account.muted_at:
        refused = _("Your account cannot take part for the moment: a moderator has muted it.")
    elif account.confirmed_at is None:
        refused = _("Confirm your address first: open the link we sent you.")
    member = None if refused else accounts.link_member(account)
    if not refused and member is None:
        refused = _("Your account can no longer take part in this space.")
    if refused:
        messages.error(request, refused)
        return space, account, None, None, redirect(home_url(space))
    identity = Identity.objects.filter(
        workspace_id=space.workspace_id, network=accounts.NETWORK, key=account.remote_id
    ).first()
    return space, account, member, identity, None


@require_POST
def poll_vote(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    space, _account, member, identity, answer = acting(request, slug)
    poll = get_object_or_404(Poll, pk=pk, workspace_id=space.workspace_id)
    if answer is not None:
        return answer
    assert member is not None
    raw = request.POST.get("choice", "")
    choice = poll.choices.filter(pk=int(raw)).first() if raw.isdigit() else None
    if not poll.is_open:
        messages.error(request, _("This poll is closed."))
    elif choice is None:
        messages.error(request, _("Choose an answer before voting."))
    elif polls.vote(poll, choice, member, identity):
        messages.success(request, _("Your vote is counted. Thank you!"))
    else:
        messages.info(request, _("You had already voted in this poll: your first vote stands."))
    return redirect(home_url(space, f"poll-{poll.pk}"))


@require_POST
def quiz_answer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Scored by `quizzes.submit`, which keeps a member's first attempt: a second one is
    refused here before anything is read, and a closed quiz stores nothing."""
    space, account, member, _identity, answer = acting(request, slug)
    quiz = get_object_or_404(Quiz, pk=pk, workspace_id=space.workspace_id)
    if answer is not None:
        return answer
    assert member is not None and account is not None
    back = redirect(home_url(space, f"quiz-{quiz.pk}"))
    if not quiz.is_open:
        messages.error(request, _("This quiz is closed."))
        return back
    earlier = QuizAttempt.objects.filter(quiz=quiz, member=member).first()
    if earlier is not None:
        messages.info(
            request,
            _(
                "You had already answered this quiz: only your first attempt counts "
                "(%(score)s / %(max)s)."
            )
            % {"score": earlier.score, "max": earlier.max_score},
        )
        return back
    questions = list(quiz.questions.all())
    form = QuizQuestionsForm(request.POST, questions=questions)
    if not form.is_valid():
        numbers = [f"Q{n}" for n, q in enumerate(questions, start=1) if f"q{q.pk}" in form.errors]
        messages.error(
            request,
            _(
                "Nothing was recorded: answer every question with one of the answers "
                "offered (see %(numbers)s)."
            )
            % {"numbers": ", ".join(numbers)},
        )
        return back
    attempt = quizzes.submit(quiz, member, account.display_name, form.answers())
    messages.success(
        request,
        _("Your score: %(score)s / %(max)s — rank %(rank)s.")
        % {"score": attempt.score, "max": attempt.max_score, "rank": quizzes.rank_of(attempt)},
    )
    return back


@require_POST
def contest_enter(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    space, _account, member, identity, answer = acting(request, slug)
    contest = get_object_or_404(Contest, pk=pk, workspace_id=space.workspace_id, form_enabled=True)
    if answer is not None:
        return answer
    assert member is not None
    anchor = f"contest-{contest.pk}"
    consent = request.POST.get("consent") == "on"
    if contest.require_consent and not consent:
        messages.error(request, _("To enter, accept the rules of the contest."))
        return redirect(home_url(space, anchor))
    if not contests.accepts_entries(contest):
        messages.error(request, _("This contest no longer accepts entries."))
        return redirect(home_url(space, anchor))
    if consent:
        Consent.objects.create(
            member=member,
            purpose=Consent.Purpose.CONTEST_RULES,
            text=contest.rules,
            source=f"contest {contest.token} (community space)",
            ip=client_ip(request),
        )
    try:
        entry, created = contests.add_entry(
            contest, member, Entry.Source.FORM, timezone.now(), identity
        )
    except contests.ContestClosed:
        messages.error(request, _("This contest no longer accepts entries."))
    else:
        if created:
            messages.success(
                request,
                _("You are in the draw. Your entry number on the public list: %(label)s")
                % {"label": entry.label},
            )
        else:
            messages.info(
                request,
                _("You had already entered this contest (entry %(label)s): one entry per person.")
                % {"label": entry.label},
            )
    return redirect(home_url(space, anchor))


@require_POST
def event_rsvp(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    space, account, member, _identity, answer = acting(request, slug)
    event = get_object_or_404(Meetup, pk=pk, workspace_id=space.workspace_id)
    if answer is not None:
        return answer
    assert member is not None and account is not None
    if (event.ends_at or event.starts_at) < timezone.now():
        messages.error(request, _("This event is over."))
        return redirect(home_url(space))
    row = meetups.rsvp(event, member, account.display_name, account.email)
    if row.status == Rsvp.Status.GOING:
        messages.success(request, _("You have a place. See you there!"))
    else:
        messages.info(
            request,
            _(
                "The event is full: you are on the waiting list; "
                "we will tell you if a place frees up."
            ),
        )
    return redirect(home_url(space, f"event-{event.pk}"))


@require_POST
def idea_new(request: HttpRequest, slug: str) -> HttpResponse:
    space, _account, member, identity, answer = acting(request, slug)
    if answer is not None:
        return answer
    assert member is not None
    form = IdeaForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give your idea a title (at most 120 characters)."))
        return redirect(home_url(space, "ideas"))
    idea = Idea.objects.create(
        workspace_id=space.workspace_id,
        title=form.cleaned_data["title"],
        text=form.cleaned_data["text"],
    )
    idea_box.propose(idea, member, identity=identity, channel=space.channel)
    idea_box.vote(idea, member, identity=identity, channel=space.channel)
    messages.success(request, _("Thank you: your idea is in the box, with your vote."))
    return redirect(home_url(space, f"idea-{idea.pk}"))


@require_POST
def idea_vote(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    space, _account, member, identity, answer = acting(request, slug)
    idea = get_object_or_404(Idea, pk=pk, workspace_id=space.workspace_id, merged_into__isnull=True)
    if answer is not None:
        return answer
    assert member is not None
    if idea_box.vote(idea, member, identity=identity, channel=space.channel) is not None:
        messages.success(request, _("Your vote for this idea is counted."))
    else:
        messages.info(request, _("You had already voted for this idea: one vote per person."))
    return redirect(home_url(space, f"idea-{idea.pk}"))
