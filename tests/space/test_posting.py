"""What members write reaches every module through the space channel, with no special case."""

from __future__ import annotations

import pytest
from django.test import Client

from liant.channels.fetching import fetch_channel
from liant.channels.models import Channel, Event
from liant.connectors.base import ModerationAction
from liant.inbox import replies
from liant.inbox.models import Conversation, Direction, Message, SendState
from liant.members.models import Activity, Identity
from liant.moderation.models import Action, Item, ItemState, Reason, Report, Rule
from liant.space.models import Post, SpaceAccount, Topic
from liant.space.posting import open_channel
from tests.space.conftest import join, url

pytestmark = pytest.mark.django_db


def new_topic(client, space, category, title, body):
    return client.post(url(space, f"c/{category.pk}/new/"), {"title": title, "body": body})


def answer(client, space, topic, body, parent=None):
    data = {"body": body} | ({"parent": parent.pk} if parent else {})
    return client.post(url(space, f"t/{topic.pk}/reply/"), data)


def test_a_topic_becomes_an_event_and_an_activity_of_the_member(
    space, recipes, alice_client, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = new_topic(
            alice_client, space, recipes, "Quelle mouture pour l'Aeropress ?", "Fine ou moyenne ?"
        )
    assert response.status_code == 302
    post = Post.objects.get()
    event = Event.objects.get(channel=space.channel)
    assert (event.kind, event.remote_id, event.author_remote_id) == (
        "post",
        post.remote_id,
        alice.remote_id,
    )
    assert event.thread_remote_id == post.remote_id and not event.parent_remote_id
    assert event.text.startswith("Quelle mouture pour l'Aeropress ?")
    assert event.url.endswith(f"/space/{space.slug}/t/{post.topic_id}/#post-{post.pk}")
    # Members read it like any network's event: the activity is the member's who joined.
    activity = Activity.objects.get(event=event)
    identity = Identity.objects.get(network="space", key=alice.remote_id)
    assert activity.member_id == identity.member_id
    assert activity.identity == identity


def test_a_reply_is_a_comment_in_the_topic_thread(space, recipes, alice_client, alice):
    new_topic(alice_client, space, recipes, "Filtre ou piston ?", "Vos avis")
    topic = Topic.objects.get()
    first = Post.objects.get()
    bob = Client()
    join(bob, space, "bob@example.org", "Bob")
    assert answer(bob, space, topic, "Piston, toujours.", parent=first).status_code == 302
    event = Event.objects.get(kind="comment")
    assert event.thread_remote_id == first.remote_id
    assert event.parent_remote_id == first.remote_id
    topic.refresh_from_db()
    assert topic.last_activity_at == Post.objects.latest("pk").created_at


def test_an_insult_is_held_by_a_moderation_rule(
    space, recipes, alice_client, workspace, django_capture_on_commit_callbacks
):
    Rule.objects.create(
        workspace=workspace, name="Insultes", words="connard", action=Action.HOLD, active=True
    )
    new_topic(alice_client, space, recipes, "Bonjour", "Une question sur le moka")
    topic = Topic.objects.get()
    bob = Client()
    join(bob, space, "bob@example.org", "Bob")
    with django_capture_on_commit_callbacks(execute=True):
        answer(bob, space, topic, "Quel connard ce barista")
    item = Item.objects.get(workspace=workspace)
    assert (item.state, item.reason, item.rule.name) == (ItemState.QUEUED, Reason.HELD, "Insultes")
    assert item.event.channel.kind == "space"
    # Held on the space Liant runs means unseen by others until a moderator has looked.
    page = f"t/{topic.pk}/"
    assert "Quel connard" not in alice_client.get(url(space, page)).content.decode()
    assert "Quel connard" not in Client().get(url(space, page)).content.decode()
    assert "Quel connard" in bob.get(url(space, page)).content.decode()  # its author
    Item.objects.filter(pk=item.pk).update(state=ItemState.DONE)  # approved
    assert "Quel connard" in Client().get(url(space, page)).content.decode()


def test_a_reply_from_the_inbox_reaches_the_topic_as_the_brand(
    space, recipes, alice_client, alice, owner, django_capture_on_commit_callbacks
):
    new_topic(alice_client, space, recipes, "Livraison", "Bonjour")
    topic = Topic.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        answer(alice_client, space, topic, "Ma commande n'est pas arrivée, que faire ?")
    conversation = Conversation.objects.get(channel=space.channel)
    assert conversation.contact_remote_id == alice.remote_id
    with django_capture_on_commit_callbacks(execute=True):
        message = replies.queue_reply(conversation, "Nous regardons tout de suite !", user=owner)
    message.refresh_from_db()
    assert message.state == SendState.SENT, message.last_error
    brand_post = Post.objects.get(author__staff=True)
    assert message.remote_id == brand_post.remote_id
    assert brand_post.topic == topic
    assert brand_post.author.display_name == space.workspace.name
    assert brand_post.parent.body == "Ma commande n'est pas arrivée, que faire ?"
    page = Client().get(url(space, f"t/{topic.pk}/"))
    assert "Nous regardons tout de suite !" in page.content.decode()
    # Sending again with the same key (a retried job) gives back the same post.
    from liant.channels.fetching import connector_for
    from liant.connectors.base import Draft

    again = connector_for(space.channel).reply(
        replies.base_event(message.in_reply_to.event),
        Draft("Nous regardons tout de suite !", idempotency_key=message.idempotency_key),
    )
    assert again.remote_id == brand_post.remote_id
    assert Post.objects.filter(author__staff=True).count() == 1
    # The brand's post is not a member's words: no inbound message, no member activity.
    with django_capture_on_commit_callbacks(execute=True):
        fetch_channel(space.channel.pk)
    assert not Message.objects.filter(direction=Direction.IN, text__startswith="Nous").exists()


def test_a_hidden_post_is_not_shown_and_a_deleted_one_loses_its_words(
    space, recipes, alice_client, alice
):
    new_topic(alice_client, space, recipes, "Torréfaction", "Claire ou foncée ?")
    topic = Topic.objects.get()
    answer(alice_client, space, topic, "Message à cacher")
    answer(alice_client, space, topic, "Message à effacer")
    hide_me, delete_me = Post.objects.order_by("pk")[1:]
    from liant.channels.fetching import connector_for

    connector = connector_for(space.channel)
    connector.moderate(hide_me.remote_id, ModerationAction.HIDE)
    connector.moderate(delete_me.remote_id, ModerationAction.DELETE)
    page = Client().get(url(space, f"t/{topic.pk}/")).content.decode()
    assert "Message à cacher" not in page and "Message à effacer" not in page
    assert "Claire ou foncée" in page
    delete_me.refresh_from_db()
    assert delete_me.body == "" and delete_me.deleted_at is not None
    # Hiding the opening post hides the topic.
    connector.moderate(Post.objects.order_by("pk").first().remote_id, ModerationAction.HIDE)
    assert Client().get(url(space, f"t/{topic.pk}/")).status_code == 404
    assert len(Client().get(url(space, f"c/{recipes.pk}/")).context["topics"]) == 0


def test_a_banned_account_cannot_post_until_unbanned(space, recipes, alice_client, alice):
    new_topic(alice_client, space, recipes, "Bonjour", "Premier message")
    post = Post.objects.get()
    from liant.channels.fetching import connector_for

    connector_for(space.channel).moderate(post.remote_id, ModerationAction.BAN)
    alice.refresh_from_db()
    assert alice.banned_at is not None
    refused = answer(alice_client, space, post.topic, "Encore moi")
    assert refused.status_code == 400
    # The account reads the space in French, the language it joined with.
    assert "ne peut plus publier" in refused.content.decode()
    connector_for(space.channel).moderate(alice.remote_id, ModerationAction.UNBAN)
    assert answer(alice_client, space, post.topic, "De retour").status_code == 302


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert('x')</script>",
        '<img src=x onerror="alert(1)">',
        "[clic](javascript:alert(1))",
        '<a href="javascript:alert(1)">clic</a>',
        "<iframe src=https://evil.example></iframe>",
        '<p style="background:url(javascript:alert(1))" onclick="alert(1)">x</p>',
        "<svg onload=alert(1)>",
    ],
)
def test_html_and_script_in_a_post_are_sanitized(space, recipes, alice_client, payload):
    new_topic(alice_client, space, recipes, "Test <b>gras</b>", payload)
    post = Post.objects.get()
    page = Client().get(url(space, f"t/{post.topic_id}/")).content.decode()
    body = page[page.index('<div class="body">') :]
    for bad in (
        "<script",
        "onerror",
        "javascript:",
        "<iframe",
        "onclick",
        "style=",
        "<svg",
        "<img",
    ):
        assert bad not in post.body_html.lower()
        assert bad not in body.lower()
    # The title is shown as text, never as markup.
    assert "Test &lt;b&gt;gras&lt;/b&gt;" in page


def test_markdown_is_rendered(space, recipes, alice_client):
    new_topic(alice_client, space, recipes, "Titre", "**gras** et [lien](https://example.org)")
    html = Post.objects.get().body_html
    assert "<strong>gras</strong>" in html
    assert 'href="https://example.org"' in html and "nofollow" in html


def test_posting_faster_than_the_limit_is_refused_with_a_clear_message(
    space, recipes, alice_client
):
    space.posts_per_minute = 2
    space.save()
    new_topic(alice_client, space, recipes, "Premier sujet", "premier")
    topic = Topic.objects.get()
    assert answer(alice_client, space, topic, "deuxième").status_code == 302
    refused = answer(alice_client, space, topic, "troisième")
    assert refused.status_code == 400
    assert "Vous publiez vite : attendez" in refused.content.decode()  # joined in French
    assert Post.objects.count() == 2
    refused_topic = new_topic(alice_client, space, recipes, "Deuxième sujet", "encore")
    assert refused_topic.status_code == 200 and Topic.objects.count() == 1


def test_writing_needs_a_signed_in_account(space, recipes):
    client = Client()
    response = new_topic(client, space, recipes, "Anonyme", "Bonjour")
    assert response.status_code == 302 and "/signin/" in response["Location"]
    assert not Post.objects.exists()


def test_the_forms_refuse_a_post_without_the_csrf_token(space, recipes, alice_client):
    client = Client(enforce_csrf_checks=True)
    client.cookies = alice_client.cookies  # signed in, but the form's token is missing
    response = client.post(url(space, f"c/{recipes.pk}/new/"), {"title": "x" * 5, "body": "y"})
    assert response.status_code == 403


def test_a_member_reports_a_post_to_the_review_queue(
    space, recipes, alice_client, alice, workspace
):
    new_topic(alice_client, space, recipes, "Pub", "Achetez ailleurs, c'est moins cher")
    post = Post.objects.get()
    bob = Client()
    join(bob, space, "bob@example.org", "Bob")
    response = bob.post(url(space, f"p/{post.pk}/report/"), {"note": "publicité"})
    assert response.status_code == 302
    bob.post(url(space, f"p/{post.pk}/report/"), {"note": "encore"})
    item = Item.objects.get(workspace=workspace)
    assert (item.state, item.reason) == (ItemState.QUEUED, Reason.REPORTED)
    assert Report.objects.get(item=item).note == "publicité"


def test_the_fetch_catches_up_on_posts_the_immediate_path_missed(
    space, recipes, alice_client, alice
):
    new_topic(alice_client, space, recipes, "Premier sujet", "premier")
    topic = Topic.objects.get()
    answer(alice_client, space, topic, "deuxième")
    Event.objects.all().delete()
    outcome = fetch_channel(space.channel.pk)
    assert (outcome.stored, outcome.error) == (2, "")
    assert Channel.objects.get(pk=space.channel.pk).cursor == {
        "last_post_id": Post.objects.latest("pk").pk
    }
    # Fetching again stores nothing twice.
    Channel.objects.filter(pk=space.channel.pk).update(next_fetch_at=None)
    assert fetch_channel(space.channel.pk).stored == 0


def test_enabling_again_keeps_one_channel(space):
    first = space.channel
    open_channel(space)
    assert Channel.objects.filter(kind="space").count() == 1
    assert first.settings["account_id"] == SpaceAccount.objects.get(staff=True).remote_id


def test_a_post_committed_late_below_the_cursor_is_still_fetched(
    space, recipes, alice_client, alice
):
    new_topic(alice_client, space, recipes, "Premier sujet", "premier")
    topic = Topic.objects.get()
    answer(alice_client, space, topic, "deuxième")
    late = Post.objects.order_by("pk").first()
    # As if its transaction had committed after a fetch had already moved past its id.
    Event.objects.filter(remote_id=late.remote_id).delete()
    Channel.objects.filter(pk=space.channel.pk).update(
        cursor={"last_post_id": Post.objects.latest("pk").pk}
    )
    assert fetch_channel(space.channel.pk).stored == 1
    assert Event.objects.filter(remote_id=late.remote_id, kind="post").exists()


def test_a_long_topic_is_paged_and_a_reply_leads_to_its_page(space, recipes, alice_client, alice):
    from liant.space import limits, public_views

    space.posts_per_minute = 0  # no limit, to write a long topic quickly
    space.save()
    limits.save_limits(space, dict.fromkeys(limits.DEFAULTS, (0, 0)))  # nor per hour
    new_topic(alice_client, space, recipes, "Long sujet", "message 0")
    topic = Topic.objects.get()
    for n in range(1, public_views.POSTS_PER_PAGE):
        Post.objects.create(topic=topic, author=alice, body=f"message {n}")
    response = answer(alice_client, space, topic, "la suite")
    last = Post.objects.latest("pk")
    assert response["Location"].endswith(f"/t/{topic.pk}/?page=2#post-{last.pk}")
    first_page = Client().get(url(space, f"t/{topic.pk}/")).content.decode()
    assert "message 0" in first_page and "la suite" not in first_page
    assert "la suite" in Client().get(url(space, f"t/{topic.pk}/?page=2")).content.decode()


def test_a_members_new_topic_is_a_question_in_the_inbox(
    space, recipes, alice_client, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        new_topic(alice_client, space, recipes, "Quel moulin ?", "Pour un V60, lequel choisir ?")
    conversation = Conversation.objects.get(channel=space.channel)
    assert conversation.awaiting_reply
    assert "Pour un V60" in conversation.messages.get().text
    # The replies in the topic join the same conversation.
    topic = Topic.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        answer(alice_client, space, topic, "Budget 100 €")
    assert Conversation.objects.filter(channel=space.channel).count() == 1
    assert conversation.messages.count() == 2


def test_the_author_of_a_removed_post_sees_the_article_and_can_contest(
    space, recipes, alice_client, workspace, owner, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from liant.moderation import queue
    from liant.moderation.models import Decision

    Rule.objects.create(
        workspace=workspace,
        name="Insultes",
        words="connard",
        action=Action.HOLD,
        article=1,
        active=True,
    )
    new_topic(alice_client, space, recipes, "Bonjour", "Une question sur le moka")
    topic = Topic.objects.get()
    bob = Client()
    join(bob, space, "bob@example.org", "Bob")
    with django_capture_on_commit_callbacks(execute=True):
        answer(bob, space, topic, "Quel connard ce barista")
    item = Item.objects.get(workspace=workspace)
    entry = queue.decide(item, Decision.REMOVE, owner)
    queue.send(entry.pk, now=timezone.now() + timedelta(minutes=10))
    page = f"t/{topic.pk}/"
    mine = bob.get(url(space, page)).content.decode()
    assert "Quel connard" not in mine and "/moderation/appeal/" in mine
    assert "/moderation/appeal/" not in alice_client.get(url(space, page)).content.decode()


def test_a_category_counts_the_shown_replies_of_each_topic_it_lists(space, recipes, alice_client):
    type(space).objects.filter(pk=space.pk).update(posts_per_minute=60)
    new_topic(alice_client, space, recipes, "Torréfaction", "Claire ou foncée ?")
    new_topic(alice_client, space, recipes, "Mouture", "Fine ou grosse ?")
    roast, grind = Topic.objects.order_by("pk")
    for body in ("Plutôt claire", "Plutôt foncée", "Entre les deux"):
        answer(alice_client, space, roast, body)
    Post.objects.filter(topic=roast, body="Entre les deux").update(hidden=True)
    listed = Client().get(url(space, f"c/{recipes.pk}/")).context["topics"]
    assert Post.objects.filter(topic=roast).count() == 4  # the opening post and three replies
    assert {t.title: t.replies for t in listed} == {"Torréfaction": 2, "Mouture": 0}
