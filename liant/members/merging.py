"""Merging two members into one, and undoing it exactly.

Every row of every app that points at the absorbed member (identities, activities, notes,
consents, tasks, and whatever later apps add: contest entries, RSVPs, ideas…) is moved to the
kept member, found through the model graph so a new app needs no code here. What moved is
recorded by primary key, with the kept member's own fields and tags before the merge; undo
moves exactly those rows back and restores those fields. A row that cannot move (a unique
constraint: both already RSVP'd to the same event) stays with the absorbed member and is
recorded as left, so undo leaves it alone too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from liant.members.models import Member, Merge, MergeSuggestion

# The kept member's own fields a merge may fill in from the absorbed one (only when empty).
FILLED = ("name", "email", "language", "bio", "avatar_url", "country")
# Links that describe the merge itself, not the member's data.
NOT_MOVED = {
    "members.merge.kept",
    "members.merge.absorbed",
    "members.mergesuggestion.first",
    "members.mergesuggestion.second",
    "members.member.merged_into",
    "members.datarequest.member",
}


class MergeRefused(Exception):
    pass


def member_links() -> list[tuple[type[models.Model], str]]:
    """(model, field name) of every foreign key to Member, in every installed app."""
    links = []
    for model in apps.get_models():
        for f in model._meta.get_fields():
            if (
                isinstance(f, models.ForeignKey)
                and f.related_model is Member
                and f"{model._meta.label_lower}.{f.name}" not in NOT_MOVED
            ):
                links.append((model, f.name))
    return links


SPAN = ("first_seen_at", "last_active_at")


def _snapshot(member: Member) -> dict[str, Any]:
    return {
        "fields": {f: getattr(member, f) for f in FILLED},
        "span": {f: v.isoformat() if (v := getattr(member, f)) else None for f in SPAN},
        "custom_fields": dict(member.custom_fields or {}),
    }


@transaction.atomic
def merge(kept: Member, absorbed: Member, by: Any = None) -> Merge:
    kept = Member.objects.select_for_update().get(pk=kept.pk)
    absorbed = Member.objects.select_for_update().get(pk=absorbed.pk)
    if kept.pk == absorbed.pk or kept.workspace_id != absorbed.workspace_id:
        raise MergeRefused("not two members of one workspace")
    if kept.merged_into_id or absorbed.merged_into_id:
        raise MergeRefused("one of them is already merged")
    record = Merge(
        workspace_id=kept.workspace_id,
        kept=kept,
        absorbed=absorbed,
        kept_before=_snapshot(kept),
        by=by,
    )
    moved: dict[str, list[int]] = {}
    left: dict[str, list[int]] = {}
    for model, name in member_links():
        label = f"{model._meta.label_lower}.{name}"
        pks = list(model._default_manager.filter(**{name: absorbed}).values_list("pk", flat=True))
        for pk in pks:
            try:
                with transaction.atomic():
                    model._default_manager.filter(pk=pk).update(**{name: kept})
                moved.setdefault(label, []).append(pk)
            except IntegrityError:
                left.setdefault(label, []).append(pk)
    added_tags = list(
        absorbed.tags.exclude(pk__in=kept.tags.values("pk")).values_list("pk", flat=True)
    )
    kept.tags.add(*added_tags)
    for f in FILLED:
        if not getattr(kept, f) and getattr(absorbed, f):
            setattr(kept, f, getattr(absorbed, f))
    kept.custom_fields = {**(absorbed.custom_fields or {}), **(kept.custom_fields or {})}
    kept.first_seen_at = _earliest(kept.first_seen_at, absorbed.first_seen_at)
    kept.last_active_at = _latest(kept.last_active_at, absorbed.last_active_at)
    kept.save()
    absorbed.merged_into = kept
    absorbed.save(update_fields=["merged_into"])
    record.moved = {"rows": moved, "left": left, "tags": added_tags}
    record.save()
    MergeSuggestion.objects.filter(first__in=[kept, absorbed], second__in=[kept, absorbed]).update(
        state=MergeSuggestion.State.MERGED
    )
    return record


@transaction.atomic
def undo(record: Merge, by: Any = None) -> None:
    record = Merge.objects.select_for_update().get(pk=record.pk)
    if record.undone_at:
        raise MergeRefused("already undone")
    kept, absorbed = record.kept, record.absorbed
    for label, pks in record.moved.get("rows", {}).items():
        app_model, name = label.rsplit(".", 1)
        model = apps.get_model(app_model)
        model._default_manager.filter(pk__in=pks).update(**{name: absorbed})
    kept.tags.remove(*record.moved.get("tags", []))
    before = record.kept_before
    for f, value in before.get("fields", {}).items():
        setattr(kept, f, value)
    kept.custom_fields = before.get("custom_fields", {})
    for f, value in before.get("span", {}).items():
        setattr(kept, f, datetime.fromisoformat(value) if value else None)
    kept.save()
    absorbed.merged_into = None
    absorbed.save(update_fields=["merged_into"])
    MergeSuggestion.objects.filter(first__in=[kept, absorbed], second__in=[kept, absorbed]).update(
        state=MergeSuggestion.State.OPEN
    )
    record.undone_at = timezone.now()
    record.undone_by = by
    record.save(update_fields=["undone_at", "undone_by"])


def _earliest(a, b):
    return min(x for x in (a, b) if x) if (a or b) else None


def _latest(a, b):
    return max(x for x in (a, b) if x) if (a or b) else None
