"""The one table of allowed moves, and the history every move leaves."""

from __future__ import annotations

import pytest

from liant.publishing.models import Post, Transition, Variant, move
from liant.publishing.states import TRANSITIONS, State, TransitionError, allowed

pytestmark = pytest.mark.django_db


def test_every_state_has_a_row_in_the_table():
    assert set(TRANSITIONS) == set(State.values)
    for targets in TRANSITIONS.values():
        assert targets <= set(State.values)


def test_the_editorial_path_is_allowed_and_published_is_final():
    path = ["idea", "draft", "in_review", "approved", "scheduled", "publishing", "published"]
    for current, to in zip(path, path[1:], strict=False):
        assert allowed(current, to), (current, to)
    assert TRANSITIONS[State.PUBLISHED] == frozenset()


@pytest.mark.parametrize(
    ("current", "to"),
    [
        ("idea", "published"),
        ("draft", "publishing"),  # only the publisher's claim enters publishing
        ("published", "scheduled"),  # what went out cannot be sent again
        ("failed", "published"),  # a failure is retried, not declared a success
        ("cancelled", "scheduled"),
    ],
)
def test_a_move_outside_the_table_is_refused(workspace, owner, current, to):
    post = Post.objects.create(workspace=workspace, state=current)
    with pytest.raises(TransitionError):
        move(post, to, actor=owner)
    post.refresh_from_db()
    assert post.state == current
    assert not Transition.objects.exists()


def test_each_move_records_who_from_what_to_what_and_why(workspace, owner):
    post = Post.objects.create(workspace=workspace, owner=owner, state=State.IDEA)
    assert move(post, State.DRAFT, actor=owner, note="let's write it")
    assert move(post, State.IN_REVIEW, actor=owner)
    history = list(post.history.values_list("from_state", "to_state", "actor", "note"))
    assert history == [
        ("idea", "draft", owner.pk, "let's write it"),
        ("draft", "in_review", owner.pk, ""),
    ]


def test_a_move_from_a_state_the_row_has_left_does_nothing(workspace, channel):
    post = Post.objects.create(workspace=workspace, state=State.SCHEDULED)
    variant = Variant.objects.create(post=post, channel=channel, state=State.SCHEDULED)
    stale = Variant.objects.get(pk=variant.pk)
    assert move(variant, State.CANCELLED)
    assert not move(stale, State.PUBLISHING)  # someone else moved it first
    variant.refresh_from_db()
    assert variant.state == State.CANCELLED
    assert Transition.objects.filter(variant=variant).count() == 1


def test_the_idempotency_key_is_made_once_and_kept(workspace, channel):
    post = Post.objects.create(workspace=workspace)
    variant = Variant.objects.create(post=post, channel=channel, text="a")
    key = variant.idempotency_key
    assert len(key) == 32
    variant.text = "b"
    variant.save()
    assert Variant.objects.get(pk=variant.pk).idempotency_key == key
    other = Post.objects.create(workspace=workspace)
    assert Variant.objects.create(post=other, channel=channel).idempotency_key != key
