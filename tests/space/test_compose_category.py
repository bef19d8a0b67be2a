"""The composer offers the space's categories for a variant on the space's channel; the
topic opens in the one chosen (extras["category"]); another workspace's is refused."""

from __future__ import annotations

import pytest
from django.utils import timezone

from liant.channels.models import Channel
from liant.publishing.forms import VariantForm
from liant.publishing.models import Post as ComposerPost
from liant.publishing.models import State, Variant
from liant.publishing.publisher import publish_variant
from liant.space.models import Category, Topic
from liant.space.posting import open_channel, space_of

pytestmark = pytest.mark.django_db


def compose_url(workspace, path: str = "new/") -> str:
    return f"/w/{workspace.slug}/publishing/{path}"


def compose(client, workspace, channel, text, **extra):
    data = {
        "title": "Atelier du samedi",
        "pillar": "",
        "campaign": "",
        "tags_text": "",
        "scheduled_at": "",
        f"c{channel.pk}-include": "on",
        f"c{channel.pk}-text": text,
        f"c{channel.pk}-link": "",
        f"c{channel.pk}-content_warning": "",
        "action": "save",
        **extra,
    }
    return client.post(compose_url(workspace), data)


@pytest.fixture
def chat(space) -> Category:
    return Category.objects.create(space=space, name="Salon", kind=Category.Kind.CHAT)


@pytest.fixture
def elsewhere(other_workspace) -> Category:
    other = space_of(other_workspace)
    other.enabled = True
    other.save()
    open_channel(other)
    return Category.objects.create(space=other, name="Ailleurs")


def test_the_field_lists_the_spaces_topic_categories_only_for_its_channel(
    workspace, space, recipes, coffees, chat, elsewhere, owner_client
):
    form = VariantForm(channel=space.channel)
    choices = list(form.fields["space_category"].queryset)  # type: ignore[attr-defined]
    assert choices == [recipes, coffees]  # no chat room, nothing of another workspace
    mastodon = Channel.objects.create(workspace=workspace, kind="mastodon", name="Masto")
    assert not VariantForm(channel=mastodon).offers_space_category
    page = owner_client.get(compose_url(workspace)).content.decode()
    field = f'name="c{space.channel.pk}-space_category"'
    assert field in page and "Nos cafés" in page and "Ailleurs" not in page
    assert f'name="c{mastodon.pk}-space_category"' not in page


def test_the_choice_is_stored_in_extras_and_another_workspaces_is_refused(
    workspace, space, recipes, coffees, elsewhere, owner_client
):
    channel = space.channel
    key = f"c{channel.pk}-space_category"
    refused = compose(owner_client, workspace, channel, "Venez", **{key: str(elsewhere.pk)})
    assert refused.status_code == 200 and not ComposerPost.objects.exists()
    assert (
        compose(owner_client, workspace, channel, "Venez", **{key: str(coffees.pk)}).status_code
        == 302
    )
    variant = Variant.objects.get()
    assert variant.extras == {"category": coffees.pk}
    # Editing the draft shows the choice, and "the space's default" takes it away.
    post = variant.post
    page = owner_client.get(compose_url(workspace, f"{post.pk}/edit/")).content.decode()
    assert f'<option value="{coffees.pk}" selected>' in page
    data = {
        "title": "Atelier du samedi",
        "pillar": "",
        "campaign": "",
        "tags_text": "",
        "scheduled_at": "",
        f"c{channel.pk}-include": "on",
        f"c{channel.pk}-text": "Venez",
        f"c{channel.pk}-link": "",
        f"c{channel.pk}-content_warning": "",
        key: "",
        "action": "save",
    }
    owner_client.post(compose_url(workspace, f"{post.pk}/edit/"), data)
    variant.refresh_from_db()
    assert "category" not in variant.extras


def test_the_published_topic_lands_in_the_chosen_category(
    workspace, space, recipes, coffees, owner_client
):
    space.publish_category = recipes
    space.save()
    channel = space.channel
    compose(
        owner_client,
        workspace,
        channel,
        "Venez goûter nos cafés samedi.",
        **{f"c{channel.pk}-space_category": str(coffees.pk)},
    )
    variant = Variant.objects.get()
    now = timezone.now()
    Variant.objects.filter(pk=variant.pk).update(
        state=State.SCHEDULED, scheduled_at=now, due_at=now
    )
    assert publish_variant(variant.pk).state == State.PUBLISHED
    topic = Topic.objects.get()
    assert topic.category == coffees and topic.title == "Atelier du samedi"
