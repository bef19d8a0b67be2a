"""The interface every network speaks.

A connector is built for one channel: it gets the channel's settings (validated by its own
pydantic model), its decrypted credentials, and an `HttpClient` that is the only way it may
reach the network. It never touches the database: it returns plain data and the channels app
stores it, so connectors stay testable against recorded payloads and local servers.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_noop as _
from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from liant.connectors.http import HttpClient
    from liant.connectors.oauth import OAuthConfig


class ErrorKind(enum.StrEnum):
    TRANSIENT = "transient"  # retry with backoff
    RATE_LIMITED = "rate_limited"  # retry after `retry_after` seconds
    AUTH_EXPIRED = "auth_expired"  # refresh, else the channel is disconnected
    PERMANENT = "permanent"  # fail with the network's message


class Translatable:
    """An English template with `%(name)s` placeholders and the values that fill them.

    Connectors run in the worker, where nobody's language is known, so they say what went
    wrong as a template; whoever shows it (a page, an e-mail) translates it into the reader's
    language then. The values are not translated: they are names, numbers and the network's
    own words. A value that is itself Translatable is translated with its parent.
    """

    template: str
    params: dict[str, Any]

    @property
    def message(self) -> str:
        """The English text, for logs, the exchange log and the stored fallback."""
        return _render(self.template, self.params, translate=False)

    def translated(self) -> str:
        """The text in the active language (English where no translation exists)."""
        return _render(self.template, self.params, translate=True)

    def detail(self) -> dict[str, Any]:
        """A JSON-safe form that `render_detail` turns back into text in any language."""
        return {
            "template": self.template,
            "params": {k: _jsonable(v) for k, v in self.params.items()},
        }


class Problem(Translatable):
    """One thing a connector skipped while fetching (an unreadable item), told like an error."""

    def __init__(self, template: str, **params: Any):
        self.template = template
        self.params = params

    @classmethod
    def restore(cls, template: str, params: dict[str, Any]) -> Problem:
        """Rebuild a stored one (its template was marked for translation where it was made)."""
        return cls(template, **params)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"Problem({self.message!r})"


class ConnectorError(Translatable, Exception):
    def __init__(
        self,
        message: str,
        kind: ErrorKind | str = ErrorKind.PERMANENT,
        *,
        retry_after: float | None = None,
        status: int | None = None,
        **params: Any,
    ):
        self.template = message
        self.params = params
        self.kind = ErrorKind(kind)
        self.retry_after = retry_after
        self.status = status
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


def _render(template: str, params: Mapping[str, Any], *, translate: bool) -> str:
    if not template:
        return ""  # gettext("") is the catalogue's header, not a message
    text = gettext(template) if translate else template
    if not params:
        return text.strip()
    values = {
        k: (v.translated() if translate else v.message) if isinstance(v, Translatable) else v
        for k, v in params.items()
    }
    try:
        rendered = text % values
    except (KeyError, ValueError, TypeError):
        if not translate:
            return template.strip()
        # A translation that does not fit its values must not hide the error: English then.
        return _render(template, params, translate=False)
    # A value left empty at the end (the network said nothing) leaves no trailing space.
    return rendered.strip()


def _jsonable(value: Any) -> Any:
    if isinstance(value, Translatable):
        return value.detail()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _from_detail(detail: Any) -> Problem:
    """Rebuild what `detail()` gave; raises ValueError when the stored form is not one."""
    if not (
        isinstance(detail, dict)
        and isinstance(detail.get("template"), str)
        and isinstance(detail.get("params", {}), dict)
    ):
        raise ValueError("not a message detail")
    params = {
        str(k): _from_detail(v) if isinstance(v, dict) else v
        for k, v in detail.get("params", {}).items()
    }
    if params:
        try:  # a template its values do not fill is not shown: the stored English is
            detail["template"] % {k: "" if isinstance(v, Problem) else v for k, v in params.items()}
        except (KeyError, TypeError) as exc:
            raise ValueError("the values do not fit the template") from exc
    return Problem.restore(detail["template"], params)


def render_detail(detail: Any, fallback: str = "") -> str:
    """A stored `detail()` (or a list of them) in the active language; `fallback`, the stored
    English, when there is no detail or it cannot be read (an older row, a hand edit)."""
    try:
        if isinstance(detail, list) and detail:
            return "; ".join(_from_detail(d).translated() for d in detail)
        if isinstance(detail, dict):
            return _from_detail(detail).translated()
    except (ValueError, TypeError, AttributeError):
        pass
    return fallback


class Capability(enum.StrEnum):
    PUBLISH = "publish"
    REPLY = "reply"
    FETCH = "fetch"
    METRICS = "metrics"
    MODERATE = "moderate"
    SEND_DIRECT = "send_direct"
    SEARCH = "search"  # listening queries over the network's public search
    # Native polls: Draft.extras["poll"] publishes one, and `metrics` reads its counts back as
    # "poll_votes" and "poll_option_<index>" (in the order the choices were sent).
    POLLS = "polls"
    # The network pushes events to Liant (`receive_webhook`), signed; fetching may still run.
    WEBHOOKS = "webhooks"
    # `audience()` says how many follow the account (subscribers, members) as of now; the
    # channels app keeps one sample a day, which analytics adds up (followers, growth).
    AUDIENCE = "audience"


class EventKind(enum.StrEnum):
    POST = "post"
    COMMENT = "comment"
    MENTION = "mention"
    DIRECT_MESSAGE = "direct_message"
    REACTION = "reaction"
    FOLLOW = "follow"
    MEMBERSHIP = "membership"


class ModerationAction(enum.StrEnum):
    HIDE = "hide"
    DELETE = "delete"
    MUTE = "mute"
    BLOCK = "block"
    KICK = "kick"
    BAN = "ban"
    # Taking a sanction back (moderation's appeals and timed mutes); each network that can.
    UNMUTE = "unmute"
    UNBLOCK = "unblock"
    UNBAN = "unban"


# --- Length rules the composer checks without calling the network ---------------------------

URL_RE = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)


def count_chars(text: str) -> int:
    """Unicode code points (what most networks document as 'characters')."""
    return len(text)


def count_graphemes(text: str) -> int:
    """User-perceived characters: an emoji with skin tone or a family is one (Bluesky)."""
    import regex  # noqa: PLC0415 - only needed by networks that count graphemes

    return len(regex.findall(r"\X", unicodedata.normalize("NFC", text)))


def count_with_urls_as(length: int) -> Callable[[str], int]:
    """Every URL counts as `length` characters, whatever its real length (Mastodon: 23)."""

    def count(text: str) -> int:
        return len(URL_RE.sub("x" * length, text))

    return count


@dataclass(frozen=True)
class Rules:
    max_length: int | None = None
    count: Callable[[str], int] = count_chars
    count_label: str = "characters"  # or "graphemes": picks the message of `check`
    max_media: int = 0
    media_types: frozenset[str] = frozenset()
    max_image_bytes: int | None = None
    max_video_bytes: int | None = None
    max_alt_text: int | None = None
    # What the network keeps of an image, so the media library makes each network a rendition
    # that fits before upload (instead of the network refusing it, or shrinking it its way).
    image_max_side: int | None = None  # the longest side, in pixels
    image_max_pixels: int | None = None  # width × height
    image_ratio: tuple[float, float] | None = None  # (narrowest, widest) width/height accepted
    max_video_seconds: float | None = None
    video_max_pixels: int | None = None  # width × height of a video's frames
    links: str = "inline"  # inline | card | none: how a link in the text is shown
    content_warning: bool = False
    threads: bool = False  # can publish a thread / first comment

    def check(self, text: str, media: Iterable[tuple[str, int]] = ()) -> list[str]:
        """Return the problems of a variant, in plain words in the active language (empty
        when it can be sent)."""
        problems = []
        length = self.count(text)
        if self.max_length is not None and length > self.max_length:
            over = length - self.max_length
            if self.count_label == "graphemes":
                problem = ngettext(
                    "%(count)s grapheme too long", "%(count)s graphemes too long", over
                )
            else:
                problem = ngettext(
                    "%(count)s character too long", "%(count)s characters too long", over
                )
            problems.append(problem % {"count": over})
        items = list(media)
        if len(items) > self.max_media:
            problems.append(
                ngettext("at most %(count)s media", "at most %(count)s media", self.max_media)
                % {"count": self.max_media}
            )
        for content_type, size in items:
            if self.media_types and content_type not in self.media_types:
                problems.append(gettext("%(type)s is not accepted") % {"type": content_type})
            limit = (
                self.max_video_bytes if content_type.startswith("video/") else self.max_image_bytes
            )
            if limit is not None and size > limit:
                problems.append(
                    gettext("%(type)s larger than %(size)s MB")
                    % {"type": content_type, "size": limit // 1_000_000}
                )
        return problems

    def remaining(self, text: str) -> int | None:
        return None if self.max_length is None else self.max_length - self.count(text)


# --- What connectors take and return --------------------------------------------------------


@dataclass
class Author:
    remote_id: str
    handle: str = ""
    name: str = ""
    url: str = ""
    avatar_url: str = ""
    followers: int | None = None  # reach, where the network says it


@dataclass
class Event:
    """One thing that happened on a network, in the shape every module reads."""

    kind: EventKind
    remote_id: str
    author: Author | None
    occurred_at: datetime
    text: str = ""
    html: str = ""  # as the network sent it; sanitized before it is stored
    url: str = ""
    parent_remote_id: str = ""
    thread_remote_id: str = ""
    language: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class FetchResult:
    events: list[Event]
    cursor: dict[str, Any]  # stored and given back as `since` next time
    errors: list[Problem] = field(default_factory=list)  # items skipped, with where and why


@dataclass
class Media:
    content_type: str
    data: bytes
    alt_text: str = ""
    filename: str = ""


@dataclass
class Draft:
    """One variant of a post, as the publisher hands it to a connector."""

    text: str
    media: list[Media] = field(default_factory=list)
    link: str = ""
    content_warning: str = ""
    reply_to: str = ""  # remote id of the parent, for threads and replies
    idempotency_key: str = ""  # sent to networks that honour one, so a retry never doubles
    # Network-specific options a connector may read and the others ignore, e.g. Mastodon's
    # {"poll": {"options": [...], "expires_in": 86400}, "visibility": "unlisted"}.
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass
class RemotePost:
    remote_id: str
    url: str = ""
    published_at: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Metrics:
    remote_id: str
    values: dict[str, int]  # e.g. {"likes": 3, "reposts": 1, "replies": 2}


@dataclass
class Audience:
    """Who follows the account now, counted the network's way (followers, subscribers, a
    group's members). `following` where the network says how many the account follows."""

    followers: int
    following: int | None = None
    extra: dict[str, int] = field(default_factory=dict)  # e.g. {"fans": …} beside followers


def optional_count(value: Any) -> int | None:
    """A count from the network's answer: a whole number of at least zero (YouTube sends it
    as text), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, int) and value >= 0:
        return value
    return None


def audience_count(network: str, value: Any, name: str) -> int:
    """A follower count the answer must hold. A missing one is an error naming the field,
    rather than a zero that would look like every follower left."""
    count = optional_count(value)
    if count is None:
        raise ConnectorError(
            _("%(network)s did not send a follower count Liant can read (%(field)s)."),
            ErrorKind.PERMANENT,
            network=network,
            field=name,
        )
    return count


class ConnectorSettings(BaseModel):
    """Non-secret settings of a channel; each connector extends it."""

    model_config = ConfigDict(extra="forbid")


class Connector:
    """Base class. Subclasses set the class attributes and implement what they can do."""

    kind: ClassVar[str]
    label: ClassVar[str]
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    # Class-level defaults; a connector may narrow or widen them per channel in __init__
    # (e.g. a Mastodon server's own limits).
    rules: Rules = Rules()
    settings_model: ClassVar[type[ConnectorSettings]] = ConnectorSettings
    fetch_interval: ClassVar[int] = 300  # seconds between two fetches
    # Said plainly on the channel page: mark it with `_()`, the page translates it.
    limitations: ClassVar[str] = ""
    # Templates get the class itself: they must read its attributes, not try to call it.
    do_not_call_in_templates: ClassVar[bool] = True
    # Seconds during which publishing a Draft with the same idempotency key again gives back
    # the earlier post instead of a second one. The publisher relies on it to retry a publish
    # whose outcome a crash hid; 0 means the network has no such key, so such a post is left
    # to a human instead (math.inf: the key is kept for as long as the post exists).
    publish_idempotency_window: ClassVar[float] = 0.0
    # What `moderate()` does on this network: the network status page and the moderation
    # rules read it, so it must say exactly what the code does.
    moderation_actions: ClassVar[frozenset[ModerationAction]] = frozenset()
    # How one connects (mark it with `_()`): "Bot token", "OAuth, refreshed every hour"…
    connection: ClassVar[str] = ""
    # Networks connected through OAuth 2 (liant/connectors/oauth.py): the shared connect view
    # sends the person there and back, then asks `accounts_after_oauth` what they may connect.
    oauth: ClassVar[OAuthConfig | None] = None

    def __init__(
        self, settings: Mapping[str, Any], credentials: Mapping[str, Any], http: HttpClient
    ):
        self.settings = self.settings_model.model_validate(dict(settings))
        self.credentials = dict(credentials)
        self.http = http

    def can(self, capability: Capability | str) -> bool:
        return Capability(capability) in self.capabilities

    @classmethod
    def _unsupported(cls, action: Problem) -> ConnectorError:
        return ConnectorError(
            _("%(network)s cannot %(action)s"),
            ErrorKind.PERMANENT,
            network=cls.label,
            action=action,
        )

    def check_connection(self) -> str:
        """Prove the settings and credentials work; return who we are connected as."""
        raise self._unsupported(Problem(_("check a connection")))

    def publish(self, draft: Draft) -> RemotePost:
        raise self._unsupported(Problem(_("publish")))

    def reply(self, parent: Event, draft: Draft) -> RemotePost:
        """Answer `parent` where it was said (in thread, by e-mail, in the room)."""
        raise self._unsupported(Problem(_("reply")))

    def fetch(self, since: Mapping[str, Any]) -> FetchResult:
        raise self._unsupported(Problem(_("fetch")))

    def metrics(self, remote_ids: list[str]) -> list[Metrics]:
        raise self._unsupported(Problem(_("read metrics")))

    def audience(self) -> Audience:
        """How many follow the account now (Capability.AUDIENCE)."""
        raise self._unsupported(Problem(_("count the account's followers")))

    def moderate(self, remote_id: str, action: ModerationAction) -> None:
        raise self._unsupported(Problem(_("moderate content (%(action)s)"), action=str(action)))

    def send_direct(self, recipient: Author, draft: Draft) -> RemotePost:
        raise self._unsupported(Problem(_("send direct messages")))

    def refresh_credentials(self) -> dict[str, Any] | None:
        """Return new credentials when the network allows refreshing them, else None.

        Credentials that expire carry `expires_at` (ISO 8601, UTC); the hourly sweep in
        liant/channels/tokens.py calls this a day before, so a post is not lost to a lapse."""
        return None

    @classmethod
    def accounts_after_oauth(
        cls, credentials: Mapping[str, Any], http: HttpClient
    ) -> list[AccountChoice]:
        """The accounts a person who just signed in may connect (pages, organisations…), each
        with its own settings and credentials. One choice is connected at once; several are
        offered in a list."""
        raise NotImplementedError

    @classmethod
    def receive_webhook(cls, request: WebhookRequest, app: Mapping[str, str]) -> WebhookResult:
        """Check the signature of a pushed delivery (raise ConnectorError when it is wrong)
        and read its events, grouped by the network's id of the account they belong to.
        `app` holds the operator's application settings (secrets) for this network."""
        raise cls._unsupported(Problem(_("receive pushed events")))


@dataclass(frozen=True)
class AccountChoice:
    """One account an OAuth sign-in lets Liant manage. `settings` must hold `account_id`, the
    network's id of the account, which pushed events are matched with."""

    name: str
    settings: dict[str, Any]
    credentials: dict[str, Any]


@dataclass(frozen=True)
class WebhookRequest:
    method: str
    headers: Mapping[str, str]  # lower-case names
    query: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class WebhookReply:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain"


@dataclass(frozen=True)
class WebhookBatch:
    account_id: str  # matched with the `account_id` in a channel's settings
    events: list[Event]


@dataclass(frozen=True)
class WebhookResult:
    reply: WebhookReply = field(default_factory=WebhookReply)
    batches: list[WebhookBatch] = field(default_factory=list)
