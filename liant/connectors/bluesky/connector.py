"""Bluesky (AT Protocol) over XRPC: every call through http.py, no SDK.

Posts are records in the account's repository; a retried publish reuses the same record key
(derived from the draft's idempotency key), so a post is never created twice.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
from django.utils.translation import gettext_noop as _
from pydantic import field_validator

from liant.connectors.base import (
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
    audience_count,
    count_graphemes,
    optional_count,
)

POST = "app.bsky.feed.post"
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
EXPIRED = {"ExpiredToken", "InvalidToken"}
MAX_PAGES = 10
LINK_RE = re.compile(r"https?://[^\s<>\"'()]+[^\s<>\"'().,;:!?]")
MENTION_RE = re.compile(r"(?<![\w@])@([a-zA-Z0-9][a-zA-Z0-9.-]*\.[a-zA-Z]{2,})")
TAG_RE = re.compile(r"(?<![\w#])#([^\s#.,;:!?()\[\]]{1,64})")
REASONS = {
    "mention": EventKind.MENTION,
    "reply": EventKind.COMMENT,
    "quote": EventKind.MENTION,
    "like": EventKind.REACTION,
    "repost": EventKind.REACTION,
    "follow": EventKind.FOLLOW,
}


class BlueskySettings(ConnectorSettings):
    service: str = "https://bsky.social"  # the account's PDS (or an entryway)
    handle: str = ""
    did: str = ""

    @field_validator("service")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.rstrip("/")


def tid_from(key: str) -> str:
    """A valid record key (TID syntax) that is always the same for the same key."""
    number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") & ((1 << 63) - 1)
    return "".join(TID_ALPHABET[(number >> (5 * i)) & 31] for i in range(12, -1, -1))


def facets(text: str, resolve: Any = None) -> list[dict[str, Any]]:
    """Links, mentions and hashtags as rich-text facets (offsets in UTF-8 bytes)."""

    def span(match: re.Match[str]) -> dict[str, int]:
        start = len(text[: match.start()].encode())
        return {"byteStart": start, "byteEnd": start + len(match.group(0).encode())}

    found: list[dict[str, Any]] = []
    for m in LINK_RE.finditer(text):
        found.append(
            {
                "index": span(m),
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": m.group(0)}],
            }
        )
    for m in MENTION_RE.finditer(text):
        did = resolve(m.group(1)) if resolve else None
        if did:  # an unknown handle stays plain text, as in the Bluesky app
            found.append(
                {
                    "index": span(m),
                    "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}],
                }
            )
    for m in TAG_RE.finditer(text):
        found.append(
            {
                "index": span(m),
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": m.group(1)}],
            }
        )
    return sorted(found, key=lambda f: f["index"]["byteStart"])


class BlueskyConnector(Connector):
    kind = "bluesky"
    label = "Bluesky"
    moderation_actions = frozenset(
        {ModerationAction.DELETE, ModerationAction.MUTE, ModerationAction.BLOCK}
    )
    connection = _("Handle and app password")
    capabilities = frozenset(
        {
            Capability.PUBLISH,
            Capability.REPLY,
            Capability.FETCH,
            Capability.METRICS,
            Capability.MODERATE,
            Capability.SEARCH,
            Capability.AUDIENCE,
        }
    )
    rules = Rules(
        max_length=300,
        count=count_graphemes,
        count_label="graphemes",
        max_media=4,
        media_types=frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"}),
        max_image_bytes=1_000_000,  # the blob limit of app.bsky.embed.images
        max_alt_text=2000,
        # The official app sends images of 2000 px at most on their longest side.
        image_max_side=2000,
        links="card",
        threads=True,
    )
    # The record key is derived from the idempotency key: the same post for as long as it
    # exists, whenever the retry comes.
    publish_idempotency_window = math.inf
    settings_model = BlueskySettings
    fetch_interval = 120
    limitations = _(
        "Direct messages are not available to apps yet; posts of others can be muted or their "
        "authors blocked, not deleted."
    )

    settings: BlueskySettings

    # --- plumbing --------------------------------------------------------------------------

    def _xrpc(
        self,
        method: str,
        nsid: str,
        *,
        params: Any = None,
        body: Any = None,
        content: bytes | None = None,
        content_type: str = "",
        idempotent: bool | None = None,
        retry_auth: bool = True,
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.credentials.get('accessJwt', '')}"}
        if content_type:
            headers["Content-Type"] = content_type
        response = self.http.request(
            method,
            f"{self.settings.service}/xrpc/{nsid}",
            params=params,
            json=body,
            content=content,
            headers=headers,
            idempotent=idempotent,
            ok_statuses=(400,),
        )
        data = _json(response)
        if response.status_code == 400:
            error = str(data.get("error", ""))
            if error in EXPIRED:
                if retry_auth and self._refresh():
                    return self._xrpc(
                        method,
                        nsid,
                        params=params,
                        body=body,
                        content=content,
                        content_type=content_type,
                        idempotent=idempotent,
                        retry_auth=False,
                    )
                raise ConnectorError(
                    _("Bluesky: %(detail)s"),
                    ErrorKind.AUTH_EXPIRED,
                    status=400,
                    detail=str(data.get("message") or error),
                )
            raise ConnectorError(
                _("Bluesky refused the request: %(detail)s"),
                status=400,
                detail=str(data.get("message") or error),
            )
        return data

    def _refresh(self) -> bool:
        """Sessions last about two hours; the refresh token gets a new one without the password."""
        refresh = self.credentials.get("refreshJwt")
        if not refresh:
            return False
        response = self.http.post(
            f"{self.settings.service}/xrpc/com.atproto.server.refreshSession",
            headers={"Authorization": f"Bearer {refresh}"},
            ok_statuses=(400,),
        )
        if response.status_code == 400:
            return False
        data = _json(response)
        self.credentials.update({"accessJwt": data["accessJwt"], "refreshJwt": data["refreshJwt"]})
        self.refreshed = True
        return True

    refreshed = False

    def refresh_credentials(self) -> dict[str, Any] | None:
        return dict(self.credentials) if self._refresh() else None

    def _did(self) -> str:
        return self.settings.did or str(self.credentials.get("did", ""))

    # --- connection ------------------------------------------------------------------------

    def check_connection(self) -> str:
        data = self._xrpc("GET", "com.atproto.server.getSession")
        return f"@{data['handle']}"

    # --- writing ---------------------------------------------------------------------------

    def _resolve(self, handle: str) -> str | None:
        try:
            return str(
                self._xrpc("GET", "com.atproto.identity.resolveHandle", params={"handle": handle})[
                    "did"
                ]
            )
        except ConnectorError:
            return None

    def _record(self, draft: Draft, reply: dict[str, Any] | None = None) -> dict[str, Any]:
        record: dict[str, Any] = {
            "$type": POST,
            "text": draft.text,
            "createdAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        }
        found = facets(draft.text, self._resolve)
        if found:
            record["facets"] = found
        if draft.extras.get("language"):
            record["langs"] = [draft.extras["language"]]
        if draft.media:
            images = []
            for media in draft.media:
                blob = self._xrpc(
                    "POST",
                    "com.atproto.repo.uploadBlob",
                    content=media.data,
                    content_type=media.content_type,
                    idempotent=True,
                )["blob"]
                images.append({"alt": media.alt_text, "image": blob})
            record["embed"] = {"$type": "app.bsky.embed.images", "images": images}
        if reply:
            record["reply"] = reply
        return record

    def _create(self, record: dict[str, Any], key: str) -> RemotePost:
        body: dict[str, Any] = {"repo": self._did(), "collection": POST, "record": record}
        if key:
            body["rkey"] = tid_from(key)
        try:
            data = self._xrpc(
                "POST", "com.atproto.repo.createRecord", body=body, idempotent=bool(key)
            )
        except ConnectorError as exc:
            # The reference PDS answers 500 when the record key is taken (an earlier try went
            # through), so any refusal of a keyed write is checked against the repository.
            existing = self._existing(body["rkey"]) if key and exc.status else None
            if existing is None:
                raise
            data = existing  # that earlier post, not a new one
        return RemotePost(
            remote_id=str(data["uri"]),
            url=web_url(str(data["uri"]), self.settings.handle),
            published_at=datetime.now(UTC),
            raw={"uri": data["uri"], "cid": data["cid"]},
        )

    def _existing(self, rkey: str) -> dict[str, Any] | None:
        try:
            return self._xrpc(
                "GET",
                "com.atproto.repo.getRecord",
                params={"repo": self._did(), "collection": POST, "rkey": rkey},
            )
        except ConnectorError:
            return None

    def publish(self, draft: Draft) -> RemotePost:
        reply = None
        if draft.reply_to:
            reply = self._reply_ref(draft.reply_to)
        return self._create(self._record(draft, reply), draft.idempotency_key)

    def _reply_ref(self, uri: str, root: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The strong refs (uri + cid) a reply needs, and the thread's root."""
        post = self._own_post(uri)
        if post is None:
            posts = (
                self._xrpc("GET", "app.bsky.feed.getPosts", params={"uris": [uri]}).get("posts")
                or []
            )
            if not posts:
                raise ConnectorError(_("The post to answer no longer exists on Bluesky."))
            post = {"uri": posts[0]["uri"], "cid": posts[0]["cid"], "value": posts[0]["record"]}
        parent = {"uri": post["uri"], "cid": post["cid"]}
        parent_reply = (post.get("value") or {}).get("reply") or {}
        return {"root": dict(root or parent_reply.get("root") or parent), "parent": parent}

    def _own_post(self, uri: str) -> dict[str, Any] | None:
        """Our own posts (a thread being published) are read from our PDS, which every PDS
        serves; other people's posts need the AppView's getPosts."""
        repo, collection, rkey = split_uri(uri)
        if repo != self._did():
            return None
        try:
            return self._xrpc(
                "GET",
                "com.atproto.repo.getRecord",
                params={"repo": repo, "collection": collection, "rkey": rkey},
            )
        except ConnectorError as exc:
            if exc.status == 400:
                raise ConnectorError(_("The post to answer no longer exists on Bluesky.")) from exc
            raise

    def reply(self, parent: Event, draft: Draft) -> RemotePost:
        root = (parent.raw.get("record") or {}).get("reply", {}).get("root") if parent.raw else None
        if parent.raw.get("uri") and parent.raw.get("cid"):
            ref = {"uri": parent.raw["uri"], "cid": parent.raw["cid"]}
            reply = {"root": dict(root or ref), "parent": ref}
        else:
            reply = self._reply_ref(parent.remote_id)
        return self._create(self._record(draft, reply), draft.idempotency_key)

    # --- reading ---------------------------------------------------------------------------

    def fetch(self, since: Mapping[str, Any]) -> FetchResult:
        """Notifications come newest first: read pages until the newest one already seen."""
        seen_until = str(since.get("indexed_at", ""))
        events: list[Event] = []
        errors: list[Problem] = []
        newest = seen_until
        cursor = None
        for _page in range(MAX_PAGES):
            params: dict[str, Any] = {"limit": 50}
            if cursor:
                params["cursor"] = cursor
            data = self._xrpc("GET", "app.bsky.notification.listNotifications", params=params)
            items = data.get("notifications")
            if not isinstance(items, list):
                raise ConnectorError(_("Bluesky's notification list cannot be read (no list)."))
            reached_old = False
            for item in items:
                indexed = str(item.get("indexedAt", "")) if isinstance(item, dict) else ""
                if seen_until and indexed and indexed <= seen_until:
                    reached_old = True
                    continue
                try:
                    events.append(notification_event(item))
                except (ConnectorError, KeyError, TypeError, ValueError) as exc:
                    where = item.get("uri", "?") if isinstance(item, dict) else "?"
                    # Our own words are translated; Python's (a missing key) are kept.
                    problem = exc if isinstance(exc, ConnectorError) else str(exc)
                    errors.append(
                        Problem(
                            _("notification %(where)s: %(problem)s"), where=where, problem=problem
                        )
                    )
                    continue
                newest = max(newest, indexed)
            cursor = data.get("cursor")
            if reached_old or not cursor or not seen_until:
                break  # the first fetch reads one page: the account's recent past, not its history
        return FetchResult(events, {"indexed_at": newest}, errors)

    def search(self, query: str, limit: int = 50) -> list[Event]:
        data = self._xrpc(
            "GET",
            "app.bsky.feed.searchPosts",
            params={"q": query, "limit": limit, "sort": "latest"},
        )
        return [
            post_event(p, EventKind.POST)
            for p in data.get("posts") or []
            if isinstance(p, dict) and "uri" in p
        ]

    def metrics(self, remote_ids: list[str]) -> list[Metrics]:
        result = []
        for start in range(0, len(remote_ids), 25):  # getPosts takes 25 at a time
            data = self._xrpc(
                "GET", "app.bsky.feed.getPosts", params={"uris": remote_ids[start : start + 25]}
            )
            for post in data.get("posts") or []:
                result.append(
                    Metrics(
                        remote_id=str(post["uri"]),
                        values={
                            "likes": int(post.get("likeCount", 0)),
                            "reposts": int(post.get("repostCount", 0)),
                            "replies": int(post.get("replyCount", 0)),
                            "quotes": int(post.get("quoteCount", 0)),
                        },
                    )
                )
        return result

    def audience(self) -> Audience:
        """app.bsky.actor.getProfile (profileViewDetailed: followersCount, followsCount,
        postsCount) for the account's own DID."""
        data = self._xrpc("GET", "app.bsky.actor.getProfile", params={"actor": self._did()})
        extra = {}
        if (posts := optional_count(data.get("postsCount"))) is not None:
            extra["posts"] = posts
        return Audience(
            followers=audience_count(self.label, data.get("followersCount"), "followersCount"),
            following=optional_count(data.get("followsCount")),
            extra=extra,
        )

    def moderate(self, remote_id: str, action: ModerationAction) -> None:
        repo, collection, rkey = split_uri(remote_id)
        if action is ModerationAction.DELETE:
            if repo != self._did():
                raise ConnectorError(
                    _(
                        "Bluesky lets an account delete only its own posts; "
                        "mute or block the author."
                    )
                )
            self._xrpc(
                "POST",
                "com.atproto.repo.deleteRecord",
                body={"repo": repo, "collection": collection, "rkey": rkey},
                idempotent=True,
            )
        elif action is ModerationAction.MUTE:
            self._xrpc("POST", "app.bsky.graph.muteActor", body={"actor": repo}, idempotent=True)
        elif action is ModerationAction.BLOCK:
            self._xrpc(
                "POST",
                "com.atproto.repo.createRecord",
                body={
                    "repo": self._did(),
                    "collection": "app.bsky.graph.block",
                    "record": {
                        "$type": "app.bsky.graph.block",
                        "subject": repo,
                        "createdAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                    },
                },
            )
        else:
            raise ConnectorError(
                _("Bluesky has no '%(action)s' for a post; use delete (own posts), mute or block."),
                action=str(action),
            )


def create_session(http: Any, service: str, identifier: str, app_password: str) -> dict[str, str]:
    """Sign in with an app password; returns the session (tokens, did, handle)."""
    response = http.post(
        f"{service.rstrip('/')}/xrpc/com.atproto.server.createSession",
        json={"identifier": identifier, "password": app_password},
        ok_statuses=(400,),
    )
    data = _json(response)
    if response.status_code in (400, 401) or "accessJwt" not in data:
        reason = data.get("message") or data.get("error")
        raise ConnectorError(
            _("Bluesky refused this handle and app password: %(detail)s"),
            ErrorKind.AUTH_EXPIRED,
            detail=str(reason),
        )
    return {k: str(data[k]) for k in ("accessJwt", "refreshJwt", "did", "handle")}


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError as exc:
        raise ConnectorError(
            _("Bluesky answered something that is not JSON (%(code)s)."),
            code=response.status_code,
        ) from exc
    if not isinstance(data, dict):
        raise ConnectorError(_("Bluesky answered JSON that is not an object."))
    return data


def split_uri(uri: str) -> tuple[str, str, str]:
    match = re.fullmatch(r"at://([^/]+)/([^/]+)/([^/]+)", uri)
    if not match:
        raise ConnectorError(_("%(uri)r is not an AT URI (at://did/collection/rkey)."), uri=uri)
    return match.group(1), match.group(2), match.group(3)


def web_url(uri: str, handle: str = "") -> str:
    try:
        repo, collection, rkey = split_uri(uri)
    except ConnectorError:
        return ""
    if collection != POST:
        return ""
    return f"https://bsky.app/profile/{handle or repo}/post/{rkey}"


def _author(actor: Mapping[str, Any]) -> Author:
    return Author(
        remote_id=str(actor["did"]),
        handle=str(actor.get("handle", "")),
        name=str(actor.get("displayName") or actor.get("handle", "")),
        url=f"https://bsky.app/profile/{actor.get('handle') or actor['did']}",
        avatar_url=str(actor.get("avatar", "")),
    )


def _when(value: str) -> datetime:
    when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def notification_event(item: Mapping[str, Any]) -> Event:
    reason = str(item["reason"])
    kind = REASONS.get(reason)
    if kind is None:
        raise ConnectorError(_("unknown reason %(reason)r"), reason=reason)
    record = item.get("record") or {}
    reply = record.get("reply") or {}
    text = str(record.get("text", "")) if kind in (EventKind.MENTION, EventKind.COMMENT) else ""
    return Event(
        kind=kind,
        remote_id=str(item["uri"]),
        author=_author(item["author"]),
        occurred_at=_when(str(record.get("createdAt") or item["indexedAt"])),
        text=text,
        url=web_url(str(item["uri"]), str(item["author"].get("handle", ""))),
        parent_remote_id=str(
            (reply.get("parent") or {}).get("uri") or item.get("reasonSubject") or ""
        ),
        thread_remote_id=str((reply.get("root") or {}).get("uri", "")),
        language=str((record.get("langs") or [""])[0]),
        raw={"uri": item["uri"], "cid": item.get("cid", ""), "reason": reason, "record": record},
    )


def post_event(post: Mapping[str, Any], kind: EventKind) -> Event:
    record = post.get("record") or {}
    reply = record.get("reply") or {}
    return Event(
        kind=kind,
        remote_id=str(post["uri"]),
        author=_author(post["author"]),
        occurred_at=_when(str(record.get("createdAt") or post["indexedAt"])),
        text=str(record.get("text", "")),
        url=web_url(str(post["uri"]), str(post["author"].get("handle", ""))),
        parent_remote_id=str((reply.get("parent") or {}).get("uri", "")),
        thread_remote_id=str((reply.get("root") or {}).get("uri", "")),
        language=str((record.get("langs") or [""])[0]),
        raw={
            "uri": post["uri"],
            "cid": post.get("cid", ""),
            "record": record,
            "likeCount": post.get("likeCount", 0),
            "repostCount": post.get("repostCount", 0),
        },
    )
