"""The queue page (each channel's slots and its next free one) and "add to queue"."""

from __future__ import annotations

from collections import Counter
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liant.channels.models import Channel
from liant.core import audit
from liant.core.access import WorkspaceRequest, workspace_view
from liant.publishing import besttime, queue
from liant.publishing.forms import SlotsForm
from liant.publishing.models import Post, QueueSlot, VariantMetrics
from liant.publishing.validation import can_publish


def day_names() -> list[str]:
    # Django's own abbreviations, in the reader's language; parse_slots reads them back.
    return [str(WEEKDAYS_ABBR[n]) for n in range(7)]


def slots_text(channel: Channel) -> str:
    slots = list(QueueSlot.objects.filter(channel=channel).values_list("weekday", "time"))
    return queue.describe(slots, day_names())


@workspace_view("posts.view")
def queue_page(request: WorkspaceRequest) -> HttpResponse:
    channels = [
        c
        for c in Channel.objects.filter(workspace=request.workspace).order_by("name")
        if can_publish(c)
    ]
    rows = [
        {
            "channel": c,
            "form": SlotsForm(initial={"slots": slots_text(c)}, prefix=f"c{c.pk}"),
            "next": queue.next_free_slot(c),
            "suggested": [
                f"{day_names()[cell.weekday]} {cell.hour:02d}:00"
                for cell in besttime.heatmap(c).suggestions()
            ],
        }
        for c in channels
    ]
    with timezone.override(ZoneInfo(request.workspace.timezone)):
        return render(
            request,
            "publishing/queue.html",
            {
                "rows": rows,
                "zone": request.workspace.timezone,
                "can_edit": request.membership.can("posts.publish"),
            },
        )


@workspace_view("posts.publish")
@require_POST
def queue_slots(request: WorkspaceRequest, channel_pk: int) -> HttpResponse:
    channel = get_object_or_404(Channel, pk=channel_pk, workspace=request.workspace)
    form = SlotsForm(request.POST, prefix=f"c{channel.pk}")
    if form.is_valid():
        queue.set_slots(channel, form.cleaned_data["slots"])
        audit.record(
            request, "publishing.queue_slots_changed", target=channel, slots=slots_text(channel)
        )
        messages.success(request, _("Queue slots of %(channel)s saved.") % {"channel": channel})
    else:
        for error in form.errors.get("slots", []):
            messages.error(request, str(error))
    return redirect("queue", ws=request.workspace.slug)


@workspace_view("posts.publish")
@require_POST
def post_queue(request: WorkspaceRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(Post, pk=pk, workspace=request.workspace)
    problems = queue.add_to_queue(post, request.user)
    for problem in problems:
        messages.error(request, problem)
    if not problems:
        audit.record(request, "post.queued", target=post)
        messages.success(request, _("Added to the queue: each channel at its next free slot."))
    return redirect("post_detail", ws=request.workspace.slug, pk=post.pk)


@workspace_view("posts.view")
def best_time(request: WorkspaceRequest) -> HttpResponse:
    channels = list(Channel.objects.filter(workspace=request.workspace).order_by("name"))
    chosen = request.GET.get("channel", "")
    # Without a choice, the channel with the most measured posts: the one there is to learn from.
    measured = Counter(
        VariantMetrics.objects.filter(variant__channel__workspace=request.workspace).values_list(
            "variant__channel_id", flat=True
        )
    )
    default = max(channels, key=lambda c: measured[c.pk], default=None)
    channel = next((c for c in channels if str(c.pk) == chosen), default)
    heat = besttime.heatmap(channel) if channel else None
    names = day_names()
    rows = []
    if heat:
        peak = heat.peak or 1.0
        rows = [
            {
                "day": names[d],
                "cells": [
                    {"cell": cell, "level": round(cell.estimate / peak, 2)}
                    for cell in heat.cells[d]
                ],
            }
            for d in range(7)
        ]
    return render(
        request,
        "publishing/best_time.html",
        {
            "channels": channels,
            "channel": channel,
            "heat": heat,
            "rows": rows,
            "hours": range(24),
            "suggestions": [
                {"cell": c, "slot": f"{names[c.weekday]} {c.hour:02d}:00"}
                for c in (heat.suggestions() if heat else [])
            ],
            "shrinkage": besttime.K,
            "zone": request.workspace.timezone,
        },
    )
