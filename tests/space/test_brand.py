"""Liant's words on the space: inbox replies and composer posts appear as the brand, with
the agent's name when the space wants it; the connector's `publish` opens an announcement
topic in the category chosen."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from liant.channels.fetching import connector_for
from liant.connectors.base import Capability, ConnectorError, Draft
from liant.core.models import Role
from liant.inbox import grouping
from liant.inbox.models import Conversation, Direction, Message
from liant.publishing.models import Post as ComposerPost
from liant.publishing.models import State, Variant
from liant.publishing.publisher import publish_variant
from liant.space import posting
from liant.space.models import Category, Post, Topic
from tests.conftest import make_user
from tests.space.conftest import url

pytestmark = pytest.mark.django_db


@pytest.fixture
def marie(workspace):
    user = make_user("marie@brand.example", workspace, Role.OWNER)
    user.name = "Marie Curieux"
    user.save()
    return user


def test_an_inbox_reply_is_signed_when_the_space_wants_it(space, recipes, alice, marie, workspace):
    opening = posting.start_topic(alice, recipes, "Moka", "Quelle mouture ?")
    grouping.group_workspace(workspace.pk)
    conversation = Conversation.objects.get(workspace=workspace)
    question = Message.objects.get(conversation=conversation)
    answer = Message.objects.create(
        workspace=workspace,
        conversation=conversation,
        direction=Direction.OUT,
        text="Une mouture fine.",
        sent_by=marie,
        in_reply_to=question,
    )
    from liant.inbox.replies import base_event  # noqa: PLC0415

    connector = connector_for(space.channel)
    draft = Draft(text=answer.text, idempotency_key=answer.idempotency_key)
    connector.reply(base_event(question.event), draft)
    post = Post.objects.get(author__staff=True, topic=opening.topic)
    assert post.signed_by == "Marie Curieux"
    page = Client().get(url(space, f"t/{opening.topic_id}/")).content.decode()
    assert "Marie Curieux" not in page and space.workspace.name in page
    space.sign_with_agent = True
    space.save()
    page = Client().get(url(space, f"t/{opening.topic_id}/")).content.decode()
    assert f"{space.workspace.name} — Marie Curieux" in page
    # The same send again is the same post.
    connector.reply(base_event(question.event), draft)
    assert Post.objects.filter(author__staff=True, topic=opening.topic).count() == 1


def test_publish_opens_an_announcement_in_the_category_chosen(space, recipes, coffees):
    connector = connector_for(space.channel)
    assert connector.can(Capability.PUBLISH)
    out = connector.publish(
        Draft(
            text="# Nouveau café\n\nUn **Guji** arrive.",
            idempotency_key="k1",
            extras={"category": str(coffees.pk)},
        )
    )
    topic = Topic.objects.get()
    assert (topic.category, topic.announcement, topic.author.staff) == (coffees, True, True)
    assert topic.title == "Nouveau café" and out.remote_id == f"post:{topic.posts.get().pk}"
    assert out.url.endswith(f"/t/{topic.pk}/#post-{topic.posts.get().pk}")
    # Idempotent on the key.
    again = connector.publish(Draft(text="autre", idempotency_key="k1"))
    assert again.remote_id == out.remote_id and Topic.objects.count() == 1
    # No category named: the space's choice, else its first topic category.
    connector.publish(Draft(text="Deuxième", idempotency_key="k2"))
    assert Topic.objects.latest("pk").category == recipes
    space.publish_category = coffees
    space.save()
    connector.publish(Draft(text="Troisième", idempotency_key="k3"))
    assert Topic.objects.latest("pk").category == coffees
    # Another space's category, or a chat, is refused.
    chat = Category.objects.create(space=space, name="Salon", kind=Category.Kind.CHAT)
    for wrong in (chat.pk, 999_999):
        with pytest.raises(ConnectorError):
            connector.publish(
                Draft(text="x", idempotency_key=f"w{wrong}", extras={"category": wrong})
            )


def test_the_composer_publishes_on_the_space_signed_by_its_owner(space, recipes, marie, workspace):
    space.sign_with_agent = True
    space.save()
    now = timezone.now()
    composed = ComposerPost.objects.create(
        workspace=workspace, owner=marie, state=State.SCHEDULED, title="Atelier du samedi"
    )
    variant = Variant.objects.create(
        post=composed,
        channel=space.channel,
        text="Venez goûter nos cafés samedi.",
        thread=["Inscriptions sur place."],
        state=State.SCHEDULED,
        scheduled_at=now,
        due_at=now,
    )
    assert publish_variant(variant.pk).state == State.PUBLISHED
    topic = Topic.objects.get()
    assert topic.title == "Atelier du samedi" and topic.announcement
    posts = list(topic.posts.order_by("pk"))
    assert [p.signed_by for p in posts] == ["Marie Curieux", "Marie Curieux"]
    assert "Inscriptions sur place." in posts[1].body
    page = Client().get(url(space, f"t/{topic.pk}/")).content.decode()
    assert "— Marie Curieux" in page and "Venez goûter" in page
    variant.refresh_from_db()
    assert variant.remote_id == posts[0].remote_id


def test_a_staff_announcement_is_signed_and_other_workspaces_get_nothing(
    member_client, outsider_client, member, workspace, space, recipes
):
    data = {
        "announce-category": recipes.pk,
        "announce-title": "Fermeture",
        "announce-body": "Lundi fermé",
    }
    assert outsider_client.post(
        f"/w/{workspace.slug}/space/announcements/new/", data
    ).status_code in (403, 404)
    assert not Topic.objects.exists()
    member_client.post(f"/w/{workspace.slug}/space/announcements/new/", data)
    post = Post.objects.get()
    assert post.signed_by == member.get_full_name()
