"""Challenge pages: the team's (create, follow submissions, leaderboard) and the public one
(describe, submit, leaderboard), reached by the challenge's random token."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liant.animation import challenges
from liant.animation.forms import ChallengeForm, SubmissionForm
from liant.animation.models import Challenge, Submission
from liant.animation.people import member_for_email
from liant.animation.public_views import plain
from liant.core import audit
from liant.core.access import WorkspaceRequest, workspace_view

PERMISSION = "animation.manage"
SHOWN = 200


@workspace_view(PERMISSION)
def challenge_edit(request: WorkspaceRequest, pk: int | None = None) -> HttpResponse:
    challenge = get_object_or_404(Challenge, pk=pk, workspace=request.workspace) if pk else None
    with timezone.override(request.workspace.timezone):
        form = ChallengeForm(
            request.POST or None,
            instance=challenge or Challenge(workspace=request.workspace),
            workspace=request.workspace,
        )
        if request.method == "POST" and form.is_valid():
            saved = form.save()
            audit.record(request, "animation.challenge_saved", target=saved)
            return redirect("animation_challenge", ws=request.workspace.slug, pk=saved.pk)
        return render(
            request, "animation/challenge_edit.html", {"form": form, "challenge": challenge}
        )


@workspace_view(PERMISSION)
def challenge_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    challenge = get_object_or_404(Challenge, pk=pk, workspace=request.workspace)
    submissions = challenge.submissions.select_related("member", "event__channel")[:SHOWN]
    with timezone.override(request.workspace.timezone):
        return render(
            request,
            "animation/challenge_detail.html",
            {
                "challenge": challenge,
                "submissions": submissions,
                "total": challenge.submissions.count(),
                "leaders": challenges.leaderboard(challenge),
                "open": challenges.is_open(challenge),
            },
        )


@workspace_view(PERMISSION)
@require_POST
def challenge_collect(request: WorkspaceRequest, pk: int) -> HttpResponse:
    challenge = get_object_or_404(Challenge, pk=pk, workspace=request.workspace)
    added = challenges.collect(challenge)
    messages.success(request, _("New submissions from the stored messages: %(n)s.") % {"n": added})
    return redirect("animation_challenge", ws=request.workspace.slug, pk=pk)


def public_challenge(request: HttpRequest, token: str) -> HttpResponse:
    challenge = get_object_or_404(Challenge.objects.select_related("workspace"), token=token)
    form = SubmissionForm(request.POST or None)
    sent = False
    if request.method == "POST":
        if not (challenge.form_enabled and challenges.is_open(challenge)):
            form.add_error(None, _("This challenge does not take submissions now."))
        elif form.is_valid():
            data = form.cleaned_data
            member, identity = member_for_email(
                challenge.workspace, data["email"], plain(data["name"])
            )
            try:
                challenges.add(
                    challenge,
                    member,
                    Submission.Source.FORM,
                    timezone.now(),
                    identity,
                    text=plain(data["text"]),
                    link=data["link"],
                )
            except challenges.ChallengeClosed:
                form.add_error(None, _("This challenge does not take submissions now."))
            else:
                sent = True
                form = SubmissionForm()
    with timezone.override(challenge.workspace.timezone):
        return render(
            request,
            "animation/public_challenge.html",
            {
                "challenge": challenge,
                "workspace": challenge.workspace,
                "form": form,
                "sent": sent,
                "open": challenges.is_open(challenge),
                "leaders": challenges.leaderboard(challenge),
            },
        )
