from __future__ import annotations

import pytest

from liant.inbox.models import Conversation, Message, RoutingRule, SavedReply, Status

pytestmark = pytest.mark.django_db


# Loading twice adds nothing: tests/core/test_cli.py checks it for every model at once.


def test_the_demo_inbox_is_routed_bilingual(loaded_demo):
    conversations = Conversation.objects.filter(workspace__slug="maison-lumiere")
    # The inbox's own scenes (the moderation demo's e-mails arrive here too, as they would);
    # the demo channels of the other networks add their threads.
    scenes = {"person:marc@social.example", "thread:m-301", "thread:m-401", "thread:post-guji"}
    assert scenes <= set(conversations.values_list("key", flat=True))
    assert conversations.exclude(channel__kind__in=["mastodon", "email", "space"]).count() > 20
    grinder = conversations.get(key="person:marc@social.example")
    assert grinder.department.name == "Service après-vente"
    assert grinder.assignee.email.startswith("malik@")
    assert (grinder.language, grinder.sentiment) == ("fr", "negative")
    idea = conversations.get(key="thread:m-301")
    assert idea.language == "en" and [lb.name for lb in idea.labels.all()] == ["Idée"]
    assert conversations.get(key="thread:m-401").status == Status.CLOSED
    assert SavedReply.objects.filter(text_fr__contains="{member_name}").count() == 3
    assert RoutingRule.objects.count() == 6
    # The one answer of the scenes is history (sent); the other replies are the SAV rule's
    # automatic acknowledgements of the e-mails that came in, which `make demo` delivers to its
    # local mailbox (started before the load) and which fail here, where it is not running.
    out = Message.objects.filter(direction="out")
    assert list(out.filter(automatic=False).values_list("state", flat=True)) == ["sent"]
    acks = out.filter(automatic=True)
    assert acks.exists() and not acks.exclude(conversation__channel__kind="email").exists()


def test_the_demo_pages_open(loaded_demo, client):
    from liant.core.models import User

    client.force_login(User.objects.get(email="camille@maison-lumiere.example"))
    page = client.get("/w/maison-lumiere/inbox/").content.decode()
    assert "Marc D." in page and "Sam" in page
    conversation = Conversation.objects.get(key="person:marc@social.example")
    assert client.get(f"/w/maison-lumiere/inbox/{conversation.pk}/").status_code == 200
    for path in ("rules/", "replies/", "departments/", "sla/", "notifications/"):
        assert client.get(f"/w/maison-lumiere/inbox/{path}").status_code == 200
