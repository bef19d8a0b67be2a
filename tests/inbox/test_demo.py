from __future__ import annotations

import pytest

from liant.demo import loader
from liant.inbox.models import Conversation, Message, RoutingRule, SavedReply, Status

pytestmark = pytest.mark.django_db


def test_the_demo_inbox_is_routed_bilingual_and_loads_once(replier):
    loader.load()
    conversations = Conversation.objects.filter(workspace__slug="maison-lumiere")
    first = conversations.count()
    loader.load()
    assert conversations.count() == first  # loaded once
    # The inbox's own scenes; the demo channels of the other networks add their threads.
    assert conversations.filter(channel__kind__in=["mastodon", "email"]).count() == 4
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
    # Nothing was sent while loading: the demo's Mastodon account has no server.
    assert list(Message.objects.filter(direction="out").values_list("state", flat=True)) == ["sent"]
    assert replier.sent == []


def test_the_demo_pages_open(client):
    loader.load()
    from liant.core.models import User

    client.force_login(User.objects.get(email="camille@maison-lumiere.example"))
    page = client.get("/w/maison-lumiere/inbox/").content.decode()
    assert "Marc D." in page and "Sam" in page
    conversation = Conversation.objects.get(key="person:marc@social.example")
    assert client.get(f"/w/maison-lumiere/inbox/{conversation.pk}/").status_code == 200
    for path in ("rules/", "replies/", "departments/", "sla/", "notifications/"):
        assert client.get(f"/w/maison-lumiere/inbox/{path}").status_code == 200
