"""Every KPI on hand-made rows where the answer is known, an empty day, and a day across the
autumn clock change in Paris."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from liant.analytics.registry import REGISTRY, Kind, Measure, combine, median_minutes, value_of
from liant.animation.models import Contest, Entry, Meetup, Poll, PollChoice, PollVote, Rsvp
from liant.feedback.models import Idea, IdeaStatus
from liant.inbox.models import Conversation, Department
from liant.listening.models import Mention, MentionMatch, Query
from liant.listening.stats import reputation_index
from liant.members.models import Activity, Level, Member, Task
from liant.moderation.models import Item, ItemState, Reason
from liant.publishing.models import Post, Variant, VariantMetrics
from liant.publishing.states import State
from liant.strategy.models import Rhythm
from tests.analytics.conftest import DAY, at, day_value, event, n, period_value

pytestmark = pytest.mark.django_db


def value(workspace, key: str, day: date = DAY) -> float | None:
    return value_of(REGISTRY[key], day_value(workspace, key, day))


# --- publishing


def publish(workspace, channel, when, engagement=None, state=State.PUBLISHED, post=None):
    post = post or Post.objects.create(workspace=workspace, state=State.PUBLISHED)
    variant = Variant.objects.create(post=post, channel=channel, state=state, published_at=when)
    if engagement is not None:
        VariantMetrics.objects.create(variant=variant, engagement=engagement)
    return post


def test_a_post_on_two_channels_counts_once_on_the_day_its_first_variant_went_out(
    workspace, channel, other_channel
):
    post = publish(workspace, channel, at(23, 30, DAY - timedelta(days=1)))
    publish(workspace, other_channel, at(9), post=post)  # the same post, the next day
    publish(workspace, channel, at(10))
    publish(workspace, channel, at(11), state=State.FAILED)  # never went out
    assert value(workspace, "publishing.posts", DAY - timedelta(days=1)) == 1
    assert value(workspace, "publishing.posts") == 1


def test_a_deleted_post_counts_nowhere(workspace, channel):
    publish(workspace, channel, at(10)).delete()
    assert value(workspace, "publishing.posts") == 0
    assert value(workspace, "publishing.engagement") is None


def test_rhythm_compares_publications_with_the_strategy_over_the_period(
    workspace, channel, other_channel
):
    Rhythm.objects.create(channel=channel, posts_per_week=3)
    first = DAY - timedelta(days=6)
    publish(workspace, channel, at(9, day=first))
    publish(workspace, channel, at(9))
    publish(workspace, other_channel, at(9))  # no rhythm asked of this channel
    # 7 days at 3 a week plan 3 publications; 2 went out.
    measure = period_value(workspace, "publishing.rhythm", first, DAY)
    assert value_of(REGISTRY["publishing.rhythm"], measure) == pytest.approx(66.7)


def test_engagement_is_interactions_per_publication_whose_metrics_came_back(workspace, channel):
    publish(workspace, channel, at(9), engagement=10)
    publish(workspace, channel, at(10), engagement=20)
    publish(workspace, channel, at(11))  # no metrics yet: not a zero
    assert value(workspace, "publishing.engagement") == 15


# --- inbox


def conversation(workspace, channel, created, **fields) -> Conversation:
    return Conversation.objects.create(
        workspace=workspace, channel=channel, key=f"thread:{n()}", created_at=created, **fields
    )


def test_conversations_received_are_broken_down_by_department(workspace, channel):
    after_sales = Department.objects.create(workspace=workspace, name="SAV")
    conversation(workspace, channel, at(9), department=after_sales)
    conversation(workspace, channel, at(10), department=after_sales)
    conversation(workspace, channel, at(11))
    conversation(workspace, channel, at(0, 0, DAY + timedelta(days=1)))  # next day
    measure = day_value(workspace, "inbox.received")
    assert measure.value == 3
    assert measure.parts == {str(after_sales.pk): 2, "none": 1}


def test_median_first_response_time_in_minutes(workspace, channel):
    for minutes in (10, 30, 50):
        conversation(
            workspace, channel, at(9), first_response_at=at(9) + timedelta(minutes=minutes)
        )
    conversation(workspace, channel, at(9))  # not answered: no duration
    assert value(workspace, "inbox.first_response") == 30
    conversation(workspace, channel, at(9), first_response_at=at(10, 10))
    assert value(workspace, "inbox.first_response") == 40  # (30 + 50) / 2


def test_sla_met_counts_deadlines_of_the_period_kept(workspace, channel):
    due = at(12)
    conversation(workspace, channel, at(9), first_response_due=due, first_response_at=at(11))
    conversation(workspace, channel, at(9), first_response_due=due, first_response_at=at(13))
    conversation(workspace, channel, at(9), first_response_due=due)  # passed, unanswered
    conversation(workspace, channel, at(9))  # no SLA policy: no deadline
    assert value(workspace, "inbox.sla_met") == pytest.approx(33.3)


def test_a_deadline_still_ahead_counts_neither_way(workspace, channel):
    now = datetime.now(UTC)
    conversation(workspace, channel, now, first_response_due=now + timedelta(minutes=5))
    today = now.astimezone(ZoneInfo("Europe/Paris")).date()
    assert value(workspace, "inbox.sla_met", today) is None


# --- listening


def mention(workspace, query, when, sentiment="neutral", **fields) -> Mention:
    m = Mention.objects.create(
        workspace=workspace,
        source="mastodon",
        remote_id=f"m{n()}",
        text="Maison Lumière",
        sentiment=sentiment,
        sentiment_score=0.0,
        occurred_at=when,
        dedupe_key=f"k{n()}",
        **fields,
    )
    for q in query if isinstance(query, list) else [query]:
        MentionMatch.objects.create(mention=m, query=q, occurred_at=when)
    return m


@pytest.fixture
def brand(workspace) -> Query:
    return Query.objects.create(workspace=workspace, name="Marque", kind="brand", text="lumiere")


@pytest.fixture
def product(workspace) -> Query:
    return Query.objects.create(workspace=workspace, name="Moka", kind="product", text="moka")


@pytest.fixture
def rival(workspace) -> Query:
    return Query.objects.create(workspace=workspace, name="Rival", kind="competitor", text="x")


def test_listening_counts_the_brand_once_leaves_out_competitors_and_irrelevant(
    workspace, brand, product, rival
):
    mention(workspace, [brand, product], at(9), "positive")  # two of our queries: once
    mention(workspace, brand, at(10), "negative")
    mention(workspace, brand, at(11), "negative")
    mention(workspace, brand, at(12), "neutral")
    mention(workspace, rival, at(13), "negative")  # a competitor's
    mention(workspace, brand, at(14), "positive", irrelevant=True)
    assert value(workspace, "listening.mentions") == 4
    assert value(workspace, "listening.negative") == 50.0
    # The listening dashboard's own formula on the same counts: 50 + 50 × (1 − 2) ÷ 4.
    assert value(workspace, "listening.reputation") == reputation_index(1, 2, 4) == 37.5


# --- moderation


def item(workspace, channel, created, reason=Reason.HELD, decided=None) -> Item:
    return Item.objects.create(
        workspace=workspace,
        event=event(channel, created),
        channel=channel,
        reason=reason,
        text="x",
        created_at=created,
        state=ItemState.DONE if decided else ItemState.QUEUED,
        decided_at=decided,
    )


def test_moderation_counts_and_median_time_to_decision(workspace, channel):
    item(workspace, channel, at(9), decided=at(9, 20))
    item(workspace, channel, at(9), Reason.FLAGGED, decided=at(10))
    item(workspace, channel, at(9), Reason.REPORTED, decided=at(11))
    item(workspace, channel, at(9), Reason.ACTED, decided=at(9))  # a rule acted at once
    item(workspace, channel, at(9))  # still waiting
    assert value(workspace, "moderation.judged") == 4
    assert value(workspace, "moderation.held") == 4
    assert value(workspace, "moderation.time_to_decision") == 60  # 20, 60, 120


# --- members


def person(workspace, **fields) -> Member:
    return Member.objects.create(workspace=workspace, name=f"P{n()}", **fields)


def test_members_active_new_ambassadors_and_slipping(workspace, other_workspace):
    regular = person(workspace, first_seen_at=at(9), level=Level.AMBASSADOR, level_since=at(8))
    older = person(workspace, first_seen_at=at(9, day=DAY - timedelta(days=90)))
    late = person(workspace, level=Level.AMBASSADOR, level_since=at(9, day=DAY + timedelta(2)))
    staff = person(workspace, kind="staff", first_seen_at=at(9))
    merged = person(workspace, first_seen_at=at(10))
    merged.merged_into = regular
    merged.save()
    for who, when in [
        (regular, at(9)),
        (regular, at(10)),
        (older, at(9, day=DAY - timedelta(days=29))),  # inside the 30 days
        (late, at(9, day=DAY - timedelta(days=31))),  # outside
        (staff, at(9)),
    ]:
        Activity.objects.create(workspace=workspace, member=who, kind="comment", occurred_at=when)
    outsider = Member.objects.create(workspace=other_workspace, first_seen_at=at(9))
    Activity.objects.create(
        workspace=other_workspace, member=outsider, kind="comment", occurred_at=at(9)
    )
    Task.objects.create(workspace=workspace, member=older, kind=Task.Kind.SLIPPING_AWAY)
    Task.objects.filter(member=older).update(created_at=at(7))
    assert value(workspace, "members.active") == 2
    assert value(workspace, "members.new") == 1
    assert value(workspace, "members.ambassadors") == 1  # `late` became one after the day
    assert value(workspace, "members.slipping") == 1


# --- animation and feedback


def test_participation_in_contests_events_and_polls(workspace):
    a, b = person(workspace), person(workspace)
    contest = Contest.objects.create(workspace=workspace, title="Concours")
    Entry.objects.create(
        workspace=workspace, contest=contest, member=a, source="form", entered_at=at(9)
    )
    Entry.objects.create(
        workspace=workspace,
        contest=contest,
        member=b,
        source="form",
        entered_at=at(9, day=DAY + timedelta(1)),
    )
    meetup = Meetup.objects.create(workspace=workspace, title="Atelier", starts_at=at(18))
    for who, status in [(a, Rsvp.Status.GOING), (b, Rsvp.Status.CANCELLED)]:
        Rsvp.objects.create(
            workspace=workspace,
            meetup=meetup,
            member=who,
            name="x",
            email="x@example.org",
            status=status,
            created_at=at(9),
        )
    poll = Poll.objects.create(workspace=workspace, question="Moka ?")
    choice = PollChoice.objects.create(poll=poll, text="Oui")
    PollVote.objects.create(poll=poll, choice=choice, member=a, at=at(9))
    PollVote.objects.create(poll=poll, choice=choice, member=b, at=at(23, 59))
    assert value(workspace, "animation.entries") == 1
    assert value(workspace, "animation.rsvps") == 1
    assert value(workspace, "animation.poll_votes") == 2


def test_ideas_received_and_shipped(workspace):
    first = Idea.objects.create(workspace=workspace, title="Moka", created_at=at(9))
    Idea.objects.create(workspace=workspace, title="Moka !", created_at=at(10), merged_into=first)
    Idea.objects.create(
        workspace=workspace,
        title="Déca",
        created_at=at(9, day=DAY - timedelta(days=40)),
        status=IdeaStatus.SHIPPED,
        status_changed_at=at(15),
    )
    assert value(workspace, "feedback.ideas") == 1
    assert value(workspace, "feedback.shipped") == 1


# --- every KPI


@pytest.mark.parametrize("key", sorted(REGISTRY))
def test_an_empty_day_gives_zero_or_no_value(workspace, key):
    kpi = REGISTRY[key]
    expected = None if kind_has_no_value_when_empty(kpi.kind) else 0
    assert value(workspace, key) == expected


def kind_has_no_value_when_empty(kind: Kind) -> bool:
    return kind in (Kind.RATIO, Kind.MEDIAN)


def test_the_day_the_clocks_go_back_lasts_25_hours_in_paris(workspace, brand):
    # Sunday 25 October 2026: midnight is 22:00 UTC the day before (CEST), and the next
    # midnight is 23:00 UTC (CET).
    change = date(2026, 10, 25)
    inside = [
        datetime(2026, 10, 24, 22, 30, tzinfo=UTC),  # 00:30 CEST
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 02:30 CEST, before the change
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # 02:30 CET, the hour lived twice
        datetime(2026, 10, 25, 22, 30, tzinfo=UTC),  # 23:30 CET
    ]
    outside = [
        datetime(2026, 10, 24, 21, 30, tzinfo=UTC),  # 23:30 on the 24th
        datetime(2026, 10, 25, 23, 0, tzinfo=UTC),  # midnight on the 26th
    ]
    for when in inside + outside:
        mention(workspace, brand, when)
    assert value(workspace, "listening.mentions", change) == 4
    assert value(workspace, "listening.mentions", change - timedelta(days=1)) == 1
    assert value(workspace, "listening.mentions", change + timedelta(days=1)) == 1


def test_a_median_of_merged_days_is_the_median_of_all_durations():
    assert median_minutes({}) is None
    assert median_minutes({"5": 1}) == 5
    assert median_minutes({"10": 1, "30": 1, "50": 1, "70": 1}) == 40
    days = [Measure(dist={"10": 2}), Measure(dist={"40": 1}), Measure(dist={"100": 2})]
    assert median_minutes(combine(REGISTRY["inbox.first_response"], days).dist) == 40


def test_a_level_is_read_on_the_last_day():
    kpi = REGISTRY["members.ambassadors"]
    assert value_of(kpi, combine(kpi, [Measure(3), Measure(5), Measure(4)])) == 4


def test_ratios_add_numerators_and_denominators_not_daily_ratios():
    kpi = REGISTRY["listening.negative"]
    busy, quiet = Measure(value=10, weight=100), Measure(value=1, weight=1)
    assert value_of(kpi, combine(kpi, [busy, quiet])) == pytest.approx(10.9)


def test_the_day_the_clocks_go_forward_lasts_23_hours_in_paris(workspace, brand):
    # Sunday 29 March 2026: midnight is 23:00 UTC the day before (CET), the next midnight
    # 22:00 UTC (CEST).
    change = date(2026, 3, 29)
    for when in [
        datetime(2026, 3, 28, 23, 0, tzinfo=UTC),  # 00:00 CET: the first instant
        datetime(2026, 3, 29, 21, 59, tzinfo=UTC),  # 23:59 CEST: the last minute
        datetime(2026, 3, 29, 22, 0, tzinfo=UTC),  # 00:00 on the 30th
    ]:
        mention(workspace, brand, when)
    assert value(workspace, "listening.mentions", change) == 2


def test_days_across_the_clock_change_add_up_to_the_period(workspace, brand, channel):
    from liant.analytics import rollup

    first, last = date(2026, 10, 24), date(2026, 10, 26)
    for hour in range(0, 72 * 60, 97):  # every 97 minutes over three days, from 22:00 UTC
        when = datetime(2026, 10, 23, 22, tzinfo=UTC) + timedelta(minutes=hour)
        mention(workspace, brand, when, ["negative", "positive", "neutral"][hour % 3])
        conversation(
            workspace, channel, when, first_response_at=when + timedelta(minutes=hour % 50)
        )
    days = rollup.days_between(first, last + timedelta(days=1))
    rollup.store(workspace, days)
    for key in ("listening.mentions", "listening.reputation", "inbox.first_response"):
        kpi = REGISTRY[key]
        stored = rollup.daily_measures(workspace, [kpi], first, last + timedelta(days=1))[key]
        assert value_of(kpi, combine(kpi, stored)) == value_of(
            kpi, period_value(workspace, key, first, last)
        )
