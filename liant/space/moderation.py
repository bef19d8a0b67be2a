"""What the moderation module's actions do on the space (through the connector's `moderate`).

Unlike other networks, the space can hide a message and show it again, and it can take back a
mute or a ban, so every verb moderation sends has an effect here. Moderation targets the
message for every verb (only Mastodon's verbs are aimed at accounts), so a ban or mute naming
a post takes its author; an "account:<id>" is accepted too.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_noop as _

from liant.connectors.base import ConnectorError, ErrorKind, ModerationAction
from liant.space import profile_moderation
from liant.space.connector import parse, post_id_of
from liant.space.models import Post, PostRevision, SpaceAccount, Topic

ON_ACCOUNT = {
    ModerationAction.MUTE: ("muted_at", True),
    ModerationAction.UNMUTE: ("muted_at", False),
    ModerationAction.BAN: ("banned_at", True),
    ModerationAction.BLOCK: ("banned_at", True),
    ModerationAction.KICK: ("banned_at", True),
    ModerationAction.UNBAN: ("banned_at", False),
    ModerationAction.UNBLOCK: ("banned_at", False),
}


def apply(space: Any, remote_id: str, action: ModerationAction) -> None:
    post = _post(space, remote_id)
    # A change of name or presentation (profile_moderation.py): removing it drops it.
    profile = profile_moderation.account_of(space, remote_id)
    if action in (ModerationAction.HIDE, ModerationAction.DELETE):
        if profile is not None:
            profile_moderation.remove(profile, remote_id)
            return
        if post is None:
            raise _missing()
        hide(post, delete=action == ModerationAction.DELETE)
        return
    if action not in ON_ACCOUNT:
        raise ConnectorError(
            _("The community space cannot %(action)s."), ErrorKind.PERMANENT, action=str(action)
        )
    account_id: int | None
    if post is not None:
        account_id = post.author_id
    elif profile is not None:
        account_id = profile.pk
    else:
        account_id = parse(remote_id, "account")
    account = SpaceAccount.objects.filter(pk=account_id or 0, space=space, staff=False).first()
    if account is None:
        raise _missing()
    field, on = ON_ACCOUNT[action]
    setattr(account, field, timezone.now() if on else None)
    account.save(update_fields=[field])


def hide(post: Post, *, delete: bool = False) -> None:
    """Hide a post (it can be shown again) or delete its words (they cannot). A topic whose
    opening post goes is hidden with it: its title was part of what was judged."""
    post.hidden = True
    fields = ["hidden"]
    if delete:
        post.body, post.deleted_at = "", timezone.now()
        fields += ["body", "deleted_at"]
        # The earlier versions are the same words: they go too.
        PostRevision.objects.filter(post=post).delete()
    post.save(update_fields=fields)
    first = Post.objects.filter(topic_id=post.topic_id).order_by("pk").values_list("pk", flat=True)
    if first.first() == post.pk:
        Topic.objects.filter(pk=post.topic_id).update(hidden=True)


def _post(space: Any, remote_id: str) -> Post | None:
    post_id = post_id_of(remote_id)  # an edit's event names the post it changed
    if post_id is None:
        return None
    return Post.objects.filter(pk=post_id, topic__category__space=space).first()


def _missing() -> ConnectorError:
    return ConnectorError(
        _("This message or account is no longer on the community space."), ErrorKind.PERMANENT
    )
