"""Link shortening at publishing time through the workspace's chosen service, and Liant's own
short links: the public /s/<code> address that only ever sends visitors to the stored link,
and the workspace's list of its links (the outsider gets nothing)."""

from __future__ import annotations

import pytest
from django.conf import settings

from liant.connectors.base import ConnectorError
from liant.core.models import AuditEvent
from liant.publishing import shortener
from liant.publishing.models import Post, PublishingSettings, ShortLink, Variant
from liant.publishing.publisher import publish_variant
from liant.publishing.states import State
from tests.publishing.conftest import scheduled_variant
from tests.publishing.fakes import ScriptedPublisher

pytestmark = pytest.mark.django_db

SHOP = "https://shop.example/p?id=3"


def shortening(workspace, service: str = "liant") -> None:
    PublishingSettings.objects.update_or_create(
        workspace=workspace, defaults={"link_shortener": service}
    )


def with_link(channel, campaign: str = "") -> Variant:
    variant = scheduled_variant(channel, f"Nouveau : {SHOP}")
    Variant.objects.filter(pk=variant.pk).update(link=SHOP)
    Post.objects.filter(pk=variant.post_id).update(campaign=campaign)
    return variant


def test_the_link_goes_out_as_a_short_link_to_the_tagged_link(workspace, channel):
    shortening(workspace)
    variant = with_link(channel, campaign="Printemps")
    assert publish_variant(variant.pk).state == State.PUBLISHED
    [draft] = ScriptedPublisher.drafts
    link = ShortLink.objects.get(variant=variant)
    short = f"{settings.SITE_URL}/s/{link.code}"
    assert draft.link == short
    assert draft.text == f"Nouveau : {short}"  # the link in the text too, not added twice
    assert link.workspace_id == workspace.pk
    assert link.target_url.startswith(SHOP + "&utm_source=scripted_pub")
    assert "utm_campaign=printemps" in link.target_url


def test_a_publish_tried_again_sends_the_same_short_link(workspace, channel):
    shortening(workspace)
    variant = with_link(channel)
    ScriptedPublisher.script = [ConnectorError("down", "transient", status=503)]
    publish_variant(variant.pk)
    variant.refresh_from_db()
    assert variant.state == State.SCHEDULED
    publish_variant(variant.pk, now=variant.due_at)
    first, second = ScriptedPublisher.drafts
    assert first.link == second.link and "/s/" in first.link
    assert ShortLink.objects.count() == 1


def test_the_shortener_gives_one_link_per_variant_whatever_the_link_became(workspace, channel):
    variant = with_link(channel)
    service = shortener.LiantShortener()
    first = service.shorten(SHOP, variant)
    assert service.shorten(SHOP + "&changed=1", variant) == first  # what may already be out
    other = with_link(channel)
    assert service.shorten(SHOP, other) != first


def test_without_a_shortener_links_go_out_as_they_are(workspace, channel):
    variant = with_link(channel)
    publish_variant(variant.pk)
    [draft] = ScriptedPublisher.drafts
    assert draft.link == SHOP and not ShortLink.objects.exists()


def test_a_service_removed_from_the_installation_leaves_links_as_they_are(workspace, channel):
    shortening(workspace, "gone")
    variant = with_link(channel)
    publish_variant(variant.pk)
    assert ScriptedPublisher.drafts[0].link == SHOP


def test_only_web_links_are_ever_shortened(workspace, channel):
    variant = with_link(channel)
    assert shortener.LiantShortener().shorten("javascript:alert(1)", variant) == (
        "javascript:alert(1)"
    )
    assert not ShortLink.objects.exists()


# --- The public address ----------------------------------------------------------------------


def short_link(workspace, target: str = SHOP, code: str = "Abc12345") -> ShortLink:
    return ShortLink.objects.create(workspace=workspace, code=code, target_url=target)


def test_a_short_link_sends_the_visitor_on_and_counts_the_visit(client, workspace):
    link = short_link(workspace)
    answer = client.get("/s/Abc12345")
    assert answer.status_code == 302 and answer["Location"] == SHOP
    assert answer["Cache-Control"] == "no-store"  # the next visit is counted too
    client.get("/s/Abc12345")
    link.refresh_from_db()
    assert link.clicks == 2 and link.last_clicked_at is not None


def test_a_link_checker_is_not_counted_as_a_visit(client, workspace):
    link = short_link(workspace)
    assert client.head("/s/Abc12345").status_code == 302
    link.refresh_from_db()
    assert link.clicks == 0


def test_a_short_link_only_ever_goes_to_its_stored_link(client, workspace):
    short_link(workspace)
    for asked in (
        "/s/Abc12345?next=https://evil.example/",
        "/s/Abc12345?url=https://evil.example/",
    ):
        assert client.get(asked)["Location"] == SHOP
    assert client.get("/s/Nope0000").status_code == 404
    assert client.get("/s/https:%2F%2Fevil.example").status_code == 404
    assert client.get("/s/Abc12345/evil.example").status_code == 404
    assert client.post("/s/Abc12345").status_code == 405


# --- The workspace's list and its setting ----------------------------------------------------


def test_the_short_links_page_lists_this_workspaces_links_only(
    owner_client, member_client, outsider_client, workspace, other_workspace, channel
):
    variant = with_link(channel)
    mine = ShortLink.objects.create(
        workspace=workspace, variant=variant, code="Mine0001", target_url=SHOP, clicks=7
    )
    short_link(other_workspace, "https://rival.example/secret", code="Theirs01")
    page = owner_client.get(f"/w/{workspace.slug}/publishing/links/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f"/s/{mine.code}" in text and ">7<" in text
    assert "rival.example" not in text and "Theirs01" not in text
    assert member_client.get(f"/w/{workspace.slug}/publishing/links/").status_code == 200
    assert outsider_client.get(f"/w/{workspace.slug}/publishing/links/").status_code == 404
    detail = owner_client.get(f"/w/{workspace.slug}/publishing/{variant.post_id}/")
    assert "7 clicks on its short link" in detail.content.decode()


def test_the_shortener_is_chosen_in_the_publishing_settings(
    owner_client, outsider_client, workspace
):
    page = f"/w/{workspace.slug}/publishing/settings/"
    fields = {
        "publish_late_minutes": "60",
        "evergreen_days": "30",
        "utm_source": "{network}",
        "utm_medium": "social",
    }
    assert "Liant" in owner_client.get(page).content.decode()
    assert outsider_client.post(page, {**fields, "link_shortener": "liant"}).status_code == 404
    assert PublishingSettings.of(workspace.pk).link_shortener == ""
    assert owner_client.post(page, {**fields, "link_shortener": "liant"}).status_code == 302
    assert PublishingSettings.of(workspace.pk).link_shortener == "liant"
    event = AuditEvent.objects.get(action="publishing.settings_changed")
    assert event.data["link_shortener"] == "liant"
    refused = owner_client.post(page, {**fields, "link_shortener": "elsewhere"})
    assert refused.status_code == 200  # not an installed service
    assert PublishingSettings.of(workspace.pk).link_shortener == "liant"
