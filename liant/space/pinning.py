"""Pinned and announcement topics, set from Liant's staff pages by the people who run the
space and by its moderators (`moderation.act`), never by members: a space account is nobody
on /w/ pages.

- Pinned: first in its category, marked.
- Announcement: at the top of the space's home page, marked, until its last day if one is
  given (then it drops off the home page by itself, still a topic in its category).
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from liant.core import audit
from liant.core.access import WorkspaceRequest, workspace_view
from liant.space import permissions
from liant.space.models import Post, Space, SpaceAccount, Topic

PERMISSION = "moderation.act"
RECENT = 50
ON_HOME = 5


def current_announcements(
    space: Space, account: SpaceAccount | None = None, today: date | None = None
) -> QuerySet[Topic]:
    """Announcements to show `account` (None: a visitor) on the home page today: in the
    categories open to it, not hidden, not past their last day."""
    today = today or timezone.localdate()
    return (
        permissions.topics(space, account)
        .filter(announcement=True, hidden=False)
        .filter(Q(announcement_until__isnull=True) | Q(announcement_until__gte=today))
        .select_related("category")
        .order_by("-pinned", "-created_at", "-pk")
    )


class PinForm(forms.ModelForm):
    class Meta:
        model = Topic
        fields = ["pinned", "announcement", "announcement_until"]
        labels = {
            "pinned": gettext_lazy("Pinned at the top of its category"),
            "announcement": gettext_lazy("Announcement on the home page"),
            "announcement_until": gettext_lazy("Last day on the home page (optional)"),
        }
        widgets = {"announcement_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean(self):  # noqa: ANN201
        data = super().clean() or {}
        until = data.get("announcement_until")
        if until and not data.get("announcement"):
            data["announcement_until"] = None  # a last day means nothing without the mark
        elif until and until < timezone.localdate():
            self.add_error("announcement_until", _("This day is already past."))
        return data


def _space(request: WorkspaceRequest) -> Space:
    from liant.space.posting import space_of  # noqa: PLC0415 - posting imports the connector

    return space_of(request.workspace)


@workspace_view(PERMISSION)
def topic_list(request: WorkspaceRequest) -> HttpResponse:
    space = _space(request)
    flagged = Q(pinned=True) | Q(announcement=True)
    rows = list(
        Topic.objects.filter(category__space=space)
        .filter(flagged)
        .select_related("category", "author")
        .order_by("-created_at", "-pk")
    )
    seen = {t.pk for t in rows}
    rows += [
        t
        for t in Topic.objects.filter(category__space=space)
        .select_related("category", "author")
        .order_by("-last_activity_at", "-pk")[:RECENT]
        if t.pk not in seen
    ]
    forms_by_topic = [(t, PinForm(instance=t, prefix=f"t{t.pk}")) for t in rows]
    edited = set(
        Post.objects.filter(topic__in=rows, edited_at__isnull=False).values_list(
            "topic_id", flat=True
        )
    )
    return render(
        request,
        "space/staff_topics.html",
        {"space": space, "rows": forms_by_topic, "edited": edited},
    )


@workspace_view(PERMISSION)
@require_POST
def topic_pin(request: WorkspaceRequest, pk: int) -> HttpResponse:
    space = _space(request)
    topic = get_object_or_404(Topic, pk=pk, category__space=space)
    form = PinForm(request.POST, instance=topic, prefix=f"t{topic.pk}")
    if form.is_valid():
        form.save()
        audit.record(
            request,
            "space.topic_pinned",
            target=topic,
            pinned=topic.pinned,
            announcement=topic.announcement,
            until=str(topic.announcement_until or ""),
        )
        messages.success(request, _("“%(title)s” is saved.") % {"title": topic.title})
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("space_topics", ws=request.workspace.slug)
