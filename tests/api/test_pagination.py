"""Cursor pages: walking every page gives every row once, in order, whatever the limit."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from liant.inbox.models import Conversation
from liant.listening.models import Mention
from tests.api.conftest import T0

pytestmark = pytest.mark.django_db


def walk(api, path, **params):
    seen, pages = [], 0
    response = api.get(path, **params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        seen += [row["id"] for row in body["items"]]
        pages += 1
        if not body["next"]:
            return seen, pages
        url = urlparse(body["next"])
        assert url.path == f"/api/v1{path}"
        response = api.client.get(
            url.path, {k: v[0] for k, v in parse_qs(url.query).items()}, headers=api.headers
        )


def test_walking_all_pages_of_mentions_with_ties(api, seeded, workspace):
    # Several mentions share a time: the id breaks the tie, so none is lost or doubled.
    for n in range(11):
        Mention.objects.create(
            workspace=workspace,
            source="feed",
            remote_id=f"p{n}",
            text="brand",
            sentiment="neutral",
            sentiment_score=0,
            occurred_at=T0 + timedelta(minutes=n // 3),
            dedupe_key=f"p{n}",
        )
    everything = list(
        Mention.objects.filter(workspace=workspace)
        .order_by("-occurred_at", "-id")
        .values_list("id", flat=True)
    )
    seen, pages = walk(api, "/mentions", limit=4)
    assert seen == everything
    assert pages == 3


def test_the_filters_carry_over_to_the_next_page(api, seeded, workspace):
    for n in range(5):
        Conversation.objects.create(
            workspace=workspace,
            channel=seeded.channel,
            key=f"thread:{n}",
            status="closed" if n % 2 else "open",
            last_activity_at=T0 + timedelta(minutes=n),
        )
    seen, pages = walk(api, "/conversations", status="closed", limit=1)
    closed = Conversation.objects.filter(status="closed").order_by("-last_activity_at", "-id")
    assert seen == [c.pk for c in closed] and pages == 2


def test_ascending_lists_walk_too(api, seeded, workspace):
    from liant.listening.models import Query

    for n in range(4):
        Query.objects.create(workspace=workspace, name=f"q{n}", kind="topic", text=f"w{n}")
    seen, pages = walk(api, "/queries", limit=2)
    assert seen == sorted(seen) and len(seen) == 5 and pages == 3


def test_limit_is_capped_and_a_forged_cursor_is_refused(api, seeded):
    assert api.get("/posts", limit=201).status_code == 422
    assert api.get("/posts", limit=0).status_code == 422
    refused = api.get("/posts", cursor="made-up")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "cursor"


def test_a_cursor_of_one_list_does_not_open_another(api, seeded, workspace):
    for n in range(3):
        Mention.objects.create(
            workspace=workspace,
            source="feed",
            remote_id=f"x{n}",
            text="brand",
            sentiment="neutral",
            sentiment_score=0,
            occurred_at=T0,
            dedupe_key=f"x{n}",
        )
    cursor = parse_qs(urlparse(api.get("/mentions", limit=1).json()["next"]).query)["cursor"][0]
    assert api.get("/leads", cursor=cursor).status_code == 422


def test_a_full_page_costs_a_fixed_number_of_queries(
    api, seeded, workspace, django_assert_max_num_queries
):
    from liant.members.models import Member
    from liant.publishing.models import Post, Variant

    for n in range(30):
        post = Post.objects.create(workspace=workspace, title=f"p{n}")
        Variant.objects.create(post=post, channel=seeded.channel, text="x")
        Member.objects.create(workspace=workspace, name=f"m{n}")
    # Token lookup, membership, last use and the page itself with its prefetches.
    for path in ("/posts", "/members", "/mentions", "/conversations"):
        with django_assert_max_num_queries(8):
            assert api.get(path, limit=200).status_code == 200
