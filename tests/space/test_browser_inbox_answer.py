"""The issue's end-to-end test in Chromium: a new member joins and accepts the charter, asks a
question in a new topic; it is a conversation in the community manager's inbox, who answers
from Liant's inbox page; the answer is on the space topic, as the brand signed with the
agent's name; another member's insult is held by a moderation rule (others never see it) and
waits on the review queue page. Screenshots go to var/test-artifacts/.
"""

from __future__ import annotations

from typing import Any

import pytest

from liant.core.models import Role
from liant.inbox import grouping
from liant.inbox.models import Conversation
from liant.moderation import engine
from liant.moderation.models import Action, Item, ItemState, Rule
from liant.space.models import Post, SpaceAccount, Topic
from tests.browser.conftest import artifacts, browser, chromium_path, page  # noqa: F401
from tests.browser.test_signin import sign_in
from tests.conftest import PASSWORD, make_user
from tests.space.test_browser_journey import join_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_question_is_answered_from_the_inbox_and_an_insult_is_held(
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
    space.sign_with_agent = True
    space.save()
    camille = make_user("camille@brand.example", workspace, Role.COMMUNITY_MANAGER)
    camille.name = "Camille Laurent"
    camille.save()
    Rule.objects.create(
        workspace=workspace, name="Insultes", words="connard", action=Action.HOLD, active=True
    )
    base = f"{live_server.url}/space/{space.slug}/"
    # Generous: the first requests compile templates on a machine other jobs share.
    page.set_default_timeout(60_000)

    # A new member joins, accepting the charter, and asks a question.
    join_in(page, base, "alice@example.org", "Alice")
    alice = SpaceAccount.objects.get(email="alice@example.org")
    assert alice.charter_version == charter.version
    page.goto(f"{base}c/{recipes.pk}/new/")
    page.fill("input[name=title]", "Which grind for a moka pot?")
    page.fill("textarea[name=body]", "Mine tastes bitter, what should I change?")
    page.click("button[type=submit].primary")
    page.wait_for_selector("main h1:has-text('Which grind')")
    topic = Topic.objects.get()
    opening = Post.objects.get(topic=topic)

    # The new topic is a conversation in the inbox (grouping is the worker's job; it runs
    # at once after storing, and again here in case the worker is not running).
    grouping.group_workspace(workspace.pk)
    conversation = Conversation.objects.get(workspace=workspace, key=f"thread:{opening.remote_id}")

    # The community manager answers from Liant's inbox page, in a browser of their own.
    staff = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB")
    cm = staff.new_page()
    cm.set_default_timeout(60_000)
    cm.goto(f"{live_server.url}/account/login/")
    sign_in(cm, camille.email, PASSWORD)
    cm.wait_for_url(f"{live_server.url}/w/{workspace.slug}/")
    cm.goto(f"{live_server.url}/w/{workspace.slug}/inbox/")
    row = cm.locator("table.queue tbody tr", has_text="Alice").first
    row.locator("a").first.click()
    cm.wait_for_url(f"{live_server.url}/w/{workspace.slug}/inbox/{conversation.pk}/")
    assert "Which grind for a moka pot?" in cm.locator("main").inner_text()
    cm.fill("#id_text", "A finer grind and a lower flame, Alice.")
    with cm.expect_navigation():
        cm.click("button:has-text('Send the reply')")
    assert cm.locator("article.message-out .state").inner_text() == "Sent"
    cm.screenshot(path=str(artifacts / "space-inbox-1-answered.png"), full_page=True)

    # The answer is on the space topic, as the brand, signed with the agent's name.
    answer = Post.objects.get(topic=topic, author__staff=True)
    assert answer.signed_by == "Camille Laurent"
    page.goto(f"{base}t/{topic.pk}/")
    shown = page.locator(f"#post-{answer.pk}").inner_text()
    assert "A finer grind and a lower flame" in shown
    assert f"{workspace.name} — Camille Laurent" in shown
    page.screenshot(path=str(artifacts / "space-inbox-2-answer-on-space.png"), full_page=True)

    # Another member insults; a moderation rule holds it: Alice does not see it, and it
    # waits on the review queue page.
    other = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB")
    bob_tab = other.new_page()
    bob_tab.set_default_timeout(60_000)
    join_in(bob_tab, base, "bob@example.org", "Bob")
    bob_tab.goto(f"{base}t/{topic.pk}/")
    bob_tab.fill("textarea[name=body]", "What a question, connard.")
    bob_tab.click("#reply ~ form button[type=submit].primary")
    bob_tab.wait_for_load_state("load")
    insult = Post.objects.get(topic=topic, author__email="bob@example.org")
    engine.moderate_new_events(workspace)  # the worker's job, run now in case it did not
    item = Item.objects.get(event__remote_id=insult.remote_id)
    assert item.state == ItemState.QUEUED and item.reason == "held"
    page.goto(f"{base}t/{topic.pk}/")
    assert "connard" not in page.locator("main").inner_text()
    cm.goto(f"{live_server.url}/w/{workspace.slug}/moderation/")
    queue = cm.locator("main").inner_text()
    assert "What a question, connard." in queue and "Insultes" in queue
    cm.screenshot(path=str(artifacts / "space-inbox-3-review-queue.png"), full_page=True)
    other.close()
    staff.close()
