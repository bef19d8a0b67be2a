"""X (formerly Twitter): one account, through the X API v2 (https://docs.x.com/x-api).

Signs in with OAuth 2.0 Authorization Code with PKCE through the shared flow; the access
token lives two hours and the refresh token rotates (each refresh answers a new one, which
is the one kept). Publishes posts with images (the v2 media upload, `media.write` scope) or
a video (the chunked upload, resumed after a retry rather than sent twice: video.py);
a thread is published by the publisher one part at a time, each part answering the previous
one (`Draft.reply_to`), and the publisher keeps the ids already out, so a thread interrupted
half-way resumes after its last posted part. Reads mentions and the replies in the account's
recent conversations (recent search); hides replies, deletes its own posts, mutes authors;
reads public metrics.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote

import httpx
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
from liant.connectors.oauth import OAuthConfig, refresh
from liant.connectors.progress import Progress
from liant.connectors.x.text import MAX_WEIGHTED_LENGTH, count_x
from liant.connectors.x.video import upload_video

API = "https://api.x.com/2"
WEB = "https://x.com"
HANDLED = (400, 401, 403, 404, 429)
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime"})  # "MP4 or MOV"
PAGE = 100  # mentions and search: max_results up to 100
MAX_PAGES = 3  # per stream and fetch; the since_id cursor takes the rest next time
OWN_POSTS = 20  # our latest posts, whose conversations are searched for replies
SEARCH_QUERY_MAX = 512  # recent search query length on the self-serve tiers
SEARCH_WINDOW = timedelta(days=7)  # recent search covers the last seven days
TWEET_FIELDS = "conversation_id,created_at,lang,in_reply_to_user_id,referenced_tweets,author_id"
USER_FIELDS = "username,name,profile_image_url,public_metrics"


class XSettings(ConnectorSettings):
    account_id: str  # the account's user id
    username: str = ""
    # Replies deeper in a conversation do not mention the account: they are found with the
    # recent search, which the Free tier does not include.
    search_replies: bool = True


def x_error(http: HttpClient, response: httpx.Response) -> ConnectorError:
    """X's answers: 429 with x-rate-limit-reset (epoch seconds); 401 for a token that
    expired or was revoked; 403/400 with a problem JSON (type, title, detail, reason)."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    words = _problem_words(body) or response.reason_phrase
    if status == 429:
        # X's windows are per endpoint (15 minutes): the channel is not held as a whole
        # (a spent mentions window must not stop publishing), the caller waits `retry_after`.
        wait = _reset_wait(response.headers.get("x-rate-limit-reset"), http.clock()) or 900.0
        return ConnectorError(
            _("X's rate limit: retry in %(seconds)s s. %(detail)s"),
            ErrorKind.RATE_LIMITED,
            retry_after=wait,
            status=status,
            seconds=int(wait) + 1,
            detail=words,
        )
    if status == 401:
        return ConnectorError(
            _("X refused the sign-in (%(detail)s)."),
            ErrorKind.AUTH_EXPIRED,
            status=status,
            detail=words,
        )
    return ConnectorError(
        _("X refused the request (%(code)s): %(detail)s"), status=status, code=status, detail=words
    )


def _problem_words(body: Mapping[str, Any]) -> str:
    """The problem's own words: title, detail and, for a tier or enrolment refusal, reason."""
    errors = body.get("errors")
    if not body.get("title") and isinstance(errors, list) and errors:
        body = errors[0] if isinstance(errors[0], dict) else {}
    parts = [str(body.get(k) or "") for k in ("title", "detail")]
    words = ": ".join(p for p in parts if p) or str(body.get("message") or "")
    if body.get("reason"):
        words += f" ({body['reason']})"
    return words[:400]


def _reset_wait(value: str | None, now: datetime) -> float | None:
    try:
        reset = float(value or "")
    except ValueError:
        return None
    return max(1.0, reset - now.timestamp())


def call(
    http: HttpClient,
    token: str,
    method: str,
    path: str,
    *,
    params: Mapping[str, Any] | None = None,
    body: Any = None,
    files: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    idempotent: bool | None = None,
) -> dict[str, Any]:
    if not token:
        raise ConnectorError(
            _("This X channel has no access token; connect it again."), ErrorKind.AUTH_EXPIRED
        )
    kwargs: dict[str, Any] = {"params": params, "headers": {"Authorization": f"Bearer {token}"}}
    if files is not None:
        kwargs |= {"files": dict(files), "data": dict(data or {})}
    elif body is not None:
        kwargs["json"] = body
    response = http.request(
        method, API + path, idempotent=idempotent, ok_statuses=HANDLED, **kwargs
    )
    if response.status_code >= 400:
        raise x_error(http, response)
    if not response.content.strip():
        return {}  # a chunk appended: 2xx and nothing to say
    try:
        answer = response.json()
    except ValueError as exc:
        raise ConnectorError(
            _("X answered %(path)s with something that is not JSON."), path=path
        ) from exc
    if not isinstance(answer, dict):
        raise ConnectorError(_("X answered %(path)s with something unexpected."), path=path)
    if "data" not in answer and answer.get("errors"):
        # A 200 whose only content is errors (e.g. a post that does not exist).
        raise ConnectorError(_("X refused the request: %(detail)s"), detail=_problem_words(answer))
    return answer


def author_of(user: Mapping[str, Any]) -> Author:
    username = str(user.get("username") or "")
    metrics = user.get("public_metrics") or {}
    followers = metrics.get("followers_count") if isinstance(metrics, dict) else None
    return Author(
        remote_id=str(user["id"]),
        handle=f"@{username}" if username else "",
        name=str(user.get("name") or username),
        url=f"{WEB}/{username}" if username else "",
        avatar_url=str(user.get("profile_image_url") or ""),
        followers=followers if isinstance(followers, int) else None,
    )


def post_url(username: str, post_id: str) -> str:
    return f"{WEB}/{username or 'i/web'}/status/{post_id}"


def parse_date(value: Any) -> datetime:
    when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _newest(a: str, b: str) -> str:
    """Post ids are snowflakes: a larger number is newer."""
    if not a:
        return b
    if not b:
        return a
    return a if int(a) >= int(b) else b


class XConnector(Connector):
    kind = "x"
    label = "X"
    capabilities = frozenset(
        {
            Capability.PUBLISH,
            Capability.REPLY,
            Capability.FETCH,
            Capability.METRICS,
            Capability.MODERATE,
            Capability.AUDIENCE,
        }
    )
    rules = Rules(
        max_length=MAX_WEIGHTED_LENGTH,
        count=count_x,
        max_media=4,  # "up to 4 photos, 1 animated GIF or 1 video"
        media_types=IMAGE_TYPES | VIDEO_TYPES,
        max_image_bytes=5_000_000,  # images up to 5 MB (animated GIFs 15 MB)
        # docs.x.com media best practices: videos up to 512 MB and 140 seconds (2:20) for
        # accounts without a longer allowance.
        max_video_bytes=512 * 1024 * 1024,
        max_video_seconds=140,
        max_alt_text=1000,
        links="card",
        threads=True,
    )
    settings_model = XSettings
    fetch_interval = 900  # the mentions timeline allows few requests per 15-minute window
    limitations = _(
        "What Liant can read depends on the access level of the operator's X app: at the "
        "Free level X allows posting and almost no reading (mentions, reply search, "
        "metrics); reply search covers the last 7 days only. Liant publishes text, images "
        "and a video (up to 2 min 20 s), hides replies to the account's posts, deletes its "
        "own posts and mutes authors; blocking and un-hiding are left to the X app."
    )
    # X honours no idempotency key: a post whose outcome is unknown is left to a person.
    publish_idempotency_window = 0.0
    moderation_actions: ClassVar[frozenset[ModerationAction]] = frozenset(
        {
            ModerationAction.HIDE,
            ModerationAction.DELETE,
            ModerationAction.MUTE,
            ModerationAction.UNMUTE,
        }
    )
    connection: ClassVar[str] = _(
        "OAuth 2 with PKCE; the two-hour token is renewed with a refresh token that changes "
        "at each renewal"
    )
    # docs.x.com: authorization at x.com/i/oauth2/authorize, tokens at api.x.com/2/oauth2/token
    # (a confidential client proves itself with HTTP Basic).
    oauth: ClassVar[OAuthConfig | None] = OAuthConfig(
        authorize_url="https://x.com/i/oauth2/authorize",
        token_url=f"{API}/oauth2/token",
        scopes=(
            "tweet.read",
            "tweet.write",
            "users.read",
            "offline.access",  # a refresh token
            "follows.read",
            "like.read",
            "media.write",  # the v2 media upload
            "mute.write",
            "tweet.moderate.write",  # hide replies
        ),
        pkce=True,
        client_auth="basic",
    )

    settings: XSettings

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return call(
            self.http, str(self.credentials.get("access_token", "")), method, path, **kwargs
        )

    # --- connection ------------------------------------------------------------------------

    @classmethod
    def accounts_after_oauth(
        cls, credentials: Mapping[str, Any], http: HttpClient
    ) -> list[AccountChoice]:
        me = call(
            http,
            str(credentials.get("access_token", "")),
            "GET",
            "/users/me",
            params={"user.fields": "username,name"},
        )["data"]
        return [
            AccountChoice(
                name=f"@{me['username']}",
                settings={"account_id": str(me["id"]), "username": str(me["username"])},
                credentials=dict(credentials),
            )
        ]

    def check_connection(self) -> str:
        me = self._call("GET", "/users/me")["data"]
        return f"@{me['username']}"

    def refresh_credentials(self) -> dict[str, Any] | None:
        token = self.credentials.get("refresh_token")
        if not token or self.oauth is None:
            return None
        # X rotates refresh tokens: the answer's new one replaces the one just spent.
        fresh = refresh(self.oauth, app_settings(self.kind), self.http, str(token))
        return {**self.credentials, **fresh}

    # --- publishing ------------------------------------------------------------------------

    def publish(self, draft: Draft) -> RemotePost:
        """One post; with `reply_to`, an answer to it (a thread's next part). X has no
        idempotency key, so the POST is never repeated by Liant once it may have arrived."""
        text = draft.text
        if draft.link and draft.link not in text:
            text = f"{text}\n\n{draft.link}".strip()
        return self._post(text, draft.media, draft.reply_to, draft.idempotency_key)

    def reply(self, parent: Event, draft: Draft) -> RemotePost:
        if parent.kind not in (EventKind.POST, EventKind.COMMENT, EventKind.MENTION):
            raise ConnectorError(_("On X only a post can be answered."))
        return self._post(draft.text, draft.media, parent.remote_id)

    def _post(self, text: str, media: list[Media], reply_to: str, key: str = "") -> RemotePost:
        if count_x(text) > MAX_WEIGHTED_LENGTH:
            raise ConnectorError(
                _("This post counts %(count)s characters on X, over the %(max)s allowed."),
                count=count_x(text),
                max=MAX_WEIGHTED_LENGTH,
            )
        body: dict[str, Any] = {"text": text}
        if reply_to:
            body["reply"] = {"in_reply_to_tweet_id": reply_to}
        videos = [item for item in media if item.content_type in VIDEO_TYPES]
        if videos and len(media) > 1:
            raise ConnectorError(_("A post on X carries one video alone, without other media."))
        progress = [
            Progress("x", self.settings.account_id, key, index, item.data)
            for index, item in enumerate(videos)
        ]
        # Uploads come first: a failed upload leaves nothing published.
        try:
            media_ids = [
                self._upload_video(item, progress[0]) if videos else self._upload(item)
                for item in media
            ]
        except ConnectorError as exc:
            if exc.kind is ErrorKind.TRANSIENT and exc.status != -1:
                # Nothing is posted before every file is up: a retry cannot double the post
                # (and resumes a video where it stopped).
                exc.status = -1
            raise
        if media_ids:
            body["media"] = {"media_ids": media_ids}
        data = self._call("POST", "/tweets", body=body)["data"]
        post_id = str(data["id"])
        for done in progress:
            done.forget()
        return RemotePost(
            remote_id=post_id,
            url=post_url(self.settings.username, post_id),
            published_at=None,
            raw={"id": post_id, "in_reply_to": reply_to},
        )

    def _upload_video(self, media: Media, progress: Progress) -> str:
        media_id = upload_video(
            self._call, media, progress, sleep=self.http.sleep, now=self.http.clock
        )
        self._describe(media_id, media)
        return media_id

    def _describe(self, media_id: str, media: Media) -> None:
        if media.alt_text:
            self._call(
                "POST",
                "/media/metadata",
                body={"id": media_id, "metadata": {"alt_text": {"text": media.alt_text[:1000]}}},
                idempotent=True,
            )

    def _upload(self, media: Media) -> str:
        """POST /2/media/upload (one request for an image; v1.1's upload is retired)."""
        if media.content_type not in IMAGE_TYPES:
            raise ConnectorError(
                _("Liant publishes images on X, not %(type)s."), type=media.content_type
            )
        filename = media.filename or "image" + (mimetypes.guess_extension(media.content_type) or "")
        category = "tweet_gif" if media.content_type == "image/gif" else "tweet_image"
        answer = self._call(
            "POST",
            "/media/upload",
            files={"media": (filename, media.data, media.content_type)},
            data={"media_category": category, "media_type": media.content_type},
            # An upload that arrived twice leaves an unused copy X discards in a day:
            # nothing is published twice, so a 5xx is worth a retry.
            idempotent=True,
        )
        media_id = str((answer.get("data") or {}).get("id") or "")
        if not media_id:
            raise ConnectorError(_("X accepted %(file)s but sent back no id."), file=filename)
        self._describe(media_id, media)
        return media_id

    # --- reading ---------------------------------------------------------------------------

    def fetch(self, since: Mapping[str, Any]) -> FetchResult:
        """Mentions since the last one seen; the account's own latest posts; replies in their
        conversations (recent search). Each stream keeps its own since_id."""
        cursor = dict(since)
        seen: dict[str, Event] = {}
        errors: list[Problem] = []
        account = self.settings.account_id

        own, cursor["own"] = self._read(
            f"/users/{account}/tweets", {}, str(since.get("own") or ""), errors, pages=1
        )
        for event in own:
            seen.setdefault(event.remote_id, event)
        try:
            mentions, cursor["mentions"] = self._read(
                f"/users/{account}/mentions", {}, str(since.get("mentions") or ""), errors
            )
        except ConnectorError as exc:
            if exc.kind is not ErrorKind.RATE_LIMITED:
                raise
            # Each endpoint has its own window: what was read is kept, the rest waits.
            errors.append(Problem(_("mentions: %(problem)s"), problem=exc))
            mentions = []
        for event in mentions:
            seen.setdefault(event.remote_id, event)
        if self.settings.search_replies:
            query = self._replies_query(own, since)
            if query:
                try:
                    replies, cursor["replies"] = self._read(
                        "/tweets/search/recent",
                        {"query": query},
                        str(since.get("replies") or ""),
                        errors,
                    )
                except ConnectorError as exc:
                    if exc.kind is ErrorKind.TRANSIENT or exc.kind is ErrorKind.AUTH_EXPIRED:
                        raise
                    # A tier without search, or a since_id older than the 7 days searched
                    # (then the search starts afresh next time), or its window is used up:
                    # mentions still come in.
                    errors.append(Problem(_("replies search: %(problem)s"), problem=exc))
                    if exc.kind is ErrorKind.PERMANENT:
                        cursor.pop("replies", None)
                    replies = []
                for event in replies:
                    seen.setdefault(event.remote_id, event)
        cursor["conversations"] = self._conversations(own, since)
        return FetchResult(list(seen.values()), cursor, errors)

    def _conversations(self, own: list[Event], since: Mapping[str, Any]) -> list[str]:
        """Our recent posts' conversation ids, newest first, kept between fetches."""
        known = [str(c) for c in since.get("conversations") or []]
        fresh = [e.thread_remote_id or e.remote_id for e in own]
        merged = list(dict.fromkeys(fresh + known))
        return sorted(merged, key=int, reverse=True)[:OWN_POSTS]

    def _replies_query(self, own: list[Event], since: Mapping[str, Any]) -> str:
        """`conversation_id:A OR conversation_id:B … -from:us`, within the query length the
        self-serve tiers allow; the newest conversations first."""
        clauses: list[str] = []
        suffix = f" -from:{self.settings.username}" if self.settings.username else ""
        for conversation in self._conversations(own, since):
            clause = f"conversation_id:{conversation}"
            candidate = " OR ".join([*clauses, clause])
            if len(f"({candidate}){suffix}") > SEARCH_QUERY_MAX:
                break
            clauses.append(clause)
        if not clauses:
            return ""
        return f"({' OR '.join(clauses)}){suffix}"

    def _read(
        self,
        path: str,
        params: Mapping[str, Any],
        since_id: str,
        errors: list[Problem],
        pages: int = MAX_PAGES,
    ) -> tuple[list[Event], str]:
        query: dict[str, Any] = {
            **params,
            "max_results": PAGE if "search" in path or "mentions" in path else OWN_POSTS,
            "expansions": "author_id",
            "tweet.fields": TWEET_FIELDS,
            "user.fields": USER_FIELDS,
        }
        if since_id:
            query["since_id"] = since_id
        events: list[Event] = []
        newest = since_id
        for _page in range(pages if since_id else 1):
            answer = self._call("GET", path, params=query)
            users = {
                str(u.get("id")): u
                for u in (answer.get("includes") or {}).get("users") or []
                if isinstance(u, dict)
            }
            for post in answer.get("data") or []:
                try:
                    events.append(self._event(post, users))
                except (KeyError, TypeError, ValueError) as exc:
                    errors.append(
                        Problem(
                            _("post %(id)s could not be read (%(error)s)"),
                            id=str(post.get("id") if isinstance(post, dict) else "?"),
                            error=repr(exc),
                        )
                    )
            meta = answer.get("meta") or {}
            newest = _newest(newest, str(meta.get("newest_id") or ""))
            token = meta.get("next_token")
            if not token:
                break
            query["pagination_token" if "search" not in path else "next_token"] = token
        return events, newest

    def _event(self, post: Mapping[str, Any], users: Mapping[str, Any]) -> Event:
        post_id = str(post["id"])
        author_id = str(post["author_id"])
        user = users.get(author_id) or {"id": author_id}
        author = author_of(user)
        replied_to = next(
            (
                str(r.get("id"))
                for r in post.get("referenced_tweets") or []
                if isinstance(r, dict) and r.get("type") == "replied_to"
            ),
            "",
        )
        ours = author_id == self.settings.account_id
        if ours:
            kind = EventKind.POST
        elif replied_to:
            kind = EventKind.COMMENT
        else:
            kind = EventKind.MENTION
        return Event(
            kind=kind,
            remote_id=post_id,
            author=author,
            occurred_at=parse_date(post["created_at"]),
            text=str(post.get("text") or ""),
            url=post_url(str(user.get("username") or ""), post_id),
            parent_remote_id=replied_to,
            thread_remote_id=str(post.get("conversation_id") or ""),
            language=str(post.get("lang") or "") if post.get("lang") not in ("und", "zxx") else "",
            raw={
                "id": post_id,
                "conversation_id": post.get("conversation_id"),
                "in_reply_to_user_id": post.get("in_reply_to_user_id"),
            },
        )

    # --- metrics and moderation ------------------------------------------------------------

    def metrics(self, remote_ids: list[str]) -> list[Metrics]:
        results: list[Metrics] = []
        ids = [i for i in dict.fromkeys(remote_ids) if i.isdigit()]
        for start in range(0, len(ids), 100):  # GET /2/tweets takes up to 100 ids
            answer = self._call(
                "GET",
                "/tweets",
                params={
                    "ids": ",".join(ids[start : start + 100]),
                    "tweet.fields": "public_metrics",
                },
            )
            for post in answer.get("data") or []:
                counts = post.get("public_metrics") or {}
                values = {
                    "likes": counts.get("like_count"),
                    "reposts": counts.get("retweet_count"),
                    "replies": counts.get("reply_count"),
                    "quotes": counts.get("quote_count"),
                    "views": counts.get("impression_count"),
                    "bookmarks": counts.get("bookmark_count"),
                }
                results.append(
                    Metrics(
                        str(post["id"]),
                        {k: v for k, v in values.items() if isinstance(v, int)},
                    )
                )
        return results

    def audience(self) -> Audience:
        """GET /2/users/me with user.fields=public_metrics (followers_count, following_count,
        tweet_count, listed_count)."""
        me = self._call("GET", "/users/me", params={"user.fields": "public_metrics"})
        counts = (me.get("data") or {}).get("public_metrics") or {}
        extra = {
            name: count
            for name, field in (("posts", "tweet_count"), ("listed", "listed_count"))
            if (count := optional_count(counts.get(field))) is not None
        }
        return Audience(
            followers=audience_count(
                self.label, counts.get("followers_count"), "public_metrics.followers_count"
            ),
            following=optional_count(counts.get("following_count")),
            extra=extra,
        )

    def moderate(self, remote_id: str, action: ModerationAction) -> None:
        if not remote_id.isdigit():
            raise ConnectorError(_("%(id)r is not an X post id."), id=remote_id)
        post = quote(remote_id, safe="")
        if action is ModerationAction.HIDE:
            # Only replies to a conversation the account started can be hidden; X says so.
            self._call("PUT", f"/tweets/{post}/hidden", body={"hidden": True})
        elif action is ModerationAction.DELETE:
            self._call("DELETE", f"/tweets/{post}")  # the account's own posts only
        elif action in (ModerationAction.MUTE, ModerationAction.UNMUTE):
            found = self._call("GET", f"/tweets/{post}", params={"tweet.fields": "author_id"})
            target = str(found["data"]["author_id"])
            me = quote(self.settings.account_id, safe="")
            if action is ModerationAction.MUTE:
                self._call("POST", f"/users/{me}/muting", body={"target_user_id": target})
            else:
                self._call("DELETE", f"/users/{me}/muting/{quote(target, safe='')}")
        else:
            super().moderate(remote_id, action)
