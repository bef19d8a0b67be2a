"""Mastodon: one account on one server, through the client REST API.

Reads notifications (mentions, replies, follows, favourites, boosts) and direct conversations;
publishes statuses with media, content warning, visibility and polls; reads the counters of a
status; moderates what the API lets an account do: delete its own statuses, block, mute.
Reference: https://docs.joinmastodon.org/methods/ (statuses, media, notifications,
conversations, search, timelines, accounts, apps, oauth).
"""

from __future__ import annotations

import functools
import mimetypes
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any, Literal
from urllib.parse import quote, urlencode, urljoin, urlsplit

import httpx
from django.utils.translation import gettext_noop as _
from pydantic import BaseModel, ValidationError, field_validator

from liant.connectors.base import (
    URL_RE,
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
    Media,
    Metrics,
    ModerationAction,
    Problem,
    RemotePost,
    Rules,
    audience_count,
    optional_count,
)
from liant.connectors.http import HttpClient

CLIENT_NAME = "Liant"
SCOPES = "read write follow"
NOTIFICATION_TYPES = ("mention", "follow", "favourite", "reblog")
NOTIFICATIONS_PER_PAGE = 40  # the documented default; servers cap it (80 since 4.1, 30 before)
CONVERSATIONS_PER_PAGE = 40  # the documented maximum
LISTENING_LIMIT = 40  # per search or hashtag call, the documented maximum
MAX_PAGES = 5  # per fetch; the notification cursor moves forward, so the rest comes next time
REMEMBERED_CONVERSATIONS = 500
MEDIA_POLLS = 15  # waits of 1, 2, 4, then 8 s: about 100 s for a video to be transcoded
MEDIA_POLL_MAX_WAIT = 8.0
# From the widest audience to the narrowest: a reply never widens the audience of its parent.
VISIBILITIES = ("public", "unlisted", "private", "direct")
Visibility = Literal["public", "unlisted", "private", "direct"]
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/avif"})
VIDEO_TYPES = frozenset({"video/mp4", "video/webm", "video/quicktime"})
# Mastodon counts a remote mention "@name@server" as "@name" (StatusLengthValidator).
REMOTE_MENTION = re.compile(r"(?<![\w/])(@\w+(?:[\w.-]*\w)?)@[\w.-]+\w", re.UNICODE)
HOST_RE = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?")


def count_mastodon(text: str, url_length: int = 23) -> int:
    """Characters as Mastodon counts them: any URL is 23 (or what the server says), a remote
    mention only its name."""
    return len(REMOTE_MENTION.sub(r"\1", URL_RE.sub("x" * url_length, text)))


def normalise_instance_url(value: str) -> str:
    """'mastodon.social', '@brand@mastodon.social' or 'https://mastodon.social/@brand'
    → 'https://mastodon.social' (no path, no trailing slash)."""
    raw = value.strip()
    if "://" not in raw and "@" in raw:
        raw = raw.rsplit("@", 1)[-1]  # a handle: its server
    if "://" not in raw:
        raw = "https://" + raw
    parts = urlsplit(raw)
    if parts.scheme.lower() != "https":
        raise ValueError("A Mastodon server is reached over https.")
    host = (parts.hostname or "").lower().rstrip(".")
    if not host or not HOST_RE.fullmatch(host):
        raise ValueError("This is not the address of a server.")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError("The port of this address is not a number.") from exc
    return f"https://{host}:{port}" if port and port != 443 else f"https://{host}"


class InstanceLimits(BaseModel):
    """What one server allows (GET /api/v2/instance, `configuration`); servers differ:
    some allow 5 000 characters or other media types. None = the documented default."""

    max_characters: int | None = None
    characters_reserved_per_url: int | None = None
    max_media_attachments: int | None = None
    supported_mime_types: list[str] | None = None
    image_size_limit: int | None = None
    video_size_limit: int | None = None
    description_limit: int | None = None
    poll_max_options: int | None = None
    poll_max_characters_per_option: int | None = None
    poll_min_expiration: int | None = None
    poll_max_expiration: int | None = None


class MastodonSettings(ConnectorSettings):
    instance_url: str
    visibility: Visibility = "public"
    # Learnt when connecting: tells a reply to one of our statuses from any other mention.
    account_id: str = ""
    acct: str = ""
    limits: InstanceLimits = InstanceLimits()

    @field_validator("instance_url")
    @classmethod
    def _normalise(cls, value: str) -> str:
        return normalise_instance_url(value)


class Malformed(ConnectorError, ValueError):
    """An item of an answer lacks what Liant needs; it is skipped and reported."""


class MastodonConnector(Connector):
    kind = "mastodon"
    label = "Mastodon"
    moderation_actions = frozenset(
        {
            ModerationAction.DELETE,
            ModerationAction.MUTE,
            ModerationAction.BLOCK,
            ModerationAction.UNMUTE,
            ModerationAction.UNBLOCK,
        }
    )
    connection = _("OAuth on the account's server (Liant registers itself there)")
    capabilities = frozenset(
        {
            Capability.PUBLISH,
            Capability.REPLY,
            Capability.FETCH,
            Capability.METRICS,
            Capability.MODERATE,
            Capability.SEND_DIRECT,
            Capability.SEARCH,
            Capability.POLLS,
            Capability.AUDIENCE,
        }
    )
    rules = Rules(
        max_length=500,  # the default; a server may allow more
        count=count_mastodon,
        max_media=4,
        media_types=IMAGE_TYPES | VIDEO_TYPES,
        max_image_bytes=16_000_000,
        max_video_bytes=99_000_000,
        max_alt_text=1500,
        # Mastodon keeps at most 3840×2160 worth of pixels of an image (8.3 MP) and shrinks a
        # larger one itself: sending more only costs upload time.
        image_max_pixels=3840 * 2160,
        video_max_pixels=3840 * 2160,  # the default `video_matrix_limit` servers declare
        content_warning=True,
        threads=True,
    )
    settings_model = MastodonSettings
    fetch_interval = 180
    limitations = _(
        "Only the account's own statuses can be deleted; others' replies can be answered, "
        "and their authors blocked or muted, not hidden. Replies that do not mention the "
        "account are not notified by Mastodon, so Liant does not see them. Search finds "
        "only the posts the server has indexed."
    )
    # Mastodon remembers an Idempotency-Key for one hour.
    publish_idempotency_window = 60 * 60

    settings: MastodonSettings

    def __init__(
        self, settings: Mapping[str, Any], credentials: Mapping[str, Any], http: HttpClient
    ) -> None:
        super().__init__(settings, credentials, http)
        self.rules = rules_for(self.settings.limits)

    # --- plumbing --------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return self.settings.instance_url + path

    def _auth(self) -> dict[str, str]:
        token = self.credentials.get("access_token")
        if not token:
            raise ConnectorError(
                _("This Mastodon channel has no access token; connect it again."),
                ErrorKind.AUTH_EXPIRED,
            )
        return {"Authorization": f"Bearer {token}"}

    def _get(
        self, url: str, params: Any = None, ok_statuses: tuple[int, ...] = ()
    ) -> httpx.Response:
        return self.http.get(url, params=params, headers=self._auth(), ok_statuses=ok_statuses)

    def _next(self, response: httpx.Response, rel: str) -> str | None:
        """The Link header's page, only on our server: the token must not travel elsewhere."""
        link = response.links.get(rel, {}).get("url")
        if not link:
            return None
        absolute = urljoin(str(response.request.url), link)
        return absolute if _origin(absolute) == _origin(self.settings.instance_url) else None

    # --- connection ------------------------------------------------------------------------

    def verify_credentials(self) -> dict[str, Any]:
        account = _object(
            self._get(self._url("/api/v1/accounts/verify_credentials")), Problem(_("an account"))
        )
        try:
            _text(account, "id", Problem(_("the account")))
            _text(account, "acct", Problem(_("the account")))
        except Malformed as exc:
            raise ConnectorError(
                _("Mastodon sent an account Liant cannot read: %(problem)s."), problem=exc
            ) from exc
        return account

    def check_connection(self) -> str:
        return self.handle_of(self.verify_credentials())

    def handle_of(self, account: Mapping[str, Any]) -> str:
        acct = str(account.get("acct", ""))
        host = urlsplit(self.settings.instance_url).netloc
        return f"@{acct}" if "@" in acct else f"@{acct}@{host}"

    # --- publishing ------------------------------------------------------------------------

    def publish(self, draft: Draft) -> RemotePost:
        return self._post_status(draft, draft.text, in_reply_to=draft.reply_to)

    def reply(self, parent: Event, draft: Draft) -> RemotePost:
        if parent.kind in (EventKind.REACTION, EventKind.FOLLOW):
            raise ConnectorError(
                _("On Mastodon only a status can be answered, not a follow or a favourite.")
            )
        text = _with_mention(draft.text, parent.author.handle if parent.author else "")
        parent_visibility = str(parent.raw.get("visibility") or "")
        if parent.kind is EventKind.DIRECT_MESSAGE:
            parent_visibility = "direct"
        visibility = _narrowest(self._visibility(draft), parent_visibility)
        return self._post_status(draft, text, in_reply_to=parent.remote_id, visibility=visibility)

    def send_direct(self, recipient: Author, draft: Draft) -> RemotePost:
        if not recipient.handle:
            raise ConnectorError(_("A Mastodon direct message needs the recipient's @handle."))
        text = _with_mention(draft.text, recipient.handle)
        return self._post_status(draft, text, in_reply_to=draft.reply_to, visibility="direct")

    def _visibility(self, draft: Draft) -> str:
        visibility = str(draft.extras.get("visibility") or self.settings.visibility)
        if visibility not in VISIBILITIES:
            raise ConnectorError(
                _("Mastodon has no visibility %(visibility)r (public, unlisted, private, direct)."),
                visibility=visibility,
            )
        return visibility

    def _post_status(
        self, draft: Draft, text: str, *, in_reply_to: str = "", visibility: str = ""
    ) -> RemotePost:
        poll = draft.extras.get("poll")
        if poll and draft.media:
            raise ConnectorError(_("Mastodon cannot attach both a poll and media to one status."))
        if draft.link and draft.link not in text:
            text = f"{text}\n\n{draft.link}".strip()
        form: dict[str, Any] = {"status": text, "visibility": visibility or self._visibility(draft)}
        media_ids = [self._upload(media) for media in draft.media]
        if media_ids:
            form["media_ids[]"] = media_ids
        if draft.content_warning:
            form["spoiler_text"] = draft.content_warning
        if in_reply_to:
            form["in_reply_to_id"] = in_reply_to
        if poll:
            form |= poll_fields(poll, self.settings.limits)
        if draft.extras.get("language"):
            form["language"] = str(draft.extras["language"])
        if draft.extras.get("sensitive"):
            form["sensitive"] = "true"
        headers = self._auth()
        if draft.idempotency_key:
            # Mastodon keeps the key an hour: a retry after a 5xx returns the same status.
            headers["Idempotency-Key"] = draft.idempotency_key
        response = self.http.post(
            self._url("/api/v1/statuses"),
            data=form,
            headers=headers,
            idempotent=bool(draft.idempotency_key),
        )
        status = _object(response, Problem(_("a status")))
        if not status.get("id"):
            raise ConnectorError(_("Mastodon accepted the status but sent back no id."))
        created = status.get("created_at")
        return RemotePost(
            remote_id=str(status["id"]),
            url=str(status.get("url") or status.get("uri") or ""),
            published_at=parse_date(created) if created else None,
            raw={k: status.get(k) for k in ("id", "uri", "url", "visibility", "in_reply_to_id")},
        )

    def _upload(self, media: Media) -> str:
        filename = media.filename or "upload" + (
            mimetypes.guess_extension(media.content_type) or ""
        )
        response = self.http.post(
            self._url("/api/v2/media"),
            files={"file": (filename, media.data, media.content_type)},
            data={"description": media.alt_text} if media.alt_text else None,
            headers=self._auth(),
            # A repeated upload leaves an unattached copy the server deletes later; nothing
            # is published twice, so a 5xx is worth a retry.
            idempotent=True,
        )
        attachment = _object(response, Problem(_("a media attachment")))
        media_id = str(attachment.get("id") or "")
        if not media_id:
            raise ConnectorError(
                _("Mastodon accepted %(file)s but sent back no id."), file=filename
            )
        if response.status_code != 202 and attachment.get("url"):
            return media_id
        # 202: still processing (videos, large images); the url appears when it is ready.
        wait = 1.0
        for _poll in range(MEDIA_POLLS):
            self.http.sleep(wait)
            wait = min(wait * 2, MEDIA_POLL_MAX_WAIT)
            check = self._get(self._url(f"/api/v1/media/{quote(media_id, safe='')}"), None, (206,))
            if check.status_code == 200 and _object(check, Problem(_("a media attachment"))).get(
                "url"
            ):
                return media_id
        raise ConnectorError(
            _("Mastodon is still processing %(file)s; try publishing again in a few minutes."),
            ErrorKind.TRANSIENT,
            file=filename,
        )

    # --- reading ---------------------------------------------------------------------------

    def fetch(self, since: Mapping[str, Any]) -> FetchResult:
        """Notifications (mentions, replies, follows, favourites, boosts), then direct
        conversations. The cursor keeps the newest notification id and, per conversation,
        the id of its last status, so a second fetch returns nothing already returned."""
        collected = _Collected()
        newest = self._fetch_notifications(str(since.get("notification_id") or ""), collected)
        known = since.get("conversations")
        conversations = self._fetch_conversations(
            known if isinstance(known, dict) else {}, collected
        )
        cursor = dict(since)
        if newest:
            cursor["notification_id"] = newest
        cursor["conversations"] = conversations
        return FetchResult(collected.events, cursor, collected.errors)

    def _fetch_notifications(self, last_id: str, collected: _Collected) -> str:
        params: list[tuple[str, str]] = [("limit", str(NOTIFICATIONS_PER_PAGE))]
        params += [("types[]", t) for t in NOTIFICATION_TYPES]
        if last_id:
            # min_id pages forward from the cursor, oldest first, through rel="prev" links:
            # no gap even when a fetch stops at MAX_PAGES. (since_id would give the newest
            # page first, and Mastodon's "next" links drop since_id.)
            params.append(("min_id", last_id))
            rel = "prev"
        else:
            rel = "next"  # first fetch: the newest notifications, then older pages
        url: str | None = self._url("/api/v1/notifications")
        query: list[tuple[str, str]] | None = params
        newest = last_id
        seen: set[str] = set()
        for _page in range(MAX_PAGES):
            if url is None:
                break
            response = self._get(url, query)
            items = _list(response, Problem(_("notifications")))
            if not items:
                break
            for index, item in enumerate(items):
                notification_id = str(item.get("id") or "") if isinstance(item, dict) else ""
                if notification_id:
                    if notification_id in seen or (
                        last_id and not _newer(notification_id, last_id)
                    ):
                        continue
                    seen.add(notification_id)
                    newest = _newest(newest, notification_id)
                try:
                    event = self._notification_event(item)
                except Malformed as exc:
                    where = notification_id or Problem(_("#%(number)s of a page"), number=index + 1)
                    collected.errors.append(
                        Problem(_("notification %(where)s: %(problem)s"), where=where, problem=exc)
                    )
                    continue
                if event is not None:
                    collected.add(event)
            url, query = self._next(response, rel), None
        return newest

    def _notification_event(self, item: Any) -> Event | None:
        notification_id = _text(item, "id", Problem(_("the notification")))
        kind = _text(item, "type", Problem(_("the notification")))
        if kind == "mention":
            status = _mapping(item, "status", Problem(_("the notification")))
            event = self.status_event(status, self._mention_kind(status))
            event.raw = {**event.raw, "notification_id": notification_id}
            return event
        if kind not in ("favourite", "reblog", "follow"):
            return None  # a server that ignores types[] (before 3.5) sends the others too
        author = account_author(_mapping(item, "account", Problem(_("the notification"))))
        occurred = parse_date(_text(item, "created_at", Problem(_("the notification"))))
        if kind == "follow":
            return Event(
                kind=EventKind.FOLLOW,
                remote_id=notification_id,
                author=author,
                occurred_at=occurred,
                url=author.url,
                raw={"type": kind, "notification_id": notification_id},
            )
        status = _mapping(item, "status", Problem(_("the notification")))
        status_id = _text(status, "id", Problem(_("the status")))
        return Event(
            kind=EventKind.REACTION,
            remote_id=notification_id,
            author=author,
            occurred_at=occurred,
            url=str(status.get("url") or ""),
            parent_remote_id=status_id,
            raw={"type": kind, "notification_id": notification_id, "status_id": status_id},
        )

    def _mention_kind(self, status: Mapping[str, Any]) -> EventKind:
        if status.get("visibility") == "direct":
            return EventKind.DIRECT_MESSAGE
        replied_to = str(status.get("in_reply_to_account_id") or "")
        if self.settings.account_id and replied_to == self.settings.account_id:
            return EventKind.COMMENT  # an answer to one of our statuses
        return EventKind.MENTION

    def _fetch_conversations(
        self, known: Mapping[str, Any], collected: _Collected
    ) -> dict[str, str]:
        state = {str(k): str(v) for k, v in known.items()}
        url: str | None = self._url("/api/v1/conversations")
        query: dict[str, str] | None = {"limit": str(CONVERSATIONS_PER_PAGE)}
        for _page in range(MAX_PAGES):
            if url is None:
                break
            response = self._get(url, query)
            items = _list(response, Problem(_("conversations")))
            changed = False
            for index, item in enumerate(items):
                conversation_id = ""
                try:
                    conversation_id = _text(item, "id", Problem(_("the conversation")))
                    last = item.get("last_status")
                    if last is None:
                        continue
                    status_id = _text(last, "id", Problem(_("its last status")))
                    if state.get(conversation_id) == status_id:
                        continue
                    changed = True
                    state[conversation_id] = status_id
                    event = self.status_event(last, EventKind.DIRECT_MESSAGE)
                except Malformed as exc:
                    where = conversation_id or Problem(_("#%(number)s of a page"), number=index + 1)
                    collected.errors.append(
                        Problem(_("conversation %(where)s: %(problem)s"), where=where, problem=exc)
                    )
                    continue
                # `accounts` lists the other participants: a last status by none of them is
                # ours, already known to Liant.
                others = {
                    str(a.get("id")) for a in item.get("accounts") or [] if isinstance(a, dict)
                }
                author_id = event.author.remote_id if event.author else ""
                if author_id not in others or author_id == self.settings.account_id:
                    continue
                event.thread_remote_id = conversation_id
                collected.add(event)
            if not changed:
                break  # conversations come most recent first: the rest are unchanged too
            url, query = self._next(response, "next"), None
        newest_first = sorted(state.items(), key=lambda kv: _id_key(kv[1]), reverse=True)
        return dict(newest_first[:REMEMBERED_CONVERSATIONS])

    def status_event(self, status: Any, kind: EventKind) -> Event:
        status_id = _text(status, "id", Problem(_("the status")))
        author = account_author(_mapping(status, "account", Problem(_("the status"))))
        occurred = parse_date(_text(status, "created_at", Problem(_("the status"))))
        content = status.get("content") or ""
        if not isinstance(content, str):
            raise Malformed(_("the status content is not text"))
        return Event(
            kind=kind,
            remote_id=status_id,
            author=author,
            occurred_at=occurred,
            text=html_to_text(content),
            html=content,
            url=str(status.get("url") or status.get("uri") or ""),
            parent_remote_id=str(status.get("in_reply_to_id") or ""),
            language=str(status.get("language") or "")[:16],
            raw=status_raw(status),
        )

    # --- listening -------------------------------------------------------------------------

    def search(self, query: str, newer_than: str = "") -> list[Event]:
        """Statuses the server's full-text search finds (only what it has indexed)."""
        params = {"q": query, "type": "statuses", "resolve": "false", "limit": str(LISTENING_LIMIT)}
        if newer_than:
            params["min_id"] = newer_than
        body = _object(self._get(self._url("/api/v2/search"), params), Problem(_("search results")))
        statuses = body.get("statuses")
        if not isinstance(statuses, list):
            raise ConnectorError(_("Mastodon's search results have no list of statuses."))
        return self._events(statuses)

    def hashtag(self, tag: str, newer_than: str = "") -> list[Event]:
        """Public statuses with this hashtag (the server's view of the fediverse)."""
        name = tag.strip().lstrip("#")
        if not name:
            raise ConnectorError(_("Give a hashtag to follow."))
        params = {"limit": str(LISTENING_LIMIT)}
        if newer_than:
            params["min_id"] = newer_than
        response = self._get(
            self._url(f"/api/v1/timelines/tag/{quote(name, safe='')}"), params, (404,)
        )
        if response.status_code == 404:
            return []  # documented: the hashtag has never been used on this server
        return self._events(_list(response, Problem(_("statuses"))))

    def _events(self, statuses: list[Any]) -> list[Event]:
        events = []
        for status in statuses:
            try:
                events.append(self.status_event(status, EventKind.POST))
            except Malformed:
                continue  # listening is a sample: one unreadable status is left out
        return events

    # --- metrics and moderation ------------------------------------------------------------

    def metrics(self, remote_ids: list[str]) -> list[Metrics]:
        found = []
        for remote_id in remote_ids:
            response = self._get(
                self._url(f"/api/v1/statuses/{quote(str(remote_id), safe='')}"), None, (404, 410)
            )
            if response.status_code in (404, 410):
                continue  # deleted (or no longer visible to us)
            status = _object(response, Problem(_("a status")))
            values = {
                "favourites": _int(status.get("favourites_count")),
                "reblogs": _int(status.get("reblogs_count")),
                "replies": _int(status.get("replies_count")),
            }
            values |= poll_counts(status.get("poll"))
            found.append(Metrics(remote_id=str(remote_id), values=values))
        return found

    def audience(self) -> Audience:
        """The account's own counters (Account entity: followers_count, following_count,
        statuses_count); an account that hides its network still shows them to itself."""
        account = self.verify_credentials()
        extra = {}
        if (posts := optional_count(account.get("statuses_count"))) is not None:
            extra["posts"] = posts
        return Audience(
            followers=audience_count(self.label, account.get("followers_count"), "followers_count"),
            following=optional_count(account.get("following_count")),
            extra=extra,
        )

    def moderate(self, remote_id: str, action: ModerationAction) -> None:
        """DELETE takes a status id and works on the account's own statuses only (the API
        answers 404 for anyone else's). BLOCK and MUTE take the author's account id."""
        action = ModerationAction(action)
        target = quote(str(remote_id), safe="")
        if action is ModerationAction.DELETE:
            response = self.http.request(
                "DELETE",
                self._url(f"/api/v1/statuses/{target}"),
                headers=self._auth(),
                ok_statuses=(404,),
            )
            if response.status_code == 404:
                raise ConnectorError(
                    _(
                        "Mastodon has no status %(id)s of this account to delete: it is "
                        "already deleted, or it is someone else's (Mastodon deletes only the "
                        "account's own statuses; block or mute its author instead)."
                    ),
                    status=404,
                    id=remote_id,
                )
            return
        if action in (
            ModerationAction.BLOCK,
            ModerationAction.MUTE,
            ModerationAction.UNBLOCK,
            ModerationAction.UNMUTE,
        ):
            # Blocking or muting twice (and lifting twice) is documented as harmless: safe
            # to retry. All four take the author's account id and answer the relationship.
            self.http.post(
                self._url(f"/api/v1/accounts/{target}/{action.value}"),
                headers=self._auth(),
                idempotent=True,
            )
            return
        raise ConnectorError(
            _(
                "Mastodon's API does not allow it: an account cannot %(action)s others' "
                "statuses. Block or mute the author, or report it to its server."
            ),
            action=action.value,
        )


# --- the connect flow: instance URL → app registration → OAuth ------------------------------


def rules_for(limits: InstanceLimits) -> Rules:
    """The class's rules with what this server declared in place of the defaults."""
    base = MastodonConnector.rules
    url_length = limits.characters_reserved_per_url
    types = frozenset(limits.supported_mime_types or ()) & (IMAGE_TYPES | VIDEO_TYPES)
    return replace(
        base,
        max_length=limits.max_characters or base.max_length,
        count=functools.partial(count_mastodon, url_length=url_length)
        if url_length and url_length != 23
        else base.count,
        max_media=limits.max_media_attachments or base.max_media,
        media_types=types or base.media_types,
        max_image_bytes=limits.image_size_limit or base.max_image_bytes,
        max_video_bytes=limits.video_size_limit or base.max_video_bytes,
        max_alt_text=limits.description_limit or base.max_alt_text,
    )


def read_instance_limits(http: HttpClient, instance_url: str) -> InstanceLimits:
    """The server's own limits, from GET /api/v2/instance (Mastodon 4.0+), else the
    `configuration` of /api/v1/instance (3.4+). A server that says nothing keeps the
    documented defaults: the limits only refine validation, they never block connecting."""
    base = normalise_instance_url(instance_url)
    for path in ("/api/v2/instance", "/api/v1/instance"):
        try:
            response = http.get(base + path, ok_statuses=(404, 410))
        except ConnectorError:
            continue
        if response.status_code != 200:
            continue
        try:
            data = response.json()
            config = data.get("configuration") or {}
            statuses = config.get("statuses") or {}
            media = config.get("media_attachments") or {}
            polls = config.get("polls") or {}
            return InstanceLimits(
                # Glitch and some forks announce a larger limit at the top level.
                max_characters=statuses.get("max_characters") or data.get("max_toot_chars"),
                characters_reserved_per_url=statuses.get("characters_reserved_per_url"),
                max_media_attachments=statuses.get("max_media_attachments"),
                supported_mime_types=media.get("supported_mime_types"),
                image_size_limit=media.get("image_size_limit"),
                video_size_limit=media.get("video_size_limit"),
                description_limit=media.get("description_limit"),
                poll_max_options=polls.get("max_options"),
                poll_max_characters_per_option=polls.get("max_characters_per_option"),
                poll_min_expiration=polls.get("min_expiration"),
                poll_max_expiration=polls.get("max_expiration"),
            )
        except (ValueError, AttributeError, ValidationError):
            continue  # not the documented shape: the defaults stay
    return InstanceLimits()


def register_app(
    http: HttpClient, instance_url: str, redirect_uri: str, website: str = ""
) -> dict[str, str]:
    """Register Liant as an application on the server; returns client_id and client_secret."""
    form = {"client_name": CLIENT_NAME, "redirect_uris": redirect_uri, "scopes": SCOPES}
    if website:
        form["website"] = website
    response = http.post(
        normalise_instance_url(instance_url) + "/api/v1/apps",
        data=form,
        idempotent=True,  # a second registration only leaves an unused application
    )
    app = _object(response, Problem(_("an application")))
    if not app.get("client_id") or not app.get("client_secret"):
        raise ConnectorError(_("The server registered Liant but sent back no client credentials."))
    return {"client_id": str(app["client_id"]), "client_secret": str(app["client_secret"])}


def authorize_url(instance_url: str, client_id: str, redirect_uri: str, state: str) -> str:
    """Where the person signs in on their server and lets Liant act for the account."""
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": SCOPES,
            "state": state,
        }
    )
    return f"{normalise_instance_url(instance_url)}/oauth/authorize?{query}"


def exchange_code(
    http: HttpClient,
    instance_url: str,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
) -> str:
    """Trade the authorization code for the account's access token."""
    response = http.post(
        normalise_instance_url(instance_url) + "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": client_id,
            "client_secret": client_secret,
            "redirect_uri": redirect_uri,
            "scope": SCOPES,
        },
    )
    token = _object(response, Problem(_("a token"))).get("access_token")
    if not token:
        raise ConnectorError(_("The server answered without an access token."))
    return str(token)


# --- reading Mastodon's JSON ----------------------------------------------------------------


class _Collected:
    """Events of one fetch, each once: a direct message comes both as a mention and in its
    conversation."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.errors: list[Problem] = []
        self._index: dict[tuple[str, str], Event] = {}

    def add(self, event: Event) -> None:
        key = (str(event.kind), event.remote_id)
        known = self._index.get(key)
        if known is None:
            self._index[key] = event
            self.events.append(event)
        elif event.thread_remote_id and not known.thread_remote_id:
            known.thread_remote_id = event.thread_remote_id


# `what` names the expected thing ("a status"), translated with the message that says it.


def _json(response: httpx.Response, what: Problem) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise ConnectorError(
            _(
                "Mastodon answered %(path)s with something that is not JSON "
                "where %(what)s was expected."
            ),
            path=response.request.url.path,
            what=what,
        ) from exc


def _object(response: httpx.Response, what: Problem) -> dict[str, Any]:
    body = _json(response, what)
    if not isinstance(body, dict):
        raise ConnectorError(
            _("Mastodon answered %(path)s with a JSON %(type)s where %(what)s was expected."),
            path=response.request.url.path,
            type=type(body).__name__,
            what=what,
        )
    return body


def _list(response: httpx.Response, what: Problem) -> list[Any]:
    expected = Problem(_("a list of %(what)s"), what=what)
    body = _json(response, expected)
    if not isinstance(body, list):
        raise ConnectorError(
            _("Mastodon answered %(path)s with a JSON %(type)s where %(what)s was expected."),
            path=response.request.url.path,
            type=type(body).__name__,
            what=expected,
        )
    return body


def _mapping(item: Any, key: str, what: Problem) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise Malformed(_("%(what)s is not an object"), what=what)
    value = item.get(key)
    if not isinstance(value, dict):
        raise Malformed(_("%(what)s has no %(key)s"), what=what, key=key)
    return value


def _text(item: Any, key: str, what: Problem) -> str:
    if not isinstance(item, dict):
        raise Malformed(_("%(what)s is not an object"), what=what)
    value = item.get(key)
    if value is None or value == "" or isinstance(value, dict | list):
        raise Malformed(_("%(what)s has no %(key)s"), what=what, key=key)
    return str(value)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def parse_date(value: str) -> datetime:
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise Malformed(_("unreadable date %(value)r"), value=value) from exc
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def account_author(account: Mapping[str, Any]) -> Author:
    return Author(
        remote_id=_text(account, "id", Problem(_("the account"))),
        handle=_text(account, "acct", Problem(_("the account"))),
        name=str(account.get("display_name") or account.get("username") or ""),
        url=str(account.get("url") or ""),
        avatar_url=str(account.get("avatar") or ""),
        followers=account["followers_count"]
        if isinstance(account.get("followers_count"), int)
        else None,
    )


def status_raw(status: Mapping[str, Any]) -> dict[str, Any]:
    """What modules may need later, small and JSON-safe."""
    media = [
        {k: m.get(k) for k in ("id", "type", "url", "preview_url", "description")}
        for m in status.get("media_attachments") or []
        if isinstance(m, dict)
    ]
    return {
        "id": status.get("id"),
        "uri": status.get("uri"),
        "visibility": status.get("visibility"),
        "spoiler_text": status.get("spoiler_text") or "",
        "sensitive": bool(status.get("sensitive")),
        "in_reply_to_account_id": status.get("in_reply_to_account_id"),
        "media": media,
        "tags": [t.get("name") for t in status.get("tags") or [] if isinstance(t, dict)],
        "mentions": [m.get("acct") for m in status.get("mentions") or [] if isinstance(m, dict)],
        "has_poll": bool(status.get("poll")),
    }


def poll_counts(poll: Any) -> dict[str, int]:
    """A status's poll as metric values. An option's count is null while the author chose
    to hide totals until the end: it is left out rather than read as zero votes."""
    if not isinstance(poll, Mapping):
        return {}
    counts = {"poll_votes": _int(poll.get("votes_count"))}
    for index, option in enumerate(poll.get("options") or []):
        if isinstance(option, Mapping) and isinstance(option.get("votes_count"), int):
            counts[f"poll_option_{index}"] = option["votes_count"]
    return counts


def poll_fields(poll: Mapping[str, Any], limits: InstanceLimits | None = None) -> dict[str, Any]:
    """Draft.extras["poll"] = {"options": [...], "expires_in": seconds, "multiple": bool,
    "hide_totals": bool} → the form fields of POST /api/v1/statuses, checked against the
    server's poll limits so a refusal is explained before anything is sent."""
    limits = limits or InstanceLimits()
    options = [str(o).strip() for o in poll.get("options") or [] if str(o).strip()]
    if len(options) < 2:
        raise ConnectorError(_("A Mastodon poll needs at least two choices."))
    most = limits.poll_max_options or 4
    if len(options) > most:
        raise ConnectorError(
            _("This Mastodon server allows at most %(count)s choices in a poll."), count=most
        )
    longest = limits.poll_max_characters_per_option or 50
    for option in options:
        if len(option) > longest:
            raise ConnectorError(
                _(
                    "The poll choice %(choice)r is longer than the %(count)s characters "
                    "this Mastodon server allows."
                ),
                choice=option[:30],
                count=longest,
            )
    try:
        expires_in = int(poll.get("expires_in", 86_400))
    except (TypeError, ValueError) as exc:
        raise ConnectorError(_("The poll's duration must be a number of seconds.")) from exc
    shortest, longest_time = limits.poll_min_expiration or 300, limits.poll_max_expiration
    if expires_in < shortest or (longest_time and expires_in > longest_time):
        raise ConnectorError(
            _("This Mastodon server accepts a poll lasting %(minutes)s minutes to %(days)s days."),
            minutes=shortest // 60,
            days=(longest_time or 2_629_746) // 86_400,
        )
    fields: dict[str, Any] = {"poll[options][]": options, "poll[expires_in]": str(expires_in)}
    if poll.get("multiple"):
        fields["poll[multiple]"] = "true"
    if poll.get("hide_totals"):
        fields["poll[hide_totals]"] = "true"
    return fields


def _with_mention(text: str, handle: str) -> str:
    """Mastodon addresses a reply or a direct message by mentioning the person in the text."""
    handle = handle.strip().lstrip("@")
    if not handle:
        return text
    mention = f"@{handle}"
    if re.search(rf"(?<![\w@]){re.escape(mention)}(?![\w@.-])", text, re.IGNORECASE):
        return text
    return f"{mention} {text}"


def _narrowest(*visibilities: str) -> str:
    known = [v for v in visibilities if v in VISIBILITIES]
    return max(known, key=VISIBILITIES.index) if known else "public"


def _id_key(value: str) -> tuple[int, str]:
    # Mastodon's documented way to compare ids: longer is newer, then lexical order.
    return (len(value), value)


def _newer(a: str, b: str) -> bool:
    return _id_key(a) > _id_key(b)


def _newest(a: str, b: str) -> str:
    if not a:
        return b
    return b if _newer(b, a) else a


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


class _PlainText(HTMLParser):
    """Mastodon's HTML (p, br, a, span, lists, quotes) → text, paragraphs kept apart. The
    'invisible' spans of a shortened link are kept, so the full URL appears."""

    BLOCKS = {"p", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    if not html:
        return ""
    parser = _PlainText()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
