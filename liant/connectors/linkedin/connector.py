"""LinkedIn organisation pages: the versioned REST API of the Community Management product
(https://learn.microsoft.com/linkedin/marketing/community-management/), signed in with OAuth 2.

A Liant channel is one organisation page the signed-in member administers. Liant publishes
the page's posts (text, article link, one image or one video — uploaded in parts and resumed
after a retry: video.py), reads the comments on its latest posts,
answers them as the page, deletes them, and reads the page's share and follower statistics.

Every call names the API version it was written for (`LINKEDIN_VERSION`, the `LinkedIn-Version`
header) and Rest.li protocol 2.0.0; URNs in paths and queries are percent-encoded, as
Rest.li 2.0 requires. Remote ids are LinkedIn's URNs: a post's `urn:li:share:…` or
`urn:li:ugcPost:…`, a comment's `urn:li:comment:(urn:li:activity:…,…)`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

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
    Media,
    Metrics,
    ModerationAction,
    Problem,
    RemotePost,
    Rules,
    audience_count,
    count_chars,
)
from liant.connectors.http import HttpClient
from liant.connectors.linkedin.video import upload_video
from liant.connectors.progress import Progress

API = "https://api.linkedin.com/rest"
# The one API version Liant speaks (YYYYMM). LinkedIn keeps a version for at least a year;
# moving on means reading that version's migration notes, then changing this line.
LINKEDIN_VERSION = "202603"
MAX_COMMENTARY = 3000  # Posts API: commentary, "up to 3000 characters"
MAX_COMMENT = 1250  # Comments API: message text
POSTS_READ = 10  # the page's latest posts whose comments are read at each fetch
PAGE = 100  # comments per request (count)
MAX_PAGES = 5  # per post and fetch
HANDLED = (400, 401, 403, 404, 409, 422, 429)
# LinkedIn sends no reset header with a 429; its quotas are daily and reset at midnight UTC
# (developer docs, "Rate Limiting"). Liant tries again in an hour, or at midnight if sooner.
RATE_LIMIT_WAIT = timedelta(hours=1)
# Little Text Format (the `commentary` of a post): these characters are markup and must be
# escaped, or LinkedIn drops the text from the first one on.
RESERVED = re.compile(r"([\\|{}@\[\]()<>#*_~])")
HASHTAG = re.compile(r"(?<![\w#])#(\w+)")
COMMENT_URN = re.compile(r"^urn:li:comment:\((urn:li:[A-Za-z]+:[^,()]+),([^,()]+)\)$")
ORGANIZATION_URN = re.compile(r"^urn:li:organization:(\d+)$")
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif"})
VIDEO_TYPES = frozenset({"video/mp4"})  # Videos API: MP4


class LinkedInSettings(ConnectorSettings):
    account_id: str  # the organisation URN, urn:li:organization:<id>
    name: str = ""
    vanity_name: str = ""


def headers(token: str, **extra: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {token}",
        "LinkedIn-Version": LINKEDIN_VERSION,
        "X-Restli-Protocol-Version": "2.0.0",
        **extra,
    }


def enc(urn: str) -> str:
    """A URN as Rest.li 2.0 wants it in a path or a query value."""
    return quote(urn, safe="")


def call(
    http: HttpClient,
    token: str,
    method: str,
    path: str,
    *,
    query: str = "",
    body: Any = None,
    finder: bool = False,
    missing_ok: bool = False,
) -> httpx.Response | None:
    """One REST call under LinkedIn's error rules; None for a 404 when missing_ok."""
    extra = {"X-RestLi-Method": "FINDER"} if finder else {}
    url = API + path + (f"?{query}" if query else "")
    response = http.request(
        method,
        url,
        headers=headers(token, **extra),
        json=body,
        ok_statuses=HANDLED,
    )
    if response.status_code == 404 and missing_ok:
        return None
    if response.status_code >= 400:
        raise error_of(http, response)
    return response


def json_of(response: httpx.Response | None) -> dict[str, Any]:
    if response is None or not response.content:
        return {}
    try:
        data = response.json()
    except ValueError as exc:
        raise ConnectorError(
            _("LinkedIn answered %(path)s with something that is not JSON."),
            path=response.request.url.path,
        ) from exc
    if not isinstance(data, dict):
        raise ConnectorError(
            _("LinkedIn answered %(path)s with something that is not JSON."),
            path=response.request.url.path,
        )
    return data


def error_of(http: HttpClient, response: httpx.Response) -> ConnectorError:
    """LinkedIn's errors: {"status": 403, "serviceErrorCode": 100, "code": "ACCESS_DENIED",
    "message": "Not enough permissions to access: …"}."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    status = response.status_code
    words = str(body.get("message") or body.get("code") or "")[:300]
    if status == 429:
        now = http.clock()
        midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
        wait = min(RATE_LIMIT_WAIT, midnight - now).total_seconds()
        http.recorder.block_until(now + timedelta(seconds=wait))
        return ConnectorError(
            _(
                "LinkedIn's daily quota for this call is used up (%(detail)s); LinkedIn gives no "
                "reset time, so Liant tries again in %(seconds)s s."
            ),
            ErrorKind.RATE_LIMITED,
            retry_after=wait,
            status=status,
            seconds=int(wait),
            detail=words,
        )
    if status == 401:
        return ConnectorError(
            _("LinkedIn refused the sign-in (%(detail)s)."),
            ErrorKind.AUTH_EXPIRED,
            status=status,
            detail=words or "401",
        )
    return ConnectorError(
        _("LinkedIn refused the request (%(code)s): %(detail)s"),
        status=status,
        code=status,
        detail=words,
    )


def escape_commentary(text: str) -> str:
    """Plain text → Little Text Format: markup characters escaped, hashtags kept as hashtags."""
    parts = []
    last = 0
    for match in HASHTAG.finditer(text):
        parts.append(RESERVED.sub(r"\\\1", text[last : match.start()]))
        parts.append("{hashtag|\\#|" + RESERVED.sub(r"\\\1", match[1]) + "}")
        last = match.end()
    parts.append(RESERVED.sub(r"\\\1", text[last:]))
    return "".join(parts)


def split_comment(urn: str) -> tuple[str, str]:
    """urn:li:comment:(urn:li:activity:1,2) → ("urn:li:activity:1", "2")."""
    match = COMMENT_URN.match(urn)
    if not match:
        raise ConnectorError(_("%(id)r is not a LinkedIn comment URN."), id=urn)
    return match[1], match[2]


def post_url(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}/"


def _ms(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value) / 1000, UTC)


class LinkedInConnector(Connector):
    kind = "linkedin"
    label = "LinkedIn"
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
        max_length=MAX_COMMENTARY,
        count=count_chars,
        max_media=1,
        media_types=IMAGE_TYPES | VIDEO_TYPES,
        image_max_pixels=36_152_320,  # Images API: "less than 36,152,320 pixels"
        # Videos API: 75 KB to 500 MB, 3 seconds to 30 minutes.
        max_video_bytes=500 * 1024 * 1024,
        max_video_seconds=30 * 60,
        links="card",
    )
    settings_model = LinkedInSettings
    fetch_interval = 900
    limitations = _(
        "LinkedIn lets Liant act for organisation pages only, not for personal profiles; it "
        "reads the comments on the page's ten latest posts, commenters are known by their "
        "member id (LinkedIn does not give their names), and there are no private messages. "
        "Comments can be deleted but not hidden."
    )
    publish_idempotency_window = 0.0  # LinkedIn takes no idempotency key
    moderation_actions: ClassVar[frozenset[ModerationAction]] = frozenset({ModerationAction.DELETE})
    connection: ClassVar[str] = _("OAuth, access for 60 days, renewed with the refresh token")
    oauth: ClassVar[oauth.OAuthConfig | None] = oauth.OAuthConfig(
        authorize_url="https://www.linkedin.com/oauth/v2/authorization",
        token_url="https://www.linkedin.com/oauth/v2/accessToken",  # noqa: S106 - an address
        scopes=(
            "r_organization_social",
            "w_organization_social",
            "rw_organization_admin",
            "r_organization_admin",
        ),
        client_auth="body",
    )

    settings: LinkedInSettings

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
        return call(
            self.http, str(self.credentials.get("access_token", "")), method, path, **kwargs
        )

    @property
    def organization(self) -> str:
        return self.settings.account_id

    def _brand(self) -> Author:
        match = ORGANIZATION_URN.match(self.organization)
        slug = self.settings.vanity_name or (match[1] if match else "")
        return Author(
            remote_id=self.organization,
            handle=self.settings.vanity_name,
            name=self.settings.name,
            url=f"https://www.linkedin.com/company/{slug}/" if slug else "",
        )

    # --- connection ------------------------------------------------------------------------

    def check_connection(self) -> str:
        match = ORGANIZATION_URN.match(self.organization)
        if not match:
            raise ConnectorError(
                _("%(id)r is not a LinkedIn organisation URN."), id=self.organization
            )
        found = json_of(self._call("GET", f"/organizations/{match[1]}"))
        return str(found.get("localizedName") or self.organization)

    def refresh_credentials(self) -> dict[str, Any] | None:
        """A refresh token (apps LinkedIn approved for it) buys a new 60-day access token; the
        refresh token keeps its own 365-day end, which LinkedIn sends again."""
        token = self.credentials.get("refresh_token")
        if not token or self.oauth is None:
            return None
        fresh = oauth.refresh(self.oauth, app_settings(self.kind), self.http, str(token))
        return {**self.credentials, **fresh}

    @classmethod
    def accounts_after_oauth(
        cls, credentials: Mapping[str, Any], http: HttpClient
    ) -> list[AccountChoice]:
        """The organisations the member administers, each a channel of its own."""
        token = str(credentials["access_token"])
        acls = json_of(
            call(
                http,
                token,
                "GET",
                "/organizationAcls",
                query="q=roleAssignee&role=ADMINISTRATOR&state=APPROVED&count=100",
                finder=True,
            )
        )
        choices = []
        seen = set()
        for acl in acls.get("elements") or []:
            urn = str(acl.get("organization") or "") if isinstance(acl, dict) else ""
            match = ORGANIZATION_URN.match(urn)
            if not match or urn in seen:
                continue
            seen.add(urn)
            found = json_of(call(http, token, "GET", f"/organizations/{match[1]}"))
            name = str(found.get("localizedName") or urn)
            settings = {
                "account_id": urn,
                "name": name,
                "vanity_name": str(found.get("vanityName") or ""),
            }
            choices.append(
                AccountChoice(name=name, settings=settings, credentials=dict(credentials))
            )
        return choices

    # --- reading ---------------------------------------------------------------------------

    def fetch(self, since: Mapping[str, Any]) -> FetchResult:
        """The page's latest posts, then the comments on each that came after the cursor."""
        seen: dict[str, dict[str, Any]] = {
            k: dict(v) for k, v in (since.get("posts") or {}).items() if isinstance(v, dict)
        }
        page = json_of(
            self._call(
                "GET",
                "/posts",
                query=f"author={enc(self.organization)}&q=author&count={POSTS_READ}"
                "&sortBy=LAST_MODIFIED",
                finder=True,
            )
        )
        events: list[Event] = []
        errors: list[Problem] = []
        posts = [p for p in page.get("elements") or [] if isinstance(p, dict) and p.get("id")]
        for post in posts:
            urn = str(post["id"])
            try:
                if urn not in seen:
                    events.append(self.post_event(post))
            except (KeyError, TypeError, ValueError) as exc:
                errors.append(Problem(_("post %(post)s: %(problem)s"), post=urn, problem=str(exc)))
            position = seen.setdefault(urn, {"time": 0, "ids": []})
            try:
                comments = self._comments(urn)
            except ConnectorError as exc:
                if exc.kind is not ErrorKind.PERMANENT:
                    raise
                errors.append(Problem(_("post %(post)s: %(problem)s"), post=urn, problem=exc))
                continue
            after, known = int(position.get("time") or 0), set(position.get("ids") or [])
            newest, at_newest = after, sorted(known)
            for comment in comments:
                try:
                    when = int(comment["created"]["time"])
                    comment_urn = str(comment["commentUrn"])
                    if when > newest:
                        newest, at_newest = when, [comment_urn]
                    elif when == newest and comment_urn not in at_newest:
                        at_newest.append(comment_urn)
                    if when < after or (when == after and comment_urn in known):
                        continue  # read before
                    if str(comment.get("actor")) == self.organization:
                        continue  # the page's own answers
                    events.append(self.comment_event(comment, urn))
                except (KeyError, TypeError, ValueError) as exc:
                    errors.append(
                        Problem(
                            _("comment on %(post)s: %(problem)s"),
                            post=urn,
                            problem=f"{type(exc).__name__}: {exc}",
                        )
                    )
            seen[urn] = {"time": newest, "ids": at_newest}
        # Only the posts still among the latest are kept: the cursor stays small.
        keep = {str(p["id"]) for p in posts}
        return FetchResult(events, {"posts": {k: v for k, v in seen.items() if k in keep}}, errors)

    def _comments(self, post: str) -> list[dict[str, Any]]:
        """The comments on a post, and the answers under those that have some."""
        found = self._comment_pages(post)
        for comment in list(found):
            summary = comment.get("commentsSummary") or {}
            if isinstance(summary, dict) and int(summary.get("totalFirstLevelComments") or 0):
                found.extend(self._comment_pages(str(comment["commentUrn"])))
        return found

    def _comment_pages(self, target: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for index in range(MAX_PAGES):
            page = json_of(
                self._call(
                    "GET",
                    f"/socialActions/{enc(target)}/comments",
                    query=f"start={index * PAGE}&count={PAGE}",
                    missing_ok=True,  # a post deleted meanwhile
                )
            )
            elements = [c for c in page.get("elements") or [] if isinstance(c, dict)]
            found.extend(elements)
            paging = page.get("paging") or {}
            total = int(paging.get("total") or 0) if isinstance(paging, dict) else 0
            if len(elements) < PAGE or (total and (index + 1) * PAGE >= total):
                break
        return found

    def post_event(self, post: Mapping[str, Any]) -> Event:
        urn = str(post["id"])
        when = post.get("publishedAt") or post.get("createdAt")
        return Event(
            kind=EventKind.POST,
            remote_id=urn,
            author=self._brand(),
            occurred_at=_ms(when),
            text=str(post.get("commentary") or ""),
            url=post_url(urn),
            thread_remote_id=urn,
            raw={k: post.get(k) for k in ("id", "author", "visibility", "lifecycleState")},
        )

    def comment_event(self, comment: Mapping[str, Any], post: str) -> Event:
        actor = str(comment["actor"])
        match = ORGANIZATION_URN.match(actor)
        author = Author(
            remote_id=actor,
            url=f"https://www.linkedin.com/company/{match[1]}/" if match else "",
        )
        message = comment.get("message") or {}
        parent = str(comment.get("parentComment") or "") or post
        comment_urn = str(comment["commentUrn"])
        return Event(
            kind=EventKind.COMMENT,
            remote_id=comment_urn,
            author=author,
            occurred_at=_ms(comment["created"]["time"]),
            text=str(message.get("text") or "") if isinstance(message, dict) else "",
            url=post_url(post) + "?commentUrn=" + enc(comment_urn),
            parent_remote_id=parent,
            thread_remote_id=post,
            raw={
                "id": comment.get("id"),
                "object": comment.get("object"),
                "post": post,
                "parentComment": comment.get("parentComment") or "",
                "actor": actor,
            },
        )

    # --- writing ---------------------------------------------------------------------------

    def publish(self, draft: Draft) -> RemotePost:
        if draft.reply_to:
            raise ConnectorError(_("LinkedIn posts cannot be threads; publish one post."))
        text = draft.text
        if count_chars(text) > MAX_COMMENTARY:
            raise ConnectorError(
                _("LinkedIn posts hold at most %(count)s characters."), count=MAX_COMMENTARY
            )
        if len(draft.media) > 1:
            raise ConnectorError(_("Liant publishes one image or one video per LinkedIn post."))
        if not text.strip() and not draft.media and not draft.link:
            raise ConnectorError(_("LinkedIn cannot publish an empty post."))
        body: dict[str, Any] = {
            "author": self.organization,
            "commentary": escape_commentary(text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        progress: Progress | None = None
        if draft.media and draft.media[0].content_type in VIDEO_TYPES:
            media = draft.media[0]
            progress = Progress("linkedin", self.organization, draft.idempotency_key, 0, media.data)
            body["content"] = {"media": {"id": self._upload_video(media, progress)}}
            if media.filename:
                body["content"]["media"]["title"] = media.filename.rsplit(".", 1)[0][:400]
            if draft.link and draft.link not in text:
                body["commentary"] = escape_commentary(f"{text}\n{draft.link}".strip())
        elif draft.media:
            media = draft.media[0]
            if media.content_type not in IMAGE_TYPES:
                raise ConnectorError(
                    _("LinkedIn takes JPEG, PNG or GIF images, not %(type)s."),
                    type=media.content_type,
                )
            body["content"] = {
                "media": {"id": self._upload_image(media.data), "altText": media.alt_text[:4086]}
            }
            if draft.link and draft.link not in text:
                body["commentary"] = escape_commentary(f"{text}\n{draft.link}".strip())
        elif draft.link:
            title = str(draft.extras.get("link_title") or "").strip()
            body["content"] = {
                "article": {
                    "source": draft.link,
                    "title": title or (urlsplit(draft.link).hostname or draft.link),
                }
            }
        # A POST LinkedIn may have acted on is never sent again (no idempotency key).
        response = self._call("POST", "/posts", body=body)
        assert response is not None
        urn = response.headers.get("x-restli-id", "")
        if not urn:
            raise ConnectorError(
                _("LinkedIn published the post but did not say its id (x-restli-id).")
            )
        if progress is not None:
            progress.forget()
        return RemotePost(
            remote_id=urn, url=post_url(urn), published_at=datetime.now(UTC), raw={"id": urn}
        )

    def _upload_video(self, media: Media, progress: Progress) -> str:
        try:
            return upload_video(
                self.http,
                self._call,
                json_of,
                str(self.credentials.get("access_token", "")),
                self.organization,
                media,
                progress,
                error_of,
            )
        except ConnectorError as exc:
            if exc.kind is ErrorKind.TRANSIENT and exc.status != -1:
                # Nothing is posted before the video is up: a retry cannot double the post
                # (and sends only the parts LinkedIn has not acknowledged).
                exc.status = -1
            raise

    def _upload_image(self, data: bytes) -> str:
        """Images API: initializeUpload, then PUT the bytes; the image URN goes in the post.
        Both steps are safe to do again: an image never used in a post is only left unused."""
        start = json_of(
            self._call(
                "POST",
                "/images",
                query="action=initializeUpload",
                body={"initializeUploadRequest": {"owner": self.organization}},
            )
        )
        value = start.get("value") or {}
        upload, image = str(value.get("uploadUrl") or ""), str(value.get("image") or "")
        host = urlsplit(upload).hostname or ""
        if not image or not (host == "linkedin.com" or host.endswith(".linkedin.com")):
            # The token goes with the bytes: only to LinkedIn's own upload host.
            raise ConnectorError(
                _("LinkedIn's image upload answer is not usable (upload address %(host)s)."),
                host=host or "?",
            )
        response = self.http.request(
            "PUT",
            upload,
            content=data,
            headers={"Authorization": f"Bearer {self.credentials.get('access_token', '')}"},
            ok_statuses=HANDLED,
        )
        if response.status_code >= 400:
            raise error_of(self.http, response)
        return image

    def reply(self, parent: Event, draft: Draft) -> RemotePost:
        """A comment as the page: on the post, or under a comment (LinkedIn nests one level,
        so an answer to an answer goes under the first comment)."""
        text = draft.text.strip()
        if not text:
            raise ConnectorError(_("LinkedIn cannot send an empty comment."))
        if count_chars(text) > MAX_COMMENT:
            raise ConnectorError(
                _("LinkedIn comments hold at most %(count)s characters."), count=MAX_COMMENT
            )
        raw = parent.raw or {}
        body: dict[str, Any] = {"actor": self.organization, "message": {"text": text}}
        if parent.remote_id.startswith("urn:li:comment:"):
            root = str(raw.get("parentComment") or "") or parent.remote_id
            activity, _id = split_comment(root)
            body["object"] = str(raw.get("object") or activity)
            body["parentComment"] = root
            target = root
        else:
            body["object"] = parent.remote_id
            target = parent.remote_id
        response = self._call("POST", f"/socialActions/{enc(target)}/comments", body=body)
        assert response is not None
        created = json_of(response)
        urn = str(created.get("commentUrn") or "")
        if not urn:
            comment_id = response.headers.get("x-restli-id", "")
            activity = split_comment(target)[0] if target.startswith("urn:li:comment:") else ""
            urn = f"urn:li:comment:({activity or body['object']},{comment_id})"
        post = str(raw.get("post") or parent.thread_remote_id or parent.remote_id)
        return RemotePost(
            remote_id=urn,
            url=post_url(post) + "?commentUrn=" + enc(urn),
            published_at=_ms(created["created"]["time"])
            if isinstance(created.get("created"), dict)
            else datetime.now(UTC),
            raw=created,
        )

    # --- metrics and moderation ------------------------------------------------------------

    def metrics(self, remote_ids: list[str]) -> list[Metrics]:
        """Posts: organizationalEntityShareStatistics. The organisation's own URN: its
        followers (networkSizes) and those gained in the last 30 days
        (organizationalEntityFollowerStatistics)."""
        found: list[Metrics] = []
        posts = [r for r in remote_ids if r != self.organization]
        if self.organization in remote_ids:
            found.append(self._followers())
        shares = [p for p in posts if p.startswith("urn:li:share:")]
        ugc = [p for p in posts if p.startswith("urn:li:ugcPost:")]
        elements: list[Any] = []
        # One kind of post at a time, as the documented requests do (never both lists).
        for name, urns in (("shares", shares), ("ugcPosts", ugc)):
            if not urns:
                continue
            page = json_of(
                self._call(
                    "GET",
                    "/organizationalEntityShareStatistics",
                    query=f"q=organizationalEntity&organizationalEntity={enc(self.organization)}"
                    f"&{name}=List(" + ",".join(enc(u) for u in urns) + ")",
                    finder=True,
                )
            )
            elements.extend(
                e
                for e in page.get("elements") or []
                if isinstance(e, dict) and str(e.get("share") or e.get("ugcPost")) in urns
            )
        for element in elements:
            urn = str(element.get("share") or element.get("ugcPost"))
            stats = element.get("totalShareStatistics")
            if not isinstance(stats, dict):
                continue
            found.append(
                Metrics(
                    remote_id=urn,
                    values={
                        "impressions": int(stats.get("impressionCount") or 0),
                        "reach": int(stats.get("uniqueImpressionsCount") or 0),
                        "clicks": int(stats.get("clickCount") or 0),
                        "likes": int(stats.get("likeCount") or 0),
                        "replies": int(stats.get("commentCount") or 0),
                        "reposts": int(stats.get("shareCount") or 0),
                    },
                )
            )
        return found

    def _followers(self) -> Metrics:
        size = json_of(
            self._call(
                "GET",
                f"/networkSizes/{enc(self.organization)}",
                query="edgeType=COMPANY_FOLLOWED_BY_MEMBER",
            )
        )
        end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        start = end - timedelta(days=30)
        query = (
            f"q=organizationalEntity&organizationalEntity={enc(self.organization)}"
            "&timeIntervals=(timeRange:(start:"
            f"{int(start.timestamp() * 1000)},end:{int(end.timestamp() * 1000)}),"
            "timeGranularityType:DAY)"
        )
        stats = json_of(
            self._call("GET", "/organizationalEntityFollowerStatistics", query=query, finder=True)
        )
        organic = paid = 0
        for element in stats.get("elements") or []:
            gains = element.get("followerGains") if isinstance(element, dict) else None
            if isinstance(gains, dict):
                organic += int(gains.get("organicFollowerGain") or 0)
                paid += int(gains.get("paidFollowerGain") or 0)
        return Metrics(
            remote_id=self.organization,
            values={
                "followers": int(size.get("firstDegreeSize") or 0),
                "followers_gained_organic_30d": organic,
                "followers_gained_paid_30d": paid,
            },
        )

    def audience(self) -> Audience:
        """networkSizes with edgeType=COMPANY_FOLLOWED_BY_MEMBER: firstDegreeSize, the
        organisation's followers."""
        size = json_of(
            self._call(
                "GET",
                f"/networkSizes/{enc(self.organization)}",
                query="edgeType=COMPANY_FOLLOWED_BY_MEMBER",
            )
        )
        return Audience(
            followers=audience_count(self.label, size.get("firstDegreeSize"), "firstDegreeSize")
        )

    def moderate(self, remote_id: str, action: ModerationAction) -> None:
        action = ModerationAction(action)
        if action is not ModerationAction.DELETE:
            raise ConnectorError(
                _(
                    "LinkedIn's API does not allow it (%(action)s): a page can only delete "
                    "comments on its own posts."
                ),
                action=str(action),
            )
        target, comment_id = split_comment(remote_id)
        self._call(
            "DELETE",
            f"/socialActions/{enc(target)}/comments/{quote(comment_id, safe='')}",
            query=f"actor={enc(self.organization)}",
            missing_ok=True,  # already gone
        )
