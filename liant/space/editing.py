"""Members edit their own posts: a topic's opening post (with its title) and replies.

Editable any time, as on Discourse or Discord, but never silently: the post is marked
"edited" with the time, and the version it replaces is kept as a `PostRevision` for the
moderators (the staff page of a topic's revisions). What may be edited: one's own post,
visible (not hidden, deleted, nor held for a moderator: a held post waits for a decision
on the words that were judged), by an account that may post (confirmed, not muted, not
banned). The brand's posts are Liant's words, changed in Liant, not here.

An edit goes the way a new post goes: the same Markdown rendering and nh3 cleaning (on
save), the same per-minute limit (an edit counts as a post), and an event of its own for the
other modules (`connector.to_edit_event`), so moderation's rules judge the new words like a
new message and an insult added by editing is held like a new post would be. Mentions added
by the edit notify once (`notifications.on_edit`).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liant.space import notifications, posting
from liant.space.connector import first_posts
from liant.space.models import Category, Post, PostRevision, SpaceAccount


def is_opening(post: Post) -> bool:
    return first_posts({post.topic_id}).get(post.topic_id) == post.pk


def refusal(account: SpaceAccount, post: Post, *, held: bool) -> str:
    """Why the author may not edit this post now, or "" when they may. (Someone else's post
    is not a question asked here: the view answers 404.)"""
    if account.banned_at:
        return _("Your account can no longer post in this space.")
    if account.muted_at:
        return _("Your account cannot post for the moment: a moderator has muted it.")
    if not post.visible or post.topic.hidden:
        return _("This message was removed by the moderators: it can no longer be edited.")
    if held:
        return _("This message is waiting for a moderator: it can be edited once they decide.")
    if post.topic.category.kind == Category.Kind.CHAT and is_opening(post):
        return _("This message opens the chat room: it cannot be edited.")
    return ""


def edit(account: SpaceAccount, post: Post, body: str, title: str | None = None) -> bool:
    """Replace the post's words (and the topic's title, for its opening post), keeping the
    version before. False when nothing changed (no revision, no event). Raises TooFast."""
    opening = is_opening(post)
    topic = post.topic
    new_title = title if opening and title else topic.title
    if body == post.body and new_title == topic.title:
        return False
    posting.check_rate(account)
    with transaction.atomic():
        now = timezone.now()
        revision = PostRevision.objects.create(
            post=post,
            title=topic.title if opening else "",
            body=post.body,
            written_at=post.edited_at or post.created_at,
            replaced_at=now,
        )
        post.body, post.edited_at = body, now
        post.save(update_fields=["body", "edited_at"])  # rendered, cleaned, mentions linked
        if new_title != topic.title:
            topic.title = new_title
            topic.save(update_fields=["title"])
        posting.publish_to_modules(post, first_id=post.pk if opening else None, revision=revision)
        notifications.on_edit(post)
    return True
