"""The message to new members (shown once), pinned and announcement topics (staff and
moderators only), and quoting a post in a reply (works without JavaScript)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from liant.core.permissions import Role
from liant.space.models import Post, Space, SpaceAccount, Topic
from liant.space.posting import open_channel, space_of
from tests.conftest import client_for, make_user
from tests.space.conftest import join, url

pytestmark = pytest.mark.django_db


def staff(workspace, rest: str = "") -> str:
    return f"/w/{workspace.slug}/space/{rest}"


# --- Welcome message ------------------------------------------------------------------------


def test_a_new_member_sees_the_welcome_message_once(space):
    Space.objects.filter(pk=space.pk).update(
        member_welcome_fr="Bienvenue ! Lisez la **charte**. <script>alert(1)</script>",
        member_welcome_en="Welcome! Read the **charter**.",
    )
    client = Client()
    join(client, space, "bea@example.org", "Béa")  # lands on the home page, signed in
    first = client.get(url(space)).content.decode()
    # The join helper's sign-in redirect was not followed: this is the first page seen.
    assert "Lisez la <strong>charte</strong>" in first and "<script>alert(1)" not in first
    assert "Lisez la" not in client.get(url(space)).content.decode()
    account = SpaceAccount.objects.get(email="bea@example.org")
    assert account.welcomed_at is not None
    # Stored on the account, not the browser: another device signed in later sees nothing.
    from liant.space.welcome import pending

    assert pending(account) is None


def test_the_welcome_is_in_the_members_language_and_anonymous_visitors_never_see_it(space):
    Space.objects.filter(pk=space.pk).update(
        member_welcome_fr="Bienvenue, nouveau membre", member_welcome_en="Hello, new member"
    )
    assert "new member" not in Client().get(url(space)).content.decode()
    client = Client()
    join(client, space, "emma@example.org", "Emma", language="en")
    assert "Hello, new member" in client.get(url(space)).content.decode()


def test_the_message_is_written_in_the_staff_settings(
    member_client, workspace, space, outsider_client
):
    data = {
        "space-enabled": "on",
        "space-title": space.title,
        "space-welcome_fr": "x",
        "space-welcome_en": "x",
        "space-posts_per_minute": "3",
        "space-member_welcome_fr": "Salut les nouveaux",
        "space-member_welcome_en": "",
    }
    assert outsider_client.post(staff(workspace), data).status_code in (403, 404)
    space.refresh_from_db()
    assert space.member_welcome_fr == ""
    assert member_client.post(staff(workspace), data).status_code == 302
    space.refresh_from_db()
    assert space.member_welcome_fr == "Salut les nouveaux"


# --- Pinned and announcement topics ---------------------------------------------------------


@pytest.fixture
def topics(space, recipes, alice_client, alice):
    made = []
    for title in ("Premier sujet", "Deuxième sujet", "Troisième sujet"):
        alice_client.post(url(space, f"c/{recipes.pk}/new/"), {"title": title, "body": "texte"})
        made.append(Topic.objects.get(title=title))
    return made


def pin(client, workspace, topic, **flags):
    data = {f"t{topic.pk}-{k}": v for k, v in flags.items()}
    return client.post(staff(workspace, f"topics/{topic.pk}/pin/"), data)


def test_a_moderator_pins_a_topic_first_in_its_category(workspace, space, recipes, topics):
    moderator = client_for(make_user("mod@brand.example", workspace, Role.MODERATOR))
    oldest = topics[0]
    assert moderator.get(staff(workspace, "topics/")).status_code == 200
    assert pin(moderator, workspace, oldest, pinned="on").status_code == 302
    oldest.refresh_from_db()
    assert oldest.pinned and not oldest.announcement
    page = Client().get(url(space, f"c/{recipes.pk}/"))
    assert list(page.context["topics"])[0] == oldest
    assert "Pinned:" in page.content.decode()


def test_an_announcement_tops_the_home_page_until_its_last_day(
    member_client, workspace, space, topics
):
    today = timezone.localdate()
    pin(member_client, workspace, topics[1], announcement="on", announcement_until=str(today))
    topics[1].refresh_from_db()
    assert topics[1].announcement and topics[1].announcement_until == today
    home = Client().get(url(space)).content.decode()
    assert home.index("Deuxième sujet") < home.index("Categories")
    assert "space-announcements" in home and ">Announcement</small>" in home
    Topic.objects.filter(pk=topics[1].pk).update(announcement_until=today - timedelta(days=1))
    assert "Deuxième sujet" not in Client().get(url(space)).content.decode()
    # A past day is refused when set.
    pin(
        member_client,
        workspace,
        topics[2],
        announcement="on",
        announcement_until=str(today - timedelta(days=3)),
    )
    topics[2].refresh_from_db()
    assert not topics[2].announcement


def test_members_analysts_and_outsiders_cannot_pin(
    workspace, space, topics, alice_client, outsider_client, other_workspace
):
    target = topics[0]
    # A space member: nobody on /w/ pages.
    assert pin(alice_client, workspace, target, pinned="on").status_code == 302  # to sign-in
    analyst = client_for(make_user("analyst@brand.example", workspace, Role.ANALYST))
    assert pin(analyst, workspace, target, pinned="on").status_code in (403, 404)
    assert pin(outsider_client, workspace, target, pinned="on").status_code in (403, 404)
    # The outsider's own workspace does not reach this space's topics either.
    rival = space_of(other_workspace)
    rival.enabled = True
    rival.save()
    open_channel(rival)
    response = outsider_client.post(
        f"/w/{other_workspace.slug}/space/topics/{target.pk}/pin/", {f"t{target.pk}-pinned": "on"}
    )
    assert response.status_code == 404
    target.refresh_from_db()
    assert not target.pinned


# --- Quotes ---------------------------------------------------------------------------------


def test_quote_link_prefills_the_reply_without_javascript(space, recipes, alice_client, alice):
    alice_client.post(
        url(space, f"c/{recipes.pk}/new/"),
        {"title": "Mouture", "body": "Moyen-fin, *deux minutes*.\n\nEt de l'eau à 92 °C."},
    )
    topic = Topic.objects.get(title="Mouture")
    quoted = topic.posts.get()
    bob = Client()
    join(bob, space, "bob@example.org", "Bob [the] *Barista*")
    page = bob.get(url(space, f"t/{topic.pk}/"))
    assert f"?quote={quoted.pk}#reply" in page.content.decode()
    form = bob.get(url(space, f"t/{topic.pk}/"), {"quote": quoted.pk}).context["form"]
    body = form.initial["body"]
    assert form.initial["parent"] == quoted.pk
    assert body.startswith(
        f"> **Alice** [wrote](/space/{space.slug}/t/{topic.pk}/#post-{quoted.pk}):"
    )
    assert "> Moyen-fin, *deux minutes*." in body and "> Et de l'eau à 92 °C." in body
    # Only a passage really in the post.
    part = bob.get(url(space, f"t/{topic.pk}/"), {"quote": quoted.pk, "part": "eau à  92 °C"})
    assert "> eau à 92 °C" in part.context["form"].initial["body"]
    assert "Moyen-fin" not in part.context["form"].initial["body"]
    forged = bob.get(url(space, f"t/{topic.pk}/"), {"quote": quoted.pk, "part": "I hate you"})
    assert "I hate you" not in forged.context["form"].initial["body"]
    # Sent: rendered as a blockquote with the link, cleaned like any post.
    bob.post(url(space, f"t/{topic.pk}/reply/"), {"body": body + "Merci !", "parent": quoted.pk})
    reply = Post.objects.filter(topic=topic).exclude(pk=quoted.pk).get()
    assert reply.parent_id == quoted.pk
    assert reply.body_html.startswith("<blockquote>")
    assert f'href="/space/{space.slug}/t/{topic.pk}/#post-{quoted.pk}"' in reply.body_html


def test_a_quoted_name_cannot_inject_markup(space, recipes, alice_client, alice):
    SpaceAccount.objects.filter(pk=alice.pk).update(
        display_name="<img src=x onerror=alert(1)>](javascript:alert(1))"
    )
    alice_client.post(url(space, f"c/{recipes.pk}/new/"), {"title": "Sujet", "body": "Bonjour"})
    topic = Topic.objects.get(title="Sujet")
    bob = Client()
    join(bob, space, "bob@example.org", "Bob")
    body = (
        bob.get(url(space, f"t/{topic.pk}/"), {"quote": topic.posts.get().pk})
        .context["form"]
        .initial["body"]
    )
    bob.post(url(space, f"t/{topic.pk}/reply/"), {"body": body})
    html = Post.objects.filter(topic=topic, author__email="bob@example.org").get().body_html
    # The name is text: no tag, no link of its own, only the one to the quoted post.
    assert re.search(r"<img\b", html) is None and "&lt;img" in html
    assert re.findall(r'href="([^"]*)"', html) == [
        f"/space/{space.slug}/t/{topic.pk}/#post-{topic.posts.first().pk}"
    ]


def test_hidden_held_and_other_topics_posts_are_not_quoted(
    space, recipes, alice_client, alice, other_workspace
):
    Space.objects.filter(pk=space.pk).update(posts_per_minute=60)
    alice_client.post(url(space, f"c/{recipes.pk}/new/"), {"title": "Sujet un", "body": "Visible"})
    alice_client.post(
        url(space, f"c/{recipes.pk}/new/"), {"title": "Sujet deux", "body": "Autre sujet"}
    )
    one, two = Topic.objects.get(title="Sujet un"), Topic.objects.get(title="Sujet deux")
    alice_client.post(url(space, f"t/{one.pk}/reply/"), {"body": "Caché plus tard"})
    hidden = Post.objects.get(body="Caché plus tard")
    Post.objects.filter(pk=hidden.pk).update(hidden=True)
    bob = Client()
    join(bob, space, "bob@example.org", "Bob")
    for pk, topic in ((hidden.pk, one), (two.posts.get().pk, one)):
        form = bob.get(url(space, f"t/{topic.pk}/"), {"quote": pk}).context["form"]
        assert "body" not in form.initial
    # A visitor who is not signed in gets no prefilled form and no quote link.
    anonymous = Client().get(url(space, f"t/{one.pk}/"), {"quote": one.posts.first().pk})
    assert 'class="quote-link"' not in anonymous.content.decode()
    assert "body" not in anonymous.context["form"].initial
