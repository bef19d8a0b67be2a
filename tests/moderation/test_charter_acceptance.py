"""Charter acceptances: kept as the members' consents ("charter v<n>"), given through a signed
link on the public charter page or recorded by a moderator, counted on the charter page, and
read by the rule condition "author has not accepted the current charter version"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail, signing
from django.utils import timezone

from liant.core.models import AuditEvent
from liant.core.permissions import Role
from liant.members.models import Consent, Identity, Member
from liant.moderation import charter as acceptance
from liant.moderation.engine import moderate_new_events
from liant.moderation.models import Action, Charter, Item
from tests.conftest import client_for, make_user
from tests.moderation.conftest import rule, store

pytestmark = pytest.mark.django_db


def known(workspace, handle, **fields):
    member = Member.objects.create(workspace=workspace, name=handle, **fields)
    Identity.objects.create(
        workspace=workspace, member=member, network="feed", key=handle, remote_id=handle
    )
    return member


def accepted(member, version, days_ago=0):
    return Consent.objects.create(
        member=member,
        purpose="charter",
        text=f"charter v{version}",
        source="test",
        at=timezone.now() - timedelta(days=days_ago),
    )


def test_a_person_accepts_through_their_signed_link(client, workspace, charter):
    amy = known(workspace, "amy")
    path = acceptance.accept_path(amy)
    page = client.get(path).content.decode()
    assert "Respect" in page and "I accept version 1" in page
    assert client.post(path, REMOTE_ADDR="203.0.113.9").status_code == 302
    consent = Consent.objects.get(member=amy)
    assert consent.purpose == "charter" and consent.text == "charter v1"
    assert consent.source == "public charter page" and consent.ip == "203.0.113.9"
    page = client.get(path).content.decode()
    assert "You accepted version 1" in page and "I accept" not in page
    client.post(path)  # a second click does not record twice
    assert Consent.objects.filter(member=amy).count() == 1


def test_a_forged_or_expired_link_is_a_404(client, workspace, charter, monkeypatch):
    amy = known(workspace, "amy")
    path = acceptance.accept_path(amy)
    assert client.get(path[:-3] + "xyz/").status_code == 404
    other = signing.TimestampSigner(salt="another").sign_object({"w": workspace.pk, "m": amy.pk})
    assert client.get(f"/moderation/charter/{other}/").status_code == 404
    later = timezone.now().timestamp() + (acceptance.LINK_DAYS + 1) * 86400
    monkeypatch.setattr("time.time", lambda: later)
    assert client.get(path).status_code == 404


def test_the_link_shows_nothing_about_other_people(client, workspace, charter):
    amy = known(workspace, "amy", email="amy@example.org")
    bob = known(workspace, "bob", email="bob@example.org")
    accepted(bob, 1)
    page = client.get(acceptance.accept_path(amy)).content.decode()
    assert "bob" not in page and "amy@example.org" not in page
    assert "You accepted" not in page


def test_a_moderator_records_an_acceptance_and_sends_the_link(member_client, workspace, charter):
    amy = known(workspace, "amy", email="amy@example.org", language="en")
    url = f"/w/{workspace.slug}/moderation/members/{amy.pk}/charter/"
    page = member_client.get(url).content.decode()
    assert "/moderation/charter/" in page
    member_client.post(url, {"do": "send"})
    assert mail.outbox[0].to == ["amy@example.org"]
    assert "/moderation/charter/" in mail.outbox[0].body and "charter" in mail.outbox[0].subject
    member_client.post(url, {"do": "record"})
    consent = Consent.objects.get(member=amy)
    assert consent.text == "charter v1" and consent.source == "recorded by member@brand.example"
    assert AuditEvent.objects.filter(action="moderation.charter_accepted").exists()


def test_a_moderator_without_the_permission_cannot_record(workspace, charter):
    amy = known(workspace, "amy")
    moderator = client_for(make_user("mod@brand.example", workspace, Role.MODERATOR))
    url = f"/w/{workspace.slug}/moderation/members/{amy.pk}/charter/"
    assert moderator.post(url, {"do": "record"}).status_code == 403
    assert not Consent.objects.exists()


def test_another_workspaces_member_is_not_found(member_client, workspace, other_workspace, charter):
    stranger = Member.objects.create(workspace=other_workspace, name="x")
    url = f"/w/{workspace.slug}/moderation/members/{stranger.pk}/charter/"
    assert member_client.get(url).status_code == 404
    assert member_client.post(url, {"do": "record"}).status_code == 404


def test_the_charter_page_counts_current_and_earlier_acceptances(member_client, workspace):
    Charter.objects.create(workspace=workspace, version=1, body_fr="## 1. Respect")
    Charter.objects.create(workspace=workspace, version=2, body_fr="## 1. Respect mutuel")
    amy, bob, cid = (known(workspace, h) for h in ("amy", "bob", "cid"))
    known(workspace, "dan")
    accepted(amy, 2)
    accepted(bob, 1)
    accepted(cid, 2, days_ago=3)
    accepted(cid, 1)  # the latest says v1: counted as earlier
    counts = acceptance.acceptance_counts(workspace)
    assert (counts.current, counts.earlier, counts.members) == (1, 2, 4)
    page = member_client.get(f"/w/{workspace.slug}/moderation/charter/").content.decode()
    assert "1 member accepted version 2" in page
    assert "2 members accepted an earlier version only" in page
    page = member_client.get(f"/w/{workspace.slug}/moderation/charter/", {"q": "am"})
    assert f"/members/{amy.pk}/charter/" in page.content.decode()


def test_a_rule_for_authors_who_have_not_accepted_the_current_version(workspace, channel):
    Charter.objects.create(workspace=workspace, version=1, body_fr="## 1. Respect")
    Charter.objects.create(workspace=workspace, version=2, body_fr="## 1. Respect")
    rule(workspace, min_links=1, charter_not_accepted=True, action=Action.HOLD)
    accepted(known(workspace, "current"), 2)
    accepted(known(workspace, "earlier"), 1)
    known(workspace, "never")
    withdrawn = known(workspace, "withdrawn")
    accepted(withdrawn, 2, days_ago=1)
    Consent.objects.create(member=withdrawn, purpose="charter", granted=False, text="charter v2")
    for author in ("current", "earlier", "never", "withdrawn", "stranger"):
        store(channel, f"https://{author}.example", author=author)
    moderate_new_events(workspace)
    held = sorted(i.author_remote_id for i in Item.objects.all())
    assert held == ["earlier", "never", "stranger", "withdrawn"]
    assert "has not accepted the current charter" in Item.objects.first().why


def test_the_charter_condition_never_holds_without_a_charter(workspace, channel):
    rule(workspace, min_links=1, charter_not_accepted=True, action=Action.HOLD)
    store(channel, "https://x.example", author="never")
    moderate_new_events(workspace)
    assert not Item.objects.exists()


def test_a_merged_member_counts_with_the_kept_members_acceptance(workspace, channel, charter):
    rule(workspace, min_links=1, charter_not_accepted=True, action=Action.HOLD)
    kept = known(workspace, "main")
    old = known(workspace, "second")
    Member.objects.filter(pk=old.pk).update(merged_into=kept)
    accepted(kept, 1)
    store(channel, "https://x.example", author="second")
    moderate_new_events(workspace)
    assert not Item.objects.exists()


def test_recording_twice_keeps_one_acceptance(member_client, workspace, charter):
    amy = known(workspace, "amy")
    url = f"/w/{workspace.slug}/moderation/members/{amy.pk}/charter/"
    member_client.post(url, {"do": "record"})
    member_client.post(url, {"do": "record"})
    assert Consent.objects.filter(member=amy).count() == 1


def test_a_mail_server_down_is_told_not_a_server_error(
    member_client, workspace, charter, monkeypatch
):
    amy = known(workspace, "amy", email="amy@example.org")

    def down(*args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr("liant.moderation.charter.send_mail", down)
    url = f"/w/{workspace.slug}/moderation/members/{amy.pk}/charter/"
    answer = member_client.post(url, {"do": "send"}, follow=True)
    assert answer.status_code == 200 and "could not be sent" in answer.content.decode()
