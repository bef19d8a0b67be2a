"""A community manager answers a customer's e-mail end to end, in a real browser: the mail
arrives in the real local mailbox (Dovecot), is fetched, routed by a rule, answered with a
saved reply, and the answer reaches the SMTP peer in the customer's thread."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from liant.core.models import Membership, Organisation, User, Workspace
from liant.core.permissions import Role
from liant.inbox.models import Conversation, Department, RoutingRule, SavedReply
from tests.browser.test_signin import sign_in
from tests.connectors.email import conftest as email_fixtures
from tests.inbox.test_email import COMPLAINT, email_channel

# The real mailbox and SMTP peer of the e-mail connector's tests.
dovecot = email_fixtures.dovecot
mailbox = email_fixtures.mailbox
smtp_server = email_fixtures.smtp_server
outbox = email_fixtures.outbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "un mot de passe solide"


@pytest.fixture
def camille() -> User:
    org = Organisation.objects.create(name="Maison Lumière", slug="maison-lumiere")
    workspace = Workspace.objects.create(
        organisation=org, name="Maison Lumière", slug="maison-lumiere"
    )
    user = User.objects.create_user(
        "camille@maison-lumiere.example", PASSWORD, name="Camille Laurent"
    )
    Membership.objects.create(workspace=workspace, user=user, role=Role.OWNER)
    return user


def test_an_e_mail_is_fetched_routed_and_answered_with_a_saved_reply(
    live_server, page: Any, camille, mailbox, outbox, artifacts: Path
):
    workspace = camille.workspaces().get()
    channel = email_channel(workspace, mailbox, outbox)
    after_sales = Department.objects.create(
        workspace=workspace, name="SAV", email="sav@maison-lumiere.example"
    )
    RoutingRule.objects.create(
        workspace=workspace,
        name="Commandes → SAV",
        keywords="commande, colis",
        department=after_sales,
        assign_to=camille,
    )
    SavedReply.objects.create(
        workspace=workspace,
        name="Colis en retard",
        text_fr="Bonjour {member_name}, nous retrouvons votre colis. {agent_name}",
        text_en="Hello {member_name}, we are tracing your parcel. {agent_name}",
    )
    mailbox.deliver(COMPLAINT)

    page.goto(f"{live_server.url}/account/login/")
    sign_in(page, camille.email, PASSWORD)
    page.wait_for_url(f"{live_server.url}/w/{workspace.slug}/")
    page.goto(f"{live_server.url}/w/{workspace.slug}/channels/{channel.pk}/")
    with page.expect_navigation():
        page.click("button:has-text('Fetch now')")

    page.click("nav.sidebar a:has-text('Inbox')")
    row = page.locator("table.queue tbody tr").first
    assert "José Martin" in row.inner_text()
    row.locator("a").first.click()
    conversation = Conversation.objects.get()
    page.wait_for_url(f"{live_server.url}/w/{workspace.slug}/inbox/{conversation.pk}/")
    facts = page.locator("dl.facts").inner_text()
    assert "SAV" in facts and "Camille Laurent" in facts  # routed by the rule

    page.select_option("#id_saved", label="Colis en retard")
    reply_box = page.locator("#id_text")
    expected = "Bonjour José Martin, nous retrouvons votre colis. Camille"
    page.wait_for_function(
        "text => document.querySelector('#id_text').value === text", arg=expected
    )
    assert reply_box.input_value() == expected
    with page.expect_navigation():
        page.click("button:has-text('Send the reply')")
    assert "The reply is on its way." in page.locator("ul.messages").inner_text()
    assert page.locator("article.message-out .state").inner_text() == "Sent"

    answers = [m for m in outbox.messages if m.rcpt_tos == ["jose@client.example"]]
    assert len(answers) == 1
    received = email.message_from_bytes(answers[0].content, policy=email.policy.default)
    assert received["In-Reply-To"] == "<cmd-1042-inbox@client.example>"
    assert expected in received.get_content()
    page.screenshot(path=str(artifacts / f"inbox-{connection.vendor}.png"), full_page=True)
