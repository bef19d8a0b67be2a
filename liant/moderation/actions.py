"""Acting on a message through its channel's connector, and logging every action.

Liant's actions map onto the connector's `moderate` verbs, tried in order until the network
accepts one (a Matrix room bans, a Mastodon account can only block): what no verb can do is
left to a person, with the network's own reason. "Hold" sends nothing: no network Liant
connects to lets an account hide someone else's message and show it again later (a Matrix
redaction cannot be undone), so a held message stays visible and waits in the queue.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

from liant.channels.fetching import with_fresh_credentials
from liant.channels.models import Event
from liant.connectors import registry
from liant.connectors.base import (
    Author,
    Capability,
    Connector,
    ConnectorError,
    Draft,
    ErrorKind,
    ModerationAction,
    Problem,
)
from liant.connectors.base import Event as NetworkEvent
from liant.core.models import User
from liant.moderation.models import Action, Charter, LogEntry, Outcome, Rule, citation

# Liant's action → the connector verbs that can carry it, in the order they are tried.
VERBS: dict[str, tuple[ModerationAction, ...]] = {
    Action.HIDE: (ModerationAction.HIDE,),
    Action.DELETE: (ModerationAction.DELETE,),
    Action.MUTE: (ModerationAction.MUTE,),
    Action.BAN: (ModerationAction.BAN, ModerationAction.BLOCK),
}
# Taking a sanction back, by the connector verbs tried in order. A network without them
# (Bluesky, feeds) records the lift with the reason and leaves it to a person; Mastodon
# unmutes and unblocks, Matrix unbans. A deleted message has no way back on
# any network Liant connects to.
LIFT_VERBS: dict[str, tuple[str, ...]] = {
    Action.MUTE: ("unmute",),
    Action.BAN: ("unban", "unblock"),
    Action.HIDE: ("unhide",),
}
# Verbs that take the author's account rather than the message, per network (Mastodon's API
# mutes and blocks accounts; Matrix finds the sender from the event; Bluesky from the post).
AUTHOR_TARGETED = {"mastodon": {"mute", "block", "unmute", "unblock"}}
DEFAULT_WARNING = _(
    "Your message was removed: it breaks article %(article)s of the community's charter."
)


@dataclass
class Result:
    outcome: str  # an Outcome
    problem: Problem | None = None


def _target(event: Event, verb: ModerationAction) -> str:
    if str(verb) in AUTHOR_TARGETED.get(event.channel.kind, set()):
        return event.author_remote_id
    return event.remote_id


def send_to_network(event: Event, action: str) -> Result:
    """Apply one network-side action (hide, delete, mute, ban) to the event."""
    verbs = VERBS.get(action, ())
    if not verbs:
        return Result(Outcome.RECORDED)
    return _try_verbs(event, verbs)


def lift_on_network(event: Event, action: str) -> Result:
    """Take back a mute, ban or hide through the channel's connector, where it has a verb."""
    names = LIFT_VERBS.get(action, ())
    verbs = [ModerationAction(n) for n in names if n in ModerationAction._value2member_map_]
    if not verbs:
        return Result(
            Outcome.NOT_APPLIED,
            Problem(
                _("Liant cannot take back a %(action)s on %(network)s: lift it there by hand."),
                action=action,
                network=event.channel.kind_label,
            ),
        )
    return _try_verbs(event, verbs)


def _try_verbs(event: Event, verbs: Sequence[ModerationAction]) -> Result:
    channel = event.channel
    if Capability.MODERATE not in registry.connector_class(channel.kind).capabilities:
        return Result(
            Outcome.NOT_APPLIED,
            Problem(_("%(network)s gives Liant no way to moderate."), network=channel.kind_label),
        )
    problem: Problem | None = None
    for verb in verbs:
        target = _target(event, verb)
        if not target:
            continue

        def call(connector: Connector, v: ModerationAction = verb, t: str = target) -> None:
            connector.moderate(t, v)

        try:
            with_fresh_credentials(channel, call)
        except ConnectorError as error:
            problem = Problem(error.template, **error.params)
            if error.kind is not ErrorKind.PERMANENT:
                break  # the network may accept it later: a person retries from the queue
            continue
        return Result(Outcome.APPLIED)
    return Result(
        Outcome.NOT_APPLIED, problem or Problem(_("The message has no identity to act on."))
    )


def warning_text(rule_warning: str, article: str | None, language: str) -> str:
    """The rule's saved message, or Liant's, in the workspace's language, citing the article."""
    article = article or "—"
    if rule_warning.strip():
        return rule_warning.replace("{article}", article)
    with translation.override(language):
        return gettext(DEFAULT_WARNING) % {"article": article}


def send_warning(event: Event, text: str) -> Result:
    """A direct message to the author where the network has them, else a reply in thread."""
    channel = event.channel
    author = Author(event.author_remote_id, event.author_handle, event.author_name)

    def call(connector: Connector) -> None:
        if Capability.SEND_DIRECT in connector.capabilities and event.author_remote_id:
            connector.send_direct(author, Draft(text))
        elif Capability.REPLY in connector.capabilities:
            parent = NetworkEvent(
                kind=event.kind,  # type: ignore[arg-type]
                remote_id=event.remote_id,
                author=author,
                occurred_at=event.occurred_at,
                text=event.text,
                thread_remote_id=event.thread_remote_id,
            )
            connector.reply(parent, Draft(text, reply_to=event.remote_id))
        else:
            raise ConnectorError(_("%(network)s cannot send a warning."), network=channel.kind)

    try:
        with_fresh_credentials(channel, call)
    except ConnectorError as error:
        return Result(Outcome.NOT_APPLIED, Problem(error.template, **error.params))
    return Result(Outcome.APPLIED)


def log(
    event: Event,
    action: str,
    result: Result,
    *,
    text: str,
    rule: Rule | None = None,
    actor: User | None = None,
    article: int | None = None,
    item_id: int | None = None,
    mute_minutes: int | None = None,
    sent: str = "",
) -> LogEntry:
    charter = Charter.current(event.workspace)
    return LogEntry.objects.create(
        workspace_id=event.workspace_id,
        item_id=item_id,
        event=event,
        action=action,
        rule=rule,
        actor=actor,
        charter=charter,
        article=article,
        text=text,
        author_remote_id=event.author_remote_id,
        outcome=result.outcome,
        sent=sent,
        detail=result.problem.message[:2000] if result.problem else "",
        detail_json=result.problem.detail() if result.problem else None,
        mute_until=(
            timezone.now() + timedelta(minutes=mute_minutes)
            if mute_minutes and action == Action.MUTE and result.outcome == Outcome.APPLIED
            else None
        ),
    )


def apply(
    event: Event,
    action: str,
    *,
    text: str,
    rule: Rule | None = None,
    actor: User | None = None,
    article: int | None = None,
    warning: str = "",
    mute_minutes: int | None = None,
    item_id: int | None = None,
) -> LogEntry:
    """Carry out one of Liant's actions and log it."""
    text_sent = ""
    if action == Action.WARN:
        language = event.workspace.language
        cited = citation(event.workspace, article, language)
        text_sent = warning_text(warning, str(cited) if cited else None, language)
        result = send_warning(event, text_sent)
    else:
        result = send_to_network(event, action)
    entry = log(
        event,
        action,
        result,
        text=text,
        rule=rule,
        actor=actor,
        article=article,
        item_id=item_id,
        mute_minutes=mute_minutes,
        sent=text_sent,
    )
    logging.getLogger(__name__).info(
        "moderation %s on event %s: %s", action, event.pk, result.outcome
    )
    return entry
