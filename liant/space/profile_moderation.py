"""A member's new name or presentation goes through the moderation rules like a post does.

The moderation queue holds `Item`s, each the judgement of one channels `Event`, so a change
of profile is stored as an event of the space's channel (remote id `profile:<account>:<n>`,
kind `membership`: the one kind that no module reads as a message; moderation's sweep, the
inbox and listening leave it alone) and judged at once with `engine.judge` and
`engine.act_on`, the code a post's event goes through. What comes out is what a post gets:

- nothing, an "allow" rule, a label, or a flag by the classifier alone (no rule): the change
  is shown at once (a flagged one waits in the queue, as a flagged post does, and "remove"
  puts back the name and presentation it replaced);
- a rule that holds: the change waits in `pending_name` / `pending_bio`, shown to nobody (the
  previous ones stay on every page) until a moderator approves it in the queue; it is shown
  once the approval is sent (after the queue's undo window), by the receiver below;
- "remove" (by a rule or a moderator): the change is dropped; mute and ban take the account.

The event's author fields are blanked once judged: Members counts every stored event with an
author as an activity, and changing one's profile is not taking part. The queue's item keeps
the author (its handle, and the count of earlier removals that sets its risk). A newer change
replaces one still waiting, whose queue item is closed. Pictures are not judged by rules.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_noop

from liant.channels.models import Channel, Event, EventKindChoices
from liant.connectors.base import Problem
from liant.moderation import engine
from liant.moderation.models import Decision, Item, ItemState, LogEntry, Outcome, Reason
from liant.space.models import SpaceAccount

log = logging.getLogger(__name__)

PREFIX = "profile"
SAVED, HELD, REFUSED, FAILED = "saved", "held", "refused", "failed"
PENDING_FIELDS = ["pending_name", "pending_bio", "pending_key"]


def account_of(space: Any, remote_id: str) -> SpaceAccount | None:
    """The account a `profile:<account>:<n>` remote id names, in this space; None for any
    other remote id."""
    head, _sep, rest = remote_id.partition(":")
    account_id = rest.partition(":")[0]
    if head != PREFIX or not account_id.isdigit():
        return None
    return SpaceAccount.objects.filter(pk=int(account_id), space=space, staff=False).first()


def submit(account: SpaceAccount, name: str, bio: str) -> str:
    """Save the name and presentation the account typed, through the rules: SAVED (shown),
    HELD (waits for a moderator), REFUSED (a rule removed it, or took the account) or FAILED
    (judging failed: nothing changed, the member can try again)."""
    if name == account.display_name and bio == account.bio:
        withdraw(account)  # back to what is shown: nothing waits any more
        return SAVED
    if account.pending_key and (name, bio) == (account.pending_name, account.pending_bio):
        return HELD  # the same change already waits
    space = account.space
    channel = Channel.objects.filter(pk=space.channel_id).first() if space.channel_id else None
    if channel is None or account.staff:
        publish(account, name, bio)  # no channel, no rules (as for posts)
        return SAVED
    key = f"{PREFIX}:{account.pk}:{secrets.token_hex(6)}"
    try:
        with transaction.atomic():
            withdraw(account)
            changed = [
                t for t, old in ((name, account.display_name), (bio, account.bio)) if t != old
            ]
            event = Event.objects.create(
                workspace_id=space.workspace_id,
                channel=channel,
                kind=EventKindChoices.MEMBERSHIP,
                remote_id=key,
                author_remote_id=account.remote_id,
                author_handle=account.handle,
                author_name=name,
                text="\n\n".join(changed),
                occurred_at=timezone.now(),
                raw={
                    "account": account.pk,
                    "name": name,
                    "bio": bio,
                    "previous_name": account.display_name,
                    "previous_bio": account.bio,
                },
            )
            # Waiting before the rules act: a rule's "remove" drops it through moderation.apply.
            account.pending_name, account.pending_bio, account.pending_key = name, bio, key
            account.save(update_fields=PENDING_FIELDS)
            event.workspace = space.workspace
            judgement = engine.judge(space.workspace, [event], engine.active_rules(space.workspace))
            item = engine.act_on(judgement[0])
            if item is not None:
                # Said in the queue next to the rule's reasons, in the moderator's language.
                what = Problem(
                    gettext_noop("a new name or presentation on a community space profile")
                )
                item.why_detail = [what.detail(), *(item.why_detail or [])]
                item.why = f"{what.message}; {item.why}" if item.why else what.message
                item.save(update_fields=["why", "why_detail"])
            Event.objects.filter(pk=event.pk).update(author_remote_id="", author_handle="")
    except Exception:  # noqa: BLE001 - unjudged words are not shown: the member tries again
        log.exception("judging the profile change of space account %s failed", account.pk)
        account.refresh_from_db()
        return FAILED
    account.refresh_from_db()
    if account.pending_key != key or account.banned_at or account.muted_at:
        withdraw(account)
        return REFUSED
    if item is not None and item.state == ItemState.QUEUED and item.reason != Reason.FLAGGED:
        return HELD
    publish(account, name, bio)
    return SAVED


def publish(account: SpaceAccount, name: str, bio: str) -> None:
    account.display_name, account.bio = name, bio
    account.pending_name, account.pending_bio, account.pending_key = "", "", ""
    account.save(update_fields=["display_name", "bio", *PENDING_FIELDS])


def withdraw(account: SpaceAccount) -> None:
    """Drop the change waiting, if any, and close its queue item: nobody is to judge it."""
    if not account.pending_key:
        return
    Item.objects.filter(
        channel_id=account.space.channel_id or 0,
        event__remote_id=account.pending_key,
        state=ItemState.QUEUED,
    ).update(state=ItemState.DONE, decided_at=timezone.now())
    account.pending_name, account.pending_bio, account.pending_key = "", "", ""
    account.save(update_fields=PENDING_FIELDS)


def remove(account: SpaceAccount, remote_id: str) -> None:
    """A moderator's or a rule's "remove": the waiting change is dropped; one already shown
    (flagged, not held) gives way to the name and presentation it replaced, if still shown."""
    if account.pending_key == remote_id:
        account.pending_name, account.pending_bio, account.pending_key = "", "", ""
        account.save(update_fields=PENDING_FIELDS)
        return
    raw = (
        Event.objects.filter(channel_id=account.space.channel_id or 0, remote_id=remote_id)
        .values_list("raw", flat=True)
        .first()
    )
    if not isinstance(raw, dict):
        return
    if account.display_name == raw.get("name") and raw.get("previous_name"):
        account.display_name = str(raw["previous_name"])
    if account.bio == raw.get("bio"):
        account.bio = str(raw.get("previous_bio") or "")
    account.save(update_fields=["display_name", "bio"])


@receiver(post_save, sender=LogEntry)
def on_approval(sender: Any, instance: LogEntry, **kwargs: Any) -> None:
    """A moderator's approval, once sent (past the undo window): the change is shown."""
    if instance.action != Decision.APPROVE or instance.outcome != Outcome.RECORDED:
        return
    if instance.event_id is None:
        return
    key = Event.objects.filter(pk=instance.event_id).values_list("remote_id", flat=True).first()
    if not key or not key.startswith(f"{PREFIX}:"):
        return
    account = SpaceAccount.objects.filter(pending_key=key).first()
    if account is not None and not account.banned_at:
        publish(account, account.pending_name, account.pending_bio)
