"""Segments: saved filters over members, one JSON shape read the same way everywhere
(members list, inbox routing rules, newsletters, contests, reports).

    {"levels": ["contributor", "ambassador"], "tags": ["barista"], "networks": ["mastodon"],
     "languages": ["fr"], "active_within_days": 30, "inactive_for_days": 60,
     "consent": "newsletter", "fields": {"city": "Lyon"}, "min_score": 10, "q": "lea"}

Unknown keys are refused when a segment is saved, so a typo never silently widens a send.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from liant.members.models import LEVEL_ORDER, Consent, Identity, Kind, Member

KEYS = {
    "levels",
    "tags",
    "networks",
    "languages",
    "active_within_days",
    "inactive_for_days",
    "consent",
    "fields",
    "min_score",
    "q",
    "kinds",
}


class SegmentError(ValueError):
    pass


def clean(filters: dict[str, Any]) -> dict[str, Any]:
    """The filters, checked and tidied; raises SegmentError with a readable reason."""
    if not isinstance(filters, dict):
        raise SegmentError(_("A segment is a set of filters."))
    unknown = set(filters) - KEYS
    if unknown:
        raise SegmentError(_("Unknown filter: %(names)s") % {"names": ", ".join(sorted(unknown))})
    out: dict[str, Any] = {}
    for key in ("levels", "tags", "networks", "languages", "kinds"):
        values = filters.get(key) or []
        if isinstance(values, str):
            values = [v.strip() for v in values.split(",")]
        values = [str(v).strip() for v in values if str(v).strip()]
        if values:
            out[key] = values
    bad = set(out.get("levels", [])) - set(LEVEL_ORDER)
    if bad:
        raise SegmentError(_("Unknown level: %(names)s") % {"names": ", ".join(sorted(bad))})
    for key in ("active_within_days", "inactive_for_days", "min_score"):
        value = filters.get(key)
        if value in (None, ""):
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise SegmentError(
                _("%(name)s must be a number.") % {"name": key.replace("_", " ")}
            ) from None
        if number < 0:
            raise SegmentError(_("%(name)s cannot be negative.") % {"name": key.replace("_", " ")})
        out[key] = number if key == "min_score" else int(number)
    if filters.get("consent"):
        if filters["consent"] not in Consent.Purpose.values:
            raise SegmentError(_("Unknown consent: %(name)s") % {"name": filters["consent"]})
        out["consent"] = filters["consent"]
    fields = filters.get("fields") or {}
    if not isinstance(fields, dict):
        raise SegmentError(_("Custom field filters are name = value pairs."))
    if fields:
        out["fields"] = {str(k): str(v) for k, v in fields.items()}
    if str(filters.get("q") or "").strip():
        out["q"] = str(filters["q"]).strip()
    return out


def apply(members: QuerySet[Member], filters: dict[str, Any]) -> QuerySet[Member]:
    f = clean(filters)
    now = timezone.now()
    if "levels" in f:
        members = members.filter(level__in=f["levels"])
    if "kinds" in f:
        members = members.filter(kind__in=f["kinds"])
    for tag in f.get("tags", []):
        members = members.filter(tags__name=tag)
    if "networks" in f:
        members = members.filter(
            Exists(Identity.objects.filter(member=OuterRef("pk"), network__in=f["networks"]))
        )
    if "languages" in f:
        members = members.filter(language__in=f["languages"])
    if "active_within_days" in f:
        members = members.filter(last_active_at__gte=now - timedelta(days=f["active_within_days"]))
    if "inactive_for_days" in f:
        members = members.filter(
            Q(last_active_at__lt=now - timedelta(days=f["inactive_for_days"]))
            | Q(last_active_at__isnull=True)
        )
    if "min_score" in f:
        members = members.filter(score__gte=f["min_score"])
    if "consent" in f:
        members = members.filter(has_consent(f["consent"]))
    for name, value in f.get("fields", {}).items():
        members = members.filter(**{f"custom_fields__{name}": value})
    if "q" in f:
        q = f["q"]
        members = members.filter(
            Q(name__icontains=q)
            | Q(email__icontains=q)
            | Exists(
                Identity.objects.filter(member=OuterRef("pk")).filter(
                    Q(handle__icontains=q) | Q(email__icontains=q)
                )
            )
        )
    return members.distinct() if f.get("tags") else members


def has_consent(purpose: str) -> Exists:
    """The member's latest word on this purpose is a yes."""
    latest = (
        Consent.objects.filter(member=OuterRef("member"), purpose=purpose)
        .order_by("-at", "-pk")
        .values("pk")[:1]
    )
    return Exists(
        Consent.objects.filter(member=OuterRef("pk"), purpose=purpose, granted=True, pk=latest)
    )


def people(workspace_id: int) -> QuerySet[Member]:
    """Members a segment may ever contain: not merged away, not erased."""
    return Member.objects.filter(
        workspace_id=workspace_id, merged_into__isnull=True, erased_at__isnull=True
    )


def members_of(segment: Any) -> QuerySet[Member]:
    return apply(people(segment.workspace_id), segment.filters).exclude(kind=Kind.BOT)
