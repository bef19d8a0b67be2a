"""The community space from end to end in Chromium: a visitor joins by magic link and accepts
the charter, opens a topic; a second member replies with a mention; the first sees the
reply arrive by polling (no reload) and the notification, and reacts; the topic is a question
in the staff inbox. Screenshots go to var/test-artifacts/.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from liant.inbox import grouping
from liant.inbox.models import Conversation
from liant.space.models import Notification, Post, Reaction, SpaceAccount, Topic
from tests.browser.conftest import artifacts, browser, chromium_path, page  # noqa: F401
from tests.space.conftest import link_token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def join_in(tab: Any, base: str, email: str, name: str) -> None:
    """The join form, the e-mail (Django's outbox), the link, the button."""
    before = len(mail.outbox)
    tab.goto(f"{base}join/")
    tab.fill("input[name=email]", email)
    tab.fill("input[name=display_name]", name)
    tab.select_option("select[name=language]", "en")
    tab.check("input[name=accept_charter]")
    tab.click("button[type=submit].primary")
    tab.wait_for_load_state("load")
    assert len(mail.outbox) == before + 1 and mail.outbox[-1].to == [email]
    tab.goto(f"{base}signin/{link_token(mail.outbox[-1])}/")
    tab.click("button[type=submit].primary")
    tab.wait_for_url(base)


def test_a_member_journey(
    live_server,
    settings,
    browser: Any,  # noqa: F811
    page: Any,  # noqa: F811
    artifacts: Any,  # noqa: F811
    space,
    recipes,
    charter,
    workspace,
) -> None:
    settings.SITE_URL = live_server.url
    base = f"{live_server.url}/space/{space.slug}/"
    join_in(page, base, "alice@example.org", "Alice")
    alice = SpaceAccount.objects.get(email="alice@example.org")
    assert alice.charter_version == charter.version and alice.confirmed_at is not None

    page.goto(f"{base}c/{recipes.pk}/new/")
    page.fill("input[name=title]", "Which grind for a moka pot?")
    page.fill("textarea[name=body]", "Mine tastes **bitter**.")
    page.click("button[type=submit].primary")
    page.wait_for_selector("main h1:has-text('Which grind')")
    topic = Topic.objects.get()
    opening = Post.objects.get()
    page.screenshot(path=str(artifacts / "space-journey-1-topic.png"), full_page=True)

    # Bob, in a browser of his own, replies mentioning Alice.
    other = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB")
    bob_tab = other.new_page()
    bob_tab.set_default_timeout(15_000)
    join_in(bob_tab, base, "bob@example.org", "Bob")
    bob_tab.goto(f"{base}t/{topic.pk}/")
    bob_tab.fill("textarea[name=body]", "@alice a finer grind, and less heat.")
    bob_tab.click("#reply ~ form button[type=submit].primary")
    bob_tab.wait_for_selector("text=a finer grind")
    reply = Post.objects.latest("pk")
    assert reply.author.email == "bob@example.org" and 'class="mention"' in reply.body_html
    other.close()

    # Alice's page, never reloaded, shows the reply within one poll (every 10 s).
    page.wait_for_selector(f"#post-{reply.pk}", timeout=25_000)
    assert page.locator(f"#post-{reply.pk} a.mention").inner_text() == "@alice"
    page.screenshot(path=str(artifacts / "space-journey-2-live-reply.png"), full_page=True)
    page.locator(f"#post-{reply.pk} .reactions button").first.click()
    page.wait_for_load_state("load")
    assert Reaction.objects.filter(post=reply, account=alice, kind="like").exists()

    assert Notification.objects.filter(account=alice, kind="mention", post=reply).exists()
    page.goto(base)
    assert (
        page.locator(".space-bar a[href$='/notifications/']")
        .inner_text()
        .startswith("Notifications (1")
    )
    page.click(".space-bar a[href$='/notifications/']")
    page.wait_for_selector("text=Bob")
    page.screenshot(path=str(artifacts / "space-journey-3-notifications.png"), full_page=True)

    # The opening post is a question in the staff inbox (grouping is the worker's job).
    grouping.group_workspace(workspace.pk)
    conversation = Conversation.objects.get(workspace=workspace, key=f"thread:{opening.remote_id}")
    assert conversation.channel_id == space.channel_id
