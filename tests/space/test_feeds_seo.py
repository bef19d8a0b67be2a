"""Atom feeds, OpenGraph / description / canonical tags, sitemap.xml and robots.txt: only what
an anonymous visitor can read, and nothing of another workspace's space."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.test import Client

from liant.moderation.models import Item, ItemState, Reason
from liant.space import limits
from liant.space.models import Category, Post, Space, Topic
from liant.space.posting import open_channel, space_of
from liant.space.public_views import stored_event
from tests.space.conftest import url

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def new_topic(client, space, category, title, body):
    assert (
        client.post(url(space, f"c/{category.pk}/new/"), {"title": title, "body": body}).status_code
        == 302
    )
    return Topic.objects.get(title=title)


def hold(space, post):
    Item.objects.create(
        workspace=space.workspace,
        event=stored_event(space, post),
        channel_id=space.channel_id,
        reason=Reason.HELD,
        state=ItemState.QUEUED,
        text=post.body,
    )


@pytest.fixture
def published(space, recipes, coffees, alice_client, alice):
    """Four topics: one readable in each category, one hidden, one held for a moderator."""
    Space.objects.filter(pk=space.pk).update(posts_per_minute=60)
    limits.save_limits(space, dict.fromkeys(limits.DEFAULTS, (0, 0)))  # four topics in a row
    shown = new_topic(alice_client, space, recipes, "Mouture fine", "Pour **l'espresso**.")
    other = new_topic(alice_client, space, coffees, "Le Guji", "Notes de pêche <script>x</script>")
    hidden = new_topic(alice_client, space, recipes, "Sujet caché", "caché")
    Post.objects.filter(topic=hidden).update(hidden=True)
    Topic.objects.filter(pk=hidden.pk).update(hidden=True)
    held = new_topic(alice_client, space, recipes, "Sujet retenu", "retenu")
    hold(space, held.posts.get())
    return {"shown": shown, "other": other, "hidden": hidden, "held": held}


@pytest.fixture
def rival(other_workspace):
    found = space_of(other_workspace)
    found.enabled, found.title = True, "Rival"
    found.save()
    open_channel(found)
    category = Category.objects.create(space=found, name="Rival cat")
    from liant.space.models import SpaceAccount

    author = SpaceAccount.objects.create(space=found, email="r@example.org", display_name="Rob")
    topic = Topic.objects.create(category=category, author=author, title="Rival secret topic")
    Post.objects.create(topic=topic, author=author, body="rival words")
    return found


def entries(response):
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    return {e.find(f"{ATOM}title").text: e for e in root.findall(f"{ATOM}entry")}


def test_the_space_feed_holds_only_what_anyone_can_read(space, published, rival):
    response = Client().get(url(space, "feed/"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    found = entries(response)
    assert set(found) == {"Mouture fine", "Le Guji"}
    content = found["Le Guji"].find(f"{ATOM}summary").text
    assert "<script>" not in content and "Notes de pêche" in content
    assert "<strong>l'espresso</strong>" in found["Mouture fine"].find(f"{ATOM}summary").text
    assert "Rival secret topic" not in response.content.decode()


def test_a_category_feed_holds_its_own_topics_only(space, recipes, coffees, published, rival):
    found = entries(Client().get(url(space, f"c/{recipes.pk}/feed/")))
    assert set(found) == {"Mouture fine"}
    # Another space's category through this space's address, and a chat room: nothing.
    rival_category = Category.objects.get(space=rival)
    assert Client().get(url(space, f"c/{rival_category.pk}/feed/")).status_code == 404
    chat = Category.objects.create(space=space, name="Chat", kind=Category.Kind.CHAT)
    assert Client().get(url(space, f"c/{chat.pk}/feed/")).status_code == 404
    Space.objects.filter(pk=space.pk).update(enabled=False)
    assert Client().get(url(space, "feed/")).status_code == 404


def test_pages_link_their_feeds(space, recipes, published):
    home = Client().get(url(space)).content.decode()
    assert 'rel="alternate" type="application/atom+xml"' in home
    assert f'href="/space/{space.slug}/feed/"' in home
    category = Client().get(url(space, f"c/{recipes.pk}/")).content.decode()
    assert f'href="/space/{space.slug}/c/{recipes.pk}/feed/"' in category
    topic = Client().get(url(space, f"t/{published['shown'].pk}/")).content.decode()
    assert f'href="/space/{space.slug}/c/{recipes.pk}/feed/"' in topic


def meta(page: str, key: str) -> str:
    found = re.search(rf'<meta (?:name|property)="{re.escape(key)}" content="([^"]*)"', page)
    assert found, key
    return found.group(1)


def test_topic_category_home_and_profile_pages_describe_themselves(
    space, recipes, published, alice
):
    long = "Une phrase assez longue. " * 20 + "<img src=x onerror=alert(1)> & fin"
    topic = Topic.objects.get(title="Mouture fine")
    Post.objects.filter(topic=topic).update(body_html=f"<p>{long}</p>")
    page = Client().get(url(space, f"t/{topic.pk}/")).content.decode()
    description = meta(page, "description")
    assert description.startswith("Une phrase assez longue.") and len(description) <= 160
    assert description.endswith("…") and "<" not in description
    assert meta(page, "og:title") == "Mouture fine"
    assert meta(page, "og:type") == "article"
    assert meta(page, "twitter:card") == "summary"
    canonical = settings.SITE_URL + f"/space/{space.slug}/t/{topic.pk}/"
    assert f'<link rel="canonical" href="{canonical}">' in page
    assert meta(page, "og:url") == canonical
    # Held or hidden words never make a preview.
    held_page = Client().get(url(space, f"t/{published['held'].pk}/")).content.decode()
    assert meta(held_page, "description") == "" and "retenu" not in meta(
        held_page, "og:description"
    )
    home = Client().get(url(space), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert meta(home, "description") == "Welcome everyone"  # Markdown turned to plain text
    assert meta(home, "og:site_name") == space.title
    recipes.description = 'Vos "recettes" <b>préférées</b>'
    recipes.save()
    category = Client().get(url(space, f"c/{recipes.pk}/")).content.decode()
    assert meta(category, "description") == "Vos &quot;recettes&quot; &lt;b&gt;préférées&lt;/b&gt;"
    alice.bio = "J'aime le café filtre."
    alice.save()
    profile = Client().get(url(space, f"u/{alice.pk}/")).content.decode()
    assert meta(profile, "description") == "J&#x27;aime le café filtre."
    assert meta(profile, "og:type") == "profile"


def test_the_sitemap_lists_public_categories_and_topics_with_lastmod(
    space, recipes, coffees, published, rival
):
    response = Client().get(url(space, "sitemap.xml"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    rows = {u.find(f"{SITEMAP}loc").text: u.find(f"{SITEMAP}lastmod").text for u in root}
    base = settings.SITE_URL + f"/space/{space.slug}/"
    assert set(rows) == {
        base,
        f"{base}c/{recipes.pk}/",
        f"{base}c/{coffees.pk}/",
        f"{base}t/{published['shown'].pk}/",
        f"{base}t/{published['other'].pk}/",
    }
    assert all(re.match(r"\d{4}-\d\d-\d\dT", value) for value in rows.values())
    assert "Rival" not in response.content.decode()


def test_robots_txt_points_to_the_sitemap(space, rival):
    response = Client().get(url(space, "robots.txt"))
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert f"Sitemap: {settings.SITE_URL}/space/{space.slug}/sitemap.xml" in text
    assert f"Disallow: /space/{space.slug}/join/" in text
    Space.objects.filter(pk=space.pk).update(enabled=False)
    assert Client().get(url(space, "robots.txt")).status_code == 404
    assert Client().get(url(space, "sitemap.xml")).status_code == 404
