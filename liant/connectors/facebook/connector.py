"""Facebook Pages through Meta's Graph API (graph.py pins the version).

A Liant channel is one Page, connected through the shared OAuth flow: the person's short-lived
token is traded for a long-lived one, /me/accounts gives each Page they manage with its own
Page token (which does not expire when it comes from a long-lived user token), and each Page
becomes one choice.

Reads the comments on the Page's recent posts (/{post-id}/comments after a time cursor) and its
Messenger conversations; Meta also pushes both (webhooks: `feed` changes and `messaging`).
Publishes text and links (/{page-id}/feed), one photo (/{page-id}/photos) or several (each
uploaded unpublished, then attached to one feed post), natively scheduled when the draft asks
for it. Answers comments under them and Messenger messages through the Send API (within
Meta's 24-hour window). Hides, deletes, and bans from the Page.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from django.utils.translation import gettext_noop as _

from liant.connectors.apps import app_settings
from liant.connectors.base import (
    AccountChoice,
    Audience,
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
    Metrics,
    ModerationAction,
    Problem,
    RemotePost,
    Rules,
    WebhookBatch,
    WebhookRequest,
    WebhookResult,
    audience_count,
    count_chars,
    optional_count,
)
from liant.connectors.facebook import graph
from liant.connectors.http import HttpClient
from liant.connectors.oauth import OAuthConfig

SCOPES = (
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_posts",
    "pages_manage_engagement",
    "pages_read_user_content",
    "pages_messaging",
    "pages_manage_metadata",
    "read_insights",
)
POSTS_READ = 25  # the Page's latest posts whose comments are read each time
COMMENTS_PAGE = 100
MAX_PAGES = 5
CONVERSATIONS = 25
# Meta's "data access expiration": 90 days after the person last signed in to the app.
DATA_ACCESS_DAYS = 90
MAX_PHOTOS = 10  # what Liant attaches to one post; the composer says so
COMMENT_FIELDS = "id,message,created_time,from,parent{id},permalink_url,is_hidden"
MESSAGE_FIELDS = "id,message,created_time,from"
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
PAGE_METRICS = {
    "page_media_view": "views",
    "page_total_media_view_unique": "reach",
    "page_post_engagements": "engagements",
}


class FacebookSettings(ConnectorSettings):
    account_id: str  # the Page id: pushed events come with it as `entry[].id`
    page_name: str = ""
    category: str = ""


def unix(value: Any) -> int:
    """A Graph time ("2026-11-02T09:15:00+0000") or unix seconds → unix seconds."""
    if isinstance(value, int | float):
        return int(value)
    text = str(value or "")
    if text.isdigit():
        return int(text)
    when = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")
    return int(when.timestamp())


def when(value: Any) -> datetime:
    return datetime.fromtimestamp(unix(value), UTC)


def person(data: Any) -> Author | None:
    """`from` of a comment or message: an id scoped to the Page or the app (no public
    profile address is documented for those, so none is made up)."""
    if not isinstance(data, Mapping) or not data.get("id"):
        return None
    return Author(remote_id=str(data["id"]), name=str(data.get("name") or ""))


def exchange_for_long_lived(http: HttpClient, app: Mapping[str, str], token: str) -> str:
    """The short-lived user token of the sign-in → a long-lived one (about 60 days)."""
    answer = graph.call(
        http,
        token,
        "GET",
        "oauth/access_token",
        params={
            "grant_type": "fb_exchange_token",
            "client_id": app.get("client_id", ""),
            "client_secret": app.get("client_secret", ""),
            "fb_exchange_token": token,
        },
    )
    long_lived = answer.get("access_token") if isinstance(answer, dict) else None
    if not long_lived:
        raise ConnectorError(_("Meta did not give a long-lived token for this sign-in."))
    return str(long_lived)


def data_access_expires(
    http: HttpClient, app: Mapping[str, str], token: str, now: datetime
) -> datetime:
    """When Meta stops serving this person's grant (debug_token's data_access_expires_at),
    or the documented 90 days when Meta does not say."""
    app_token = f"{app.get('client_id', '')}|{app.get('client_secret', '')}"
    try:
        data = graph.call(http, app_token, "GET", "debug_token", params={"input_token": token})
        stamp = int((data.get("data") or {}).get("data_access_expires_at") or 0)
    except (ConnectorError, AttributeError, TypeError, ValueError):
        stamp = 0
    if stamp > 0:
        return datetime.fromtimestamp(stamp, UTC)
    return now + timedelta(days=DATA_ACCESS_DAYS)


def managed_pages(http: HttpClient, token: str, fields: str) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = []
    answer = graph.call(http, token, "GET", "me/accounts", params={"fields": fields, "limit": 100})
    for _page in range(MAX_PAGES):
        pages.extend(p for p in answer.get("data") or [] if isinstance(p, dict))
        following = (answer.get("paging") or {}).get("next")
        if not following or not str(following).startswith(graph.GRAPH):
            break  # the token never travels to another host
        answer = graph.call(http, token, "GET", str(following))
    return pages


def sign_in_pages(
    kind: str, credentials: Mapping[str, Any], http: HttpClient, fields: str
) -> tuple[list[dict[str, Any]], str]:
    """The pages the sign-in manages, and when its data access ends (ISO): shared with
    Instagram, whose accounts are reached through their Pages."""
    app = app_settings(kind)
    long_lived = exchange_for_long_lived(http, app, str(credentials.get("access_token", "")))
    # Page tokens got with a long-lived user token have no expiry date; what does end is the
    # person's data access, 90 days after their last sign-in, after which Meta serves nothing
    # until someone signs in again. Nothing the server does can renew it, so that date is the
    # channel's `expires_at`: the hourly sweep warns the owners a week ahead, and signing in
    # again (the same connect button) renews the channel in place.
    expires = data_access_expires(http, app, long_lived, datetime.now(UTC))
    return managed_pages(http, long_lived, fields), expires.isoformat()


class FacebookConnector(Connector):
    kind = "facebook"
    label = "Facebook Pages"
    capabilities = frozenset(
        {
            Capability.PUBLISH,
            Capability.REPLY,
            Capability.FETCH,
            Capability.METRICS,
            Capability.MODERATE,
            Capability.SEND_DIRECT,
            Capability.WEBHOOKS,
            Capability.AUDIENCE,
        }
    )
    rules = Rules(
        max_length=63_206,  # the documented length of a Page post's message
        count=count_chars,
        max_media=MAX_PHOTOS,
        media_types=IMAGE_TYPES,
        max_image_bytes=4_000_000,  # /photos: "4MB or smaller" for JPEG, PNG
        links="card",
    )
    settings_model = FacebookSettings
    fetch_interval = 300
    limitations = _(
        "A Page can only answer a Messenger conversation within 24 hours of the person's "
        "last message, and cannot write first. Comments on posts older than the Page's latest "
        "25 are only seen when Meta pushes them. Videos and Reels are not published by Liant."
    )
    # Meta honours no idempotency key on /feed or /photos: a post whose answer was lost is
    # left to a person rather than risked twice.
    publish_idempotency_window = 0.0
    moderation_actions: ClassVar[frozenset[ModerationAction]] = frozenset(
        {
            ModerationAction.HIDE,
            ModerationAction.DELETE,
            ModerationAction.BAN,
            ModerationAction.UNBAN,
        }
    )
    connection: ClassVar[str] = _("Facebook sign-in (OAuth); Page tokens without expiry")
    oauth: ClassVar[OAuthConfig | None] = OAuthConfig(
        authorize_url=graph.DIALOG,
        token_url=f"{graph.GRAPH}/oauth/access_token",
        scopes=SCOPES,
        scope_separator=",",
    )

    settings: FacebookSettings

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        return graph.call(
            self.http, str(self.credentials.get("access_token", "")), method, path, **kwargs
        )

    @property
    def page(self) -> str:
        return self.settings.account_id

    # --- connecting ------------------------------------------------------------------------

    @classmethod
    def accounts_after_oauth(
        cls, credentials: Mapping[str, Any], http: HttpClient
    ) -> list[AccountChoice]:
        pages, expires = sign_in_pages(
            cls.kind, credentials, http, "id,name,category,access_token,tasks"
        )
        return [
            AccountChoice(
                name=str(page.get("name") or page["id"]),
                settings={
                    "account_id": str(page["id"]),
                    "page_name": str(page.get("name") or ""),
                    "category": str(page.get("category") or ""),
                },
                credentials={"access_token": str(page["access_token"]), "expires_at": expires},
            )
            for page in pages
            if page.get("id") and page.get("access_token")
        ]

    def check_connection(self) -> str:
        return str(self._call("GET", self.page, params={"fields": "id,name"}).get("name", ""))

    # --- publishing ------------------------------------------------------------------------

    def publish(self, draft: Draft) -> RemotePost:
        if draft.reply_to:
            return self._comment(draft.reply_to, draft.text)
        if len(draft.media) > MAX_PHOTOS:
            raise ConnectorError(
                _("Liant attaches at most %(count)s photos to a Facebook post."), count=MAX_PHOTOS
            )
        for media in draft.media:
            if media.content_type not in IMAGE_TYPES:
                raise ConnectorError(
                    _("Liant publishes photos on Facebook, not %(type)s."), type=media.content_type
                )
        scheduled = scheduled_time(draft.extras.get("scheduled_publish_time"))
        timing: dict[str, Any] = {}
        if scheduled:
            timing = {"published": "false", "scheduled_publish_time": str(scheduled)}
        if len(draft.media) == 1:
            media = draft.media[0]
            answer = self._call(
                "POST",
                f"{self.page}/photos",
                data={"caption": text_with(draft), **timing},
                files={"source": (media.filename or "photo", media.data, media.content_type)},
            )
            post_id = str(answer.get("post_id") or answer.get("id") or "")
        else:
            form: dict[str, Any] = {"message": text_with(draft) if draft.media else draft.text}
            if draft.link and not draft.media:
                form["link"] = draft.link
            for index, media in enumerate(draft.media):
                # Several photos: each uploaded unpublished, then attached to one post. An
                # upload repeated after a failure leaves an unpublished photo, never a post.
                photo = self._call(
                    "POST",
                    f"{self.page}/photos",
                    data={"published": "false", **({"temporary": "true"} if scheduled else {})},
                    files={"source": (media.filename or "photo", media.data, media.content_type)},
                )
                form[f"attached_media[{index}]"] = graph_json({"media_fbid": str(photo["id"])})
            answer = self._call("POST", f"{self.page}/feed", data={**form, **timing})
            post_id = str(answer.get("id") or "")
        if not post_id:
            raise ConnectorError(_("Facebook accepted the post but sent back no id."))
        return RemotePost(
            remote_id=post_id,
            url=f"https://www.facebook.com/{post_id}",
            published_at=datetime.fromtimestamp(scheduled, UTC) if scheduled else None,
            raw={"id": post_id, "scheduled": bool(scheduled)},
        )

    def _comment(self, parent_id: str, text: str) -> RemotePost:
        answer = self._call("POST", f"{parent_id}/comments", data={"message": text})
        comment_id = str(answer.get("id") or "")
        if not comment_id:
            raise ConnectorError(_("Facebook accepted the comment but sent back no id."))
        return RemotePost(remote_id=comment_id, url=f"https://www.facebook.com/{comment_id}")

    def reply(self, parent: Event, draft: Draft) -> RemotePost:
        if parent.kind is EventKind.DIRECT_MESSAGE:
            if parent.author is None:
                raise ConnectorError(_("This message has no sender to answer."))
            return self.send_direct(parent.author, draft)
        return self._comment(parent.remote_id, draft.text)

    def send_direct(self, recipient: Author, draft: Draft) -> RemotePost:
        """The Send API, as an answer (messaging_type RESPONSE): Meta accepts it only within
        24 hours of the person's last message to the Page."""
        if not draft.text.strip():
            raise ConnectorError(_("A Messenger answer needs text."))
        answer = self._call(
            "POST",
            f"{self.page}/messages",
            data={
                "recipient": graph_json({"id": recipient.remote_id}),
                "messaging_type": "RESPONSE",
                "message": graph_json({"text": draft.text}),
            },
        )
        message_id = str(answer.get("message_id") or "")
        if not message_id:
            raise ConnectorError(_("Messenger accepted the message but sent back no id."))
        return RemotePost(remote_id=message_id, published_at=datetime.now(UTC), raw=answer)

    # --- reading ---------------------------------------------------------------------------

    def fetch(self, since: Mapping[str, Any]) -> FetchResult:
        """Comments on the latest posts after the time cursor, then Messenger conversations
        updated since theirs. Both cursors are Meta's times, compared as unix seconds."""
        comments_after = int(since.get("comments_after") or 0)
        messages_after = int(since.get("messages_after") or 0)
        events: list[Event] = []
        errors: list[Problem] = []
        newest_comment = comments_after
        posts = self._call(
            "GET",
            f"{self.page}/feed",
            params={"fields": "id,created_time,updated_time,permalink_url", "limit": POSTS_READ},
        )
        for post in posts.get("data") or []:
            try:
                post_id = str(post["id"])
                if comments_after and unix(post.get("updated_time")) <= comments_after:
                    continue  # nothing new under it
                comments = self._comments(post_id, comments_after)
            except (KeyError, TypeError, ValueError) as exc:
                errors.append(
                    Problem(
                        _("post %(post)s: %(problem)s"), post=post.get("id", "?"), problem=str(exc)
                    )
                )
                continue
            for comment in comments:
                try:
                    stamp = unix(comment.get("created_time"))
                    if stamp <= comments_after:
                        continue  # `since` is inclusive: the cursor's second was seen
                    event = self.comment_event(comment, post_id)
                except (KeyError, TypeError, ValueError) as exc:
                    errors.append(
                        Problem(
                            _("comment %(comment)s: %(problem)s"),
                            comment=comment.get("id", "?"),
                            problem=str(exc),
                        )
                    )
                    continue
                newest_comment = max(newest_comment, stamp)
                if event is not None:
                    events.append(event)
        newest_message = messages_after
        try:
            conversations = self._call(
                "GET",
                f"{self.page}/conversations",
                params={
                    "platform": "messenger",
                    "fields": f"id,updated_time,messages.limit(25){{{MESSAGE_FIELDS}}}",
                    "limit": CONVERSATIONS,
                },
            )
        except ConnectorError as exc:
            if exc.kind is not ErrorKind.PERMANENT:
                raise
            conversations = {}
            errors.append(Problem(_("Messenger conversations: %(problem)s"), problem=exc))
        for conversation in conversations.get("data") or []:
            try:
                if unix(conversation.get("updated_time")) <= messages_after:
                    continue
                for message in (conversation.get("messages") or {}).get("data") or []:
                    stamp = unix(message.get("created_time"))
                    if stamp <= messages_after:
                        continue
                    newest_message = max(newest_message, stamp)
                    event = self.message_event(message)
                    if event is not None:
                        events.append(event)
            except (KeyError, TypeError, ValueError) as exc:
                errors.append(
                    Problem(
                        _("conversation %(id)s: %(problem)s"),
                        id=conversation.get("id", "?"),
                        problem=str(exc),
                    )
                )
        cursor = {"comments_after": newest_comment, "messages_after": newest_message}
        return FetchResult(events, cursor, errors)

    def _comments(self, post_id: str, after: int) -> list[dict[str, Any]]:
        params: dict[str, Any] = {
            "filter": "stream",  # replies to comments too, in time order
            "order": "chronological",
            "fields": COMMENT_FIELDS,
            "limit": COMMENTS_PAGE,
        }
        if after:
            params["since"] = after
        found: list[dict[str, Any]] = []
        answer = self._call("GET", f"{post_id}/comments", params=params)
        for _page in range(MAX_PAGES):
            found.extend(c for c in answer.get("data") or [] if isinstance(c, dict))
            following = (answer.get("paging") or {}).get("next")
            if not following or not str(following).startswith(graph.GRAPH):
                break
            answer = self._call("GET", str(following))
        return found

    def comment_event(self, comment: Mapping[str, Any], post_id: str) -> Event | None:
        author = person(comment.get("from"))
        if author is not None and author.remote_id == self.page:
            return None  # the Page's own answers
        parent = (comment.get("parent") or {}).get("id") or post_id
        return Event(
            kind=EventKind.COMMENT,
            remote_id=str(comment["id"]),
            author=author,
            occurred_at=when(comment["created_time"]),
            text=str(comment.get("message") or ""),
            url=str(comment.get("permalink_url") or ""),
            parent_remote_id=str(parent),
            thread_remote_id=post_id,
            raw={"post_id": post_id, "is_hidden": bool(comment.get("is_hidden"))},
        )

    def message_event(self, message: Mapping[str, Any]) -> Event | None:
        author = person(message.get("from"))
        if author is None or author.remote_id == self.page:
            return None  # the Page's own messages
        return Event(
            kind=EventKind.DIRECT_MESSAGE,
            remote_id=str(message["id"]),
            author=author,
            occurred_at=when(message["created_time"]),
            text=str(message.get("message") or ""),
            # One thread per person: what Messenger pushes names the person, not the thread.
            thread_remote_id=f"messenger:{author.remote_id}",
        )

    # --- pushed events ---------------------------------------------------------------------

    @classmethod
    def receive_webhook(cls, request: WebhookRequest, app: Mapping[str, str]) -> WebhookResult:
        if request.method == "GET":
            return WebhookResult(reply=graph.verification_reply(request, app))
        graph.check_signature(request, app)
        data = graph.payload(request)
        batches = []
        for entry in data.get("entry") or []:
            if not isinstance(entry, dict) or not entry.get("id"):
                continue
            page = str(entry["id"])
            events = [e for e in _feed_events(page, entry) + _messaging_events(page, entry) if e]
            if events:
                batches.append(WebhookBatch(account_id=page, events=events))
        return WebhookResult(batches=batches)

    # --- metrics and moderation ------------------------------------------------------------

    def metrics(self, remote_ids: list[str]) -> list[Metrics]:
        """Reactions, comments and shares from the post, and its views and reach from post
        insights (post_media_view, post_total_media_view_unique: Meta replaced the
        `impressions` metrics with these in 2025). The Page's own id gives the Page's."""
        found = []
        for remote_id in remote_ids:
            if remote_id == self.page:
                found.append(Metrics(remote_id=remote_id, values=self._page_metrics()))
                continue
            post = self._call(
                "GET",
                remote_id,
                params={
                    "fields": "id,shares,reactions.summary(total_count).limit(0),"
                    "comments.summary(total_count).limit(0)"
                },
            )
            values = {
                "likes": _total(post.get("reactions")),
                "replies": _total(post.get("comments")),
                "reposts": int((post.get("shares") or {}).get("count") or 0),
            }
            try:
                insights = self._call(
                    "GET",
                    f"{remote_id}/insights",
                    params={"metric": "post_media_view,post_total_media_view_unique"},
                )
            except ConnectorError as exc:
                if exc.kind is not ErrorKind.PERMANENT:
                    raise
                insights = {}  # the counts above still stand
            names = {"post_media_view": "views", "post_total_media_view_unique": "reach"}
            for metric in insights.get("data") or []:
                key = names.get(str(metric.get("name")))
                points = metric.get("values") or []
                if key and points and isinstance(points[-1].get("value"), int):
                    values[key] = points[-1]["value"]
            found.append(Metrics(remote_id=remote_id, values=values))
        return found

    def _page_metrics(self) -> dict[str, int]:
        """The Page's own id gives its followers and its insights of the last day
        (page_media_view, page_total_media_view_unique: the 2025 replacements of the
        `impressions` metrics; page_post_engagements)."""
        page = self._call("GET", self.page, params={"fields": "followers_count"})
        values = {"followers": int(page.get("followers_count") or 0)}
        insights = self._call(
            "GET",
            f"{self.page}/insights",
            params={"metric": ",".join(PAGE_METRICS), "period": "day"},
        )
        for metric in insights.get("data") or []:
            key = PAGE_METRICS.get(str(metric.get("name")))
            points = metric.get("values") or []
            if key and points and isinstance(points[-1].get("value"), int):
                values[key] = points[-1]["value"]
        return values

    def audience(self) -> Audience:
        """The Page's followers_count (people who follow it) and fan_count (people who like
        it: Meta keeps it for Pages that still have likes)."""
        page = self._call("GET", self.page, params={"fields": "followers_count,fan_count"})
        extra = {}
        if (fans := optional_count(page.get("fan_count"))) is not None:
            extra["fans"] = fans
        return Audience(
            followers=audience_count(self.label, page.get("followers_count"), "followers_count"),
            extra=extra,
        )

    def moderate(self, remote_id: str, action: ModerationAction) -> None:
        action = ModerationAction(action)
        if action is ModerationAction.HIDE:
            self._call("POST", remote_id, data={"is_hidden": "true"}, idempotent=True)
        elif action is ModerationAction.DELETE:
            self._call("DELETE", remote_id)
        elif action in (ModerationAction.BAN, ModerationAction.UNBAN):
            author = (self._call("GET", remote_id, params={"fields": "from"}) or {}).get("from")
            if not isinstance(author, dict) or not author.get("id"):
                raise ConnectorError(
                    _("Facebook does not say who wrote this comment: nobody to ban.")
                )
            method = "POST" if action is ModerationAction.BAN else "DELETE"
            self._call(method, f"{self.page}/blocked", params={"user": str(author["id"])})
        else:
            raise ConnectorError(
                _("A Facebook Page can hide, delete, ban or unban, not %(action)s."),
                action=str(action),
            )


def _total(edge: Any) -> int:
    return int(((edge or {}).get("summary") or {}).get("total_count") or 0)


def graph_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def text_with(draft: Draft) -> str:
    """A photo post has no link field: the link goes at the end of the text."""
    if draft.link and draft.link not in draft.text:
        return f"{draft.text}\n\n{draft.link}".strip()
    return draft.text


def scheduled_time(value: Any) -> int:
    """Draft.extras["scheduled_publish_time"] (unix seconds or ISO 8601) for Facebook's own
    scheduling; Liant schedules by itself otherwise. Meta takes 10 minutes to 30 days ahead."""
    if not value:
        return 0
    if isinstance(value, datetime):
        return int(value.timestamp())
    text = str(value)
    if text.isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ConnectorError(
            _("%(value)r is not a date Facebook can schedule at."), value=text
        ) from exc
    return int(moment.timestamp() if moment.tzinfo else moment.replace(tzinfo=UTC).timestamp())


def _feed_events(page: str, entry: Mapping[str, Any]) -> list[Event | None]:
    """`changes` with field "feed" and item "comment": a comment added (or edited) on the
    Page. Others (reactions, likes, the Page's own posts) are not stored as events."""
    events: list[Event | None] = []
    for change in entry.get("changes") or []:
        value = change.get("value") if isinstance(change, dict) else None
        if change.get("field") != "feed" or not isinstance(value, dict):
            continue
        if value.get("item") != "comment" or value.get("verb") not in ("add", "edited"):
            continue
        author = person(value.get("from"))
        if not value.get("comment_id") or (author and author.remote_id == page):
            continue
        post_id = str(value.get("post_id") or "")
        events.append(
            Event(
                kind=EventKind.COMMENT,
                remote_id=str(value["comment_id"]),
                author=author,
                occurred_at=when(value.get("created_time") or entry.get("time") or 0),
                text=str(value.get("message") or ""),
                parent_remote_id=str(value.get("parent_id") or post_id),
                thread_remote_id=post_id,
                raw={"post_id": post_id},
            )
        )
    return events


def _messaging_events(page: str, entry: Mapping[str, Any]) -> list[Event | None]:
    """`messaging`: messages people send the Page. Echoes of the Page's own messages and
    delivery or read receipts are not events."""
    events: list[Event | None] = []
    for item in entry.get("messaging") or []:
        message = item.get("message") if isinstance(item, dict) else None
        if not isinstance(message, dict) or message.get("is_echo") or not message.get("mid"):
            continue
        sender = str((item.get("sender") or {}).get("id") or "")
        if not sender or sender == page:
            continue
        stamp = item.get("timestamp") or 0
        events.append(
            Event(
                kind=EventKind.DIRECT_MESSAGE,
                remote_id=str(message["mid"]),
                author=Author(remote_id=sender),
                occurred_at=datetime.fromtimestamp(int(stamp) / 1000, UTC),
                text=str(message.get("text") or ""),
                thread_remote_id=f"messenger:{sender}",
            )
        )
    return events
