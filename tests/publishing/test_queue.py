"""Queue slots per channel, "add to queue", recurring posts and evergreen posts. Every view
test also sends the outsider, who gets a 404 and changes nothing."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from liant.channels.models import Channel
from liant.core.models import AuditEvent
from liant.publishing import queue
from liant.publishing.models import Post, PublishingSettings, QueueSlot, Variant
from liant.publishing.states import State

PARIS = ZoneInfo("Europe/Paris")


def url(workspace, path: str = "") -> str:
    return f"/w/{workspace.slug}/publishing/{path}"


# --- Reading slots as people write them --------------------------------------------------------


def test_slots_are_read_the_way_people_write_them():
    assert queue.parse_slots("Tue/Thu 9:30") == [(1, time(9, 30)), (3, time(9, 30))]
    assert queue.parse_slots("lun-ven 12h30; sam 11h") == [
        *[(d, time(12, 30)) for d in range(5)],
        (5, time(11, 0)),
    ]
    assert queue.parse_slots("Friday 18:00 / 20:15") == [(4, time(18, 0)), (4, time(20, 15))]
    assert queue.parse_slots("sat-mon 10") == [(0, time(10)), (5, time(10)), (6, time(10))]
    assert queue.parse_slots("  ") == []


@pytest.mark.parametrize("wrong", ["Tue", "9:30", "Funday 9:30", "Mon 25:00", "Mon 9:75"])
def test_a_slot_that_cannot_be_read_says_which_part(wrong):
    with pytest.raises(queue.SlotSyntaxError) as refused:
        queue.parse_slots(wrong)
    assert wrong.strip() in str(refused.value)


@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.times().map(lambda t: t.replace(second=0, microsecond=0))),
        max_size=10,
    )
)
def test_slots_written_back_read_back_the_same(slots):
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert queue.parse_slots(queue.describe(slots, names)) == sorted(set(slots))


# --- Taking the next free slot -----------------------------------------------------------------

pytestmark = pytest.mark.django_db


def next_weekday(weekday: int, hour: int, minute: int) -> datetime:
    """The next such slot still ahead, in Paris: today's when it has not passed yet."""
    now = timezone.now().astimezone(PARIS)
    day = now.date()
    while day.weekday() != weekday or datetime.combine(day, time(hour, minute), PARIS) <= now:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def draft(channel, text: str = "En file", **fields) -> Post:
    post = Post.objects.create(workspace=channel.workspace, state=State.DRAFT, **fields)
    Variant.objects.create(post=post, channel=channel, text=text)
    return post


def test_add_to_queue_takes_each_channels_next_free_slot(workspace, owner, channel):
    other = Channel.objects.create(workspace=workspace, kind="scripted_pub", name="Autre")
    queue.set_slots(channel, [(1, time(9, 30)), (3, time(9, 30))])
    queue.set_slots(other, [(4, time(18, 0))])
    first = draft(channel)
    Variant.objects.create(post=first, channel=other, text="Ailleurs")
    assert queue.add_to_queue(first, owner) == []
    second = draft(channel)
    assert queue.add_to_queue(second, owner) == []

    on = {v.channel_id: v for v in first.variants.all()}
    tuesday, thursday = next_weekday(1, 9, 30), next_weekday(3, 9, 30)
    assert on[channel.pk].due_at == min(tuesday, thursday)
    assert on[other.pk].due_at == next_weekday(4, 18, 0)
    assert second.variants.get().due_at == max(tuesday, thursday)  # the first one was taken
    first.refresh_from_db()
    assert first.state == State.SCHEDULED and on[channel.pk].state == State.SCHEDULED


@pytest.mark.django_db(transaction=True)
def test_two_people_adding_to_the_queue_at_once_get_two_different_slots(
    workspace, owner, member, channel, monkeypatch
):
    """Each add reads the free slots then writes; without a lock both would read the same
    free slot. The read is slowed down so the two really overlap."""
    import threading

    from django.db import connection

    queue.set_slots(channel, [(1, time(9, 30)), (3, time(9, 30))])
    posts = [draft(channel, "Premier"), draft(channel, "Second")]
    start = threading.Barrier(2)
    read = queue.taken

    def slow_taken(*args, **kwargs):
        found = read(*args, **kwargs)
        import time as clock

        clock.sleep(0.3)  # the other add runs meanwhile, if nothing makes it wait
        return found

    monkeypatch.setattr(queue, "taken", slow_taken)
    problems: list[list[str]] = []

    def add(post: Post, person) -> None:
        try:
            start.wait()
            problems.append(queue.add_to_queue(post, person))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=add, args=(post, person))
        for post, person in zip(posts, [owner, member], strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert problems == [[], []]
    moments = [Variant.objects.get(post=post).due_at for post in posts]
    assert len(set(moments)) == 2
    assert set(moments) == {next_weekday(1, 9, 30), next_weekday(3, 9, 30)}


def test_a_cancelled_post_frees_its_slot(workspace, owner, channel):
    queue.set_slots(channel, [(2, time(8, 0))])
    gone = draft(channel)
    queue.add_to_queue(gone, owner)
    slot = gone.variants.get().due_at
    Variant.objects.filter(post=gone).update(state=State.CANCELLED)
    again = draft(channel)
    queue.add_to_queue(again, owner)
    assert again.variants.get().due_at == slot


def test_a_channel_without_slots_says_so_and_nothing_is_scheduled(workspace, owner, channel):
    post = draft(channel)
    [problem] = queue.add_to_queue(post, owner)
    assert "Scripted" in problem and "queue slot" in problem
    post.refresh_from_db()
    assert post.state == State.DRAFT and post.variants.get().due_at is None


def test_the_queue_page_and_its_forms(owner_client, outsider_client, workspace, channel):
    answer = owner_client.post(
        url(workspace, f"queue/{channel.pk}/"), {f"c{channel.pk}-slots": "Tue/Thu 9:30"}
    )
    assert answer.status_code == 302
    assert sorted(QueueSlot.objects.filter(channel=channel).values_list("weekday", flat=True)) == [
        1,
        3,
    ]
    assert AuditEvent.objects.filter(action="publishing.queue_slots_changed").exists()
    page = owner_client.get(url(workspace, "queue/")).content.decode()
    assert "Tue/Thu 09:30" in page and "Europe/Paris" in page

    refused = owner_client.post(
        url(workspace, f"queue/{channel.pk}/"), {f"c{channel.pk}-slots": "Funday 9:30"}
    )
    assert refused.status_code == 302 and QueueSlot.objects.filter(channel=channel).count() == 2

    assert outsider_client.get(url(workspace, "queue/")).status_code == 404
    assert (
        outsider_client.post(
            url(workspace, f"queue/{channel.pk}/"), {f"c{channel.pk}-slots": ""}
        ).status_code
        == 404
    )
    assert QueueSlot.objects.filter(channel=channel).count() == 2


def test_add_to_queue_from_the_post_page(owner_client, outsider_client, workspace, channel):
    queue.set_slots(channel, [(0, time(7, 45))])
    post = draft(channel)
    assert outsider_client.post(url(workspace, f"{post.pk}/queue/")).status_code == 404
    assert post.variants.get().due_at is None
    answer = owner_client.post(url(workspace, f"{post.pk}/queue/"))
    assert answer.status_code == 302
    assert post.variants.get().due_at == next_weekday(0, 7, 45)
    assert AuditEvent.objects.filter(action="post.queued", target_id=str(post.pk)).exists()


# --- Recurring and evergreen posts -------------------------------------------------------------


def published(channel, at: datetime, **fields) -> Post:
    post = Post.objects.create(workspace=channel.workspace, state=State.PUBLISHED, **fields)
    Variant.objects.create(
        post=post,
        channel=channel,
        text="Chaque lundi",
        state=State.PUBLISHED,
        scheduled_at=at,
        due_at=at,
        published_at=at + timedelta(seconds=20),
    )
    return post


def test_a_published_weekly_post_gets_its_next_occurrence_once(workspace, channel):
    at = (
        (timezone.now() - timedelta(days=1))
        .astimezone(PARIS)
        .replace(hour=9, minute=0, second=0, microsecond=0)
    )
    post = published(channel, at, recurrence="weekly", title="Le café du lundi")
    assert queue.renew() == 1
    assert queue.renew() == 0  # run again (or by a second worker): still one
    nxt = post.followed_by
    assert nxt.state == State.SCHEDULED and nxt.title == "Le café du lundi"
    variant = nxt.variants.get()
    assert variant.state == State.SCHEDULED
    assert variant.due_at.astimezone(PARIS) == datetime.combine(
        at.date() + timedelta(days=7), time(9, 0), tzinfo=PARIS
    )
    assert variant.idempotency_key != post.variants.get().idempotency_key  # a new post


def test_a_recurrence_keeps_local_time_across_daylight_saving_and_short_months():
    before = datetime(2026, 3, 23, 9, 0, tzinfo=PARIS)  # winter time (UTC+1)
    after = queue.next_occurrence(before, "weekly", PARIS)
    assert (after.hour, after.utcoffset()) == (9, timedelta(hours=2))  # summer time, still 9:00
    assert queue.next_occurrence(
        datetime(2026, 1, 31, 8, tzinfo=PARIS), "monthly", PARIS
    ).date() == (datetime(2026, 2, 28).date())
    assert (
        queue.next_occurrence(datetime(2026, 12, 15, 8, tzinfo=PARIS), "monthly", PARIS).month == 1
    )


def test_a_recurrence_stops_after_its_last_day(workspace, channel):
    at = timezone.now() - timedelta(days=1)
    published(channel, at, recurrence="daily", repeat_until=at.astimezone(PARIS).date())
    assert queue.renew() == 0


def test_an_evergreen_post_comes_back_after_the_interval_at_a_free_slot(workspace, channel):
    PublishingSettings.objects.create(workspace=workspace, evergreen_days=14)
    queue.set_slots(channel, [(d, time(10, 0)) for d in range(7)])
    at = timezone.now() - timedelta(days=2)
    post = published(channel, at, evergreen=True)
    assert queue.renew() == 1
    back = post.followed_by.variants.get()
    earliest = at + timedelta(days=14)
    assert back.due_at > earliest and back.due_at - earliest <= timedelta(days=1)
    assert back.due_at.astimezone(PARIS).time() == time(10, 0)
    assert queue.renew() == 0


def test_the_composer_saves_recurrence_and_evergreen(
    owner_client, workspace, channel, outsider_client
):
    answer = owner_client.post(
        url(workspace, "new/"),
        {
            "title": "Hebdo",
            "recurrence": "weekly",
            "repeat_until": "2027-06-30",
            "evergreen": "on",
            f"c{channel.pk}-include": "on",
            f"c{channel.pk}-text": "Bonjour",
            "action": "save",
        },
    )
    assert answer.status_code == 302
    post = Post.objects.get(title="Hebdo")
    assert post.recurrence == "weekly" and post.evergreen and str(post.repeat_until) == "2027-06-30"
    assert (
        outsider_client.post(
            url(workspace, "new/"), {"title": "Pirate", "action": "save"}
        ).status_code
        == 404
    )
