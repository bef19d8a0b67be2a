"""The listening dashboard, the mention stream and its bulk actions, and the alerts page:
figures come from what was stored, and a person's judgement changes them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from liant.core.models import AuditEvent
from liant.listening.curation import suggest_exclusions
from liant.listening.ingest import Incoming, ingest
from liant.listening.models import Alert, Mention, Query, Rollup
from liant.listening.stats import reputation_index

pytestmark = pytest.mark.django_db


def url(workspace, tail=""):
    return f"/w/{workspace.slug}/listening/{tail}"


@pytest.fixture
def stored(workspace):
    brand = Query.objects.create(workspace=workspace, name="Lumière", kind="brand", text="lumière")
    rival = Query.objects.create(
        workspace=workspace, name="Le Coin", kind="competitor", text='"café du coin"'
    )
    # Half past the hour before: the seven mentions (six minutes apart at most) share one hour
    # and one day whenever the test runs, so the roll-up tests find one row per period.
    now = timezone.now().replace(minute=30, second=0, microsecond=0) - timedelta(hours=1)
    texts = [
        ("Lumière, un café parfait, j'adore", "ana@piaille.fr", 50_000),
        ("Lumière : service lent et café froid, déçu", "bob@mastodon.social", 12),
        ("Lumière ouvre une boutique à Lyon", "news@presse.example", 900),
        ("Le café du coin est génial", "cli@mastodon.social", 30),
        ("Lumière Bouddha statue zen déco lumière", "shop@spam.example", 3),
        ("Lumière Bouddha statue zen promo", "shop2@spam.example", 3),
        ("Lumière statue Bouddha soldes", "shop3@spam.example", 3),
    ]
    ingest(
        workspace,
        [
            Incoming(
                source="mastodon",
                remote_id=str(n),
                text=text,
                occurred_at=now - timedelta(minutes=n),
                author_handle=author,
                author_followers=followers,
            )
            for n, (text, author, followers) in enumerate(texts)
        ],
    )
    return brand, rival


def test_the_index_formula():
    assert reputation_index(0, 0, 0) is None
    assert reputation_index(10, 0, 10) == 100
    assert reputation_index(0, 10, 10) == 0
    assert reputation_index(3, 1, 8) == 62.5


def test_the_dashboard_shows_stored_figures(member_client, workspace, stored):
    page = member_client.get(url(workspace), {"days": "7"}).content.decode()
    brand_total = Rollup.objects.filter(query=stored[0], period="day").values_list(
        "mentions", flat=True
    )
    assert sum(brand_total) == 6
    assert ">6<" in page  # mentions of the brand
    assert "85.7 %" in page and "14.3 %" in page  # share of voice: 6 vs 1
    assert "ana@piaille.fr" in page  # the most followed author first
    assert 'id="listening-chart"' in page


def test_marking_irrelevant_takes_mentions_out_of_the_counts_once(member_client, workspace, stored):
    brand, _ = stored
    spam = list(Mention.objects.filter(text__contains="Bouddha").values_list("pk", flat=True))
    for _ in range(2):  # a double submit
        member_client.post(
            url(workspace, "mentions/bulk/"), {"mention": spam, "action": "irrelevant"}
        )
    day = Rollup.objects.get(query=brand, period="day")
    assert day.mentions == 3 and day.reach == 50_000 + 12 + 900
    assert AuditEvent.objects.filter(action="listening.mentions_irrelevant").count() == 1
    page = member_client.get(url(workspace, "mentions/")).content.decode()
    assert "Bouddha" not in page and "boutique à Lyon" in page
    assert "bouddha" in suggest_exclusions(brand)

    answer = member_client.post(url(workspace, f"queries/{brand.pk}/exclude/"), {"term": "bouddha"})
    assert answer.status_code == 302
    brand.refresh_from_db()
    assert brand.text == "(lumière) -bouddha"

    member_client.post(url(workspace, "mentions/bulk/"), {"mention": spam, "action": "relevant"})
    assert Rollup.objects.get(query=brand, period="day").mentions == 6


def test_the_stream_filters(member_client, workspace, stored):
    brand, rival = stored
    page = member_client.get(url(workspace, "mentions/"), {"query": rival.pk}).content.decode()
    assert "café du coin" in page and "boutique" not in page
    page = member_client.get(
        url(workspace, "mentions/"), {"sentiment": "negative"}
    ).content.decode()
    assert "froid" in page and "parfait" not in page
    page = member_client.get(url(workspace, "mentions/"), {"q": "boutique"}).content.decode()
    assert "boutique" in page and "froid" not in page


def test_an_alert_is_acknowledged_once_by_someone_allowed(
    member_client, workspace, stored, owner_client
):
    alert = Alert.objects.create(
        workspace=workspace,
        query=stored[0],
        kind="crisis",
        key="froid:x",
        about=timezone.now(),
        figures={"term": "froid"},
    )
    page = member_client.get(url(workspace, "alerts/")).content.decode()
    assert "The crisis word “froid”" in page
    member_client.post(url(workspace, f"alerts/{alert.pk}/acknowledge/"))
    owner_client.post(url(workspace, f"alerts/{alert.pk}/acknowledge/"))
    alert.refresh_from_db()
    assert alert.acknowledged_by.email == "member@brand.example"


def test_mentions_become_ideas_and_inbox_conversations(member_client, workspace):
    from liant.channels.models import Channel
    from liant.inbox.models import Conversation, Message
    from liant.publishing.models import Post

    Query.objects.create(workspace=workspace, name="Lumière", kind="brand", text="lumière")
    mastodon = Channel.objects.create(workspace=workspace, kind="mastodon", name="Masto")
    feed = Channel.objects.create(workspace=workspace, kind="feed", name="Presse")
    when = timezone.now() - timedelta(hours=2)
    ingest(
        workspace,
        [
            Incoming(
                source="mastodon",
                remote_id="113481000000000101",
                text="Lumière, vous livrez à Lyon ?",
                occurred_at=when,
                url="https://social.example/@lea/113481000000000101",
                author_handle="lea@social.example",
                channel_id=mastodon.pk,
            ),
            Incoming(
                source="feed",
                remote_id="article-1",
                text="Lumière ouvre une boutique",
                occurred_at=when,
                url="https://presse.example/lumiere",
                channel_id=feed.pk,
            ),
        ],
    )
    ids = list(Mention.objects.values_list("pk", flat=True))

    for _ in range(2):
        member_client.post(url(workspace, "mentions/bulk/"), {"mention": ids, "action": "idea"})
    assert sorted(Post.objects.values_list("source_url", flat=True)) == [
        "https://presse.example/lumiere",
        "https://social.example/@lea/113481000000000101",
    ]
    assert set(Post.objects.values_list("state", flat=True)) == {"idea"}

    answer = member_client.post(
        url(workspace, "mentions/bulk/"), {"mention": ids, "action": "inbox"}, follow=True
    )
    page = answer.content.decode()
    assert "1 mention is now in the inbox" in page and "cannot answer on (a feed)" in page
    conversation = Conversation.objects.get(workspace=workspace)
    assert conversation.channel == mastodon and conversation.contact_handle == "lea@social.example"
    assert Message.objects.get().text == "Lumière, vous livrez à Lyon ?"
    member_client.post(url(workspace, "mentions/bulk/"), {"mention": ids, "action": "inbox"})
    assert Message.objects.count() == 1  # a second click opens nothing twice
