"""Telling the people behind an idea that its status changed, through the channel they used.

The inbox's discipline for replies, applied per person: a StatusNotice row is written first
(unique per idea, person and status, so a second status save or a duplicate job tells nobody
twice); one job per person claims its row with a conditional update (queued → sending),
calls the connector with the row's idempotency key, and records the remote id in the update
that marks it sent. A failure is kept on the row with the network's words, shown on the idea
page with a button to try again. A worker that died mid-send leaves the row in `sending`;
the sweep marks it failed for a person to look at, because a message cannot be unsent.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from liant.channels import fetching
from liant.channels.models import Health
from liant.connectors import base
from liant.connectors.base import Capability, Connector, ConnectorError, Draft, ErrorKind
from liant.feedback.models import Idea, IdeaStatus, NoticeState, Proposer, StatusNotice, Vote
from liant.inbox.replies import base_event
from liant.members.models import Identity

log = logging.getLogger(__name__)

STUCK_AFTER = timedelta(minutes=10)
LANGUAGES = ("fr", "en")


def language_for(notice_language: str, workspace_language: str) -> str:
    return notice_language if notice_language in LANGUAGES else workspace_language


def compose(idea: Idea, name: str, proposer: bool, language: str) -> str:
    """The words sent, written once in the person's language and stored as sent."""
    with translation.override(language):
        values = {
            "name": name,
            "brand": idea.workspace.name,
            "title": idea.title,
            "status": IdeaStatus(idea.status).label,
        }
        if proposer:
            text = _(
                "Hello %(name)s, the idea you shared with %(brand)s, “%(title)s”, is now: "
                "%(status)s."
            )
        else:
            text = _(
                "Hello %(name)s, the idea you voted for at %(brand)s, “%(title)s”, is now: "
                "%(status)s."
            )
        text = text % values
        if idea.public_reason.strip():
            text += "\n\n" + idea.public_reason.strip()
        return text


def reachable(backer: Proposer | Vote) -> bool:
    """Came from a channel: a channel we can answer through, or an e-mail address."""
    identity = backer.identity
    return _channel_id(backer) is not None or bool(identity and _address(identity))


def _channel_id(backer: Proposer | Vote) -> int | None:
    """The channel they used for this idea, else the one their account was seen on."""
    if backer.channel_id is not None:
        return backer.channel_id
    return backer.identity.channel_id if backer.identity is not None else None


def _address(identity: Identity | None) -> str:
    if identity is None:
        return ""
    if identity.email:
        return str(identity.email)
    return str(identity.key) if identity.network == "email" else ""


def queue_for(idea: Idea) -> int:
    """One notice per person (proposers first: they get the proposer's words), then one job
    each once the transaction commits. Runs inside the status change's transaction."""
    idea = Idea.objects.select_related("workspace").get(pk=idea.pk)
    people: dict[int, tuple[Proposer | Vote, bool]] = {}
    for proposer in idea.proposers.select_related("identity", "member"):
        people.setdefault(proposer.member_id, (proposer, True))
    for voter in idea.votes.select_related("identity", "member"):
        people.setdefault(voter.member_id, (voter, False))
    already = set(
        StatusNotice.objects.filter(idea=idea, status=idea.status).values_list(
            "member_id", flat=True
        )
    )
    fresh = []
    for member_id, (backer, is_proposer) in people.items():
        member = backer.member
        if member.merged_into_id is not None:
            continue  # a row a member merge left behind: the kept member is told instead
        if member_id in already or member.erased_at is not None or not reachable(backer):
            continue
        event = backer.event
        language = language_for(
            member.language or (event.language if event else ""), idea.workspace.language
        )
        fresh.append(
            StatusNotice(
                workspace_id=idea.workspace_id,
                idea=idea,
                member_id=member_id,
                identity=backer.identity,
                channel_id=_channel_id(backer),
                event=event,
                status=idea.status,
                text=compose(idea, member.name or str(member), is_proposer, language),
            )
        )
    StatusNotice.objects.bulk_create(fresh, ignore_conflicts=True)
    ids = list(
        StatusNotice.objects.filter(
            idea=idea,
            status=idea.status,
            state=NoticeState.QUEUED,
            member_id__in=[n.member_id for n in fresh],
        ).values_list("pk", flat=True)
    )
    for notice_id in ids:
        enqueue(notice_id)
    return len(ids)


def enqueue(notice_id: int) -> None:
    from liant.feedback import tasks  # noqa: PLC0415 - tasks import this module

    transaction.on_commit(lambda: tasks.send_notice(notice_id))


def subject(notice: StatusNotice) -> str:
    with translation.override(language_for(notice.member.language, notice.workspace.language)):
        return _("%(brand)s: news about an idea") % {"brand": notice.workspace.name}


def through_connector(connector: Connector, notice: StatusNotice) -> base.RemotePost:
    """A private message where the network has them, else an answer where they said it."""
    identity, event = notice.identity, notice.event
    recipient = base.Author(
        remote_id=(identity.remote_id if identity else "")
        or (event.author_remote_id if event else ""),
        handle=(identity.handle if identity else "") or (event.author_handle if event else ""),
        name=notice.member.name,
    )
    draft = Draft(text=notice.text, idempotency_key=notice.idempotency_key)
    channel = notice.channel
    assert channel is not None
    if channel.kind == "email":
        recipient.remote_id = recipient.remote_id or _address(identity)
        # The e-mail connector reads the subject from `link` (a Draft has no subject).
        draft.link = subject(notice)
    if connector.can(Capability.SEND_DIRECT) and recipient.remote_id:
        return connector.send_direct(recipient, draft)
    if connector.can(Capability.REPLY) and event is not None:
        return connector.reply(base_event(event), draft)
    raise ConnectorError(
        _("%(channel)s cannot reach this person."), ErrorKind.PERMANENT, channel=channel.name
    )


def by_email(notice: StatusNotice) -> str:
    """No channel left (or none ever): an e-mail address is enough, sent with Django's mail."""
    address = _address(notice.identity)
    if not address:
        raise ConnectorError(_("No channel or e-mail address reaches this person."))
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(">") or "localhost"
    message_id = f"<{notice.idempotency_key}@{domain}>"
    EmailMessage(
        subject(notice), notice.text, to=[address], headers={"Message-ID": message_id}
    ).send()
    return message_id


def deliver(notice: StatusNotice) -> str:
    channel = notice.channel
    if channel is None:
        return by_email(notice)
    if channel.health in (Health.AUTH_EXPIRED, Health.DISCONNECTED):
        raise ConnectorError(
            _("%(channel)s is not connected: reconnect it, then send again."),
            ErrorKind.PERMANENT,
            channel=channel.name,
        )
    remote = fetching.with_fresh_credentials(
        channel, lambda connector: through_connector(connector, notice)
    )
    return remote.remote_id


def send(notice_id: int) -> str:
    """Send one queued notice; returns its state afterwards."""
    claimed = StatusNotice.objects.filter(pk=notice_id, state=NoticeState.QUEUED).update(
        state=NoticeState.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
    )
    notice = (
        StatusNotice.objects.select_related(
            "workspace", "member", "identity", "channel", "event__channel"
        )
        .filter(pk=notice_id)
        .first()
    )
    if notice is None or claimed != 1:
        return notice.state if notice else ""
    with translation.override(notice.workspace.language):
        try:
            remote_id = deliver(notice)
        except ConnectorError as exc:
            return record_failure(notice, exc.translated())
        except Exception as exc:  # a connector bug: it may or may not have left
            log.exception("sending status notice %s failed", notice_id)
            return record_failure(notice, f"{type(exc).__name__}: {exc}")
    done = StatusNotice.objects.filter(
        pk=notice.pk, state__in=[NoticeState.SENDING, NoticeState.FAILED]
    ).update(
        state=NoticeState.SENT,
        sent_at=timezone.now(),
        remote_id=remote_id[:500],
        claimed_at=None,
        last_error="",
    )
    return NoticeState.SENT if done else notice.state


def record_failure(notice: StatusNotice, error: str) -> str:
    StatusNotice.objects.filter(pk=notice.pk, state=NoticeState.SENDING).update(
        state=NoticeState.FAILED, claimed_at=None, last_error=error
    )
    return NoticeState.FAILED


def retry(notice: StatusNotice) -> bool:
    """A person asks to try a failed notice again (same row, same key)."""
    moved = StatusNotice.objects.filter(pk=notice.pk, state=NoticeState.FAILED).update(
        state=NoticeState.QUEUED, last_error=""
    )
    if moved:
        enqueue(notice.pk)
    return moved == 1


def sweep(now: datetime | None = None) -> int:
    """Notices whose worker vanished mid-send are shown failed (never resent unasked);
    queued ones whose job was lost are sent now."""
    now = now or timezone.now()
    stuck = StatusNotice.objects.filter(
        state=NoticeState.SENDING, claimed_at__lt=now - STUCK_AFTER
    ).select_related("workspace")
    count = 0
    for notice in stuck:
        with translation.override(notice.workspace.language):
            note = _("The worker stopped while sending; check before sending it again.")
        count += StatusNotice.objects.filter(
            pk=notice.pk, state=NoticeState.SENDING, claimed_at=notice.claimed_at
        ).update(state=NoticeState.FAILED, claimed_at=None, last_error=note)
    from liant.feedback import tasks  # noqa: PLC0415

    for notice_id in StatusNotice.objects.filter(
        state=NoticeState.QUEUED, created_at__lt=now - timedelta(minutes=2)
    ).values_list("pk", flat=True):
        tasks.send_notice(notice_id)
    return count
