"""The publishing pages. Every test also sends the outsider (a member of another workspace),
who must get a 404 and change nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from liant.channels.models import Channel
from liant.connectors.base import ConnectorError
from liant.core.permissions import Role
from liant.publishing import publisher
from liant.publishing.models import Post, PublishingSettings, Variant
from liant.publishing.states import State
from tests.conftest import client_for, make_user
from tests.publishing.conftest import scheduled_variant
from tests.publishing.fakes import ScriptedPublisher

pytestmark = pytest.mark.django_db


def url(workspace, path: str = "") -> str:
    return f"/w/{workspace.slug}/publishing/{path}"


@pytest.fixture
def analyst_client(workspace):
    return client_for(make_user("analyst@brand.example", workspace, Role.ANALYST))


def test_the_list_shows_posts_and_what_needs_attention(
    owner_client, outsider_client, client, workspace, channel
):
    variant = scheduled_variant(channel, "Salon du café")
    ScriptedPublisher.script = [ConnectorError("Text is too long")]
    publisher.publish_variant(variant.pk)
    page = owner_client.get(url(workspace))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Salon du café" in body
    assert "Needs attention" in body and "Text is too long" in body
    assert outsider_client.get(url(workspace)).status_code == 404
    assert client.get(url(workspace)).status_code == 302  # sign in first


def test_the_navigation_leads_to_publishing(owner_client, outsider_client, workspace):
    page = owner_client.get(f"/w/{workspace.slug}/")
    assert url(workspace).encode() in page.content
    assert outsider_client.get(f"/w/{workspace.slug}/").status_code == 404


def test_the_composer_offers_every_channel_that_can_publish(
    owner_client, outsider_client, workspace, channel
):
    Channel.objects.create(workspace=workspace, kind="feed", name="Un flux", settings={})
    page = owner_client.get(url(workspace, "new/"))
    body = page.content.decode()
    assert page.status_code == 200
    assert f'name="c{channel.pk}-text"' in body
    assert "Un flux" not in body  # a feed cannot publish
    assert "20 characters left" in body
    assert "Write something" not in body  # nothing is wrong before anything is typed
    assert outsider_client.get(url(workspace, "new/")).status_code == 404


def compose(client, workspace, channel, text, action="save", at="", **extra):
    data = {
        "title": "",
        "pillar": "Coulisses",
        "campaign": "Printemps",
        "tags_text": "café, atelier, café",
        "scheduled_at": at,
        f"c{channel.pk}-include": "on",
        f"c{channel.pk}-text": text,
        f"c{channel.pk}-link": "",
        f"c{channel.pk}-content_warning": "",
        "action": action,
        **extra,
    }
    return client.post(url(workspace, "new/"), data)


def test_a_draft_is_saved_with_its_variant(
    owner_client, outsider_client, owner, workspace, channel
):
    response = compose(owner_client, workspace, channel, "Bientôt du nouveau")
    post = Post.objects.get()
    assert response.status_code == 302 and response.url == url(workspace, f"{post.pk}/")
    assert outsider_client.get(response.url).status_code == 404
    edit = url(workspace, f"{post.pk}/edit/")
    assert outsider_client.post(edit, {"title": "intrus"}).status_code == 404
    assert (post.state, post.owner, post.tags) == (State.DRAFT, owner, ["café", "atelier"])
    [variant] = post.variants.all()
    assert (variant.text, variant.state, variant.channel) == (
        "Bientôt du nouveau",
        "draft",
        channel,
    )


def test_the_outsider_cannot_post_into_the_workspace(outsider_client, workspace, channel):
    assert compose(outsider_client, workspace, channel, "intrus").status_code == 404
    assert not Post.objects.exists()


def test_scheduling_refuses_a_text_too_long_for_the_network(
    owner_client, outsider_client, workspace, channel
):
    at = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert compose(outsider_client, workspace, channel, "x", "schedule", at).status_code == 404
    response = compose(
        owner_client, workspace, channel, "Beaucoup trop long pour ce réseau", "schedule", at
    )
    assert response.status_code == 200
    assert "13 characters too many" in response.content.decode()
    assert not Post.objects.exists()


def test_scheduling_reads_the_time_in_the_workspaces_time_zone(
    owner_client, outsider_client, workspace, channel
):
    assert compose(outsider_client, workspace, channel, "x", "schedule").status_code == 404
    response = compose(
        owner_client, workspace, channel, "Pile à l'heure", "schedule", "2030-01-15T09:30"
    )
    assert response.status_code == 302
    variant = Variant.objects.get()
    assert variant.state == State.SCHEDULED
    assert variant.post.state == State.SCHEDULED
    # Europe/Paris is UTC+1 in January.
    assert variant.due_at == datetime(2030, 1, 15, 8, 30, tzinfo=UTC)
    assert variant.history.get().to_state == "scheduled"


def test_an_analyst_may_read_but_not_write(analyst_client, outsider_client, workspace, channel):
    assert analyst_client.get(url(workspace)).status_code == 200
    assert outsider_client.get(url(workspace, "new/")).status_code == 404
    assert analyst_client.get(url(workspace, "new/")).status_code == 403


def test_the_counter_counts_as_the_network_does(
    owner_client, outsider_client, workspace, channel, other_workspace
):
    check = url(workspace, f"check/{channel.pk}/")
    fits = owner_client.post(check, {f"c{channel.pk}-text": "Bonjour"})
    assert fits.status_code == 200 and "13 characters left" in fits.content.decode()
    over = owner_client.post(check, {f"c{channel.pk}-text": "x" * 21})
    assert "1 character too many" in over.content.decode()
    with_link = owner_client.post(
        check, {f"c{channel.pk}-text": "abc", f"c{channel.pk}-link": "https://l.example"}
    )
    assert "characters too many" in with_link.content.decode()  # the link is sent too
    assert outsider_client.post(check, {f"c{channel.pk}-text": "x"}).status_code == 404
    theirs = Channel.objects.create(workspace=other_workspace, kind="scripted_pub", name="Theirs")
    assert owner_client.post(url(workspace, f"check/{theirs.pk}/"), {}).status_code == 404


def test_a_post_page_shows_the_history_and_why_a_variant_failed(
    owner_client, outsider_client, workspace, channel
):
    ScriptedPublisher.script = [ConnectorError("Quota exceeded")]
    variant = scheduled_variant(channel, "Échec")
    publisher.publish_variant(variant.pk)
    page = owner_client.get(url(workspace, f"{variant.post_id}/"))
    body = page.content.decode()
    assert "Quota exceeded" in body
    assert "Scheduled → Publishing" in body and "Publishing → Failed" in body
    assert "Retry" in body
    assert outsider_client.get(url(workspace, f"{variant.post_id}/")).status_code == 404


def test_retry_publishes_a_failed_variant_again(
    member_client, outsider_client, analyst_client, member, workspace, channel
):
    ScriptedPublisher.script = [ConnectorError("Down for a while")]
    variant = scheduled_variant(channel, "Encore")
    publisher.publish_variant(variant.pk)
    retry = url(workspace, f"variants/{variant.pk}/retry/")
    assert outsider_client.post(retry).status_code == 404
    assert analyst_client.post(retry).status_code == 403
    assert Variant.objects.get(pk=variant.pk).state == State.FAILED
    assert member_client.post(retry).status_code == 302
    variant.refresh_from_db()
    assert variant.state == State.PUBLISHED  # the job ran inline in tests
    assert variant.history.get(from_state="failed").actor == member


def test_a_variant_of_another_workspace_is_not_found_through_this_one(
    owner_client, other_workspace, workspace
):
    theirs = Channel.objects.create(workspace=other_workspace, kind="scripted_pub", name="T")
    variant = scheduled_variant(theirs, "theirs")
    response = owner_client.post(url(workspace, f"variants/{variant.pk}/cancel/"))
    assert response.status_code == 404
    assert Variant.objects.get(pk=variant.pk).state == State.SCHEDULED


def test_cancelling_a_post_cancels_what_has_not_gone_out(
    owner_client, outsider_client, workspace, channel
):
    variant = scheduled_variant(channel, at=timezone.now() + timedelta(days=1))
    move = url(workspace, f"{variant.post_id}/move/")
    assert outsider_client.post(move, {"to": "cancelled"}).status_code == 404
    assert owner_client.post(move, {"to": "cancelled"}).status_code == 302
    variant.refresh_from_db()
    assert variant.state == State.CANCELLED
    assert variant.post.state == State.CANCELLED
    assert publisher.due_variant_ids(timezone.now() + timedelta(days=2)) == []


def test_review_then_approval_then_schedule(
    owner_client, analyst_client, outsider_client, workspace, channel
):
    compose(owner_client, workspace, channel, "À relire")
    post = Post.objects.get()
    move = url(workspace, f"{post.pk}/move/")
    assert outsider_client.post(move, {"to": "in_review"}).status_code == 404
    owner_client.post(move, {"to": "in_review"})
    assert analyst_client.post(move, {"to": "approved"}).status_code == 403
    owner_client.post(move, {"to": "approved"})
    owner_client.post(move, {"to": "scheduled", "scheduled_at": "2030-06-01T10:00"})
    post.refresh_from_db()
    assert post.state == State.SCHEDULED
    assert list(post.history.filter(variant=None).values_list("to_state", flat=True)) == [
        "in_review",
        "approved",
        "scheduled",
    ]
    assert post.variants.get().due_at == datetime(2030, 6, 1, 8, 0, tzinfo=UTC)  # CEST


def test_the_late_policy_is_a_workspace_setting(
    owner_client, member_client, outsider_client, workspace
):
    page = url(workspace, "settings/")
    assert outsider_client.get(page).status_code == 404
    assert member_client.get(page).status_code == 403
    answer = owner_client.post(
        page,
        {
            "publish_late_minutes": "15",
            "evergreen_days": "21",
            "utm_enabled": "on",
            "utm_source": "{network}",
            "utm_medium": "social",
        },
    )
    assert answer.status_code == 302
    assert PublishingSettings.of(workspace.pk).publish_late_minutes == 15
    assert PublishingSettings.of(workspace.pk).evergreen_days == 21


def test_the_counter_speaks_the_persons_language(
    owner_client, outsider_client, owner, workspace, channel
):
    owner.language = "fr"
    owner.save(update_fields=["language"])
    check = url(workspace, f"check/{channel.pk}/")
    answer = owner_client.post(check, {f"c{channel.pk}-text": "Bonjour"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert "13 caractères restants" in answer.content.decode()
    assert outsider_client.post(check, {}, HTTP_ACCEPT_LANGUAGE="fr").status_code == 404


def test_follow_up_posts_are_typed_with_separators_and_checked_each(
    owner_client, outsider_client, workspace, channel
):
    thread = f"c{channel.pk}-thread"
    response = compose(owner_client, workspace, channel, "Début", **{thread: "Suite\n---\n\nFin"})
    assert response.status_code == 302
    assert Variant.objects.get().thread == ["Suite", "Fin"]
    page = owner_client.get(response.url + "edit/")
    assert "Suite\n---\nFin" in page.content.decode()
    too_long = compose(
        owner_client,
        workspace,
        channel,
        "Début",
        "schedule",
        "2030-01-15T09:30",
        **{thread: "ok\n---\n" + "x" * 25},
    )
    assert "Part 3 of the thread is 5 characters too long." in too_long.content.decode()
    assert outsider_client.get(response.url + "edit/").status_code == 404


def test_scheduling_from_the_post_page_checks_the_thread_too(
    owner_client, outsider_client, workspace, channel
):
    compose(owner_client, workspace, channel, "Début", **{f"c{channel.pk}-thread": "y" * 30})
    post = Post.objects.get()
    page = owner_client.get(url(workspace, f"{post.pk}/"))
    assert "Part 2 of the thread is 10 characters too long." in page.content.decode()
    owner_client.post(
        url(workspace, f"{post.pk}/move/"), {"to": "scheduled", "scheduled_at": "2030-06-01T10:00"}
    )
    post.refresh_from_db()
    assert post.state == State.DRAFT
    assert outsider_client.get(url(workspace, f"{post.pk}/")).status_code == 404


def test_a_failed_post_goes_back_to_draft_is_fixed_and_scheduled_again(
    owner_client, outsider_client, workspace, channel
):
    ScriptedPublisher.script = [ConnectorError("Text can't contain that word")]
    variant = scheduled_variant(channel, "Mot interdit")
    publisher.publish_variant(variant.pk)
    move = url(workspace, f"{variant.post_id}/move/")
    assert outsider_client.post(move, {"to": "draft"}).status_code == 404
    owner_client.post(move, {"to": "draft"})
    variant.refresh_from_db()
    assert (variant.state, variant.post.state) == (State.DRAFT, State.DRAFT)
    owner_client.post(
        url(workspace, f"{variant.post_id}/edit/"),
        {
            f"c{channel.pk}-include": "on",
            f"c{channel.pk}-text": "Mot permis",
            "scheduled_at": "2030-01-15T09:30",
            "action": "schedule",
        },
    )
    variant.refresh_from_db()
    assert (variant.state, variant.text) == (State.SCHEDULED, "Mot permis")
    assert variant.post.state == State.SCHEDULED


def test_editing_a_post_never_rewrites_a_variant_already_out(
    owner_client, outsider_client, workspace, channel, keyless_channel
):
    out = scheduled_variant(channel, "Déjà publié")
    publisher.publish_variant(out.pk)
    post = out.post
    Post.objects.filter(pk=post.pk).update(state=State.DRAFT)  # say the other channel waits
    Variant.objects.create(post=post, channel=keyless_channel, text="En attente")
    edit = url(workspace, f"{post.pk}/edit/")
    data = {
        f"c{channel.pk}-include": "on",
        f"c{channel.pk}-text": "Réécrit",
        f"c{keyless_channel.pk}-include": "on",
        f"c{keyless_channel.pk}-text": "Corrigé",
        "action": "save",
    }
    assert outsider_client.post(edit, data).status_code == 404
    owner_client.post(edit, data)
    assert Variant.objects.get(pk=out.pk).text == "Déjà publié"
    assert Variant.objects.get(channel=keyless_channel).text == "Corrigé"
