"""Posting limits per trust level: newcomers open fewer topics and replies an hour than
regulars; the member is told why and how long to wait; the staff page sets them."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from liant.members.models import Level
from liant.space import accounts, limits, posting
from liant.space.models import Post, PostingLimit, SpaceAccount, Topic
from tests.space.conftest import url

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight(space):
    """Observers: 2 topics and 3 replies an hour; contributors: 5 and 10. The per-minute
    limit is out of the way so only the hourly one counts."""
    space.posts_per_minute = 60
    space.save()
    limits.save_limits(
        space,
        {
            Level.OBSERVER: (2, 3),
            Level.PARTICIPANT: (3, 5),
            Level.CONTRIBUTOR: (5, 10),
            Level.AMBASSADOR: (0, 0),
        },
    )
    return space


def open_topic(client, space, category, title: str):
    return client.post(
        url(space, f"c/{category.pk}/new/"), {"title": title, "body": "Une question"}
    )


def test_a_newcomer_is_limited_and_told_why_and_for_how_long(tight, recipes, alice_client, alice):
    SpaceAccount.objects.filter(pk=alice.pk).update(language="en")  # pages in English
    for n in range(2):
        assert open_topic(alice_client, tight, recipes, f"Question {n}").status_code == 302
    # The earlier two were fifty minutes ago: the wait is about ten minutes.
    earlier = timezone.now() - timedelta(minutes=50)
    Topic.objects.update(created_at=earlier)
    Post.objects.update(created_at=earlier)
    answer = open_topic(alice_client, tight, recipes, "Question 3")
    page = html.unescape(answer.content.decode())
    assert answer.status_code == 200 and Topic.objects.count() == 2
    with pytest.raises(limits.OverLimit) as refused:
        limits.check(alice, topic=True)
    assert refused.value.level == Level.OBSERVER and refused.value.limit == 2
    assert 9 * 60 <= refused.value.wait <= 10 * 60 + 1
    # Said on the form: the level, the limit and the minutes to wait.
    with translation.override("en"):
        said = refused.value.message()
    assert "(Observer) you can open 2 topics an hour" in said and "10 minutes" in said
    assert said in page
    # Replies count apart: three allowed, not the fourth.
    topic = Topic.objects.first()
    for n in range(3):
        posting.reply(alice, topic, f"Réponse {n}")
    with pytest.raises(limits.OverLimit) as refused:
        posting.reply(alice, topic, "Une de trop")
    assert not refused.value.topics and refused.value.limit == 3
    # An hour later the window has moved on.
    later = timezone.now() + timedelta(hours=1, minutes=1)
    limits.check(alice, topic=True, now=later)
    limits.check(alice, topic=False, now=later)


def test_a_regular_gets_more_and_an_ambassador_no_limit(tight, recipes, alice):
    member = accounts.link_member(alice)
    assert limits.level_of(alice) == Level.OBSERVER
    for n in range(2):
        posting.start_topic(alice, recipes, f"Sujet {n}", "Texte")
    with pytest.raises(limits.OverLimit):
        posting.start_topic(alice, recipes, "Un de trop", "Texte")
    member.level = Level.CONTRIBUTOR
    member.save(update_fields=["level"])
    for n in range(3):
        posting.start_topic(alice, recipes, f"Habitué {n}", "Texte")
    with pytest.raises(limits.OverLimit) as refused:
        posting.start_topic(alice, recipes, "Encore", "Texte")
    assert refused.value.level == Level.CONTRIBUTOR and refused.value.limit == 5
    member.level = Level.AMBASSADOR
    member.save(update_fields=["level"])
    posting.start_topic(alice, recipes, "Sans limite", "Texte")
    assert Topic.objects.filter(author=alice).count() == 6


def test_the_message_names_the_level_and_the_wait():
    text = limits.OverLimit(level=Level.OBSERVER, limit=2, wait=125, topics=True).message()
    assert "Observer" in text and "2 topics" in text and "3 minutes" in text


def test_limits_are_set_on_the_staff_page(member_client, outsider_client, workspace, space):
    page = f"/w/{workspace.slug}/space/access/"
    assert member_client.get(page).status_code == 200
    data = {"signing-sign_with_agent": "on"}
    for level, (topics, replies) in {
        "observer": (1, 4),
        "participant": (2, 8),
        "contributor": (4, 16),
        "ambassador": (0, 0),
    }.items():
        data[f"limits-{level}_topics"] = str(topics)
        data[f"limits-{level}_replies"] = str(replies)
    assert outsider_client.post(page, data).status_code in (403, 404)
    assert not PostingLimit.objects.exists()
    assert member_client.post(page, data).status_code == 302
    assert limits.limits_of(space)[Level.OBSERVER] == (1, 4)
    space.refresh_from_db()
    assert space.sign_with_agent
    assert member_client.post(page, {**data, "limits-observer_topics": "-1"}).status_code == 200
    assert limits.limits_of(space)[Level.OBSERVER] == (1, 4)
