"""Follows and notifications: who hears of a new post, and the e-mail digest.

- An account follows a topic when it opens it or replies in it (it can stop), and may follow
  a category (it hears of new topics there).
- A new post notifies the accounts it mentions, then the topic's followers (a reply) or the
  category's (a new topic); one notification per person and post, the mention first; an
  edit notifies only those it newly mentions who had no notification of the post yet. A
  reaction notifies the post's author. Nobody is notified of their own doing; the brand's
  account, unconfirmed, banned and erased accounts are never notified, nor anyone who may
  not read the post's category (an invited group's, `permissions.readers`): no row is made
  for them, so joining the group later brings no old news.
- Notifications of a post others cannot see (hidden, deleted, held by a rule) are not
  listed and not mailed; one held and then approved is.
- The digest (the worker's minute task) mails an account's unmailed notifications: within
  minutes for "immediate", a day after the last digest for "daily". Each notification is
  claimed by one conditional update that stamps it with the sending run's key, so two
  workers never mail it twice; a failed send gives the claim back for the next run. A
  crash between claim and send loses that mail rather than risking a second one.
- Every mail carries a signed link (and a List-Unsubscribe header) that stops the mails.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from liant.space.models import (
    Access,
    EmailFrequency,
    GroupMember,
    Notification,
    Post,
    SpaceAccount,
    Subscription,
    Topic,
)

log = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "liant.space.unsubscribe"
# Rules judge a post within seconds of its storing; a mention in a post about to be held
# must not leave in a mail before.
GRACE = timedelta(minutes=2)
DAILY = timedelta(days=1)
PER_MAIL = 30


# --- Following ------------------------------------------------------------------------------


def follow(account: SpaceAccount, *, topic: Topic | None = None, category=None) -> None:
    if account.staff:
        return
    if topic is not None:
        Subscription.objects.get_or_create(account=account, topic=topic)
    elif category is not None:
        Subscription.objects.get_or_create(account=account, category=category)


def follows(account: SpaceAccount | None, *, topic=None, category=None) -> bool:
    if account is None:
        return False
    if topic is not None:
        return Subscription.objects.filter(account=account, topic=topic).exists()
    return Subscription.objects.filter(account=account, category=category).exists()


def unfollow(account: SpaceAccount, *, topic=None, category=None) -> None:
    if topic is not None:
        Subscription.objects.filter(account=account, topic=topic).delete()
    elif category is not None:
        Subscription.objects.filter(account=account, category=category).delete()


# --- Notifying ------------------------------------------------------------------------------


def reachable(rows: QuerySet[SpaceAccount]) -> QuerySet[SpaceAccount]:
    return rows.filter(staff=False, confirmed_at__isnull=False, banned_at__isnull=True).exclude(
        email=""
    )


def readers(accounts: QuerySet[SpaceAccount], category) -> QuerySet[SpaceAccount]:
    from liant.space.permissions import readers as may_read  # noqa: PLC0415 - see shown()

    return may_read(accounts, category)


def on_post(post: Post, *, opening: bool = False) -> int:
    """Notifications for a new post: mentions, then followers of its topic or category."""
    author_id = post.author_id
    mentioned = {a.pk for a in getattr(post, "mentioned", [])}
    topic = post.topic
    if opening:
        followers = Subscription.objects.filter(category_id=topic.category_id)
        kind = Notification.Kind.TOPIC
    else:
        followers = Subscription.objects.filter(topic_id=topic.pk)
        kind = Notification.Kind.REPLY
    follower_ids = set(followers.values_list("account_id", flat=True)) - mentioned
    wanted = dict.fromkeys(mentioned, Notification.Kind.MENTION) | dict.fromkeys(follower_ids, kind)
    wanted.pop(author_id, None)
    allowed = set(
        readers(reachable(SpaceAccount.objects.filter(pk__in=wanted)), topic.category).values_list(
            "pk", flat=True
        )
    )
    rows = [
        Notification(
            account_id=pk, kind=k, post=post, actor_id=author_id, created_at=post.created_at
        )
        for pk, k in wanted.items()
        if pk in allowed
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def on_edit(post: Post) -> int:
    """An edit notifies the accounts it mentions that had heard nothing of this post yet: a
    mention added by editing is news, one already there (or already notified as a reply or
    a new topic) is not told twice. Followers are not told again."""
    mentioned = {a.pk for a in getattr(post, "mentioned", [])} - {post.author_id}
    if not mentioned:
        return 0
    told = set(Notification.objects.filter(post=post).values_list("account_id", flat=True))
    allowed = readers(
        reachable(SpaceAccount.objects.filter(pk__in=mentioned - told)), post.topic.category
    ).values_list("pk", flat=True)
    now = post.edited_at or timezone.now()
    rows = [
        Notification(
            account_id=pk,
            kind=Notification.Kind.MENTION,
            post=post,
            actor_id=post.author_id,
            created_at=now,
        )
        for pk in allowed
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def on_reaction(post: Post, actor: SpaceAccount, reaction: str) -> None:
    author = post.author
    author_rows = reachable(SpaceAccount.objects.filter(pk=author.pk))
    if author.pk == actor.pk or not readers(author_rows, post.topic.category).exists():
        return
    Notification.objects.bulk_create(
        [
            Notification(
                account=author,
                kind=Notification.Kind.REACTION,
                post=post,
                actor=actor,
                reaction=reaction,
            )
        ],
        ignore_conflicts=True,
    )


def on_reaction_removed(post: Post, actor: SpaceAccount, reaction: str) -> None:
    """Taking a reaction back takes its notification back, unless it was seen or mailed."""
    Notification.objects.filter(
        post=post,
        actor=actor,
        kind=Notification.Kind.REACTION,
        reaction=reaction,
        read_at__isnull=True,
        mailed_at__isnull=True,
    ).delete()


# --- Reading --------------------------------------------------------------------------------


def held_post_ids(space_id: int, post_ids: list[int]) -> set[int]:
    from liant.space.models import Space  # noqa: PLC0415

    channel_id = Space.objects.filter(pk=space_id).values_list("channel_id", flat=True).first()
    if channel_id is None or not post_ids:
        return set()
    return held_in_channel(channel_id, post_ids)


def held_post_ids_all(space_id: int) -> list[int]:
    """Every post of the space a rule holds for a moderator (a short list: a queue)."""
    from liant.space.models import Space  # noqa: PLC0415

    channel_id = Space.objects.filter(pk=space_id).values_list("channel_id", flat=True).first()
    if channel_id is None:
        return []
    return sorted(held_in_channel(channel_id))


def held_in_channel(channel_id: int, post_ids: list[int] | None = None) -> set[int]:
    """The posts (of `post_ids`, or all) whose event or one of whose edits' events a rule
    holds: an insult added by editing holds the post as a new one would."""
    from liant.moderation.models import Item, ItemState, Reason  # noqa: PLC0415
    from liant.space.connector import post_id_of  # noqa: PLC0415

    items = Item.objects.filter(channel_id=channel_id, state=ItemState.QUEUED, reason=Reason.HELD)
    if post_ids is None:
        items = items.filter(event__remote_id__startswith="post:")
    else:
        names = [f"post:{pk}" for pk in post_ids]
        items = items.filter(Q(event__remote_id__in=names) | Q(event__raw__edit_of__in=names))
    found = (post_id_of(r) for r in items.values_list("event__remote_id", flat=True))
    return {pk for pk in found if pk is not None}


def shown(account: SpaceAccount) -> QuerySet[Notification]:
    """The account's notifications of posts others can see, in categories it may read
    (being removed from a group takes them away), from accounts still here."""
    from liant.space.permissions import readable  # noqa: PLC0415 - permissions reads accounts

    rows = Notification.objects.all()
    if not account.staff:
        # In an invited group's category, only what came while the account was in the group:
        # rows made before notifications checked the group (or during an earlier membership)
        # are no news to someone added now.
        member_then = GroupMember.objects.filter(
            category_id=OuterRef("post__topic__category_id"),
            email=account.email,
            added_at__lte=OuterRef("created_at"),
        )
        rows = rows.filter(~Q(post__topic__category__access=Access.GROUP) | Exists(member_then))
    return (
        rows.filter(
            readable(account, "post__topic__category"),
            account=account,
            post__hidden=False,
            post__deleted_at__isnull=True,
            post__topic__hidden=False,
        )
        .exclude(actor__email="", actor__staff=False)
        .select_related("actor", "post__topic")
    )


def visible(account: SpaceAccount, rows: list[Notification]) -> list[Notification]:
    held = held_post_ids(account.space_id, [n.post_id for n in rows])
    return [n for n in rows if n.post_id not in held]


def unread_count(account: SpaceAccount) -> int:
    rows = list(shown(account).filter(read_at__isnull=True)[:100])
    return len(visible(account, rows))


def mark_read(account: SpaceAccount) -> int:
    """Marks read what the account could see: a notification of a held post stays unread,
    to be seen (and mailed) if a moderator approves the post."""
    rows = visible(account, list(shown(account).filter(read_at__isnull=True)[:1000]))
    return Notification.objects.filter(pk__in=[n.pk for n in rows]).update(read_at=timezone.now())


# --- The e-mail digest ----------------------------------------------------------------------


def unsubscribe_token(account: SpaceAccount) -> str:
    return signing.dumps({"s": account.space_id, "a": account.pk}, salt=UNSUBSCRIBE_SALT)


def account_for_unsubscribe(space_id: int, token: str) -> SpaceAccount | None:
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or value.get("s") != space_id:
        return None
    account_id = value.get("a")
    if not isinstance(account_id, int):
        return None
    return SpaceAccount.objects.filter(pk=account_id, space_id=space_id, staff=False).first()


def due_accounts(now: datetime) -> QuerySet[SpaceAccount]:
    pending = Notification.objects.filter(
        mailed_at__isnull=True, read_at__isnull=True, created_at__lte=now - GRACE
    )
    rows = reachable(SpaceAccount.objects.filter(space__enabled=True)).filter(
        pk__in=pending.values("account_id")
    )
    return rows.filter(
        Q(email_notifications=EmailFrequency.IMMEDIATE)
        | Q(
            Q(last_digest_at__isnull=True, created_at__lte=now - DAILY)
            | Q(last_digest_at__lte=now - DAILY),
            email_notifications=EmailFrequency.DAILY,
        )
    )


def send_digests(now: datetime | None = None) -> int:
    now = now or timezone.now()
    sent = 0
    for account in due_accounts(now).select_related("space__workspace").iterator():
        sent += send_digest(account, now)
    return sent


def send_digest(account: SpaceAccount, now: datetime) -> int:
    """Mail one account its unmailed notifications; the number mailed."""
    if account.email_notifications == EmailFrequency.DAILY:
        # One daily digest per day even with two workers: the account's stamp is claimed.
        moved = SpaceAccount.objects.filter(
            pk=account.pk, last_digest_at=account.last_digest_at
        ).update(last_digest_at=now)
        if not moved:
            return 0
    candidates = list(
        shown(account)
        .filter(mailed_at__isnull=True, read_at__isnull=True, created_at__lte=now - GRACE)
        .order_by("created_at", "pk")[:PER_MAIL]
    )
    ids = [n.pk for n in visible(account, candidates)]
    if not ids:
        return 0
    claim = uuid.uuid4().hex
    Notification.objects.filter(pk__in=ids, mailed_at__isnull=True).update(
        mailed_at=now, mail_claim=claim
    )
    mine = [n for n in candidates if n.pk in ids]
    claimed = set(Notification.objects.filter(mail_claim=claim).values_list("pk", flat=True))
    mine = [n for n in mine if n.pk in claimed]
    if not mine:
        return 0
    try:
        digest_message(account, mine).send()
    except Exception:
        log.exception("space digest to account %s failed; the next run tries again", account.pk)
        Notification.objects.filter(mail_claim=claim).update(mailed_at=None, mail_claim="")
        return 0
    if account.email_notifications == EmailFrequency.IMMEDIATE:
        SpaceAccount.objects.filter(pk=account.pk).update(last_digest_at=now)
    return len(mine)


def describe(notification: Notification) -> str:
    values = {"name": notification.actor.display_name, "topic": notification.post.topic.title}
    if notification.kind == Notification.Kind.MENTION:
        return _("%(name)s mentioned you in “%(topic)s”") % values
    if notification.kind == Notification.Kind.REPLY:
        return _("%(name)s replied in “%(topic)s”") % values
    if notification.kind == Notification.Kind.TOPIC:
        return _("%(name)s opened “%(topic)s”") % values
    from liant.space.models import Reaction  # noqa: PLC0415

    values["reaction"] = Reaction.Kind(notification.reaction).label if notification.reaction else ""
    return _("%(name)s reacted %(reaction)s to your message in “%(topic)s”") % values


def digest_message(account: SpaceAccount, rows: list[Notification]) -> EmailMessage:
    from liant.space.public_views import post_url  # noqa: PLC0415

    space = account.space
    unsubscribe = settings.SITE_URL + reverse(
        "space_unsubscribe", kwargs={"slug": space.slug, "token": unsubscribe_token(account)}
    )
    with translation.override(account.language or space.workspace.language):
        lines = [f"- {describe(n)}\n  {settings.SITE_URL}{post_url(n.post)}" for n in rows]
        subject = _("%(space)s: what happened since your last visit") % {"space": space.title}
        body = _(
            "Hello %(name)s,\n\n%(lines)s\n\nAll your notifications: %(all)s\n\n"
            "To receive no more of these e-mails: %(unsubscribe)s\n"
        ) % {
            "name": account.display_name,
            "lines": "\n".join(lines),
            "all": settings.SITE_URL + reverse("space_notifications", kwargs={"slug": space.slug}),
            "unsubscribe": unsubscribe,
        }
    return EmailMessage(
        subject,
        body,
        None,
        [account.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
