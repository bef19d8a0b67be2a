"""YouTube: the Data API v3 (https://developers.google.com/youtube/v3/docs), signed in with
Google's OAuth 2 (offline access, so a refresh token renews the one-hour access token).

A Liant channel is one YouTube channel. Liant reads the comment threads on all its videos
(published ones and those held for review), their replies, answers as the channel, holds
comments for review, rejects them and bans their authors, and reads channel and video
statistics. It does not upload videos, and the API has no community posts: nothing is
published.

Remote ids are YouTube's comment ids (a thread's id is its top-level comment's id); a video
id (11 characters) or the channel id (UC…) are asked for metrics.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import httpx
from django.utils.translation import gettext_noop as _

from liant.connectors import oauth
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
    audience_count,
    count_chars,
    optional_count,
)
from liant.connectors.http import HttpClient, parse_retry_after

API = "https://www.googleapis.com/youtube/v3"
MAX_COMMENT = 10_000  # comments.insert: textOriginal, "10,000 characters"
PAGE = 100  # commentThreads.list / comments.list: maxResults 1-100
MAX_PAGES = 3  # thread pages per moderation status and fetch
# Threads come newest first; those started up to a week before the cursor are read again so
# that new replies under them are seen.
LOOKBACK = timedelta(days=7)
STATUSES = ("published", "heldForReview")
HANDLED = (400, 401, 403, 404, 429)
# Quota is counted per Google Cloud project per day and "resets at midnight Pacific Time".
PACIFIC = ZoneInfo("America/Los_Angeles")
QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded"}
RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}


class YouTubeSettings(ConnectorSettings):
    account_id: str  # the channel id, UC…
    title: str = ""
    custom_url: str = ""  # the @handle


def call(
    http: HttpClient,
    token: str,
    method: str,
    path: str,
    *,
    params: Mapping[str, Any] | None = None,
    body: Any = None,
    missing_ok: bool = False,
    idempotent: bool | None = None,
) -> dict[str, Any]:
    """One Data API call; the decoded JSON ({} for 204, or for 404 when missing_ok)."""
    response = http.request(
        method,
        API + path,
        params=params,
        json=body,
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        ok_statuses=HANDLED,
        idempotent=idempotent,
    )
    if response.status_code == 404 and missing_ok:
        return {}
    if response.status_code >= 400:
        raise error_of(http, response)
    if response.status_code == 204 or not response.content:
        return {}
    try:
        data = response.json()
    except ValueError as exc:
        raise ConnectorError(
            _("YouTube answered %(path)s with something that is not JSON."),
            path=response.request.url.path,
        ) from exc
    if not isinstance(data, dict):
        raise ConnectorError(
            _("YouTube answered %(path)s with something that is not JSON."),
            path=response.request.url.path,
        )
    return data


def until_pacific_midnight(now: datetime) -> float:
    local = now.astimezone(PACIFIC)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), PACIFIC)
    return max(60.0, (midnight - local).total_seconds())


def error_of(http: HttpClient, response: httpx.Response) -> ConnectorError:
    """Google's errors: {"error": {"code": 403, "message": …, "errors": [{"reason":
    "quotaExceeded", "domain": "youtube.quota", …}]}}."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        error = {}
    words = str(error.get("message") or "")[:300]
    details = [e for e in error.get("errors") or [] if isinstance(e, dict)]
    reasons = {str(e.get("reason") or "") for e in details}
    status = response.status_code
    now = http.clock()
    if reasons & QUOTA_REASONS:
        wait = until_pacific_midnight(now)
        http.recorder.block_until(now + timedelta(seconds=wait))
        return ConnectorError(
            _(
                "YouTube's daily quota of this installation is used up; it comes back at "
                "midnight Pacific time, in %(seconds)s s."
            ),
            ErrorKind.RATE_LIMITED,
            retry_after=wait,
            status=status,
            seconds=int(wait),
        )
    if status == 429 or reasons & RATE_REASONS:
        wait = parse_retry_after(response.headers.get("retry-after"), now) or 60.0
        http.recorder.block_until(now + timedelta(seconds=wait))
        return ConnectorError(
            _("YouTube asks Liant to slow down; retry in %(seconds)s s. %(detail)s"),
            ErrorKind.RATE_LIMITED,
            retry_after=wait,
            status=status,
            seconds=int(wait) + 1,
            detail=words,
        )
    if status == 401:
        return ConnectorError(
            _("Google refused the sign-in (%(detail)s)."),
            ErrorKind.AUTH_EXPIRED,
            status=status,
            detail=words or "401",
        )
    return ConnectorError(
        _("YouTube refused the request (%(code)s): %(detail)s"),
        status=status,
        code=status,
        detail=words or ", ".join(sorted(reasons)),
    )


def parse_time(value: Any) -> datetime:
    when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _newer(when: str, comment_id: str, since: str, ids: list[str]) -> bool:
    """After the cursor (an instant and the ids seen at that instant)."""
    if not since:
        return True
    moment, last = parse_time(when), parse_time(since)
    return moment > last or (moment == last and comment_id not in ids)


class YouTubeConnector(Connector):
    kind = "youtube"
    label = "YouTube"
    capabilities = frozenset(
        {
            Capability.REPLY,
            Capability.FETCH,
            Capability.METRICS,
            Capability.MODERATE,
            Capability.AUDIENCE,
        }
    )
    rules = Rules(max_length=MAX_COMMENT, count=count_chars)
    settings_model = YouTubeSettings
    fetch_interval = 900
    limitations = _(
        "Liant does not upload videos, and YouTube's API has no community posts: this channel "
        "is for comments only. Each read and answer spends the installation's daily YouTube "
        "quota (10,000 units unless Google granted more), which comes back at midnight "
        "Pacific time; a ban cannot be lifted through the API."
    )
    moderation_actions: ClassVar[frozenset[ModerationAction]] = frozenset(
        {ModerationAction.HIDE, ModerationAction.DELETE, ModerationAction.BAN}
    )
    connection: ClassVar[str] = _("Google OAuth, refreshed every hour")
    oauth: ClassVar[oauth.OAuthConfig | None] = oauth.OAuthConfig(
        authorize_url="https://accounts.google.com/o/oauth2/v2/auth",
        token_url="https://oauth2.googleapis.com/token",  # noqa: S106 - an address
        scopes=("https://www.googleapis.com/auth/youtube.force-ssl",),
        pkce=True,
        client_auth="body",
        # A refresh token is only given with offline access, and again only on consent.
        authorize_params={"access_type": "offline", "prompt": "consent"},
    )

    settings: YouTubeSettings

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return call(
            self.http, str(self.credentials.get("access_token", "")), method, path, **kwargs
        )

    # --- connection ------------------------------------------------------------------------

    def check_connection(self) -> str:
        found = self._call(
            "GET", "/channels", params={"part": "snippet", "id": self.settings.account_id}
        )
        items = found.get("items") or [{}]
        return str(items[0].get("snippet", {}).get("title") or self.settings.account_id)

    def refresh_credentials(self) -> dict[str, Any] | None:
        """Google gives a new one-hour access token for the refresh token, which stays."""
        token = self.credentials.get("refresh_token")
        if not token or self.oauth is None:
            return None
        fresh = oauth.refresh(self.oauth, app_settings(self.kind), self.http, str(token))
        return {**self.credentials, **fresh}

    @classmethod
    def accounts_after_oauth(
        cls, credentials: Mapping[str, Any], http: HttpClient
    ) -> list[AccountChoice]:
        """The channels of the Google account (a brand account chosen at sign-in has one)."""
        found = call(
            http,
            str(credentials["access_token"]),
            "GET",
            "/channels",
            params={"part": "snippet,statistics", "mine": "true", "maxResults": 50},
        )
        choices = []
        for channel in found.get("items") or []:
            if not isinstance(channel, dict) or not channel.get("id"):
                continue
            snippet = channel.get("snippet") or {}
            title = str(snippet.get("title") or channel["id"])
            settings = {
                "account_id": str(channel["id"]),
                "title": title,
                "custom_url": str(snippet.get("customUrl") or ""),
            }
            choices.append(
                AccountChoice(name=title, settings=settings, credentials=dict(credentials))
            )
        return choices

    # --- reading ---------------------------------------------------------------------------

    def fetch(self, since: Mapping[str, Any]) -> FetchResult:
        """For each moderation status, the threads newest first down to a week before the
        cursor; each new comment once, and the replies of threads whose count changed."""
        events: list[Event] = []
        errors: list[Problem] = []
        cursor: dict[str, Any] = {}
        for status in STATUSES:
            position = dict(since.get(status) or {})
            cursor[status] = self._read_status(status, position, events, errors)
        return FetchResult(events, cursor, errors)

    def _read_status(
        self,
        status: str,
        position: dict[str, Any],
        events: list[Event],
        errors: list[Problem],
    ) -> dict[str, Any]:
        after, at_after = str(position.get("time") or ""), list(position.get("ids") or [])
        known: dict[str, list[Any]] = dict(position.get("threads") or {})
        floor = parse_time(after) - LOOKBACK if after else None
        newest, at_newest = after, list(at_after)
        threads_now: dict[str, list[Any]] = {}
        token = ""
        for _page in range(MAX_PAGES):
            params = {
                "part": "snippet,replies",
                "allThreadsRelatedToChannelId": self.settings.account_id,
                "moderationStatus": status,
                "order": "time",
                "textFormat": "plainText",
                "maxResults": PAGE,
            }
            if token:
                params["pageToken"] = token
            page = self._call("GET", "/commentThreads", params=params)
            items = [t for t in page.get("items") or [] if isinstance(t, dict)]
            older = False
            for thread in items:
                try:
                    top = thread["snippet"]["topLevelComment"]
                    when = str(top["snippet"]["publishedAt"])
                    moment = parse_time(when)
                    if floor is not None and moment < floor:
                        older = True
                        continue
                    if _newer(when, top["id"], after, at_after):
                        event = self.comment_event(top, thread, status)
                        if event is not None:
                            events.append(event)
                    if not newest or moment > parse_time(newest):
                        newest, at_newest = when, [str(top["id"])]
                    elif moment == parse_time(newest) and top["id"] not in at_newest:
                        at_newest.append(str(top["id"]))
                    threads_now[str(thread["id"])] = self._replies(
                        thread, status, known.get(str(thread["id"])), after, events, errors
                    )
                except (KeyError, TypeError, ValueError) as exc:
                    errors.append(
                        Problem(
                            _("comment thread %(thread)s: %(problem)s"),
                            thread=thread.get("id", "?"),
                            problem=f"{type(exc).__name__}: {exc}",
                        )
                    )
                except ConnectorError as exc:
                    if exc.kind is not ErrorKind.PERMANENT:
                        raise
                    errors.append(
                        Problem(
                            _("comment thread %(thread)s: %(problem)s"),
                            thread=thread.get("id", "?"),
                            problem=exc,
                        )
                    )
            token = str(page.get("nextPageToken") or "")
            if older or not token:
                break
        return {"time": newest, "ids": at_newest, "threads": threads_now}

    def _replies(
        self,
        thread: Mapping[str, Any],
        status: str,
        known: list[Any] | None,
        after: str,
        events: list[Event],
        errors: list[Problem],
    ) -> list[Any]:
        """[reply count, newest reply time] of a thread; the new replies become events."""
        total = int(thread["snippet"].get("totalReplyCount") or 0)
        count, last = (int(known[0]), str(known[1])) if known else (0, after)
        if total == 0 or (known and total == count):
            return [total, last]
        replies = list((thread.get("replies") or {}).get("comments") or [])
        if len(replies) < total:  # the thread carries only some: ask for all of them
            replies = self._all_replies(str(thread["id"]))
        newest = last
        for reply in replies:
            try:
                when = str(reply["snippet"]["publishedAt"])
                if not last or parse_time(when) > parse_time(last):
                    event = self.comment_event(reply, thread, status)
                    if event is not None:
                        events.append(event)
                if not newest or parse_time(when) > parse_time(newest):
                    newest = when
            except (KeyError, TypeError, ValueError) as exc:
                errors.append(
                    Problem(
                        _("reply %(reply)s: %(problem)s"),
                        reply=reply.get("id", "?") if isinstance(reply, dict) else "?",
                        problem=f"{type(exc).__name__}: {exc}",
                    )
                )
        return [total, newest]

    def _all_replies(self, parent: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        token = ""
        for _page in range(MAX_PAGES):
            params = {
                "part": "snippet",
                "parentId": parent,
                "textFormat": "plainText",
                "maxResults": PAGE,
            }
            if token:
                params["pageToken"] = token
            page = self._call("GET", "/comments", params=params)
            found.extend(c for c in page.get("items") or [] if isinstance(c, dict))
            token = str(page.get("nextPageToken") or "")
            if not token:
                break
        return found

    def comment_event(
        self, comment: Mapping[str, Any], thread: Mapping[str, Any], status: str
    ) -> Event | None:
        snippet = comment["snippet"]
        author_id = str((snippet.get("authorChannelId") or {}).get("value") or "")
        if author_id == self.settings.account_id:
            return None  # the channel's own answers
        thread_id = str(thread["id"])
        video = str(snippet.get("videoId") or thread["snippet"].get("videoId") or "")
        parent = str(snippet.get("parentId") or "")
        name = str(snippet.get("authorDisplayName") or "")
        return Event(
            kind=EventKind.COMMENT,
            remote_id=str(comment["id"]),
            author=Author(
                remote_id=author_id or name,
                handle=name if name.startswith("@") else "",
                name=name,
                url=str(snippet.get("authorChannelUrl") or ""),
                avatar_url=str(snippet.get("authorProfileImageUrl") or ""),
            ),
            occurred_at=parse_time(snippet["publishedAt"]),
            text=str(snippet.get("textDisplay") or snippet.get("textOriginal") or ""),
            url=f"https://www.youtube.com/watch?v={video}&lc={comment['id']}" if video else "",
            parent_remote_id=parent,
            thread_remote_id=thread_id,
            raw={
                "id": comment["id"],
                "videoId": video,
                "parentId": parent,
                "moderationStatus": status,
                "likeCount": snippet.get("likeCount"),
            },
        )

    # --- answering -------------------------------------------------------------------------

    def reply(self, parent: Event, draft: Draft) -> RemotePost:
        """comments.insert under the thread (YouTube nests replies one level deep)."""
        text = draft.text.strip()
        if not text:
            raise ConnectorError(_("YouTube cannot send an empty comment."))
        if count_chars(text) > MAX_COMMENT:
            raise ConnectorError(
                _("YouTube comments hold at most %(count)s characters."), count=MAX_COMMENT
            )
        raw = parent.raw or {}
        thread = str(raw.get("parentId") or parent.thread_remote_id or parent.remote_id)
        created = self._call(
            "POST",
            "/comments",
            params={"part": "snippet"},
            body={"snippet": {"parentId": thread, "textOriginal": text}},
        )
        snippet = created.get("snippet") or {}
        video = str(raw.get("videoId") or "")
        return RemotePost(
            remote_id=str(created.get("id") or ""),
            url=f"https://www.youtube.com/watch?v={video}&lc={created.get('id')}" if video else "",
            published_at=parse_time(snippet["publishedAt"]) if snippet.get("publishedAt") else None,
            raw=created,
        )

    # --- metrics and moderation ------------------------------------------------------------

    def metrics(self, remote_ids: list[str]) -> list[Metrics]:
        found: list[Metrics] = []
        channel = self.settings.account_id
        if channel in remote_ids:
            data = self._call("GET", "/channels", params={"part": "statistics", "id": channel})
            for item in data.get("items") or []:
                stats = item.get("statistics") or {}
                found.append(
                    Metrics(
                        remote_id=channel,
                        values={
                            "followers": int(stats.get("subscriberCount") or 0),
                            "views": int(stats.get("viewCount") or 0),
                            "videos": int(stats.get("videoCount") or 0),
                        },
                    )
                )
        videos = [r for r in remote_ids if r != channel]
        for start in range(0, len(videos), 50):  # videos.list takes up to 50 ids
            data = self._call(
                "GET",
                "/videos",
                params={"part": "statistics", "id": ",".join(videos[start : start + 50])},
            )
            for item in data.get("items") or []:
                stats = item.get("statistics") or {}
                values = {"views": int(stats.get("viewCount") or 0)}
                if "likeCount" in stats:  # hidden when the owner hides likes
                    values["likes"] = int(stats["likeCount"])
                if "commentCount" in stats:  # absent when comments are off
                    values["replies"] = int(stats["commentCount"])
                found.append(Metrics(remote_id=str(item["id"]), values=values))
        return found

    def audience(self) -> Audience:
        """channels.list part=statistics: subscriberCount (a string, rounded down to three
        significant figures by YouTube), absent when the owner hides it
        (hiddenSubscriberCount); viewCount and videoCount beside it."""
        data = self._call(
            "GET", "/channels", params={"part": "statistics", "id": self.settings.account_id}
        )
        items = data.get("items") or []
        stats = (items[0].get("statistics") if items and isinstance(items[0], dict) else None) or {}
        if stats.get("hiddenSubscriberCount") is True and "subscriberCount" not in stats:
            raise ConnectorError(
                _("This YouTube channel hides its subscriber count, so Liant cannot read it."),
                ErrorKind.PERMANENT,
            )
        extra = {
            name: count
            for name, field in (("views", "viewCount"), ("videos", "videoCount"))
            if (count := optional_count(stats.get(field))) is not None
        }
        return Audience(
            followers=audience_count(
                self.label, stats.get("subscriberCount"), "statistics.subscriberCount"
            ),
            extra=extra,
        )

    def moderate(self, remote_id: str, action: ModerationAction) -> None:
        """comments.setModerationStatus: held for review (hide), rejected (delete), rejected
        with its author banned from the channel's comments (ban)."""
        action = ModerationAction(action)
        statuses = {
            ModerationAction.HIDE: "heldForReview",
            ModerationAction.DELETE: "rejected",
            ModerationAction.BAN: "rejected",
        }
        if action not in statuses:
            raise ConnectorError(
                _("YouTube's API has no '%(action)s'; use hide, delete or ban."),
                action=str(action),
            )
        params = {"id": remote_id, "moderationStatus": statuses[action]}
        if action is ModerationAction.BAN:
            params["banAuthor"] = "true"
        # Setting a status twice leaves it set: safe to send again.
        self._call("POST", "/comments/setModerationStatus", params=params, idempotent=True)
