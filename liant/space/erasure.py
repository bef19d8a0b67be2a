"""What the space holds about one member, for the GDPR export and erasure (members/gdpr.py).

The accounts are found through the member's identities of network "space" (their key is the
account's connector id). Erasure keeps the rows, so topics keep their replies and counts,
and blanks what says who they are or what they wrote: the address (which also ends any sign-in
by link), the name, the words of their posts and the titles of their topics (the topics
stay, with the others' replies), and deletes their picture's file.

members/gdpr.py imports the receiver modules it lists; this one is connected by the app's
ready() instead, so the space plugs in without a line in the members app.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liant.channels.models import Event, EventKindChoices
from liant.members.gdpr import Section, Subject, collect_personal_data, erase_personal_data, rows
from liant.space import profile_moderation
from liant.space.connector import parse
from liant.space.models import (
    EmailFrequency,
    GroupMember,
    Notification,
    Post,
    PostRevision,
    Reaction,
    SpaceAccount,
    Subscription,
    Topic,
)

ERASED = "—"


def account_ids(subject: Subject) -> list[int]:
    found = (parse(i.key, "account") for i in subject.identities if i.network == "space")
    return [pk for pk in found if pk is not None]


def profile_changes(ids: list[int]) -> QuerySet[Event]:
    """The events of their changes of name and presentation (profile_moderation.py). They
    carry no author, so the members app's search by author does not find them."""
    if not ids:
        return Event.objects.none()
    named = Q()
    for pk in ids:
        named |= Q(remote_id__startswith=f"{profile_moderation.PREFIX}:{pk}:")
    return Event.objects.filter(named, channel__kind="space", kind=EventKindChoices.MEMBERSHIP)


@receiver(collect_personal_data)
def export_space(sender: Any, subject: Subject, **kwargs: Any) -> list[Section]:
    ids = account_ids(subject)
    return [
        Section(
            "space_accounts",
            _("Community space accounts"),
            rows(
                SpaceAccount.objects.filter(pk__in=ids).values(
                    "email",
                    "display_name",
                    "handle",
                    "bio",
                    "pending_name",
                    "pending_bio",
                    "avatar",
                    "language",
                    "email_notifications",
                    "created_at",
                    "confirmed_at",
                )
            ),
        ),
        Section(
            "space_posts",
            _("Community space messages"),
            rows(
                Post.objects.filter(author_id__in=ids)
                .order_by("pk")
                .values("topic__title", "body", "created_at", "hidden")
            ),
        ),
        Section(
            "space_profile_changes",
            _("Community space changes of name and presentation"),
            rows(profile_changes(ids).order_by("pk").values("text", "occurred_at")),
        ),
        Section(
            "space_revisions",
            _("Community space messages before they were edited"),
            rows(
                PostRevision.objects.filter(post__author_id__in=ids)
                .order_by("pk")
                .values("post_id", "title", "body", "written_at", "replaced_at")
            ),
        ),
        Section(
            "space_reactions",
            _("Community space reactions"),
            rows(
                Reaction.objects.filter(account_id__in=ids)
                .order_by("pk")
                .values("post_id", "kind", "created_at")
            ),
        ),
        Section(
            "space_follows",
            _("Community space topics and categories followed"),
            rows(
                Subscription.objects.filter(account_id__in=ids)
                .order_by("pk")
                .values("topic__title", "category__name", "created_at")
            ),
        ),
    ]


def delete_pictures(ids: list[int]) -> int:
    """Delete the accounts' picture files (the rows keep no name of them afterwards)."""
    deleted = 0
    for account in SpaceAccount.objects.filter(pk__in=ids).exclude(avatar=""):
        account.avatar.delete(save=False)
        deleted += 1
    return deleted


@receiver(erase_personal_data)
def erase_space(sender: Any, subject: Subject, **kwargs: Any) -> dict[str, int]:
    ids = account_ids(subject)
    now = timezone.now()
    return {
        "space_pictures": delete_pictures(ids),
        "space_profile_changes": profile_changes(ids).update(
            text="", html="", author_name="", raw={}
        ),
        "space_posts": Post.objects.filter(author_id__in=ids).update(
            body="", body_html="", search_text="", hidden=True, deleted_at=now
        ),
        # The earlier versions of their posts (and of their topics' titles) are their words.
        "space_revisions": PostRevision.objects.filter(post__author_id__in=ids).delete()[0],
        "space_topics": Topic.objects.filter(author_id__in=ids).update(
            title=ERASED, search_title=""
        ),
        # Reactions and notifications say what the person did and read: gone with them.
        "space_reactions": Reaction.objects.filter(account_id__in=ids).delete()[0],
        "space_notifications": Notification.objects.filter(
            Q(account_id__in=ids) | Q(actor_id__in=ids)
        ).delete()[0],
        "space_follows": Subscription.objects.filter(account_id__in=ids).delete()[0],
        # Their address in invited groups: read before the accounts' addresses are blanked.
        "space_groups": GroupMember.objects.filter(
            email__in=list(
                SpaceAccount.objects.filter(pk__in=ids)
                .exclude(email="")
                .values_list("email", flat=True)
            )
        ).delete()[0],
        "space_accounts": SpaceAccount.objects.filter(pk__in=ids).update(
            email="",
            display_name=ERASED,
            handle="",
            bio="",
            avatar="",
            pending_name="",
            pending_bio="",
            pending_key="",
            email_notifications=EmailFrequency.NEVER,
            signed_in_at=now,
            link_sent_at=None,
        ),
    }
