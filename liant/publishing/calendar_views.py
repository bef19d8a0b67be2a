"""Calendar pages (month, week, list), moving a post, and the iCal feed."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from liant.channels.models import Channel
from liant.core import audit
from liant.core.access import WorkspaceRequest, workspace_view
from liant.publishing import calendar, ical
from liant.publishing.models import Post
from liant.publishing.states import State
from liant.publishing.views import PAST_TOLERANCE
from liant.strategy import plan


class MoveForm(forms.Form):
    """Either a full moment (the form under each post) or a day (a drop on the calendar),
    which keeps the post's time of day."""

    at = forms.DateTimeField(
        label=gettext_lazy("Move to"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    day = forms.DateField(required=False, widget=forms.HiddenInput)


@workspace_view("posts.view")
@require_GET
def calendar_page(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    zone = ZoneInfo(workspace.timezone)
    view = request.GET.get("view", "month")
    if view not in calendar.VIEWS:
        view = "month"
    today = calendar.today_in(workspace)
    day = calendar.parse_day(request.GET.get("day", "")) or today
    filters = calendar.Filters.from_query(request.GET)
    context: dict = {
        "view": view,
        "day": day,
        "today": today,
        "filters": filters,
        "filter_query": filters.as_query(),
        "zone": workspace.timezone,
        "channels": Channel.objects.filter(workspace=workspace).order_by("name"),
        "pillars": distinct_values(workspace, "pillar"),
        "campaigns": distinct_values(workspace, "campaign"),
        "states": State.choices,
        "can_move": request.membership.can("posts.publish"),
    }
    if view == "month":
        first = day.replace(day=1)
        context["weeks"] = calendar.month_grid(workspace, first.year, first.month, filters, today)
        context["previous"] = (first - timedelta(days=1)).replace(day=1)
        context["next"] = (first + timedelta(days=32)).replace(day=1)
        context["title_day"] = first
    elif view == "week":
        monday = calendar.monday_of(day)
        context["days"] = calendar.week_days(workspace, monday, filters, today)
        context["previous"] = monday - timedelta(days=7)
        context["next"] = monday + timedelta(days=7)
        context["title_day"] = monday
    else:
        start = day.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
        context["entries"] = calendar.entries(workspace, start, end, filters)
        context["previous"] = (start - timedelta(days=1)).replace(day=1)
        context["next"] = end
        context["title_day"] = start
        context["move_form"] = MoveForm()
    # Where the period falls short of the strategy's rhythm, or leaves a pillar aside.
    period_start, period_end = period_of(context)
    context["shortfalls"] = plan.rhythm_shortfalls(workspace, period_start, period_end)
    context["neglected"] = plan.neglected_pillars(workspace, period_start, period_end)
    if request.membership.can("posts.write"):
        context["feed_url"] = ical.feed_url(workspace)
        context["can_rotate"] = request.membership.can("workspace.manage")
    with timezone.override(zone):
        return render(request, "publishing/calendar.html", context)


def period_of(context: dict) -> tuple[date, date]:
    """The days the page shows: a month (month and list views) or a week."""
    return context["title_day"], context["next"]


def distinct_values(workspace, field: str) -> list[str]:
    values = Post.objects.filter(workspace=workspace).exclude(**{field: ""})
    return sorted(set(values.values_list(field, flat=True)))


@workspace_view("posts.publish")
@require_POST
def post_reschedule(request: WorkspaceRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(Post, pk=pk, workspace=request.workspace)
    zone = ZoneInfo(request.workspace.timezone)
    with timezone.override(zone):
        form = MoveForm(request.POST)
        at = None
        if form.is_valid():
            at = form.cleaned_data["at"]
            if at is None and form.cleaned_data["day"] is not None:
                at = same_time_on(post, form.cleaned_data["day"], zone)
        if at is None:
            problems = [_("Say when to publish it.")]
        elif at < timezone.now() - PAST_TOLERANCE:
            problems = [_("This time has passed.")]
        else:
            problems = calendar.reschedule(post, at, request.user)
        if not problems:
            assert at is not None
            audit.record(request, "post.rescheduled", target=post, at=at.isoformat())
            messages.success(
                request,
                _("Moved to %(at)s (%(zone)s).")
                % {
                    "at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M"),
                    "zone": request.workspace.timezone,
                },
            )
    for problem in problems:
        messages.error(request, problem)
    if request.headers.get("HX-Request"):
        # The drop happened on a page that now shows an old place: draw it again.
        response = HttpResponse(status=204 if not problems else 200)
        response["HX-Refresh"] = "true"
        return response
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = reverse("calendar", kwargs={"ws": request.workspace.slug})
    return redirect(back)


def same_time_on(post: Post, day: date, zone: ZoneInfo) -> datetime:
    """A post dropped on another day keeps its time of day (09:30 stays 09:30, local)."""
    moments = [
        moment
        for v in post.variants.filter(state__in=calendar.MOVABLE_VARIANTS)
        if (moment := calendar.moment_of(v)) is not None
    ]
    clock = min(moments).astimezone(zone).time() if moments else time(9, 0)
    return datetime.combine(day, clock, tzinfo=zone)


@workspace_view("workspace.manage")
@require_POST
def feed_rotate(request: WorkspaceRequest) -> HttpResponse:
    ical.rotate(request.workspace)
    audit.record(request, "publishing.calendar_feed_rotated")
    messages.success(
        request, _("New calendar feed address; the previous addresses no longer work.")
    )
    return redirect("calendar", ws=request.workspace.slug)


@require_GET
def calendar_feed(request: HttpRequest, signed: str) -> HttpResponse:
    """No session: the signed address is the permission."""
    workspace = ical.workspace_of(signed)
    if workspace is None:
        raise Http404
    response = HttpResponse(ical.feed(workspace), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="calendar.ics"'
    return response
