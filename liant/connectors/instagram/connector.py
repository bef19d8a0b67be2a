"""Instagram professional accounts through the Graph API, reached through the Facebook Page
they are linked to (Instagram API with Facebook Login; graph.py pins the version).

The sign-in is Facebook's (the same Meta app, with the Instagram permissions); each Page the
person manages that has an Instagram account linked (`instagram_business_account`) becomes
one choice, with that Page's token, which does not expire.

Publishing is Instagram's container flow: create a container from a public address of each
file (staging.py), wait until Instagram has fetched and processed it (status_code FINISHED),
then media_publish. Meta honours no idempotency key, so journal.py keeps the container and the
resulting media per draft: a retry re-uses them and never publishes twice.

Reads comments on the account's recent media, the media it is tagged in, and direct
messages (Instagram messaging through the Page); Meta also pushes comments and messages.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from django.utils.translation import gettext_noop as _

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
from liant.connectors.facebook.connector import SCOPES as PAGE_SCOPES
from liant.connectors.facebook.connector import graph_json, sign_in_pages, unix, when
from liant.connectors.http import HttpClient
from liant.connectors.instagram import staging
from liant.connectors.instagram.journal import Journal
from liant.connectors.oauth import OAuthConfig

SCOPES = (
    "instagram_basic",
    "instagram_content_publish",
    "instagram_manage_comments",
    "instagram_manage_insights",
    "instagram_manage_messages",
    *PAGE_SCOPES,
)
MAX_CAPTION = 2200
MAX_CAROUSEL = 10
IMAGE_TYPES = frozenset({"image/jpeg"})  # "JPEG is the only image format supported"
VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime"})
STATUS_POLLS = 12  # waits of 1, 2, 4, 8, then 10 s: about 1 min 45 s for a reel
STATUS_MAX_WAIT = 10.0
MEDIA_READ = 25
COMMENT_FIELDS = "id,text,timestamp,username,from,parent_id,hidden"
MEDIA_METRICS = ("reach", "likes", "comments", "saved", "shares", "views", "total_interactions")
ACCOUNT_METRICS = ("reach", "views", "accounts_engaged", "total_interactions")
METRIC_KEYS = {"likes": "likes", "comments": "replies", "shares": "reposts"}


class InstagramSettings(ConnectorSettings):
    account_id: str  # the Instagram user id: pushed events come with it as `entry[].id`
    username: str = ""
    page_id: str = ""  # the linked Facebook Page, through which messages go
    page_name: str = ""


def ig_time(value: Any) -> datetime:
    return when(value)


def ig_author(data: Any, username: str = "") -> Author | None:
    if isinstance(data, Mapping) and data.get("id"):
        name = str(data.get("username") or username or "")
        return Author(
            remote_id=str(data["id"]),
            handle=f"@{name}" if name else "",
            name=name,
            url=f"https://www.instagram.com/{name}/" if name else "",
        )
    return None


class InstagramConnector(Connector):
    kind = "instagram"
    label = "Instagram"
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
        max_length=MAX_CAPTION,
        count=count_chars,
        max_media=MAX_CAROUSEL,
        media_types=IMAGE_TYPES | VIDEO_TYPES,
        max_image_bytes=8_000_000,  # image: "8 MB maximum"
        max_video_bytes=300_000_000,  # reels: "300 MB maximum"
        image_max_side=1440,  # wider images are scaled down to 1440 px
        image_ratio=(4 / 5, 1.91),  # "within a 4:5 to 1.91:1 range"
        max_video_seconds=15 * 60,  # reels: 3 seconds to 15 minutes
        links="none",  # a link in a caption is not clickable
    )
    settings_model = InstagramSettings
    fetch_interval = 300
    limitations = _(
        "Instagram fetches each image or video from this Liant's public address "
        "(LIANT_SITE_URL must be public, over https); images must be JPEG. Links in captions "
        "are not clickable. Direct messages can only be answered within 24 hours of the "
        "person's last message. Mentions in other accounts' comments are not read; stories "
        "are not published. Instagram caps the posts an account publishes through the API "
        "each day."
    )
    # The journal keeps each draft's container and media; containers expire after 24 hours,
    # so a retry is counted on within 12 hours and asked of a person after.
    publish_idempotency_window = 12 * 3600.0
    moderation_actions: ClassVar[frozenset[ModerationAction]] = frozenset(
        {ModerationAction.HIDE, ModerationAction.DELETE}
    )
    connection: ClassVar[str] = _("Facebook sign-in, through the linked Page (OAuth)")
    oauth: ClassVar[OAuthConfig | None] = OAuthConfig(
        authorize_url=graph.DIALOG,
        token_url=f"{graph.GRAPH}/oauth/access_token",
        scopes=SCOPES,
        scope_separator=",",
    )

    settings: InstagramSettings
    journal = Journal()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        return graph.call(
            self.http, str(self.credentials.get("access_token", "")), method, path, **kwargs
        )

    @property
    def account(self) -> str:
        return self.settings.account_id

    # --- connecting ------------------------------------------------------------------------

    @classmethod
    def accounts_after_oauth(
        cls, credentials: Mapping[str, Any], http: HttpClient
    ) -> list[AccountChoice]:
        pages, expires = sign_in_pages(
            cls.kind,
            credentials,
            http,
            "id,name,access_token,instagram_business_account{id,username,name}",
        )
        choices = []
        for page in pages:
            account = page.get("instagram_business_account")
            if not isinstance(account, dict) or not account.get("id"):
                continue  # a Page without a linked Instagram account
            username = str(account.get("username") or "")
            choices.append(
                AccountChoice(
                    name=f"@{username}" if username else str(account["id"]),
                    settings={
                        "account_id": str(account["id"]),
                        "username": username,
                        "page_id": str(page["id"]),
                        "page_name": str(page.get("name") or ""),
                    },
                    credentials={"access_token": str(page["access_token"]), "expires_at": expires},
                )
            )
        return choices

    def check_connection(self) -> str:
        return "@" + str(
            self._call("GET", self.account, params={"fields": "username"}).get("username", "")
        )

    # --- publishing ------------------------------------------------------------------------

    def publish(self, draft: Draft) -> RemotePost:
        if draft.reply_to:
            return self._reply_to_comment(draft.reply_to, draft.text)
        self._check(draft)
        key = draft.idempotency_key or uuid.uuid4().hex
        entry = self.journal.read(self.account, key)
        if entry.media_id:
            return self._post(entry.media_id, entry.permalink)  # published, answer lost
        container = entry.container
        if container:
            status, detail = self._status(container)
            if status == "PUBLISHED":
                # media_publish went through before a crash or a lost answer: find that media.
                return self._already_published(key, entry.created_at, draft)
            if status in ("EXPIRED", "GONE"):
                self.journal.forget_container(self.account, key)
                container = ""  # never published (it would say so): a new one is safe
            elif status == "ERROR":
                raise self._container_error(detail)
        if not container:
            container, staged = self._create(draft, key)
            self.journal.container_created(self.account, key, container, staged)
        self._wait_until_finished(container)
        answer = self._call(
            "POST", f"{self.account}/media_publish", data={"creation_id": container}
        )
        media_id = str(answer.get("id") or "")
        if not media_id:
            raise ConnectorError(_("Instagram published the post but sent back no id."))
        self.journal.published(self.account, key, media_id)
        permalink = ""
        with contextlib.suppress(ConnectorError):  # it is out; the link is a nicety
            answer = self._call("GET", media_id, params={"fields": "permalink"})
            permalink = str(answer.get("permalink") or "")
        if permalink:
            self.journal.permalink(self.account, key, permalink)
        staging.unstage(list(self.journal.read(self.account, key).staged))
        return self._post(media_id, permalink)

    def _post(self, media_id: str, permalink: str) -> RemotePost:
        return RemotePost(
            remote_id=media_id,
            url=permalink,
            published_at=datetime.now(UTC),
            raw={"id": media_id},
        )

    def _check(self, draft: Draft) -> None:
        if not draft.media:
            raise ConnectorError(_("An Instagram post needs at least one image or video."))
        if len(draft.media) > MAX_CAROUSEL:
            raise ConnectorError(
                _("An Instagram carousel holds at most %(count)s items."), count=MAX_CAROUSEL
            )
        for media in draft.media:
            if media.content_type not in IMAGE_TYPES | VIDEO_TYPES:
                raise ConnectorError(
                    _("Instagram takes JPEG images and MP4 or MOV videos, not %(type)s."),
                    type=media.content_type,
                )
        if count_chars(draft.text) > MAX_CAPTION:
            raise ConnectorError(
                _("An Instagram caption holds at most %(count)s characters."), count=MAX_CAPTION
            )

    def _create(self, draft: Draft, key: str) -> tuple[str, list[str]]:
        """The container: one image, one reel, or a carousel of child containers."""
        staging.prune()
        urls = [staging.stage(media, key, i) for i, media in enumerate(draft.media)]
        caption = draft.text
        if len(draft.media) == 1:
            media = draft.media[0]
            form = (
                {"media_type": "REELS", "video_url": urls[0]}
                if media.content_type in VIDEO_TYPES
                else {"image_url": urls[0]}
            )
            if media.alt_text and media.content_type in IMAGE_TYPES:
                form["alt_text"] = media.alt_text
            form["caption"] = caption
            return self._new_container(form), urls
        children = []
        for media, url in zip(draft.media, urls, strict=True):
            form = (
                {"media_type": "VIDEO", "video_url": url}
                if media.content_type in VIDEO_TYPES
                else {"image_url": url}
            )
            children.append(self._new_container({**form, "is_carousel_item": "true"}))
        for child in children:  # each child must be ready before the carousel is made
            self._wait_until_finished(child)
        parent = self._new_container(
            {"media_type": "CAROUSEL", "children": ",".join(children), "caption": caption}
        )
        return parent, urls

    def _new_container(self, form: dict[str, str]) -> str:
        # A repeated creation only leaves an unpublished container, which expires in 24 h.
        answer = self._call("POST", f"{self.account}/media", data=form)
        container = str(answer.get("id") or "")
        if not container:
            raise ConnectorError(_("Instagram accepted the media but sent back no container."))
        return container

    def _status(self, container: str) -> tuple[str, str]:
        try:
            data = self._call("GET", container, params={"fields": "status_code,status"})
        except ConnectorError as exc:
            if exc.kind is ErrorKind.PERMANENT and exc.status in (400, 404):
                return "GONE", ""  # an expired container that Meta no longer knows
            raise
        return str(data.get("status_code") or ""), str(data.get("status") or "")

    def _wait_until_finished(self, container: str) -> None:
        wait = 1.0
        for attempt in range(STATUS_POLLS + 1):
            status, detail = self._status(container)
            if status in ("FINISHED", "PUBLISHED"):
                return
            if status == "ERROR":
                raise self._container_error(detail)
            if status in ("EXPIRED", "GONE"):
                raise ConnectorError(
                    _("Instagram let the media container expire (24 hours) before publishing.")
                )
            if attempt < STATUS_POLLS:
                self.http.sleep(wait)
                wait = min(wait * 2, STATUS_MAX_WAIT)
        raise ConnectorError(
            _("Instagram is still processing the media; Liant will try again."),
            ErrorKind.TRANSIENT,
        )

    def _container_error(self, detail: str) -> ConnectorError:
        return ConnectorError(
            _("Instagram could not process the media: %(detail)s"),
            detail=detail or "ERROR",
        )

    def _already_published(self, key: str, since: str, draft: Draft) -> RemotePost:
        """The container says PUBLISHED but its media id was lost with the answer: the
        account's latest media with the same caption, published after the container."""
        after = 0
        if since:
            after = int(datetime.fromisoformat(since).timestamp()) - 60
        recent = self._call(
            "GET",
            f"{self.account}/media",
            params={"fields": "id,caption,timestamp,permalink", "limit": 10},
        )
        for media in recent.get("data") or []:
            if (media.get("caption") or "") == draft.text and unix(media.get("timestamp")) >= after:
                media_id, permalink = str(media["id"]), str(media.get("permalink") or "")
                self.journal.published(self.account, key, media_id, permalink)
                return self._post(media_id, permalink)
        raise ConnectorError(
            _(
                "Instagram says this post is already published, but Liant cannot find it "
                "among the account's latest posts: check the account before publishing again."
            )
        )

    # --- answering -------------------------------------------------------------------------

    def _reply_to_comment(self, comment_id: str, text: str) -> RemotePost:
        answer = self._call("POST", f"{comment_id}/replies", data={"message": text})
        if not answer.get("id"):
            raise ConnectorError(_("Instagram accepted the reply but sent back no id."))
        return RemotePost(remote_id=str(answer["id"]), published_at=datetime.now(UTC))

    def reply(self, parent: Event, draft: Draft) -> RemotePost:
        if parent.kind is EventKind.DIRECT_MESSAGE:
            if parent.author is None:
                raise ConnectorError(_("This message has no sender to answer."))
            return self.send_direct(parent.author, draft)
        if parent.kind is EventKind.MENTION:
            # A media the account is tagged in: a comment on it, through /mentions.
            answer = self._call(
                "POST",
                f"{self.account}/mentions",
                data={"media_id": parent.remote_id, "message": draft.text},
            )
            return RemotePost(remote_id=str(answer.get("id") or ""), published_at=datetime.now(UTC))
        return self._reply_to_comment(parent.remote_id, draft.text)

    def send_direct(self, recipient: Author, draft: Draft) -> RemotePost:
        """Instagram messaging through the linked Page's Send API; Meta accepts an answer
        only within 24 hours of the person's last message."""
        if not self.settings.page_id:
            raise ConnectorError(_("This Instagram channel has no linked Page to send from."))
        if not draft.text.strip():
            raise ConnectorError(_("An Instagram message needs text."))
        answer = self._call(
            "POST",
            f"{self.settings.page_id}/messages",
            data={
                "recipient": graph_json({"id": recipient.remote_id}),
                "messaging_type": "RESPONSE",
                "message": graph_json({"text": draft.text}),
            },
        )
        message_id = str(answer.get("message_id") or "")
        if not message_id:
            raise ConnectorError(_("Instagram accepted the message but sent back no id."))
        return RemotePost(remote_id=message_id, published_at=datetime.now(UTC), raw=answer)

    # --- reading ---------------------------------------------------------------------------

    def fetch(self, since: Mapping[str, Any]) -> FetchResult:
        """Comments on the latest media (Instagram has no `since` for them: they are read
        and kept when newer than the cursor), the media the account is tagged in, and
        direct messages. Cursors are unix seconds."""
        after = {k: int(since.get(k) or 0) for k in ("comments", "tags", "messages")}
        newest = dict(after)
        events: list[Event] = []
        errors: list[Problem] = []
        media = self._call(
            "GET",
            f"{self.account}/media",
            params={"fields": "id,timestamp,permalink,comments_count", "limit": MEDIA_READ},
        )
        for item in media.get("data") or []:
            if not item.get("comments_count"):
                continue
            try:
                comments = self._call(
                    "GET",
                    f"{item['id']}/comments",
                    params={
                        "fields": f"{COMMENT_FIELDS},replies{{{COMMENT_FIELDS}}}",
                        "limit": 50,
                    },
                )
                for comment in comments.get("data") or []:
                    replies = (comment.get("replies") or {}).get("data") or []
                    for one in [comment, *replies]:
                        stamp = unix(one.get("timestamp"))
                        if stamp <= after["comments"]:
                            continue
                        newest["comments"] = max(newest["comments"], stamp)
                        event = self.comment_event(one, str(item["id"]), item.get("permalink"))
                        if event is not None:
                            events.append(event)
            except (KeyError, TypeError, ValueError) as exc:
                errors.append(
                    Problem(
                        _("media %(media)s: %(problem)s"),
                        media=item.get("id", "?"),
                        problem=str(exc),
                    )
                )
        try:
            tagged = self._call(
                "GET",
                f"{self.account}/tags",
                params={"fields": "id,caption,timestamp,permalink,username", "limit": MEDIA_READ},
            )
        except ConnectorError as exc:
            if exc.kind is not ErrorKind.PERMANENT:
                raise
            tagged = {}
            errors.append(Problem(_("tagged media: %(problem)s"), problem=exc))
        for item in tagged.get("data") or []:
            try:
                stamp = unix(item.get("timestamp"))
                if stamp <= after["tags"]:
                    continue
                newest["tags"] = max(newest["tags"], stamp)
                username = str(item.get("username") or "")
                events.append(
                    Event(
                        kind=EventKind.MENTION,
                        remote_id=str(item["id"]),
                        author=Author(
                            remote_id=f"username:{username}",
                            handle=f"@{username}",
                            name=username,
                            url=f"https://www.instagram.com/{username}/",
                        )
                        if username
                        else None,
                        occurred_at=ig_time(stamp),
                        text=str(item.get("caption") or ""),
                        url=str(item.get("permalink") or ""),
                    )
                )
            except (KeyError, TypeError, ValueError) as exc:
                errors.append(
                    Problem(
                        _("media %(media)s: %(problem)s"),
                        media=item.get("id", "?"),
                        problem=str(exc),
                    )
                )
        self._fetch_messages(after["messages"], newest, events, errors)
        return FetchResult(events, newest, errors)

    def _fetch_messages(
        self, after: int, newest: dict[str, int], events: list[Event], errors: list[Problem]
    ) -> None:
        if not self.settings.page_id:
            return
        try:
            conversations = self._call(
                "GET",
                f"{self.settings.page_id}/conversations",
                params={
                    "platform": "instagram",
                    "fields": "id,updated_time,messages.limit(25){id,message,created_time,from}",
                    "limit": 25,
                },
            )
        except ConnectorError as exc:
            if exc.kind is not ErrorKind.PERMANENT:
                raise
            errors.append(Problem(_("direct messages: %(problem)s"), problem=exc))
            return
        for conversation in conversations.get("data") or []:
            try:
                if unix(conversation.get("updated_time")) <= after:
                    continue
                for message in (conversation.get("messages") or {}).get("data") or []:
                    stamp = unix(message.get("created_time"))
                    author = ig_author(message.get("from"))
                    if stamp <= after or author is None or author.remote_id == self.account:
                        continue
                    newest["messages"] = max(newest["messages"], stamp)
                    events.append(
                        Event(
                            kind=EventKind.DIRECT_MESSAGE,
                            remote_id=str(message["id"]),
                            author=author,
                            occurred_at=ig_time(stamp),
                            text=str(message.get("message") or ""),
                            thread_remote_id=f"instagram:{author.remote_id}",
                        )
                    )
            except (KeyError, TypeError, ValueError) as exc:
                errors.append(
                    Problem(
                        _("conversation %(id)s: %(problem)s"),
                        id=conversation.get("id", "?"),
                        problem=str(exc),
                    )
                )

    def comment_event(
        self, comment: Mapping[str, Any], media_id: str, permalink: Any = ""
    ) -> Event | None:
        author = ig_author(comment.get("from"), str(comment.get("username") or ""))
        if author is not None and author.remote_id == self.account:
            return None  # the account's own answers
        return Event(
            kind=EventKind.COMMENT,
            remote_id=str(comment["id"]),
            author=author,
            occurred_at=ig_time(comment["timestamp"]),
            text=str(comment.get("text") or ""),
            url=str(permalink or ""),
            parent_remote_id=str(comment.get("parent_id") or media_id),
            thread_remote_id=media_id,
            raw={"media_id": media_id, "hidden": bool(comment.get("hidden"))},
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
            account = str(entry["id"])
            events = _comment_changes(account, entry) + _messages(account, entry)
            if events:
                batches.append(WebhookBatch(account_id=account, events=events))
        return WebhookResult(batches=batches)

    # --- metrics and moderation ------------------------------------------------------------

    def metrics(self, remote_ids: list[str]) -> list[Metrics]:
        """Media insights (reach, likes, comments, saved, shares, views, total_interactions:
        `impressions` and `plays` are gone since April 2025); the account's own id gives the
        account's insights of the last day and its follower count."""
        found = []
        for remote_id in remote_ids:
            if remote_id == self.account:
                found.append(Metrics(remote_id=remote_id, values=self._account_metrics()))
                continue
            answer = self._call(
                "GET", f"{remote_id}/insights", params={"metric": ",".join(MEDIA_METRICS)}
            )
            found.append(Metrics(remote_id=remote_id, values=_insight_values(answer)))
        return found

    def _account_metrics(self) -> dict[str, int]:
        account = self._call("GET", self.account, params={"fields": "followers_count,media_count"})
        values = {
            "followers": int(account.get("followers_count") or 0),
            "posts": int(account.get("media_count") or 0),
        }
        answer = self._call(
            "GET",
            f"{self.account}/insights",
            params={
                "metric": ",".join(ACCOUNT_METRICS),
                "period": "day",
                "metric_type": "total_value",
            },
        )
        return values | _insight_values(answer)

    def audience(self) -> Audience:
        """The IG User's followers_count, follows_count and media_count."""
        account = self._call(
            "GET", self.account, params={"fields": "followers_count,follows_count,media_count"}
        )
        extra = {}
        if (posts := optional_count(account.get("media_count"))) is not None:
            extra["posts"] = posts
        return Audience(
            followers=audience_count(self.label, account.get("followers_count"), "followers_count"),
            following=optional_count(account.get("follows_count")),
            extra=extra,
        )

    def moderate(self, remote_id: str, action: ModerationAction) -> None:
        action = ModerationAction(action)
        if action is ModerationAction.HIDE:
            self._call("POST", remote_id, data={"hide": "true"}, idempotent=True)
        elif action is ModerationAction.DELETE:
            self._call("DELETE", remote_id)
        else:
            raise ConnectorError(
                _("Instagram's API can hide or delete a comment, not %(action)s."),
                action=str(action),
            )


def _insight_values(answer: Mapping[str, Any]) -> dict[str, int]:
    values: dict[str, int] = {}
    for metric in answer.get("data") or []:
        name = str(metric.get("name") or "")
        total = (metric.get("total_value") or {}).get("value")
        points = metric.get("values") or []
        value = total if total is not None else (points[-1].get("value") if points else None)
        if isinstance(value, int):
            values[METRIC_KEYS.get(name, name)] = value
    return values


def _comment_changes(account: str, entry: Mapping[str, Any]) -> list[Event]:
    events = []
    for change in entry.get("changes") or []:
        value = change.get("value") if isinstance(change, dict) else None
        if change.get("field") not in ("comments", "live_comments") or not isinstance(value, dict):
            continue
        author = ig_author(value.get("from"))
        if not value.get("id") or (author and author.remote_id == account):
            continue
        media_id = str((value.get("media") or {}).get("id") or "")
        events.append(
            Event(
                kind=EventKind.COMMENT,
                remote_id=str(value["id"]),
                author=author,
                occurred_at=ig_time(entry.get("time") or 0),
                text=str(value.get("text") or ""),
                parent_remote_id=str(value.get("parent_id") or media_id),
                thread_remote_id=media_id,
                raw={"media_id": media_id},
            )
        )
    return events


def _messages(account: str, entry: Mapping[str, Any]) -> list[Event]:
    events = []
    for item in entry.get("messaging") or []:
        message = item.get("message") if isinstance(item, dict) else None
        if not isinstance(message, dict) or message.get("is_echo") or not message.get("mid"):
            continue
        sender = str((item.get("sender") or {}).get("id") or "")
        if not sender or sender == account:
            continue
        events.append(
            Event(
                kind=EventKind.DIRECT_MESSAGE,
                remote_id=str(message["mid"]),
                author=Author(remote_id=sender),
                occurred_at=datetime.fromtimestamp(int(item.get("timestamp") or 0) / 1000, UTC),
                text=str(message.get("text") or ""),
                thread_remote_id=f"instagram:{sender}",
            )
        )
    return events
