"""Reddit: the OAuth API (https://www.reddit.com/dev/api, oauth.reddit.com), no SDK.

A Liant channel is one subreddit the signed-in account moderates (its comments, new posts,
modmail, and the account's inbox: mentions, replies, private messages), or, for an account
that moderates none, the account's own profile, publishing to the subreddits it may post in.

Remote ids are Reddit's fullnames (t3_… posts, t1_… comments, t4_… messages), which is what
every write call takes; modmail messages, which have no fullname, are
"modmail:<conversation id>:<message id>". Authors are keyed by username: Reddit usernames
cannot be changed, and they are the only id that comments, the inbox and modmail all carry
(modmail gives no t2_ fullname), and what a ban takes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
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
    Metrics,
    ModerationAction,
    Problem,
    RemotePost,
    Rules,
    audience_count,
    count_chars,
    optional_count,
)
from liant.connectors.http import HttpClient
from liant.connectors.oauth import OAuthConfig, refresh

API = "https://oauth.reddit.com"
WWW = "https://www.reddit.com"
VERSION = "0.1"
MAX_TITLE = 300  # "title: title of the submission. up to 300 characters long"
MAX_TEXT = 40_000  # self text and comments
PAGE = 100  # listings: "limit: the maximum number of items desired (maximum: 100)"
MAX_PAGES = 3  # per listing and fetch; the cursor takes the rest next time
MODMAIL_PAGE = 25
MODMAIL_DETAIL_READS = 10  # conversations read whole per fetch (their other messages)
HANDLED = (400, 401, 403, 404, 429)
# "you are doing that too much. try again in 5 minutes." (json.errors RATELIMIT)
WAIT_RE = re.compile(r"(\d+)\s*(milliseconds?|seconds?|minutes?|hours?)", re.I)
SCOPES = (
    "identity",
    "read",
    "submit",
    "edit",
    "modposts",
    "modcontributors",
    "modmail",
    "privatemessages",
    "history",
    "mysubreddits",
)


def user_agent(app: Mapping[str, str]) -> str:
    """Reddit asks every client for "<platform>:<app ID>:<version> (by /u/<username>)" and
    throttles generic ones; the operator's app id and Reddit username make it theirs."""
    agent = app.get("user_agent", "")
    if agent:
        return agent
    agent = f"web:{app.get('client_id') or 'liant'}:{VERSION}"
    username = app.get("username", "").removeprefix("/u/").removeprefix("u/")
    return f"{agent} (by /u/{username})" if username else agent


class _AppHeaders(Mapping[str, str]):
    """The token call's headers, read from the operator's settings when it is made (the
    OAuth config is a class attribute, built before any setting is known)."""

    def _headers(self) -> dict[str, str]:
        return {"User-Agent": user_agent(app_settings("reddit"))}

    def __getitem__(self, key: str) -> str:
        return self._headers()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._headers())

    def __len__(self) -> int:
        return len(self._headers())


class RedditSettings(ConnectorSettings):
    account_id: str  # the subreddit's fullname (t5_…), or the profile's own subreddit's
    subreddit: str  # its name without r/ ("u_<name>" for a profile)
    username: str  # the account signed in
    moderator: bool = True  # False: a profile channel (no modmail, no moderation)
    post_to: list[str] = []  # the subreddits publishing may target (first = default)


# --- calls and errors -----------------------------------------------------------------------


def call(
    http: HttpClient,
    token: str,
    agent: str,
    method: str,
    path: str,
    *,
    params: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    idempotent: bool | None = None,
) -> Any:
    """One API call; returns the decoded JSON ({} for an empty answer). Errors Reddit puts
    in a 200 answer's `json.errors` are raised like HTTP errors."""
    response = http.request(
        method,
        API + path,
        params={"raw_json": 1, **(params or {})},  # text as written, not HTML-escaped
        data=dict(data) if data is not None else None,
        headers={"Authorization": f"bearer {token}", "User-Agent": agent},
        idempotent=idempotent,
        ok_statuses=HANDLED,
    )
    if response.status_code >= 400:
        raise _error(http, response)
    if not response.content.strip():
        return {}
    try:
        body = response.json()
    except ValueError as exc:
        raise ConnectorError(
            _("Reddit answered something that is not JSON (%(code)s)."),
            code=response.status_code,
        ) from exc
    if isinstance(body, dict) and isinstance(body.get("json"), dict):
        errors = body["json"].get("errors") or []
        if errors:
            raise api_error(errors)
    return body


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _error(http: HttpClient, response: httpx.Response) -> ConnectorError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    status = response.status_code
    # {"message": "Forbidden", "error": 403}, with "reason"/"explanation" for a private or
    # banned subreddit.
    words = str(body.get("explanation") or body.get("reason") or body.get("message") or "").strip()[
        :300
    ]
    if status == 429:
        wait = _float(response.headers.get("retry-after"))
        if wait is None:
            wait = _float(response.headers.get("x-ratelimit-reset"))
        wait = 60.0 if wait is None else wait
        http.recorder.block_until(http.clock() + timedelta(seconds=wait))
        return ConnectorError(
            _("Reddit's rate limit: retry in %(seconds)s s. %(detail)s"),
            ErrorKind.RATE_LIMITED,
            retry_after=wait,
            status=status,
            seconds=int(wait) + 1,
            detail=words,
        )
    if status == 401:
        return ConnectorError(
            _("Reddit refused the sign-in (%(detail)s): it has expired or was revoked."),
            ErrorKind.AUTH_EXPIRED,
            status=status,
            detail=words or "401",
        )
    if status == 403:
        return ConnectorError(
            _(
                "Reddit refused (403 %(detail)s): the account is not allowed to do this here "
                "(not a moderator of the subreddit, or the subreddit is private)."
            ),
            status=status,
            detail=words,
        )
    return ConnectorError(
        _("Reddit refused the request (%(code)s): %(detail)s"),
        status=status,
        code=status,
        detail=words,
    )


def api_error(errors: list[Any]) -> ConnectorError:
    """`json.errors` is a list of [CODE, message, field]."""
    first = errors[0] if isinstance(errors[0], list | tuple) else [str(errors[0])]
    code = str(first[0]) if first else ""
    message = str(first[1]) if len(first) > 1 and first[1] else code
    if code == "RATELIMIT":
        wait = ratelimit_wait(message)
        return ConnectorError(
            _("Reddit says to wait before doing that again: %(words)s"),
            ErrorKind.RATE_LIMITED,
            retry_after=wait,
            words=message,
        )
    return ConnectorError(
        _("Reddit refused (%(error)s): %(words)s"), error=code, words=message[:300]
    )


def ratelimit_wait(message: str) -> float:
    """The wait a RATELIMIT message names ("try again in 5 minutes."), in seconds; a minute
    when it names none."""
    match = WAIT_RE.search(message)
    if not match:
        return 60.0
    amount, unit = int(match[1]), match[2].lower()
    if unit.startswith("millisecond"):
        return max(1.0, amount / 1000)
    if unit.startswith("minute"):
        return amount * 60.0
    if unit.startswith("hour"):
        return amount * 3600.0
    return float(amount)


# --- things, authors, events ----------------------------------------------------------------


def id36(fullname: str) -> int:
    """The number behind a fullname (t1_d4y8bdp → int of "d4y8bdp" in base 36): Reddit's ids
    of one type only grow, so it orders things without trusting clocks."""
    return int(fullname.partition("_")[2] or "0", 36)


def author_of(name: Any) -> Author | None:
    if not isinstance(name, str) or not name or name == "[deleted]":
        return None
    return Author(remote_id=name, handle=name, name=name, url=f"{WWW}/user/{name}/")


def when(seconds: Any) -> datetime:
    value = _float(seconds)
    if value is None:
        raise ValueError("no created_utc")
    return datetime.fromtimestamp(value, UTC)


def link_of(thing: Mapping[str, Any]) -> str:
    """t3_… of the post a comment is under (inbox items have no link_id, only `context`)."""
    if thing.get("link_id"):
        return str(thing["link_id"])
    match = re.search(r"/comments/([0-9a-z]+)/", str(thing.get("context") or ""))
    return f"t3_{match[1]}" if match else ""


def thing_event(kind_prefix: str, data: Mapping[str, Any]) -> Event:
    """A post (t3), a comment (t1) or a private message (t4) as an event."""
    name = str(data["name"])
    occurred = when(data.get("created_utc"))
    author = author_of(data.get("author"))
    if kind_prefix == "t3":
        title = str(data.get("title") or "")
        text = str(data.get("selftext") or "")
        return Event(
            kind=EventKind.POST,
            remote_id=name,
            author=author,
            occurred_at=occurred,
            text=f"{title}\n\n{text}".strip() if text else title,
            html=str(data.get("selftext_html") or ""),
            url=WWW + str(data.get("permalink") or f"/comments/{data['id']}/"),
            thread_remote_id=name,
            raw=data,
        )
    if kind_prefix == "t4":
        subject, body = str(data.get("subject") or ""), str(data.get("body") or "")
        return Event(
            kind=EventKind.DIRECT_MESSAGE,
            remote_id=name,
            author=author,
            occurred_at=occurred,
            text=f"{subject}\n\n{body}".strip() if subject else body,
            html=str(data.get("body_html") or ""),
            url=f"{WWW}/message/messages/{data['id']}",
            parent_remote_id=str(data.get("parent_id") or ""),
            thread_remote_id=str(data.get("first_message_name") or name),
            raw=data,
        )
    link = link_of(data)
    permalink = data.get("permalink") or data.get("context") or ""
    if not permalink and link:
        permalink = f"/comments/{link.partition('_')[2]}/_/{data['id']}/"
    return Event(
        kind=EventKind.MENTION if data.get("type") == "username_mention" else EventKind.COMMENT,
        remote_id=name,
        author=author,
        occurred_at=occurred,
        text=str(data.get("body") or ""),
        html=str(data.get("body_html") or ""),
        url=WWW + str(permalink).split("?")[0] if permalink else "",
        parent_remote_id=str(data.get("parent_id") or ""),
        thread_remote_id=link,
        raw=data,
    )


def modmail_id(conversation: str, message: str = "") -> str:
    return f"modmail:{conversation}:{message}" if message else f"modmail:{conversation}"


def split_modmail(remote_id: str) -> tuple[str, str]:
    _prefix, conversation, message = (remote_id.split(":") + ["", ""])[:3]
    return conversation, message


def modmail_event(conversation: Mapping[str, Any], message: Mapping[str, Any]) -> Event:
    author = message.get("author") or {}
    subject = str(conversation.get("subject") or "")
    body = str(message.get("bodyMarkdown") or "")
    first = next(
        (o["id"] for o in conversation.get("objIds") or [] if o.get("key") == "messages"), ""
    )
    conv_id = str(conversation["id"])
    is_first = str(message["id"]) == first
    return Event(
        kind=EventKind.DIRECT_MESSAGE,
        remote_id=modmail_id(conv_id, str(message["id"])),
        author=None if author.get("isDeleted") else author_of(author.get("name")),
        occurred_at=datetime.fromisoformat(str(message["date"])),
        text=f"{subject}\n\n{body}".strip() if is_first and subject else body,
        html=str(message.get("body") or ""),
        url=f"https://mod.reddit.com/mail/all/{conv_id}",
        parent_remote_id="" if is_first else modmail_id(conv_id, first),
        thread_remote_id=modmail_id(conv_id),
        raw={"conversation": conv_id, "subject": subject, **message},
    )


class RedditConnector(Connector):
    kind = "reddit"
    label = "Reddit"
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
    # The composer's text is the submission: its first line the title (or extras["title"]),
    # the rest the self text; a link goes in the post as its URL (Reddit shows a card).
    rules = Rules(max_length=MAX_TEXT, count=count_chars, max_media=0, links="card")
    settings_model = RedditSettings
    fetch_interval = 300
    limitations = _(
        "Liant posts text and link submissions (no images or videos) to the subreddits the "
        "account may post in, and moderates only subreddits the account moderates. Reddit "
        "has no idempotency key: a submission whose outcome was lost is left to a person. "
        "Votes are shown as a score, without views."
    )
    publish_idempotency_window = 0.0
    moderation_actions: ClassVar[frozenset[ModerationAction]] = frozenset(
        {
            ModerationAction.HIDE,  # remove
            ModerationAction.DELETE,  # remove as spam
            ModerationAction.BAN,
            ModerationAction.UNBAN,
            ModerationAction.MUTE,  # modmail mute
            ModerationAction.UNMUTE,
        }
    )
    connection: ClassVar[str] = _("OAuth with a refresh token, renewed automatically")
    oauth: ClassVar[OAuthConfig | None] = OAuthConfig(
        authorize_url=f"{WWW}/api/v1/authorize",
        token_url=f"{WWW}/api/v1/access_token",
        scopes=SCOPES,
        scope_separator=" ",
        client_auth="basic",
        authorize_params={"duration": "permanent"},  # a refresh token, not one hour only
        headers=_AppHeaders(),
    )

    settings: RedditSettings

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        return call(
            self.http,
            str(self.credentials.get("access_token", "")),
            user_agent(app_settings(self.kind)),
            method,
            path,
            **kwargs,
        )

    # --- connection ------------------------------------------------------------------------

    def check_connection(self) -> str:
        return "u/" + str(self._call("GET", "/api/v1/me")["name"])

    def refresh_credentials(self) -> dict[str, Any] | None:
        token = self.credentials.get("refresh_token")
        if not token or self.oauth is None:
            return None
        fresh = refresh(self.oauth, app_settings(self.kind), self.http, str(token))
        return {**self.credentials, **fresh}

    @classmethod
    def accounts_after_oauth(
        cls, credentials: Mapping[str, Any], http: HttpClient
    ) -> list[AccountChoice]:
        token, agent = str(credentials["access_token"]), user_agent(app_settings(cls.kind))
        me = call(http, token, agent, "GET", "/api/v1/me")
        username = str(me["name"])
        moderated = [
            s
            for s in _children(
                call(
                    http, token, agent, "GET", "/subreddits/mine/moderator", params={"limit": PAGE}
                )
            )
            if s.get("subreddit_type") != "user"  # everyone moderates their own profile
        ]
        if moderated:
            return [
                AccountChoice(
                    name=f"r/{s['display_name']} (u/{username})",
                    settings={
                        "account_id": str(s["name"]),
                        "subreddit": str(s["display_name"]),
                        "username": username,
                        "moderator": True,
                        "post_to": [str(s["display_name"])],
                    },
                    credentials=dict(credentials),
                )
                for s in moderated
            ]
        profile = me.get("subreddit") or {}
        own = str(profile.get("display_name") or f"u_{username}")
        subscribed = _children(
            call(http, token, agent, "GET", "/subreddits/mine/subscriber", params={"limit": PAGE})
        )
        return [
            AccountChoice(
                name=f"u/{username}",
                settings={
                    "account_id": str(profile.get("name") or ""),
                    "subreddit": own,
                    "username": username,
                    "moderator": False,
                    "post_to": [own] + [str(s["display_name"]) for s in subscribed if may_post(s)],
                },
                credentials=dict(credentials),
            )
        ]

    # --- reading ---------------------------------------------------------------------------

    def fetch(self, since: Mapping[str, Any]) -> FetchResult:
        cursor: dict[str, Any] = dict(since)
        events: list[Event] = []
        errors: list[Problem] = []
        sr = self.settings.subreddit
        listings = [("inbox", "/message/inbox")]
        if self.settings.moderator:
            listings = [("comments", f"/r/{sr}/comments"), ("posts", f"/r/{sr}/new"), *listings]
        for key, path in listings:
            found, cursor[key] = self._listing(path, dict(cursor.get(key) or {}), errors)
            events.extend(found)
        if self.settings.moderator:
            try:
                found, cursor["modmail"] = self._modmail(str(cursor.get("modmail") or ""), errors)
                events.extend(found)
            except ConnectorError as exc:
                if exc.kind is not ErrorKind.PERMANENT:
                    raise
                errors.append(Problem(_("modmail: %(problem)s"), problem=exc))
        # A mention in the subreddit is in its comments too: one event, the mention.
        mentions = {e.remote_id for e in events if e.kind is EventKind.MENTION}
        unique: dict[tuple[str, str], Event] = {}
        for event in events:
            if event.kind is EventKind.COMMENT and event.remote_id in mentions:
                continue
            unique.setdefault((event.kind, event.remote_id), event)
        return FetchResult(list(unique.values()), cursor, errors)

    def _listing(
        self, path: str, newest: dict[str, str], errors: list[Problem]
    ) -> tuple[list[Event], dict[str, str]]:
        """Things newer than the newest seen of each type, newest page first.

        Not Reddit's `before=<fullname>`: that anchors the listing on one thing, and once
        that thing is removed (what moderators do) the listing answers nothing, for good."""
        events: list[Event] = []
        seen = dict(newest)
        after = ""
        for _page in range(MAX_PAGES):
            params: dict[str, Any] = {"limit": PAGE}
            if after:
                params["after"] = after
            page = self._call("GET", path, params=params)
            children = (page.get("data") or {}).get("children") or []
            older_reached = False
            for child in children:
                try:
                    prefix, data = str(child["kind"]), child["data"]
                    name = str(data["name"])
                    if prefix in newest and id36(name) <= id36(newest[prefix]):
                        older_reached = True
                        continue
                    if prefix not in seen or id36(name) > id36(seen[prefix]):
                        seen[prefix] = name
                    if prefix not in ("t1", "t3", "t4"):
                        continue
                    if str(data.get("author") or "").lower() == self.settings.username.lower():
                        continue  # our own posts and answers
                    events.append(thing_event(prefix, data))
                except (KeyError, TypeError, ValueError) as exc:
                    errors.append(
                        Problem(
                            _("%(listing)s: an item could not be read (%(problem)s)"),
                            listing=path,
                            problem=str(exc),
                        )
                    )
            after = str((page.get("data") or {}).get("after") or "")
            # The first read takes the latest page only; later ones go on until what was seen.
            if not newest or older_reached or not after:
                break
        return events, seen

    def _modmail(self, since: str, errors: list[Problem]) -> tuple[list[Event], str]:
        """Messages of the subreddit's modmail conversations updated since `since` (ISO),
        in every state but archived; a conversation with more new messages than the listing
        carries (it gives the latest) is read whole."""
        after = datetime.fromisoformat(since) if since else None
        data = self._modmail_pages(after)
        conversations = data["conversations"]
        messages: dict[str, Any] = data["messages"]
        newest = after
        events: list[Event] = []
        reads = 0
        for conv_id in data["conversationIds"]:
            try:
                conversation = conversations[conv_id]
                updated = datetime.fromisoformat(str(conversation["lastUpdated"]))
                if after is not None and updated <= after:
                    continue
                newest = max(newest, updated) if newest else updated
                ids = [
                    str(o["id"])
                    for o in conversation.get("objIds") or []
                    if o.get("key") == "messages"
                ]
                missing = [i for i in ids if i not in messages]
                if missing and reads < MODMAIL_DETAIL_READS:
                    reads += 1
                    whole = self._call("GET", f"/api/mod/conversations/{conv_id}")
                    messages.update(whole.get("messages") or {})
                for message_id in ids:
                    message = messages.get(message_id)
                    if message is None:
                        continue
                    event = modmail_event(conversation, message)
                    if after is not None and event.occurred_at <= after:
                        continue
                    if message.get("isInternal") or (
                        event.author
                        and event.author.remote_id.lower() == self.settings.username.lower()
                    ):
                        continue  # moderators' notes, and our own answers
                    events.append(event)
            except (KeyError, TypeError, ValueError) as exc:
                errors.append(
                    Problem(
                        _("modmail conversation %(conversation)s: %(problem)s"),
                        conversation=conv_id,
                        problem=str(exc),
                    )
                )
        return events, newest.isoformat() if newest else since

    def _modmail_pages(self, after: datetime | None) -> dict[str, Any]:
        """The conversations listing, most recently updated first, page after page until a
        conversation not updated since `after` (the first read: one page)."""
        merged: dict[str, Any] = {"conversations": {}, "messages": {}, "conversationIds": []}
        params: dict[str, Any] = {
            "entity": self.settings.subreddit,
            "sort": "recent",
            "state": "all",
            "limit": MODMAIL_PAGE,
        }
        for _page in range(MAX_PAGES):
            data = self._call("GET", "/api/mod/conversations", params=params)
            ids = [str(i) for i in data.get("conversationIds") or []]
            conversations = data.get("conversations") or {}
            merged["conversations"].update(conversations)
            merged["messages"].update(data.get("messages") or {})
            merged["conversationIds"].extend(ids)
            if after is None or len(ids) < MODMAIL_PAGE:
                break
            last = conversations.get(ids[-1]) or {}
            try:
                if datetime.fromisoformat(str(last.get("lastUpdated"))) <= after:
                    break
            except ValueError:
                break
            params["after"] = ids[-1]
        return merged

    # --- writing ---------------------------------------------------------------------------

    def publish(self, draft: Draft) -> RemotePost:
        if draft.reply_to:
            return self._comment(draft.reply_to, draft.text)
        target = str(draft.extras.get("subreddit") or "").removeprefix("r/")
        allowed = self.settings.post_to or [self.settings.subreddit]
        target = target or allowed[0]
        if target.lower() not in {s.lower() for s in allowed}:
            raise ConnectorError(
                _("This channel posts to %(allowed)s, not to r/%(subreddit)s."),
                allowed=", ".join(f"r/{s}" for s in allowed),
                subreddit=target,
            )
        title, text = str(draft.extras.get("title") or "").strip(), draft.text.strip()
        if not title:
            title, _newline, text = text.partition("\n")
            title, text = title.strip(), text.strip()
        if not title:
            raise ConnectorError(_("A Reddit post needs a title: write it on the first line."))
        if count_chars(title) > MAX_TITLE:
            raise ConnectorError(
                _("A Reddit title holds at most %(count)s characters (this one has %(length)s)."),
                count=MAX_TITLE,
                length=count_chars(title),
            )
        if count_chars(text) > MAX_TEXT:
            raise ConnectorError(
                _("A Reddit post's text holds at most %(count)s characters."), count=MAX_TEXT
            )
        if draft.media:
            raise ConnectorError(_("Liant does not upload images or videos to Reddit."))
        form: dict[str, Any] = {
            "api_type": "json",
            "sr": target,
            "title": title,
            "sendreplies": "true",  # replies reach the inbox, which Liant reads
        }
        if draft.link:
            form |= {"kind": "link", "url": draft.link}
            if text:
                form["text"] = text
        else:
            form |= {"kind": "self", "text": text}
        # Not retried once sent: Reddit has no idempotency key (publish_idempotency_window 0).
        answer = self._call("POST", "/api/submit", data=form)
        posted = (answer.get("json") or {}).get("data") or {}
        if not posted.get("name"):
            raise ConnectorError(_("Reddit accepted the post without saying its id."))
        return RemotePost(
            remote_id=str(posted["name"]), url=str(posted.get("url") or ""), raw=answer
        )

    def reply(self, parent: Event, draft: Draft) -> RemotePost:
        if parent.remote_id.startswith("modmail:"):
            return self._modmail_reply(parent.remote_id, draft.text)
        return self._comment(parent.remote_id, draft.text)

    def _comment(self, thing_id: str, text: str) -> RemotePost:
        if not text.strip():
            raise ConnectorError(_("Reddit cannot send an empty comment."))
        if count_chars(text) > MAX_TEXT:
            raise ConnectorError(
                _("A Reddit comment holds at most %(count)s characters."), count=MAX_TEXT
            )
        answer = self._call(
            "POST", "/api/comment", data={"api_type": "json", "thing_id": thing_id, "text": text}
        )
        things = ((answer.get("json") or {}).get("data") or {}).get("things") or []
        if not things:
            raise ConnectorError(_("Reddit accepted the comment without saying its id."))
        data = things[0]["data"]
        event = thing_event(str(things[0]["kind"]), data)
        return RemotePost(
            remote_id=event.remote_id, url=event.url, published_at=event.occurred_at, raw=data
        )

    def _modmail_reply(self, remote_id: str, text: str) -> RemotePost:
        conversation, _message = split_modmail(remote_id)
        answer = self._call(
            "POST",
            f"/api/mod/conversations/{conversation}",
            data={"body": text, "isAuthorHidden": "false", "isInternal": "false"},
        )
        messages = answer.get("messages") or {}
        latest = max(messages.values(), key=lambda m: str(m.get("date")), default=None)
        if latest is None:
            raise ConnectorError(_("Reddit accepted the modmail answer without saying its id."))
        return RemotePost(
            remote_id=modmail_id(conversation, str(latest["id"])),
            url=f"https://mod.reddit.com/mail/all/{conversation}",
            published_at=datetime.fromisoformat(str(latest["date"])),
            raw=latest,
        )

    # --- metrics and moderation ------------------------------------------------------------

    def metrics(self, remote_ids: list[str]) -> list[Metrics]:
        """Score, comments and upvote ratio from /api/info (100 fullnames a call); modmail
        has no counts, and a thing Reddit no longer gives is skipped."""
        fullnames = [r for r in remote_ids if re.fullmatch(r"t[13]_[0-9a-z]+", r)]
        found = []
        for start in range(0, len(fullnames), PAGE):
            chunk = fullnames[start : start + PAGE]
            page = self._call("GET", "/api/info", params={"id": ",".join(chunk)})
            for child in _children(page):
                values = {"likes": int(child.get("score") or 0)}
                if child.get("num_comments") is not None:
                    values["replies"] = int(child["num_comments"])
                ratio = _float(child.get("upvote_ratio"))
                if ratio is not None:
                    values["upvote_ratio_percent"] = round(ratio * 100)
                found.append(Metrics(remote_id=str(child["name"]), values=values))
        return found

    def audience(self) -> Audience:
        """/r/{subreddit}/about: data.subscribers (a profile's own subreddit, u_<name>, counts
        the profile's followers the same way); active_user_count where Reddit gives it."""
        about = self._call("GET", f"/r/{quote(self.settings.subreddit, safe='')}/about")
        data = (about.get("data") if isinstance(about, dict) else None) or {}
        extra = {}
        if (active := optional_count(data.get("active_user_count"))) is not None:
            extra["active"] = active
        return Audience(
            followers=audience_count(self.label, data.get("subscribers"), "data.subscribers"),
            extra=extra,
        )

    def moderate(self, remote_id: str, action: ModerationAction) -> None:
        """HIDE = remove, DELETE = remove as spam (Reddit learns from it), BAN/UNBAN = the
        subreddit's banned list, MUTE/UNMUTE = modmail mute (of the conversation's person,
        or of a comment's author). Reddit's approve would undo a removal; Liant has no
        action for it."""
        action = ModerationAction(action)
        if action not in self.moderation_actions:
            raise ConnectorError(
                _("Reddit has no '%(action)s' here; use hide, delete, mute, ban or unban."),
                action=str(action),
            )
        if not self.settings.moderator:
            raise ConnectorError(
                _("This channel is u/%(user)s's profile: Liant moderates only subreddits."),
                user=self.settings.username,
            )
        is_modmail = remote_id.startswith("modmail:")
        if action in (ModerationAction.HIDE, ModerationAction.DELETE):
            if is_modmail:
                raise ConnectorError(_("A modmail message cannot be removed; archive it."))
            spam = "true" if action is ModerationAction.DELETE else "false"
            # Removing twice leaves it removed: safe to send again.
            self._call("POST", "/api/remove", data={"id": remote_id, "spam": spam}, idempotent=True)
            return
        if is_modmail and action in (ModerationAction.MUTE, ModerationAction.UNMUTE):
            conversation, _message = split_modmail(remote_id)
            verb = "mute" if action is ModerationAction.MUTE else "unmute"
            # Reddit's default mute: 72 hours.
            self._call("POST", f"/api/mod/conversations/{conversation}/{verb}", idempotent=True)
            return
        user = self._author_of(remote_id)
        relation = "banned" if action in (ModerationAction.BAN, ModerationAction.UNBAN) else "muted"
        verb = "friend" if action in (ModerationAction.BAN, ModerationAction.MUTE) else "unfriend"
        self._call(
            "POST",
            f"/r/{self.settings.subreddit}/api/{verb}",
            data={"api_type": "json", "name": user, "type": relation},
            idempotent=True,
        )

    def _author_of(self, remote_id: str) -> str:
        """Who wrote a thing (moderators still see the author of a removed one)."""
        if remote_id.startswith("modmail:"):
            conversation, _message = split_modmail(remote_id)
            whole = self._call("GET", f"/api/mod/conversations/{conversation}")
            name = (whole.get("user") or {}).get("name") or (
                (whole.get("conversation") or {}).get("participant") or {}
            ).get("name")
        else:
            things = _children(self._call("GET", "/api/info", params={"id": remote_id}))
            name = next((t.get("author") for t in things if t.get("name") == remote_id), None)
        if not name or name == "[deleted]":
            raise ConnectorError(
                _("Reddit no longer says who wrote %(id)s: nobody to act on."), id=remote_id
            )
        return str(name)


def _children(listing: Any) -> list[dict[str, Any]]:
    if not isinstance(listing, dict):
        return []
    children = (listing.get("data") or {}).get("children") or []
    return [c["data"] for c in children if isinstance(c, dict) and isinstance(c.get("data"), dict)]


def may_post(subreddit: Mapping[str, Any]) -> bool:
    """Whether the signed-in account may submit to a subreddit it follows, from what the
    listing says of it (a refusal still comes back from /api/submit in Reddit's words)."""
    if subreddit.get("user_is_banned") or subreddit.get("subreddit_type") == "user":
        return False
    if subreddit.get("user_is_moderator") or subreddit.get("user_is_contributor"):
        return True
    return subreddit.get("subreddit_type") == "public"  # restricted, private: approved only
