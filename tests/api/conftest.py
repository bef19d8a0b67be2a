"""A small seeded workspace per test, and tokens to call the API with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from liant.api import ratelimit
from liant.api.models import ApiToken
from liant.channels.models import Channel
from liant.core.models import User, Workspace
from liant.inbox.models import Conversation, Direction, Message
from liant.leads.models import Lead
from liant.listening.models import Mention, MentionMatch, Query
from liant.members.models import Identity, Member, Tag
from liant.publishing.models import Post, Variant

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@dataclass
class Seeded:
    workspace: Workspace
    channel: Channel
    post: Post
    variant: Variant
    conversation: Conversation
    message: Message
    member: Member
    query: Query
    mention: Mention
    lead: Lead


def seed(workspace: Workspace, user: User, tag: str = "a") -> Seeded:
    """One of each object the API serves, in `workspace`."""
    channel = Channel.objects.create(
        workspace=workspace, kind="mastodon", name=f"Mastodon {tag}", created_by=user
    )
    post = Post.objects.create(workspace=workspace, owner=user, title=f"Post {tag}")
    variant = Variant.objects.create(post=post, channel=channel, text="Bonjour à tous !")
    conversation = Conversation.objects.create(
        workspace=workspace,
        channel=channel,
        key=f"thread:{tag}",
        contact_name="Ana",
        subject="Ma commande",
        last_activity_at=T0,
    )
    message = Message.objects.create(
        workspace=workspace,
        conversation=conversation,
        direction=Direction.IN,
        author_name="Ana",
        text="Où en est ma commande ?",
        occurred_at=T0,
    )
    member = Member.objects.create(workspace=workspace, name="Ana", email=f"ana-{tag}@example.org")
    member.tags.add(Tag.objects.create(workspace=workspace, name="vip"))
    Identity.objects.create(
        workspace=workspace, member=member, network="mastodon", key=f"ana-{tag}", handle="@ana"
    )
    query = Query.objects.create(
        workspace=workspace, name=f"Brand {tag}", kind="brand", text="brand"
    )
    mention = Mention.objects.create(
        workspace=workspace,
        source="mastodon",
        remote_id=f"m-{tag}",
        text="I love brand",
        sentiment="positive",
        sentiment_score=0.8,
        occurred_at=T0,
        dedupe_key=f"k{tag}",
    )
    MentionMatch.objects.create(mention=mention, query=query, occurred_at=T0)
    lead = Lead.objects.create(workspace=workspace, name="Bob", email=f"bob-{tag}@example.org")
    return Seeded(
        workspace, channel, post, variant, conversation, message, member, query, mention, lead
    )


@pytest.fixture(autouse=True)
def fixed_rate_window(monkeypatch):
    """The rate window never turns in the middle of a test, and each test counts from zero."""
    from django.core.cache import caches

    caches["api"].clear()
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_800_000_000.0)


@pytest.fixture
def seeded(workspace, owner) -> Seeded:
    return seed(workspace, owner, "a")


@pytest.fixture
def other_seeded(other_workspace, outsider) -> Seeded:
    return seed(other_workspace, outsider, "b")


def token_for(workspace, user, scope="admin", **kwargs) -> str:
    return ApiToken.issue(workspace, user, f"{scope} token", scope, **kwargs)[1]


class Api:
    """A test client that sends a token and reads problem details."""

    def __init__(self, token: str):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: dict | None = None, key: str | None = None):
        headers = dict(self.headers)
        if key is not None:
            headers["Idempotency-Key"] = key
        return self.client.post(
            f"/api/v1{path}", body or {}, content_type="application/json", headers=headers
        )

    def patch(self, path: str, body: dict):
        return self.client.patch(
            f"/api/v1{path}", body, content_type="application/json", headers=self.headers
        )


@pytest.fixture
def api(workspace, owner) -> Api:
    return Api(token_for(workspace, owner, "admin"))


@pytest.fixture
def reader(workspace, owner) -> Api:
    return Api(token_for(workspace, owner, "read"))


@pytest.fixture
def outsider_api(other_workspace, outsider) -> Api:
    return Api(token_for(other_workspace, outsider, "admin"))


def in_a_day() -> str:
    from django.utils import timezone

    return (timezone.now() + timedelta(days=1)).isoformat()


@dataclass
class More:
    """Objects of the later routers (moderation, merges…), seeded only where a test asks."""

    event: object
    item: object
    entry: object
    merge: object
    verbatim: object
    idea: object
    report: object
    mailing_list: object
    campaign: object
    poll: object
    contest: object
    meetup: object


def seed_more(seeded: Seeded, user: User, tag: str = "a") -> More:
    from liant.analytics.models import Report
    from liant.animation.models import Contest, Meetup, Poll
    from liant.channels.models import Event
    from liant.feedback.models import Idea, Verbatim
    from liant.members import merging
    from liant.moderation.models import Item, LogEntry, Outcome, Reason
    from liant.newsletters.models import Campaign, MailingList

    event = Event.objects.create(
        workspace=seeded.workspace,
        channel=seeded.channel,
        kind="comment",
        remote_id=f"e-{tag}",
        author_remote_id="troll",
        author_handle="@troll",
        text="Buy cheap pills",
        occurred_at=T0,
    )
    item = Item.objects.create(
        workspace=seeded.workspace,
        event=event,
        channel=seeded.channel,
        reason=Reason.FLAGGED,
        text=event.text,
        author_remote_id="troll",
        spam=0.9,
        risk=0.9,
        created_at=T0,
    )
    entry = LogEntry.objects.create(
        workspace=seeded.workspace,
        event=event,
        action="delete",
        text=event.text,
        outcome=Outcome.APPLIED,
        created_at=T0,
    )
    kept = Member.objects.create(workspace=seeded.workspace, name="Zoé", email=f"zoe-{tag}@ex.org")
    twin = Member.objects.create(workspace=seeded.workspace, name="Zoe", email="")
    merge = merging.merge(kept, twin, by=user)
    verbatim = Verbatim.objects.create(
        workspace=seeded.workspace, text=seeded.message.text, said_at=T0, message=seeded.message
    )
    idea = Idea.objects.create(workspace=seeded.workspace, title=f"Idea {tag}")
    report = Report.objects.create(
        workspace=seeded.workspace, title=f"Report {tag}", period="week", is_template=True
    )
    mailing_list = MailingList.objects.create(workspace=seeded.workspace, name=f"News {tag}")
    campaign = Campaign.objects.create(
        workspace=seeded.workspace,
        mailing_list=mailing_list,
        name=f"Campaign {tag}",
        sender_name="Brand",
        sender_address="news@brand.example",
    )
    poll = Poll.objects.create(workspace=seeded.workspace, question=f"Poll {tag}?")
    contest = Contest.objects.create(workspace=seeded.workspace, title=f"Contest {tag}")
    meetup = Meetup.objects.create(workspace=seeded.workspace, title=f"Meetup {tag}", starts_at=T0)
    return More(
        event,
        item,
        entry,
        merge,
        verbatim,
        idea,
        report,
        mailing_list,
        campaign,
        poll,
        contest,
        meetup,
    )
