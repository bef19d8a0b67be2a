"""A channel's last problem is stored once, by a worker that knows nobody's language, and
each person reads it in theirs: on the channel pages and in the auth-expired e-mail."""

from __future__ import annotations

import pytest
from django.core import mail

from liant.channels import fetching
from liant.channels.models import Channel, Health
from liant.core.permissions import Role
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db(transaction=True)

ENGLISH = "The network refused the credentials (401). Invalid access token passed."
FRENCH = "Le réseau a refusé les identifiants (401). Invalid access token passed."


def fetch_from_a_revoked_matrix_account(httpserver, workspace, owner) -> Channel:
    """A Matrix homeserver (replayed) that no longer accepts the channel's token."""
    httpserver.expect_request("/_matrix/client/v3/sync").respond_with_json(
        {"errcode": "M_UNKNOWN_TOKEN", "error": "Invalid access token passed."}, status=401
    )
    channel = Channel.objects.create(
        workspace=workspace,
        kind="matrix",
        name="Salon des habitués",
        settings={"homeserver": httpserver.url_for("/").rstrip("/"), "user_id": "@liant:hs"},
        created_by=owner,
    )
    channel.credentials = {"access_token": "revoked"}
    channel.save()
    fetching.fetch_channel(channel.pk)
    channel.refresh_from_db()
    return channel


@pytest.fixture
def revoked_matrix_channel(httpserver, workspace, owner) -> Channel:
    return fetch_from_a_revoked_matrix_account(httpserver, workspace, owner)


def test_the_stored_problem_is_english_with_its_template_and_values(revoked_matrix_channel):
    channel = revoked_matrix_channel
    assert channel.health == Health.AUTH_EXPIRED
    assert channel.last_error == ENGLISH
    assert channel.last_error_detail == {
        "template": "The network refused the credentials (401). %(detail)s",
        "params": {"detail": "Invalid access token passed."},
    }


def test_each_reader_sees_the_same_problem_in_their_language(
    revoked_matrix_channel, workspace, owner, member
):
    owner.language = "fr"
    owner.save(update_fields=["language"])
    member.language = "en"
    member.save(update_fields=["language"])
    pages = [
        f"/w/{workspace.slug}/channels/{revoked_matrix_channel.pk}/",
        f"/w/{workspace.slug}/channels/",
    ]
    for page in pages:
        french = client_for(owner).get(page).content.decode()
        english = client_for(member).get(page).content.decode()
        assert FRENCH[:60] in french and ENGLISH[:60] not in french, page
        assert ENGLISH[:60] in english and FRENCH[:60] not in english, page
    # What the network cannot do is said in the reader's language too.
    detail = client_for(owner).get(pages[0]).content.decode()
    assert "Les salons chiffrés ne peuvent être ni lus ni écrits" in detail


def test_the_auth_expired_mail_is_in_each_owners_language(httpserver, workspace, owner):
    owner.language = "fr"
    owner.save(update_fields=["language"])
    admin = make_user("admin@brand.example", workspace, Role.ADMIN)
    admin.language = "en"
    admin.save(update_fields=["language"])
    mail.outbox.clear()

    fetch_from_a_revoked_matrix_account(httpserver, workspace, owner)

    by_person = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_person) == ["admin@brand.example", "owner@brand.example"]
    french, english = by_person["owner@brand.example"], by_person["admin@brand.example"]
    assert french.subject == "Reconnectez Salon des habitués"
    assert FRENCH in french.body and ENGLISH not in french.body
    assert english.subject == "Reconnect Salon des habitués"
    assert ENGLISH in english.body and FRENCH not in english.body


def test_an_older_row_without_detail_shows_its_english_text(workspace):
    channel = Channel.objects.create(
        workspace=workspace, kind="feed", name="Old", last_error="The feed went away."
    )
    assert channel.last_error_display == "The feed went away."
    channel.last_error_detail = {"template": 42}  # garbled by hand: the English still shows
    assert channel.last_error_display == "The feed went away."
