from __future__ import annotations

import time

import pytest
from django.core import mail, signing
from django.test import Client

from liant.members.models import Consent, Identity, Member
from liant.space import accounts
from liant.space.models import SpaceAccount
from liant.space.posting import open_channel, space_of
from tests.space.conftest import join, link_token, url

pytestmark = pytest.mark.django_db


def test_joining_by_magic_link_confirms_the_address_and_makes_a_member(space, charter):
    client = Client()
    account = join(client, space, "Bea@Example.org ", "Béa", accept_charter="on")
    assert account.email == "bea@example.org"
    assert account.confirmed_at is not None
    identity = Identity.objects.get(workspace=space.workspace, network="space")
    assert identity.key == account.remote_id == f"account:{account.pk}"
    assert identity.email_verified
    assert identity.member.name == "Béa"
    consent = Consent.objects.get(member=identity.member, purpose="charter")
    assert consent.text == "charter v2"
    # Signed in: the new-topic form is offered, not a redirect to sign in.
    assert client.get(url(space, "")).context["account"] == account


def test_joining_needs_the_charter_accepted_when_there_is_one(space, charter):
    response = Client().post(
        url(space, "join/"), {"email": "x@example.org", "display_name": "X", "language": "fr"}
    )
    assert response.status_code == 200
    assert "accept_charter" in response.context["form"].errors
    assert not mail.outbox
    assert not SpaceAccount.objects.filter(email="x@example.org").exists()


def test_the_link_opens_a_button_and_signs_in_only_once(space):
    client = Client()
    client.post(
        url(space, "join/"), {"email": "c@example.org", "display_name": "Cé", "language": "en"}
    )
    token = link_token(mail.outbox[-1])
    # Opening the link (as a mail scanner would) signs nobody in.
    page = client.get(url(space, f"signin/{token}/"))
    assert page.status_code == 200 and page.context["account"] is None
    assert client.post(url(space, f"signin/{token}/")).status_code == 302
    again = Client().post(url(space, f"signin/{token}/"))
    assert again.status_code == 400
    assert Member.objects.filter(workspace=space.workspace).count() == 1


def test_an_expired_link_is_refused(space, monkeypatch):
    client = Client()
    real = time.time
    # The link was made 31 minutes ago.
    monkeypatch.setattr(signing.time, "time", lambda: real() - 31 * 60)
    client.post(
        url(space, "join/"), {"email": "d@example.org", "display_name": "Dé", "language": "fr"}
    )
    monkeypatch.setattr(signing.time, "time", real)
    token = link_token(mail.outbox[-1])
    assert client.get(url(space, f"signin/{token}/")).status_code == 400
    assert client.post(url(space, f"signin/{token}/")).status_code == 400
    assert SpaceAccount.objects.get(email="d@example.org").confirmed_at is None


def test_a_tampered_link_is_refused(space):
    client = Client()
    client.post(
        url(space, "join/"), {"email": "e@example.org", "display_name": "Eve", "language": "fr"}
    )
    token = link_token(mail.outbox[-1])
    value, _, rest = token.partition(":")
    forged = value[:-1] + ("A" if value[-1] != "A" else "B") + ":" + rest
    assert client.post(url(space, f"signin/{forged}/")).status_code == 400
    # A signature from another salt (say, the charter's) is no key here either.
    other = signing.TimestampSigner(salt="liant.moderation.charter-acceptance").sign_object(
        {"s": space.pk, "a": 1, "t": 0}
    )
    assert client.post(url(space, f"signin/{other}/")).status_code == 400
    assert SpaceAccount.objects.get(email="e@example.org").confirmed_at is None


def test_a_link_for_one_space_is_nothing_in_another(space, other_workspace):
    other = space_of(other_workspace)
    other.enabled = True
    other.save()
    open_channel(other)
    client = Client()
    client.post(
        url(space, "join/"), {"email": "f@example.org", "display_name": "Fa", "language": "fr"}
    )
    token = link_token(mail.outbox[-1])
    assert client.post(url(other, f"signin/{token}/")).status_code == 400
    assert client.post(url(space, f"signin/{token}/")).status_code == 302
    # Signed in to one space is signed in to that one only.
    assert client.get(url(other, "")).context["account"] is None


def test_sign_in_and_join_say_the_same_whether_the_address_is_known_or_not(space, alice):
    mail.outbox.clear()
    SpaceAccount.objects.filter(pk=alice.pk).update(link_sent_at=None)  # a minute later
    known = Client().post(url(space, "signin/"), {"email": "alice@example.org"})
    unknown = Client().post(url(space, "signin/"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200

    def said(response) -> str:
        page = response.content.decode()
        return page[page.index("<article") : page.index("</article>")]

    assert said(known).replace("alice", "X") == said(unknown).replace("nobody", "X")
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    # Joining again with a known address sends a sign-in link and changes nothing.
    mail.outbox.clear()
    SpaceAccount.objects.filter(pk=alice.pk).update(link_sent_at=None)
    Client().post(
        url(space, "join/"),
        {"email": "alice@example.org", "display_name": "Impostor", "language": "en"},
    )
    alice.refresh_from_db()
    assert alice.display_name == "Alice"
    # The sign-in mail, not the welcome one, in the account's language.
    from django.utils import translation

    sign_in_mail = (
        "Hello,\n\nTo sign in to %(space)s, open this link within %(minutes)s "
        "minutes:\n%(link)s\n\nIf you did not ask for it, ignore this message.\n"
    )
    with translation.override(alice.language or space.workspace.language):
        expected = translation.gettext(sign_in_mail).split("%(space)s")[0]
    assert expected and expected in mail.outbox[-1].body


def test_asking_again_and_again_sends_one_mail_a_minute(space):
    for _ in range(3):
        Client().post(
            url(space, "join/"), {"email": "g@example.org", "display_name": "Gé", "language": "fr"}
        )
    assert len(mail.outbox) == 1


def test_a_closed_space_is_not_found(space):
    space.enabled = False
    space.save()
    assert Client().get(url(space, "")).status_code == 404
    assert Client().get(url(space, "join/")).status_code == 404


def test_the_member_found_by_a_verified_address_is_the_one_already_known(space, workspace):
    known = Member.objects.create(workspace=workspace, name="Hélène", email="h@example.org")
    join(Client(), space, "h@example.org", "Hélène D.")
    assert Identity.objects.get(network="space").member == known
    assert accounts.link_member(SpaceAccount.objects.get(email="h@example.org")) == known


def test_a_new_charter_version_is_accepted_with_the_next_post(space, charter, workspace):
    from liant.moderation.models import Charter
    from liant.space.models import Category, Post

    client = Client()
    account = join(client, space, "i@example.org", "Iris", accept_charter="on")
    Charter.objects.create(workspace=workspace, version=3, body_fr="## 1. Respect")
    category = Category.objects.create(space=space, name="Général")
    new = url(space, f"c/{category.pk}/new/")
    refused = client.post(new, {"title": "Bonjour", "body": "Salut"})
    assert "accept_charter" in refused.context["form"].errors
    assert not Post.objects.exists()
    client.post(new, {"title": "Bonjour", "body": "Salut", "accept_charter": "on"})
    assert Post.objects.get().author == account
    member = accounts.link_member(account)
    assert list(
        Consent.objects.filter(member=member, purpose="charter").values_list("text", flat=True)
    ) == ["charter v3", "charter v2"]
