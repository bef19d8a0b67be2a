"""Capture forms on the community space: shown beside the home page and as the contact page,
posting to the forms' public endpoint with the same checks (no CSRF token needed, honeypot,
signed time), and never another workspace's form."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client

from liant.leads.models import Form, Purpose, Submission
from liant.members.models import Member
from tests.leads.conftest import old_stamp
from tests.space.conftest import url

pytestmark = pytest.mark.django_db

SITE = "http://testserver"


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def signup(workspace) -> Form:
    return Form.objects.create(
        workspace=workspace,
        name="Les nouvelles du Coin",
        purpose=Purpose.EVENT,
        fields=["email", "name"],
        consent_text_fr="J'accepte de recevoir les nouvelles.",
        allowed_origins="https://www.maison-lumiere.example",  # the brand's site; the space is ours
    )


@pytest.fixture
def contact(workspace) -> Form:
    return Form.objects.create(
        workspace=workspace,
        name="Nous écrire",
        purpose=Purpose.CONTACT,
        fields=["email", "message"],
    )


def form_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', html))


def test_the_sidebar_form_posts_from_the_space_without_a_csrf_token(space, signup):
    space.sidebar_form = signup
    space.save()
    visitor = Client(enforce_csrf_checks=True)  # as a browser: CSRF is checked where it applies
    html = visitor.get(url(space)).content.decode()
    assert "Les nouvelles du Coin" in html and f'action="/forms/{signup.token}/"' in html
    assert 'name="website"' in html  # the honeypot
    hidden = form_fields(html)
    response = visitor.post(
        f"/forms/{signup.token}/",
        {"email": "lea@people.example", "name": "Léa", "consent": "yes", "website": "",
         "ts": old_stamp(), "lang": hidden["lang"]},
        HTTP_REFERER=SITE + url(space),
    )  # fmt: skip
    assert response.status_code == 302
    submission = Submission.objects.get(form=signup)
    assert submission.origin == SITE
    assert Member.objects.filter(workspace=space.workspace, email="lea@people.example").exists()


def test_the_honeypot_and_a_fresh_stamp_refuse_a_robot(space, signup):
    space.sidebar_form = signup
    space.save()
    client = Client(enforce_csrf_checks=True)
    stamp = form_fields(client.get(url(space)).content.decode())["ts"]
    data = {"email": "bot@spam.example", "consent": "yes", "ts": old_stamp()}
    client.post(f"/forms/{signup.token}/", {**data, "website": "http://spam.example"})
    assert client.post(f"/forms/{signup.token}/", {**data, "ts": stamp}).status_code == 400
    assert not Submission.objects.exists()


def test_the_contact_page_opens_an_inbox_conversation(
    space, contact, django_capture_on_commit_callbacks
):
    from liant.inbox.models import Conversation

    assert Client().get(url(space, "contact/")).status_code == 404  # none chosen yet
    space.contact_form = contact
    space.save()
    page = Client().get(url(space, "contact/"))
    assert page.status_code == 200 and "Nous écrire" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        Client(enforce_csrf_checks=True).post(
            f"/forms/{contact.token}/",
            {"email": "paul@people.example", "message": "Une question", "ts": old_stamp()},
            HTTP_REFERER=SITE + url(space, "contact/"),
        )
    assert Conversation.objects.get(workspace=space.workspace).channel.kind == "forms"


def test_a_form_of_another_workspace_is_never_shown_nor_chosen(
    space, other_workspace, owner_client, workspace
):
    foreign = Form.objects.create(workspace=other_workspace, name="Formulaire rival")
    space.sidebar_form = foreign  # forced in the database: the page still refuses it
    space.contact_form = foreign
    space.save()
    assert "Formulaire rival" not in Client().get(url(space)).content.decode()
    assert Client().get(url(space, "contact/")).status_code == 404
    response = owner_client.post(
        f"/w/{workspace.slug}/space/",
        {"space-enabled": "on", "space-title": "Le Coin", "space-posts_per_minute": 5,
         "space-sidebar_form": foreign.pk},
    )  # fmt: skip
    assert response.status_code == 200  # the form is refused: not one of this workspace's


def test_the_staff_page_chooses_the_forms(space, signup, contact, owner_client, workspace):
    response = owner_client.post(
        f"/w/{workspace.slug}/space/",
        {"space-enabled": "on", "space-title": "Le Coin", "space-posts_per_minute": 5,
         "space-sidebar_form": signup.pk, "space-contact_form": contact.pk},
    )  # fmt: skip
    assert response.status_code == 302
    space.refresh_from_db()
    assert (space.sidebar_form, space.contact_form) == (signup, contact)
