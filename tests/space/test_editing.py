"""Members edit their own posts: shown as edited, earlier versions kept for the moderators,
judged again by moderation, sanitized, rate-limited, and one message in the inbox."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from liant.channels.models import Event
from liant.connectors.base import ModerationAction
from liant.core.permissions import Role
from liant.inbox.models import Conversation, Message, Note
from liant.members import gdpr
from liant.members.models import Activity
from liant.moderation.models import Action, Item, ItemState, Reason, Rule
from liant.space import accounts, moderation
from liant.space.models import Notification, Post, PostRevision, SpaceAccount, Topic
from liant.space.posting import open_channel, space_of
from tests.conftest import client_for, make_user
from tests.space.conftest import join, url

pytestmark = pytest.mark.django_db
TITLE = "Quelle mouture ?"


@pytest.fixture
def bob_client(space) -> Client:
    client = Client()
    join(client, space, "bob@example.org", "Bob")
    return client


@pytest.fixture
def bob(bob_client, space) -> SpaceAccount:
    return SpaceAccount.objects.get(space=space, email="bob@example.org")


@pytest.fixture
def topic(space, recipes, alice_client, django_capture_on_commit_callbacks) -> Topic:
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(
            url(space, f"c/{recipes.pk}/new/"),
            {"title": "Quelle mouture ?", "body": "Pour un V60, fine ou moyenne ?"},
        )
    return Topic.objects.get()


def reply(client, space, topic, body, capture):
    with capture(execute=True):
        client.post(url(space, f"t/{topic.pk}/reply/"), {"body": body})
    return Post.objects.latest("pk")


def edit(client, space, post, body, title=None, capture=None):
    data = {"body": body} | ({"title": title} if title is not None else {})
    if capture is None:
        return client.post(url(space, f"p/{post.pk}/edit/"), data)
    with capture(execute=True):
        return client.post(url(space, f"p/{post.pk}/edit/"), data)


def test_the_author_edits_a_reply_shown_as_edited_with_the_version_kept(
    space, topic, bob_client, bob, owner_client, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    post = reply(bob_client, space, topic, "Moyenne, je pense.", capture)
    form = bob_client.get(url(space, f"p/{post.pk}/edit/"))
    assert form.status_code == 200 and "Moyenne, je pense." in form.content.decode()
    assert 'name="title"' not in form.content.decode()  # a reply has no title
    response = edit(bob_client, space, post, "Moyenne-fine, **testé** ce matin.", capture=capture)
    assert response.status_code == 302 and response["Location"].endswith(f"#post-{post.pk}")
    post.refresh_from_db()
    assert post.edited_at is not None
    assert "<strong>testé</strong>" in post.body_html
    page = Client().get(url(space, f"t/{topic.pk}/")).content.decode()
    assert "Moyenne-fine" in page and "Moyenne, je pense." not in page
    assert 'class="edited"' in page
    revision = PostRevision.objects.get(post=post)
    assert (revision.body, revision.title) == ("Moyenne, je pense.", "")
    assert revision.written_at == post.created_at
    # The staff side: an event of its own naming the post, one message updated in the inbox.
    event = Event.objects.get(channel=space.channel, raw__edit_of=post.remote_id)
    assert (event.kind, event.remote_id) == ("comment", revision.remote_id)
    assert "Moyenne-fine" in event.text
    assert Conversation.objects.filter(channel=space.channel).count() == 1
    message = Message.objects.get(event__remote_id=post.remote_id)
    assert "Moyenne-fine" in message.text and message.edited_at == event.occurred_at
    assert Message.objects.filter(conversation=message.conversation).count() == 2
    note = Note.objects.get(event=event)
    assert "Moyenne, je pense." in note.text
    inbox = owner_client.get(reverse("conversation", args=[space.slug, message.conversation_id]))
    assert inbox.status_code == 200
    shown = inbox.content.decode()
    assert 'class="edited"' in shown and "Moyenne-fine" in shown and "Moyenne, je pense." in shown
    # Members count the reply once, not the edit again.
    assert Activity.objects.filter(event__channel=space.channel).count() == 2
    assert not Activity.objects.filter(event=event).exists()


def test_editing_the_opening_post_changes_the_title_and_the_subject(
    space, topic, alice_client, django_capture_on_commit_callbacks
):
    first = Post.objects.get()
    form = alice_client.get(url(space, f"p/{first.pk}/edit/")).content.decode()
    assert 'value="Quelle mouture ?"' in form
    edit(
        alice_client,
        space,
        first,
        "Pour un V60 et un Chemex.",
        title="Quelle mouture, V60 ou Chemex ?",
        capture=django_capture_on_commit_callbacks,
    )
    topic.refresh_from_db()
    assert topic.title == "Quelle mouture, V60 ou Chemex ?"
    assert topic.search_title == "quelle mouture, v60 ou chemex ?"
    revision = PostRevision.objects.get(post=first)
    assert (revision.title, revision.body) == ("Quelle mouture ?", "Pour un V60, fine ou moyenne ?")
    event = Event.objects.get(raw__edit_of=first.remote_id)
    assert event.kind == "post" and event.text.startswith("Quelle mouture, V60 ou Chemex ?")
    conversation = Conversation.objects.get(channel=space.channel)
    assert conversation.subject == "Quelle mouture, V60 ou Chemex ?"
    assert conversation.messages.count() == 1
    # A title too short is refused and nothing changes.
    refused = edit(alice_client, space, first, "x", title="  ")
    assert refused.status_code == 400
    assert PostRevision.objects.count() == 1


def test_only_the_author_edits_others_get_nothing(
    space, topic, alice_client, bob_client, other_workspace
):
    first = Post.objects.get()
    for client in (bob_client,):
        assert client.get(url(space, f"p/{first.pk}/edit/")).status_code == 404
        assert edit(client, space, first, "Piraté").status_code == 404
    # A visitor is asked to sign in.
    anonymous = edit(Client(), space, first, "Piraté")
    assert anonymous.status_code == 302 and "/signin/" in anonymous["Location"]
    # An account of another workspace's space is a visitor here, and the post is not in
    # its own space.
    other = space_of(other_workspace)
    other.enabled = True
    other.title = "Ailleurs"
    other.save()
    open_channel(other)
    stranger = Client()
    join(stranger, other, "alice@example.org", "Alice d'ailleurs")
    assert "/signin/" in edit(stranger, space, first, "Piraté")["Location"]
    assert stranger.get(url(other, f"p/{first.pk}/edit/")).status_code == 404
    assert edit(stranger, other, first, "Piraté").status_code == 404
    first.refresh_from_db()
    assert first.body == "Pour un V60, fine ou moyenne ?" and first.edited_at is None
    assert not PostRevision.objects.exists()
    # The edit link shows to the author only.
    page = f"t/{topic.pk}/"
    assert f"p/{first.pk}/edit/" in alice_client.get(url(space, page)).content.decode()
    assert f"p/{first.pk}/edit/" not in bob_client.get(url(space, page)).content.decode()


def test_the_edit_form_needs_the_csrf_token(space, topic, alice_client):
    first = Post.objects.get()
    client = Client(enforce_csrf_checks=True)
    client.cookies = alice_client.cookies
    assert edit(client, space, first, "Sans jeton").status_code == 403
    assert not PostRevision.objects.exists()


def test_an_insult_added_by_editing_is_held_like_a_new_post(
    space,
    topic,
    workspace,
    alice_client,
    bob_client,
    owner_client,
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    Rule.objects.create(
        workspace=workspace, name="Insultes", words="connard", action=Action.HOLD, active=True
    )
    post = reply(bob_client, space, topic, "Le barista m'a conseillé moyenne.", capture)
    assert not Item.objects.exists()
    edit(bob_client, space, post, "Le barista, ce connard, m'a conseillé moyenne.", capture=capture)
    item = Item.objects.get(workspace=workspace)
    assert (item.state, item.reason) == (ItemState.QUEUED, Reason.HELD)
    assert item.event.raw["edit_of"] == post.remote_id and "connard" in item.text
    queue = owner_client.get(reverse("moderation", args=[workspace.slug])).content.decode()
    assert reverse("space_topic_revisions", args=[workspace.slug, topic.pk]) in queue
    page = f"t/{topic.pk}/"
    assert "connard" not in alice_client.get(url(space, page)).content.decode()
    assert "connard" not in Client().get(url(space, page)).content.decode()
    assert "connard" in bob_client.get(url(space, page)).content.decode()  # its author
    # Held, it waits for the moderator's decision: no more edits meanwhile.
    assert edit(bob_client, space, post, "Pardon.").status_code == 403
    Item.objects.filter(pk=item.pk).update(state=ItemState.DONE)  # approved
    assert "connard" in Client().get(url(space, page)).content.decode()
    # Removing the edit through the connector (what the queue's "hide" sends) hides the post.
    moderation.apply(space, item.event.remote_id, ModerationAction.HIDE)
    post.refresh_from_db()
    assert post.hidden
    assert edit(bob_client, space, post, "Pardon.").status_code == 403


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[clic](javascript:alert(1))",
        '<p onclick="alert(1)" style="color:red">x</p>',
    ],
)
def test_script_in_an_edit_is_sanitized(space, topic, alice_client, payload):
    first = Post.objects.get()
    assert (
        edit(alice_client, space, first, payload, title="<b>Titre</b> modifié").status_code == 302
    )
    first.refresh_from_db()
    page = Client().get(url(space, f"t/{topic.pk}/")).content.decode()
    body = page[page.index('<div class="body">') :]
    for bad in ("<script", "onerror", "javascript:", "onclick", "style=", "<img"):
        assert bad not in first.body_html.lower()
        assert bad not in body.lower()
    assert "&lt;b&gt;Titre&lt;/b&gt; modifié" in page


def test_muted_banned_and_removed_posts_cannot_be_edited(
    space, topic, alice_client, alice, django_capture_on_commit_callbacks
):
    first = Post.objects.get()
    SpaceAccount.objects.filter(pk=alice.pk).update(muted_at=first.created_at)
    refused = edit(alice_client, space, first, "Changé")
    assert refused.status_code == 403 and "sourdine" in refused.content.decode()
    SpaceAccount.objects.filter(pk=alice.pk).update(muted_at=None, banned_at=first.created_at)
    assert edit(alice_client, space, first, "Changé").status_code == 403
    SpaceAccount.objects.filter(pk=alice.pk).update(banned_at=None)
    second = reply(alice_client, space, topic, "Une précision", django_capture_on_commit_callbacks)
    moderation.hide(second)
    assert edit(alice_client, space, second, "Changé").status_code == 403
    assert not PostRevision.objects.exists()


def test_mentions_added_by_an_edit_notify_once(
    space, topic, bob_client, bob, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    carol_client, dave_client = Client(), Client()
    carol = join(carol_client, space, "carol@example.org", "Carol")
    dave = join(dave_client, space, "dave@example.org", "Dave")
    post = reply(bob_client, space, topic, "Demande à @carol", capture)
    assert Notification.objects.filter(account=carol, post=post).count() == 1
    edit(bob_client, space, post, "Demande à @carol et @dave", capture=capture)
    edit(bob_client, space, post, "Demande à @carol et @dave, vraiment", capture=capture)
    assert Notification.objects.filter(account=carol, post=post).count() == 1
    mentions = Notification.objects.filter(account=dave, post=post)
    assert [n.kind for n in mentions] == [Notification.Kind.MENTION]
    assert 'class="mention"' in Post.objects.get(pk=post.pk).body_html


def test_edits_count_against_the_posting_rate(space, topic, alice_client):
    space.posts_per_minute = 2
    space.save()
    first = Post.objects.get()
    assert edit(alice_client, space, first, "Une fois", title=TITLE).status_code == 302
    refused = edit(alice_client, space, first, "Deux fois", title=TITLE)
    assert refused.status_code == 400
    assert "attendez" in refused.content.decode()  # the posting limit's own message
    first.refresh_from_db()
    assert first.body == "Une fois" and PostRevision.objects.count() == 1
    # Saving the same words changes nothing and keeps no version.
    assert edit(alice_client, space, first, "Une fois", title=TITLE).status_code == 302
    assert PostRevision.objects.count() == 1


def test_moderators_see_the_versions_others_do_not(
    space, topic, alice_client, owner_client, outsider_client, workspace
):
    first = Post.objects.get()
    edit(alice_client, space, first, "Nouvelle version", title="Nouveau titre")
    topic_page = f"/w/{space.workspace.slug}/space/topics/{topic.pk}/revisions/"
    page = owner_client.get(topic_page)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Nouvelle version" in text and "Pour un V60, fine ou moyenne ?" in text
    assert "Quelle mouture ?" in text
    listing = owner_client.get(f"/w/{space.workspace.slug}/space/topics/").content.decode()
    assert topic_page in listing
    assert outsider_client.get(topic_page).status_code in (403, 404)
    analyst = client_for(make_user("analyst@brand.example", workspace, Role.ANALYST))
    assert analyst.get(topic_page).status_code == 403
    # A space account is nobody on staff pages.
    assert alice_client.get(topic_page).status_code in (302, 403)


def test_deleting_or_erasing_takes_the_earlier_versions_too(space, topic, alice_client, alice):
    space.posts_per_minute = 0  # no limit: three writes within the minute here
    space.save()
    first = Post.objects.get()
    second = Post.objects.create(topic=topic, author=alice, body="Encore")
    edit(alice_client, space, first, "Deuxième version", title=TITLE)
    edit(alice_client, space, second, "Encore, modifié")
    assert PostRevision.objects.count() == 2
    moderation.hide(first, delete=True)  # a moderator deletes the words: every version goes
    assert list(PostRevision.objects.values_list("post_id", flat=True)) == [second.pk]
    member = accounts.link_member(alice)
    sections = {s.key: s for s in gdpr.collect(member)}
    assert sections["space_revisions"].rows[0]["body"] == "Encore"
    gdpr.erase(member)
    assert not PostRevision.objects.exists()


def test_an_edit_is_not_a_wave_of_copies_of_the_message_it_changes(
    space, topic, workspace, alice_client, bob_client, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    Rule.objects.create(
        workspace=workspace, name="Vague", wave_size=2, action=Action.HOLD, active=True
    )
    text = "Le barista du quartier m'a conseillé une mouture moyenne pour le V60, à essayer"
    post = reply(bob_client, space, topic, text, capture)
    edit(bob_client, space, post, text + " demain matin.", capture=capture)
    assert not Item.objects.exists()  # a fixed typo is not two people saying the same thing
    # Someone else posting nearly the same words is one.
    reply(alice_client, space, topic, text + " demain.", capture)
    assert Item.objects.get().event.author_remote_id != post.author.remote_id
