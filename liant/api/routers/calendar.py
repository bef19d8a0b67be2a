"""The calendar: posts with a moment (scheduled or published) over a date range, read-only.

The same `liant.publishing.calendar.entries` the calendar page shows, with the same filters;
days are the workspace's. A range is at most MAX_DAYS long, so the answer is bounded without
a cursor."""

from datetime import date, datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from liant.api.auth import require
from liant.api.problems import Problem
from liant.api.routers.publishing import PostOut, post_out
from liant.api.types import Id, Text100
from liant.publishing import calendar
from liant.publishing.states import State

router = Router(tags=["publishing"])

MAX_DAYS = 92


class CalendarEntry(Schema):
    at: datetime
    post: PostOut


class CalendarOut(Schema):
    start: date
    end: date
    timezone: str
    items: list[CalendarEntry]


@router.get(
    "/calendar",
    response=CalendarOut,
    summary="Posts in a date range [start, end), earliest first (at most 92 days)",
)
def read_calendar(
    request: HttpRequest,
    start: date,
    end: date,
    channel: Id | None = None,
    pillar: Text100 = "",
    campaign: Text100 = "",
    state: State | None = None,
) -> dict:
    caller = require(request, "posts.view")
    if not date(1900, 1, 1) <= start < end <= date(9000, 1, 1) or (end - start).days > MAX_DAYS:
        raise Problem(
            422,
            _("Give a range where start is before end, at most %(days)s days long.")
            % {"days": MAX_DAYS},
            slug="validation",
            errors=[{"field": "end", "in": "query", "message": _("Invalid range.")}],
        )
    filters = calendar.Filters(channel=channel, pillar=pillar, campaign=campaign, state=state or "")
    found = calendar.entries(caller.workspace, start, end, filters)
    return {
        "start": start,
        "end": end,
        "timezone": caller.workspace.timezone,
        "items": [{"at": e.at, "post": post_out(e.post)} for e in found],
    }
