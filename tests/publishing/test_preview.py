"""The composer's preview: each network's look, its counts agreeing with the connectors'
rules, hostile text escaped, and nothing from another workspace."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from liant.channels.models import Channel
from liant.media.models import LinkCard, MediaItem
from liant.publishing import preview
from liant.publishing.models import Post, Variant, VariantMedia
from liant.publishing.validation import rules_of, text_with_link

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> #café @bob@mastodon.example <img src=x onerror=alert(1)>'


def network(workspace, kind: str, name: str = "") -> Channel:
    return Channel.objects.create(workspace=workspace, kind=kind, name=name or kind, settings={})


def ask(client, workspace, channel, text="", post=None, raw=None, **fields):
    path = f"/w/{workspace.slug}/publishing/preview/{channel.pk}/"
    if post is not None:
        path += f"?post={post.pk}"
    data = {f"c{channel.pk}-text": text}
    data.update({f"c{channel.pk}-{name}": value for name, value in fields.items()})
    data.update(raw or {})
    return client.post(path, data)


def item_of(workspace, width=3000, height=1000, **fields) -> MediaItem:
    return MediaItem.objects.create(
        workspace=workspace,
        name="vitrine.jpg",
        content_type="image/jpeg",
        size=1000,
        width=width,
        height=height,
        **fields,
    )


def test_hostile_text_is_shown_as_text(owner_client, workspace):
    mastodon = network(workspace, "mastodon", "<b>Nous</b>")
    response = ask(owner_client, workspace, mastodon, HOSTILE, content_warning="<i>cw</i>")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<script>" not in body and "<img src=x" not in body and "<i>cw" not in body
    assert "&lt;script&gt;" in body and "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "&lt;b&gt;Nous&lt;/b&gt;" in body
    assert '<span class="pv-tag">#café</span>' in body
    assert '<span class="pv-mention">@bob@mastodon.example</span>' in body
    assert 'class="pv-cw"' in body and "&lt;i&gt;cw&lt;/i&gt;" in body


def test_line_breaks_are_kept_and_links_shortened_their_way(workspace):
    x = network(workspace, "x")
    shown = preview.build(x, "Un\nDeux https://www.example.com/a/very/long/path/that/goes/on.")
    [first, link, last] = shown.body.shown
    assert first.text == "Un\nDeux " and last.text == "."
    assert link.kind == "link" and link.display == "example.com/a/very/long/path/…"
    facebook = network(workspace, "facebook")
    [_, link, _] = preview.build(facebook, "Voir https://example.com/x/y .").body.shown
    assert link.display == "https://example.com/x/y"


@pytest.mark.parametrize("kind", ["mastodon", "bluesky", "x", "linkedin", "telegram"])
def test_the_counts_are_the_connectors(workspace, kind):
    channel = network(workspace, kind)
    rules = rules_of(channel)
    text = "Salut 👋🏽 https://example.com/" + "un très long chemin/" * 5 + " #fête "
    link = "https://liant.example/article"
    shown = preview.build(channel, text, link, with_card=False)
    assert shown.body.remaining == rules.remaining(text_with_link(text, link))
    assert shown.check.remaining == shown.body.remaining
    assert not shown.body.over


@pytest.mark.parametrize("kind", ["mastodon", "bluesky", "x"])
def test_an_over_long_text_is_cut_where_the_network_stops(workspace, kind):
    channel = network(workspace, kind)
    rules = rules_of(channel)
    text = "👨‍👩‍👧 https://example.com/page " + "mot " * 200
    shown = preview.build(channel, text, with_card=False)
    kept = "".join(t.text for t in shown.body.shown + shown.body.folded)
    assert kept + shown.body.over == text.strip()  # what is sent
    assert rules.count(kept) <= rules.max_length < rules.count(kept + shown.body.over[:1])
    assert shown.body.remaining < 0 and shown.check.over


def test_a_long_linkedin_text_folds_behind_see_more(owner_client, workspace):
    linkedin = network(workspace, "linkedin")
    text = "Une phrase assez longue pour LinkedIn. " * 20
    shown = preview.build(linkedin, text, with_card=False)
    visible = "".join(t.text for t in shown.body.shown)
    assert len(visible) <= preview.FOLDS["linkedin"] and shown.body.folded
    assert visible + "".join(t.text for t in shown.body.folded) == text.strip()
    body = ask(owner_client, workspace, linkedin, text).content.decode()
    assert 'class="pv-more"' in body and "See more" in body and 'pv-feed"' in body


def test_threads_and_content_warnings_only_where_the_network_has_them(workspace):
    mastodon, x = network(workspace, "mastodon"), network(workspace, "x")
    shown = preview.build(mastodon, "Un", content_warning="Spoil", thread=["Deux", "Trois"])
    assert shown.content_warning == "Spoil"
    assert [p.shown[0].text for p in shown.parts] == ["Deux", "Trois"]
    assert shown.parts[0].summary == "496 characters left"
    assert preview.build(x, "Un", content_warning="Spoil").content_warning == ""
    facebook = network(workspace, "facebook")
    assert preview.build(facebook, "Un", thread=["Deux"]).parts == []


def test_each_family_has_its_partial(owner_client, workspace):
    for kind, family in [
        ("mastodon", "pv-social"),
        ("facebook", "pv-feed"),
        ("x", "pv-x"),
        ("instagram", "pv-square"),
        ("discord", "pv-chat"),
    ]:
        channel = network(workspace, kind)
        body = ask(owner_client, workspace, channel, "Bonjour\nà tous").content.decode()
        assert f'class="pv {family}"' in body, kind
        assert "Bonjour\nà tous" in body


def test_a_library_image_is_shown_as_the_network_crops_it(owner_client, workspace, other_workspace):
    instagram = network(workspace, "instagram")
    wide = item_of(workspace, focal_x=0.25, focal_y=0.5, alt_text_fr="Vitrine <de> nuit")
    body = ask(owner_client, workspace, instagram, "Photo", library_item=str(wide.pk))
    body = body.content.decode()
    # 3000×1000 is wider than 1.91:1, so Instagram keeps 1910×1000 around the focal point.
    assert "aspect-ratio: 1910 / 1000; object-position: 25% 50%" in body
    assert f"/w/{workspace.slug}/media/{wide.pk}/thumbnail/" in body
    assert 'alt="Vitrine &lt;de&gt; nuit"' in body
    theirs = item_of(other_workspace)
    body = ask(owner_client, workspace, instagram, "Photo", library_item=str(theirs.pk))
    assert f"/media/{theirs.pk}/" not in body.content.decode()
    assert "This network shows an image" in body.content.decode()


def test_the_stored_media_of_the_post_are_shown_unless_removed(owner_client, workspace, owner):
    mastodon = network(workspace, "mastodon")
    post = Post.objects.create(workspace=workspace, owner=owner)
    variant = Variant.objects.create(post=post, channel=mastodon, text="Avant")
    item = item_of(workspace, 800, 600)
    attached = VariantMedia.objects.create(
        variant=variant, library_item=item, content_type="image/jpeg", size=1000
    )
    body = ask(owner_client, workspace, mastodon, "Après", post=post).content.decode()
    assert f"/media/{item.pk}/thumbnail/" in body and "aspect-ratio: 800 / 600" in body
    body = ask(
        owner_client, workspace, mastodon, "Après", post=post, remove_media=str(attached.pk)
    ).content.decode()
    assert f"/media/{item.pk}/thumbnail/" not in body


def test_another_workspace_gets_nothing(
    owner_client, outsider_client, workspace, other_workspace, owner
):
    mastodon = network(workspace, "mastodon")
    assert ask(outsider_client, workspace, mastodon, "intrus").status_code == 404
    theirs = network(other_workspace, "mastodon")
    assert ask(owner_client, workspace, theirs, "x").status_code == 404
    assert ask(outsider_client, other_workspace, mastodon, "x").status_code == 404
    # Their post's media are not read through our channel.
    post = Post.objects.create(workspace=other_workspace)
    variant = Variant.objects.create(post=post, channel=theirs, text="secret")
    item = item_of(other_workspace)
    VariantMedia.objects.create(variant=variant, library_item=item, content_type="image/jpeg")
    body = ask(owner_client, workspace, mastodon, "x", post=post).content.decode()
    assert f"/media/{item.pk}/" not in body


def test_a_card_is_asked_for_then_shown_escaped(
    owner_client, workspace, django_capture_on_commit_callbacks
):
    bluesky = network(workspace, "bluesky")
    with django_capture_on_commit_callbacks() as asked:
        body = ask(
            owner_client, workspace, bluesky, "Lisez https://news.example/a"
        ).content.decode()
    assert "Reading the page" in body and 'hx-trigger="load delay:2s"' in body
    assert len(asked) == 1  # one job to read it, none in the request
    card = LinkCard.objects.get(workspace=workspace)
    assert (card.url, card.status) == ("https://news.example/a", "pending")
    LinkCard.objects.filter(pk=card.pk).update(
        status="ready",
        title='<script>alert("t")</script>',
        description="Desc",
        fetched_at=timezone.now(),
    )
    body = ask(owner_client, workspace, bluesky, "Lisez https://news.example/a").content.decode()
    assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;" in body and "<script>" not in body
    assert "Reading the page" not in body
    # No card where the network shows none, or when an image is attached.
    instagram = network(workspace, "instagram")
    assert preview.build(instagram, "https://news.example/a").card is None
    shown = preview.build(bluesky, "https://news.example/a", items=[item_of(workspace)])
    assert shown.card is None and not shown.card_pending


def test_polling_for_a_card_stops(owner_client, workspace):
    x = network(workspace, "x")
    LinkCard.objects.create(
        workspace=workspace,
        url="https://slow.example/",
        url_hash="h",
        fetched_at=timezone.now() - timedelta(hours=2),
    )
    first = ask(owner_client, workspace, x, "https://slow.example/").content.decode()
    assert 'hx-trigger="load delay:2s"' in first
    last = ask(
        owner_client, workspace, x, "https://slow.example/", raw={"poll": str(preview.MAX_POLLS)}
    )
    assert 'hx-trigger="load delay:2s"' not in last.content.decode()


def test_the_composer_shows_the_preview(owner_client, workspace):
    mastodon = network(workspace, "mastodon")
    page = owner_client.get(f"/w/{workspace.slug}/publishing/new/").content.decode()
    assert f'id="preview-{mastodon.pk}"' in page
    assert f"/publishing/preview/{mastodon.pk}/" in page and "Nothing to show yet." in page
