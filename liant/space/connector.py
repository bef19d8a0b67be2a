"""The community space as a network: kind "space", a channel like the others.

Other connectors reach a remote server through `HttpClient` and never touch the database.
The space's "server" is Liant's own database, so this connector reads and writes the space's
tables directly; everything else stays the same: the channels app stores what `fetch` returns
as channels.Event rows, and inbox, moderation, members and listening read them with no case
for the space. Posts are also stored the moment they are written (posting.py), so `fetch` is
the catch-up for anything that path missed.

Remote ids: a post is "post:<id>", an account "account:<id>" (prefixed so moderation, which
compares authors across all of a workspace's channels, never confuses them with another
network's numeric ids).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, ClassVar

from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_noop as _

from liant.connectors.base import (
    Author,
    Capability,
    Connector,
    ConnectorError,
    ConnectorSettings,
    Draft,
    ErrorKind,
    Event,
    EventKind,
    FetchResult,
    ModerationAction,
    RemotePost,
    Rules,
)

BATCH = 500
# PostgreSQL hands out ids at insert, not at commit: a post committed late can have an id
# below the cursor. Posts of the last LATE_WINDOW are read again; storing dedups them.
LATE_WINDOW = timedelta(minutes=10)
MAX_LENGTH = 20_000


class SpaceSettings(ConnectorSettings):
    space_id: int
    # The brand's own account: members' module leaves its posts out of the community
    # (liant.members.attach reads "account_id" for every connector).
    account_id: str = ""


def parse(remote_id: str, prefix: str) -> int | None:
    head, _sep, tail = remote_id.partition(":")
    return int(tail) if head == prefix and tail.isdigit() else None


def post_id_of(remote_id: str) -> int | None:
    """The post a remote id names: "post:<id>", or one of its edits "post:<id>:edit:<n>"."""
    head, _sep, rest = remote_id.partition(":")
    number, _sep, tail = rest.partition(":")
    if head != "post" or not number.isdigit():
        return None
    if tail and not (tail.startswith("edit:") and tail[5:].isdigit()):
        return None
    return int(number)


def to_edit_event(post: Any, revision: Any, first_id: int | None = None) -> Event:
    """An edit, as an event of its own: the post's kind, thread and parent, its new words,
    the edit's time and remote id, and `raw["edit_of"]` naming the post. Rules judge it like
    a new message (an insult added by editing is held); the inbox updates the message it
    edits instead of adding one; members do not count it as a new activity."""
    event = to_event(post, first_id)
    event.remote_id = revision.remote_id
    event.occurred_at = revision.replaced_at
    event.raw = {**event.raw, "edit_of": post.remote_id, "edited_at": post.edited_at.isoformat()}
    return event


def to_event(post: Any, first_id: int | None = None) -> Event:
    """A stored Post in the shape every module reads. The first post of a topic is a "post"
    (it opens a thread); the others are "comment"s in that thread. The title is part of the
    opening post's text so moderation and listening read it too."""
    topic = post.topic
    if first_id is None:
        first_id = first_posts({topic.pk}).get(topic.pk)
    opening = first_id == post.pk
    thread = f"post:{first_id}"
    text = post_text(post)
    if opening:
        text = f"{topic.title}\n\n{text}".strip()
    author = post.author
    return Event(
        kind=EventKind.POST if opening else EventKind.COMMENT,
        remote_id=post.remote_id,
        author=Author(
            remote_id=author.remote_id, handle=author.display_name, name=author.display_name
        ),
        occurred_at=post.created_at,
        text=text,
        html=post.body_html,
        url=django_settings.SITE_URL + topic.get_absolute_url() + f"#post-{post.pk}",
        parent_remote_id="" if opening else (post.parent.remote_id if post.parent else thread),
        thread_remote_id=thread,
        language=author.language if not author.staff else "",
        raw={
            "subject": topic.title,
            "topic_id": topic.pk,
            "category": topic.category.name,
            "space_id": topic.category.space_id,
        },
    )


def post_text(post: Any) -> str:
    from liant.channels.sanitize import text_of  # noqa: PLC0415 - plain text of safe HTML

    return text_of(post.body_html)


class SpaceConnector(Connector):
    kind = "space"
    label = "Community space"
    moderation_actions = frozenset(
        {
            ModerationAction.HIDE,
            ModerationAction.DELETE,
            ModerationAction.MUTE,
            ModerationAction.UNMUTE,
            ModerationAction.BAN,
            ModerationAction.BLOCK,
            ModerationAction.KICK,
            ModerationAction.UNBAN,
            ModerationAction.UNBLOCK,
        }
    )
    connection = _("Built in: the community space Liant hosts")
    capabilities = frozenset(
        {Capability.FETCH, Capability.REPLY, Capability.MODERATE, Capability.PUBLISH}
    )
    # A post from the composer carries its variant's key and the same key gives the same
    # topic back, for as long as it exists (brand.py).
    publish_idempotency_window = math.inf
    rules = Rules(max_length=MAX_LENGTH, threads=True)
    settings_model: ClassVar[type[ConnectorSettings]] = SpaceSettings
    fetch_interval = 300
    limitations = _(
        "The space is hosted by Liant: what members write arrives within seconds; the "
        "regular fetch only catches up on anything missed."
    )

    @property
    def _settings(self) -> SpaceSettings:
        assert isinstance(self.settings, SpaceSettings)
        return self.settings

    def _space(self) -> Any:
        from liant.space.models import Space  # noqa: PLC0415 - the registry loads us early

        space = Space.objects.select_related("workspace").filter(pk=self._settings.space_id).first()
        if space is None:
            raise ConnectorError(_("This community space no longer exists."), ErrorKind.PERMANENT)
        return space

    def check_connection(self) -> str:
        return str(self._space().title)

    def fetch(self, since: Mapping[str, Any]) -> FetchResult:
        from liant.space.models import Post  # noqa: PLC0415

        space = self._space()
        last = int(since.get("last_post_id") or 0)
        recent = timezone.now() - LATE_WINDOW
        posts = Post.objects.filter(topic__category__space=space).select_related(
            "topic__category", "author", "parent"
        )
        # Two reads, so a busy ten minutes of late candidates can never fill the batch and
        # stop the cursor: the new posts, and the recent ones just below the cursor.
        late = list(
            posts.filter(pk__lte=last, pk__gt=last - BATCH, created_at__gte=recent).order_by("pk")
        )
        rows = late + list(posts.filter(pk__gt=last).order_by("pk")[:BATCH])
        firsts = first_posts({p.topic_id for p in rows})
        events = []
        for post in rows:
            # The brand's own posts are Liant's replies: they are already in the inbox as
            # sent messages, and are not a member's words.
            if post.author.staff or not post.visible:
                continue
            events.append(to_event(post, firsts.get(post.topic_id)))
        newest = max([last, *(p.pk for p in rows)])
        return FetchResult(events=events, cursor={"last_post_id": newest})

    def publish(self, draft: Draft) -> RemotePost:
        """An announcement topic by the brand in the category the draft names
        (extras["category"]), else the space's category for the composer's posts."""
        from liant.space import brand  # noqa: PLC0415

        space = self._space()
        account = brand_of(space)
        return brand.publish(space, account, draft)

    def reply(self, parent: Event, draft: Draft) -> RemotePost:
        """Post as the brand in the parent's topic, answering the parent post."""
        from liant.space import notifications  # noqa: PLC0415
        from liant.space.brand import reply_author  # noqa: PLC0415
        from liant.space.models import Post  # noqa: PLC0415
        from liant.space.posting import touch_topic  # noqa: PLC0415

        space = self._space()
        target_id = post_id_of(parent.remote_id) or parse(parent.thread_remote_id, "post")
        target = (
            Post.objects.select_related("topic__category")
            .filter(pk=target_id or 0, topic__category__space=space)
            .first()
        )
        if target is None:
            raise ConnectorError(
                _("The message answered is no longer on the community space."),
                ErrorKind.PERMANENT,
            )
        brand = brand_of(space)
        key = draft.idempotency_key[:100]
        with transaction.atomic():
            done = (
                Post.objects.filter(topic=target.topic, author=brand, idempotency_key=key).first()
                if key
                else None
            )
            post = done or Post.objects.create(
                topic=target.topic,
                author=brand,
                body=draft.text,
                parent=target,
                idempotency_key=key,
                signed_by=reply_author(space, key),
            )
            if done is None:
                touch_topic(post)
                notifications.on_post(post)
        return RemotePost(
            remote_id=post.remote_id,
            url=django_settings.SITE_URL + target.topic.get_absolute_url() + f"#post-{post.pk}",
            published_at=post.created_at,
        )

    def moderate(self, remote_id: str, action: ModerationAction) -> None:
        from liant.space import moderation  # noqa: PLC0415

        moderation.apply(self._space(), remote_id, action)


def brand_of(space: Any) -> Any:
    from liant.space.models import SpaceAccount  # noqa: PLC0415

    brand = SpaceAccount.objects.filter(space=space, staff=True).order_by("pk").first()
    if brand is None:
        raise ConnectorError(_("The space has no brand account."), ErrorKind.PERMANENT)
    return brand


def first_posts(topic_ids: set[int]) -> dict[int, int]:
    """Topic id → the id of the post that opened it (the oldest: posts are never moved)."""
    from liant.space.models import Post  # noqa: PLC0415

    rows = (
        Post.objects.filter(topic_id__in=topic_ids)
        .values("topic_id")
        .annotate(first=Min("pk"))
        .values_list("topic_id", "first")
    )
    return dict(rows)
