"""TikTok: one creator account, through the Login Kit (OAuth) and the Content Posting API.

https://developers.tiktok.com/doc/content-posting-api-get-started — a video is posted in
steps: the creator's settings are read (creator_info/query: the privacy levels they allow),
the post is initialised (TikTok answers a `publish_id` and, for FILE_UPLOAD, an upload
address), the file is sent in chunks (PUT with Content-Range), then TikTok processes and
publishes it while Liant polls status/fetch until PUBLISH_COMPLETE or FAILED.

Never twice: once a post is initialised, its publish_id (and upload address) are kept in the
shared storage under the account and the draft's idempotency key
(liant/connectors/progress.py), so a retry in any worker polls or finishes *that* post
instead of initialising another. Once the whole file has been sent TikTok publishes it
whatever happens to Liant, so any later trouble is reported with the publish_id and the
post is left to TikTok rather than sent again.

Photos are only taken from a public address (PULL_FROM_URL) on a domain verified for the
app; Liant holds files, not such addresses, so a photo post needs `Draft.extras["photo_urls"]`.
TikTok's APIs let an app read the creator's own videos and their counts, not the comments
on them (the Research API that lists comments is reserved to approved researchers), so
Liant reads no comments here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

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
    Problem,
    RemotePost,
    Rules,
    audience_count,
    optional_count,
)
from liant.connectors.http import HttpClient, parse_retry_after
from liant.connectors.oauth import OAuthConfig, refresh
from liant.connectors.progress import Progress

API = "https://open.tiktokapis.com/v2"
HANDLED = (400, 401, 403, 404, 429)
VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime", "video/webm"})
MIB = 1024 * 1024
# Media Transfer Guide: a file under 5 MB goes whole; chunks are 5 to 64 MB, the last one
# may be larger (up to 128 MB) to take the trailing bytes; 1 to 1000 chunks, in order.
WHOLE_MAX = 64 * MIB
CHUNK = 64 * MIB
STATUS_POLLS = 12  # waits of 2, 4, then 8 s: about 90 s; the status endpoint allows 30/min
STATUS_MAX_WAIT = 8.0
DONE = {"PUBLISH_COMPLETE", "SEND_TO_USER_INBOX"}
VIDEO_FIELDS = "id,create_time,title,video_description,share_url,cover_image_url"
METRIC_FIELDS = "id,like_count,comment_count,share_count,view_count"
VIDEO_QUERY_MAX = 20  # /v2/video/query/: up to 20 ids
LIST_PAGE = 20  # /v2/video/list/: max_count up to 20
LIST_PAGES = 3
PRIVACY_LEVELS = (
    "PUBLIC_TO_EVERYONE",
    "MUTUAL_FOLLOW_FRIENDS",
    "FOLLOWER_OF_CREATOR",
    "SELF_ONLY",
)


class TikTokSettings(ConnectorSettings):
    account_id: str  # the creator's open_id for this app
    display_name: str = ""
    # Who sees what Liant posts; it must be one the creator allows (creator_info/query).
    # An unaudited app may only post SELF_ONLY, so that is where a channel starts.
    privacy_level: str = "SELF_ONLY"
    disable_comment: bool = False
    disable_duet: bool = False
    disable_stitch: bool = False


# --- calls ------------------------------------------------------------------------------------


def tiktok_error(
    http: HttpClient, response: httpx.Response, error: Mapping[str, Any]
) -> ConnectorError:
    """{"error": {"code": "access_token_invalid" | "rate_limit_exceeded" | …, "message",
    "log_id"}} (https://developers.tiktok.com/doc/tiktok-api-v2-error-handling)."""
    code = str(error.get("code") or response.status_code)
    words = f"{error.get('message') or code} ({code}, log_id {error.get('log_id') or '-'})"
    if code == "rate_limit_exceeded" or response.status_code == 429:
        # Limits are per endpoint and minute (6 inits, 30 status reads…): the channel is not
        # held as a whole, the caller waits `retry_after`.
        wait = parse_retry_after(response.headers.get("retry-after"), http.clock()) or 60.0
        return ConnectorError(
            _("TikTok's rate limit: retry in %(seconds)s s. %(detail)s"),
            ErrorKind.RATE_LIMITED,
            retry_after=wait,
            status=response.status_code,
            seconds=int(wait) + 1,
            detail=words,
        )
    if code == "access_token_invalid":
        return ConnectorError(
            _("TikTok refused the sign-in: %(detail)s"),
            ErrorKind.AUTH_EXPIRED,
            status=response.status_code,
            detail=words,
        )
    if code == "scope_not_authorized":
        return ConnectorError(
            _(
                "The TikTok account did not grant Liant this permission; connect it "
                "again: %(detail)s"
            ),
            status=response.status_code,
            detail=words,
        )
    if response.status_code >= 500 or code == "internal_error":
        return ConnectorError(
            _("TikTok failed (%(code)s): %(detail)s"),
            ErrorKind.TRANSIENT,
            status=response.status_code,
            code=response.status_code,
            detail=words,
        )
    return ConnectorError(
        _("TikTok refused the request (%(code)s): %(detail)s"),
        status=response.status_code,
        code=response.status_code,
        detail=words,
    )


def call(
    http: HttpClient,
    token: str,
    method: str,
    path: str,
    *,
    params: Mapping[str, Any] | None = None,
    body: Any = None,
) -> dict[str, Any]:
    """One Open API call; returns `data` (TikTok answers {"data": …, "error": {"code": "ok"}})."""
    if not token:
        raise ConnectorError(
            _("This TikTok channel has no access token; connect it again."),
            ErrorKind.AUTH_EXPIRED,
        )
    headers = {"Authorization": f"Bearer {token}"}
    kwargs: dict[str, Any] = {"params": params, "headers": headers}
    if body is not None:
        kwargs["json"] = body
    response = http.request(method, API + path, ok_statuses=HANDLED, **kwargs)
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        if response.status_code >= 400:
            raise tiktok_error(http, response, {})
        raise ConnectorError(
            _("TikTok answered %(path)s with something that is not JSON."), path=path
        )
    found = answer.get("error")
    error: dict[str, Any] = found if isinstance(found, dict) else {}
    if response.status_code >= 400 or (error and error.get("code") not in (None, "", "ok")):
        raise tiktok_error(http, response, error)
    data = answer.get("data")
    return data if isinstance(data, dict) else {}


def count_utf16(text: str) -> int:
    """TikTok counts a title in UTF-16 units: an emoji outside the BMP is two."""
    return len(text.encode("utf-16-le")) // 2


def chunk_plan(size: int) -> tuple[int, int]:
    """(chunk_size, total_chunk_count) for a file of `size` bytes, per the transfer guide."""
    if size <= WHOLE_MAX:
        return size, 1
    return CHUNK, size // CHUNK  # the last chunk takes the remainder


class TikTokConnector(Connector):
    kind = "tiktok"
    label = "TikTok"
    capabilities = frozenset(
        {Capability.PUBLISH, Capability.FETCH, Capability.METRICS, Capability.AUDIENCE}
    )
    rules = Rules(
        max_length=2200,  # a video's title: "up to 2200 UTF-16 runes"
        count=count_utf16,
        max_media=1,  # one video per post
        media_types=VIDEO_TYPES,
        max_video_bytes=4 * 1024 * MIB,  # 4 GB
        max_video_seconds=600,  # the longest a creator may be allowed; creator_info says theirs
        links="none",  # a link in a caption is not clickable
    )
    settings_model = TikTokSettings
    fetch_interval = 3600
    limitations = _(
        "TikTok lets Liant post videos and read the account's own videos and their counts, "
        "not the comments on them, so nothing from TikTok reaches the inbox and nothing can "
        "be moderated. Until TikTok has audited the operator's app, everything it posts is "
        "visible to the creator only (SELF_ONLY). Photos are taken only from a public "
        "address on a domain verified for the app."
    )
    # TikTok has no idempotency key; a post already started is finished, never started again,
    # by this worker only: after a restart an unsure post is left to a person.
    publish_idempotency_window = 0.0
    connection: ClassVar[str] = _(
        "OAuth (TikTok Login Kit); the day-long token is renewed with a year-long refresh token"
    )
    oauth: ClassVar[OAuthConfig | None] = OAuthConfig(
        authorize_url="https://www.tiktok.com/v2/auth/authorize/",
        token_url=f"{API}/oauth/token/",
        scopes=(
            "user.info.basic",
            "user.info.stats",
            "video.list",
            "video.publish",
            "video.upload",
        ),
        scope_separator=",",
        client_id_param="client_key",
        client_secret_param="client_secret",  # noqa: S106 - a field name
    )

    settings: TikTokSettings

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return call(
            self.http, str(self.credentials.get("access_token", "")), method, path, **kwargs
        )

    # --- connection ------------------------------------------------------------------------

    @classmethod
    def accounts_after_oauth(
        cls, credentials: Mapping[str, Any], http: HttpClient
    ) -> list[AccountChoice]:
        user = (
            call(
                http,
                str(credentials.get("access_token", "")),
                "GET",
                "/user/info/",
                params={"fields": "open_id,union_id,avatar_url,display_name"},
            ).get("user")
            or {}
        )
        if not user.get("open_id"):
            raise ConnectorError(_("TikTok did not say which account signed in."))
        name = str(user.get("display_name") or user["open_id"])
        return [
            AccountChoice(
                name=name,
                settings={"account_id": str(user["open_id"]), "display_name": name},
                credentials=dict(credentials),
            )
        ]

    def check_connection(self) -> str:
        user = self._call("GET", "/user/info/", params={"fields": "open_id,display_name"})
        return str((user.get("user") or {}).get("display_name") or self.settings.account_id)

    def refresh_credentials(self) -> dict[str, Any] | None:
        token = self.credentials.get("refresh_token")
        if not token or self.oauth is None:
            return None
        fresh = refresh(self.oauth, app_settings(self.kind), self.http, str(token))
        return {**self.credentials, **fresh}

    # --- publishing ------------------------------------------------------------------------

    def publish(self, draft: Draft) -> RemotePost:
        # Kept in the shared storage, not in this worker's memory: a retry that another worker
        # (or this one after a restart) runs must find the publish_id rather than start a
        # second post. Kept after success too, for a retry whose result was never recorded.
        progress = Progress("tiktok", self.settings.account_id, draft.idempotency_key, 0, b"")
        state = progress.read() or None
        if state is None:
            privacy = self._privacy(draft)
            if draft.extras.get("photo_urls"):
                state = self._init_photos(draft, privacy)
            else:
                state = self._init_video(draft, privacy)
            progress.write(state)
        if not state.get("uploaded"):
            self._upload(self._video(draft), state)
            state["uploaded"] = True
            progress.write(state)
        try:
            return self._wait(state)
        except ConnectorError as exc:
            if exc.kind is ErrorKind.PERMANENT and exc.params.get("failed"):
                progress.forget()  # TikTok gave up on it: nothing is out, a new try is safe
            raise

    def _privacy(self, draft: Draft) -> str:
        """The draft's or channel's privacy level, if the creator allows it right now."""
        info = self._call("POST", "/post/publish/creator_info/query/")
        allowed = [str(p) for p in info.get("privacy_level_options") or []]
        wanted = str(draft.extras.get("privacy_level") or self.settings.privacy_level)
        if wanted not in allowed:
            raise ConnectorError(
                _("This TikTok account can post as %(allowed)s, not %(wanted)s."),
                allowed=", ".join(allowed) or "-",
                wanted=wanted,
            )
        return wanted

    def _post_info(self, draft: Draft, privacy: str) -> dict[str, Any]:
        return {
            "title": draft.text,
            "privacy_level": privacy,
            "disable_comment": self.settings.disable_comment,
            "disable_duet": self.settings.disable_duet,
            "disable_stitch": self.settings.disable_stitch,
        }

    def _video(self, draft: Draft) -> Media:
        videos = [m for m in draft.media if m.content_type in VIDEO_TYPES]
        if len(videos) != 1 or len(draft.media) != 1:
            raise ConnectorError(
                _(
                    "A TikTok post is one video (or photos from public addresses); this draft "
                    "has %(count)s file(s)."
                ),
                count=len(draft.media),
            )
        return videos[0]

    def _init_video(self, draft: Draft, privacy: str) -> dict[str, Any]:
        video = self._video(draft)
        size = len(video.data)
        chunk_size, chunks = chunk_plan(size)
        data = self._call(
            "POST",
            "/post/publish/video/init/",
            body={
                "post_info": self._post_info(draft, privacy),
                "source_info": {
                    "source": "FILE_UPLOAD",
                    "video_size": size,
                    "chunk_size": chunk_size,
                    "total_chunk_count": chunks,
                },
            },
        )
        if not data.get("publish_id") or not data.get("upload_url"):
            raise ConnectorError(_("TikTok accepted the post but sent back no upload address."))
        return {
            "publish_id": str(data["publish_id"]),
            "upload_url": str(data["upload_url"]),
            "chunk_size": chunk_size,
            "chunks": chunks,
            "uploaded": False,
        }

    def _init_photos(self, draft: Draft, privacy: str) -> dict[str, Any]:
        urls = [str(u) for u in draft.extras.get("photo_urls") or []]
        if draft.media:
            raise ConnectorError(
                _("A TikTok photo post takes its photos from their addresses, not files.")
            )
        info = self._post_info(draft, privacy)
        info.pop("disable_duet")
        info.pop("disable_stitch")
        info["title"], info["description"] = draft.text[:90], draft.text
        data = self._call(
            "POST",
            "/post/publish/content/init/",
            body={
                "post_info": info,
                "source_info": {
                    "source": "PULL_FROM_URL",
                    "photo_cover_index": 0,
                    "photo_images": urls,
                },
                "post_mode": "DIRECT_POST",
                "media_type": "PHOTO",
            },
        )
        if not data.get("publish_id"):
            raise ConnectorError(_("TikTok accepted the post but sent back no publish id."))
        return {"publish_id": str(data["publish_id"]), "uploaded": True}

    def _upload(self, video: Media, state: dict[str, Any]) -> None:
        """PUT each chunk with its Content-Range. Until the last chunk is in, TikTok has no
        video to publish; an error on the last one may hide a complete upload."""
        data, size = video.data, len(video.data)
        chunk_size, chunks = int(state["chunk_size"]), int(state["chunks"])
        for index in range(chunks):
            first = index * chunk_size
            last = size - 1 if index == chunks - 1 else first + chunk_size - 1
            try:
                self.http.request(
                    "PUT",
                    str(state["upload_url"]),
                    content=data[first : last + 1],
                    headers={
                        "Content-Type": video.content_type,
                        "Content-Range": f"bytes {first}-{last}/{size}",
                    },
                )
            except ConnectorError as exc:
                if index < chunks - 1:
                    raise
                raise ConnectorError(
                    _(
                        "The video's last part may or may not have reached TikTok (post "
                        "%(publish_id)s): %(problem)s"
                    ),
                    ErrorKind.TRANSIENT,
                    publish_id=state["publish_id"],
                    problem=exc,
                ) from exc

    def _wait(self, state: dict[str, Any]) -> RemotePost:
        """Poll the post until TikTok publishes or refuses it. Still processing after the
        polls, or the status cannot be read: the post is TikTok's now, not to be sent again."""
        publish_id = str(state["publish_id"])
        wait = 2.0
        status: dict[str, Any] = {}
        for poll in range(STATUS_POLLS):
            if poll:
                self.http.sleep(wait)
                wait = min(wait * 2, STATUS_MAX_WAIT)
            try:
                status = self._call(
                    "POST", "/post/publish/status/fetch/", body={"publish_id": publish_id}
                )
            except ConnectorError as exc:
                if exc.kind is ErrorKind.AUTH_EXPIRED:
                    raise  # refreshed and called again: this post is remembered, not redone
                break
            if status.get("status") == "FAILED":
                raise ConnectorError(
                    _("TikTok did not publish the post: %(reason)s"),
                    reason=str(status.get("fail_reason") or "-"),
                    failed=True,
                )
            if status.get("status") in DONE:
                break
        post_ids = [str(i) for i in status.get("publicaly_available_post_id") or []]
        return RemotePost(
            # The video's id once it is public and moderated; until then, the publish id.
            remote_id=post_ids[0] if post_ids else publish_id,
            url="",
            published_at=None,
            raw={"publish_id": publish_id, "status": str(status.get("status") or "")},
        )

    # --- reading ---------------------------------------------------------------------------

    def fetch(self, since: Mapping[str, Any]) -> FetchResult:
        """The account's own videos, newest first, down to the newest one already seen."""
        seen = int(since.get("create_time") or 0)
        events: list[Event] = []
        errors: list[Problem] = []
        newest = seen
        cursor: int | None = None
        for _page in range(LIST_PAGES):
            body: dict[str, Any] = {"max_count": LIST_PAGE}
            if cursor is not None:
                body["cursor"] = cursor
            data = self._call("POST", "/video/list/", params={"fields": VIDEO_FIELDS}, body=body)
            older = False
            for video in data.get("videos") or []:
                try:
                    created = int(video["create_time"])
                    if created <= seen:
                        older = True
                        continue
                    events.append(self._event(video))
                    newest = max(newest, created)
                except (KeyError, TypeError, ValueError) as exc:
                    errors.append(
                        Problem(
                            _("video %(id)s could not be read (%(error)s)"),
                            id=str(video.get("id") if isinstance(video, dict) else "?"),
                            error=repr(exc),
                        )
                    )
            if older or not data.get("has_more") or not seen:
                break
            cursor = data.get("cursor")
        return FetchResult(events, {"create_time": newest}, errors)

    def _event(self, video: Mapping[str, Any]) -> Event:
        return Event(
            kind=EventKind.POST,
            remote_id=str(video["id"]),
            author=Author(remote_id=self.settings.account_id, name=self.settings.display_name),
            occurred_at=datetime.fromtimestamp(int(video["create_time"]), UTC),
            text=str(video.get("video_description") or video.get("title") or ""),
            url=str(video.get("share_url") or ""),
            raw={"id": str(video["id"]), "cover_image_url": video.get("cover_image_url")},
        )

    def metrics(self, remote_ids: list[str]) -> list[Metrics]:
        ids = [i for i in dict.fromkeys(remote_ids) if i.isdigit()]  # not publish ids
        results: list[Metrics] = []
        for start in range(0, len(ids), VIDEO_QUERY_MAX):
            data = self._call(
                "POST",
                "/video/query/",
                params={"fields": METRIC_FIELDS},
                body={"filters": {"video_ids": ids[start : start + VIDEO_QUERY_MAX]}},
            )
            for video in data.get("videos") or []:
                values = {
                    "likes": video.get("like_count"),
                    "replies": video.get("comment_count"),
                    "shares": video.get("share_count"),
                    "views": video.get("view_count"),
                }
                results.append(
                    Metrics(
                        str(video["id"]), {k: v for k, v in values.items() if isinstance(v, int)}
                    )
                )
        return results

    def audience(self) -> Audience:
        """/v2/user/info/ with follower_count, following_count, likes_count and video_count
        (scope user.info.stats)."""
        data = self._call(
            "GET",
            "/user/info/",
            params={"fields": "open_id,follower_count,following_count,likes_count,video_count"},
        )
        user = data.get("user") or {}
        extra = {
            name: count
            for name, field in (("likes", "likes_count"), ("videos", "video_count"))
            if (count := optional_count(user.get(field))) is not None
        }
        return Audience(
            followers=audience_count(self.label, user.get("follower_count"), "follower_count"),
            following=optional_count(user.get("following_count")),
            extra=extra,
        )
