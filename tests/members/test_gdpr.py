"""GDPR export and erasure of one member, across every app that keeps something of them."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone

from liant.channels.models import Event, Exchange
from liant.core import audit
from liant.core.models import AuditEvent
from liant.inbox.models import Conversation, Message, Note
from liant.listening.models import Alert, AlertKind, Mention, Query
from liant.members import gdpr
from liant.members.attach import attach_workspace
from liant.members.merging import merge
from liant.members.models import (
    Activity,
    Consent,
    DataRequest,
    Identity,
    Member,
    MemberNote,
    Tag,
)
from liant.moderation.models import Item, LogEntry, Report
from tests.members.factories import channel, event

EMAIL = "zoe.durand@mailbox.example"
MASTODON = "zoe_mstdn"
BLUESKY = "zoe7.bsky.social"
DID = "did:plc:zoe7bskyxyz"
NAME = "Zoé Durand"
# Everything that names her: none of it may be left anywhere after the erasure.
TERMS = [EMAIL, MASTODON, BLUESKY, DID, NAME]


def bluesky_event(ch, **kwargs) -> Event:
    return Event.objects.create(
        workspace_id=ch.workspace_id,
        channel=ch,
        kind=kwargs.get("kind", "comment"),
        remote_id=f"at://{DID}/app.bsky.feed.post/{kwargs.get('n', 1)}",
        author_remote_id=DID,
        author_handle=BLUESKY,
        author_name=NAME,
        text=kwargs.get("text", "Super torréfaction, merci !"),
        url=f"https://bsky.app/profile/{BLUESKY}/post/{kwargs.get('n', 1)}",
        occurred_at=timezone.now() - timedelta(days=2),
        raw={"author": {"did": DID, "handle": BLUESKY}},
    )


@pytest.fixture
def zoe(workspace):
    """One person with accounts on three networks, seen by every module."""
    mastodon = channel(workspace, "mastodon")
    bluesky = channel(workspace, "bluesky")
    mail = channel(workspace, "email")
    post = event(mastodon, MASTODON, kind="post", name=NAME, text=f"Hello from {MASTODON}")
    reply = bluesky_event(bluesky)
    dm = event(mail, EMAIL, kind="direct_message", name=NAME, text="Ma commande n'est pas arrivée")
    stranger = event(mastodon, "bob", text="Un autre membre")
    attach_workspace(workspace.pk)

    kept = Identity.objects.get(network="mastodon", handle=MASTODON).member
    for other in Member.objects.filter(workspace=workspace).exclude(pk=kept.pk):
        if other.identities.filter(handle__in=[BLUESKY, EMAIL]).exists():
            merge(kept, other)
    kept.refresh_from_db()
    kept.name, kept.email, kept.bio = NAME, EMAIL, f"Barista, {MASTODON} sur Mastodon"
    kept.custom_fields = {"phone": "+33 6 12 34 56 78", "city": "Lyon"}
    kept.save()
    kept.tags.add(Tag.objects.create(workspace=workspace, name="ambassadrice"))
    MemberNote.objects.create(member=kept, text=f"Préfère être contactée à {EMAIL}")
    Consent.objects.create(
        member=kept, purpose="newsletter", text=f"Moi, {NAME}, j'accepte", ip="192.0.2.7"
    )

    conversation = Conversation.objects.create(
        workspace=workspace,
        channel=mail,
        key=f"person:{EMAIL}",
        contact_remote_id=EMAIL,
        contact_handle=EMAIL,
        contact_name=NAME,
        subject="Commande de Zoé Durand",
    )
    Message.objects.create(
        workspace=workspace,
        conversation=conversation,
        direction="in",
        event=dm,
        author_name=NAME,
        text=dm.text,
    )
    Message.objects.create(
        workspace=workspace,
        conversation=conversation,
        direction="out",
        author_name="Brand",
        text=f"Bonjour {NAME}, nous regardons.",
    )
    Note.objects.create(conversation=conversation, text=f"{NAME} a déjà écrit hier")
    # A public thread she started, where someone else answered: his words are his.
    thread = Conversation.objects.create(
        workspace=workspace,
        channel=mastodon,
        key=f"thread:{post.remote_id}",
        contact_remote_id=MASTODON,
        contact_handle=MASTODON,
        contact_name=NAME,
        subject=post.text,
    )
    for said in (post, stranger):
        Message.objects.create(
            workspace=workspace,
            conversation=thread,
            direction="in",
            event=said,
            author_name=said.author_name,
            text=said.text,
        )

    query = Query.objects.create(workspace=workspace, name="Marque", kind="keywords", text="café")
    mention = Mention.objects.create(
        workspace=workspace,
        source="bluesky",
        channel=bluesky,
        event=reply,
        remote_id=reply.remote_id,
        url=reply.url,
        author_handle=BLUESKY,
        author_name=NAME,
        author_followers=12000,
        text=reply.text,
        sentiment="positive",
        sentiment_score=0.8,
        occurred_at=reply.occurred_at,
        dedupe_key="k1",
    )
    # Found by the network's search, not through a channel event.
    Mention.objects.create(
        workspace=workspace,
        source="bluesky",
        remote_id=f"at://{DID}/app.bsky.feed.post/99",
        author_handle=BLUESKY,
        author_name=NAME,
        text="J'adore ce café",
        sentiment="positive",
        sentiment_score=0.9,
        occurred_at=reply.occurred_at,
        dedupe_key="k2",
    )
    alert = Alert.objects.create(
        workspace=workspace,
        query=query,
        kind=AlertKind.INFLUENCER,
        key=f"{BLUESKY}:2026-11",
        figures={"author": BLUESKY, "followers": 12000},
        about=reply.occurred_at,
    )
    alert.mentions.add(mention)

    item = Item.objects.create(
        workspace=workspace,
        event=post,
        channel=mastodon,
        reason="held",
        why=f"'{MASTODON}' matched",
        text=post.text,
        author_remote_id=MASTODON,
        author_handle=MASTODON,
    )
    LogEntry.objects.create(
        workspace=workspace,
        item=item,
        event=post,
        action="remove_warn",
        text=post.text,
        author_remote_id=MASTODON,
        outcome="applied",
        sent=f"@{MASTODON}, merci de respecter la charte",
    )
    Report.objects.create(workspace=workspace, item=item, reporter="user:1", note=f"{NAME} abuse")
    # The audit log names its targets: a conversation by its subject, an item by its author.
    audit.record(None, "inbox.assigned", workspace=workspace, target=conversation)
    audit.record(None, "moderation.decided", workspace=workspace, target=item)
    Exchange.objects.create(
        channel=mastodon,
        method="GET",
        url="https://piaille.example/api/v1/notifications",
        status=200,
        excerpt=f'[{{"account": {{"acct": "{MASTODON}"}}}}]',
    )
    # Animation and feedback keep what she typed into forms and what the team kept of her words.
    from liant.animation.models import Meetup, Quiz, QuizAttempt, Rsvp
    from liant.feedback.models import Idea, StatusNotice, Verbatim

    meetup = Meetup.objects.create(
        workspace=workspace, title="Dégustation", starts_at=post.occurred_at
    )
    Rsvp.objects.create(
        workspace=workspace, meetup=meetup, member=kept, name=NAME, email=EMAIL, status="going"
    )
    quiz = Quiz.objects.create(workspace=workspace, title="Quiz café")
    QuizAttempt.objects.create(quiz=quiz, member=kept, display_name=NAME)
    Verbatim.objects.create(
        workspace=workspace,
        text=post.text,
        author_name=NAME,
        url=f"https://piaille.example/@{MASTODON}/1",
        said_at=post.occurred_at,
        member=kept,
    )
    idea = Idea.objects.create(workspace=workspace, title="Abonnement")
    StatusNotice.objects.create(
        workspace=workspace, idea=idea, member=kept, status="planned", text=f"Bonjour {NAME}"
    )
    return {"member": kept, "stranger": stranger, "events": [post, reply, dm]}


def rows_naming(term: str) -> list[str]:
    """Every row of every model of every installed app where a text field contains term."""
    found = []
    needle = term.lower()
    text_fields = (models.CharField, models.TextField, models.JSONField)  # Email/URL are Char
    for model in apps.get_models(include_auto_created=True):
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, text_fields)]
        if not names:
            continue
        for row in model._default_manager.values("pk", *names):
            for name in names:
                value = row[name]
                shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                if needle in (shown or "").lower():
                    found.append(f"{model._meta.label}.{name} #{row['pk']}")
    return found


def test_the_person_is_found_everywhere_before_the_erasure(zoe):
    # The search is only a proof if it finds her before.
    for term in TERMS:
        assert rows_naming(term), term


def test_after_erasure_no_field_of_any_model_names_her(zoe, owner_client, workspace):
    member = zoe["member"]
    counts = {m: m.objects.count() for m in (Event, Activity, Message, Mention, Item, Conversation)}
    owner_client.get(f"/w/{workspace.slug}/members/{member.pk}/data/")  # an export, logged

    response = owner_client.post(
        f"/w/{workspace.slug}/members/{member.pk}/erase/", {"confirmation": "EFFACER"}
    )

    assert response.status_code == 302
    for term in TERMS:
        assert rows_naming(term) == [], term
    # Counts and dates stay, so everyone else's figures do not move.
    assert {m: m.objects.count() for m in counts} == counts
    member.refresh_from_db()
    assert member.erased_at is not None
    assert all(m.erased_at for m in Member.objects.filter(merged_into=member))
    assert Identity.objects.filter(member=member).count() == 3  # moved to her by the merges
    for identity in Identity.objects.filter(workspace=workspace):
        if identity.member_id == member.pk or identity.member.merged_into_id == member.pk:
            assert identity.key == f"erased:{identity.pk}"
    post = Event.objects.get(pk=zoe["events"][0].pk)
    assert (post.kind, post.text, post.author_handle) == ("post", "", "")
    # Someone else's message is left as it was.
    assert Event.objects.get(pk=zoe["stranger"].pk).author_handle == "bob"
    consent = Consent.objects.get(member=member)
    assert (consent.purpose, consent.granted, consent.text, consent.ip) == (
        "newsletter",
        True,
        "",
        None,
    )
    request = DataRequest.objects.get(kind="erasure", member=member)
    assert request.summary["events"] == 3
    assert request.summary["inbox_messages"] == 3
    assert Message.objects.get(event=zoe["stranger"]).text == "Un autre membre"
    assert request.summary["listening_mentions"] == 2
    assert request.summary["moderation_items"] == 1
    assert AuditEvent.objects.filter(action="members.data_erased").count() == 1


def test_a_later_message_from_the_account_makes_a_new_member(zoe, workspace):
    gdpr.erase(zoe["member"])
    mastodon = zoe["events"][0].channel
    event(mastodon, MASTODON, name=NAME, text="Me revoilà")
    attach_workspace(workspace.pk)

    identity = Identity.objects.get(network="mastodon", handle=MASTODON)
    assert identity.member.erased_at is None
    assert identity.member_id != zoe["member"].pk


def test_the_export_has_everything_about_her_and_nothing_of_others(zoe, owner_client, workspace):
    member = zoe["member"]
    response = owner_client.get(f"/w/{workspace.slug}/members/{member.pk}/data.json")

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert {i["handle"] for i in data["identities"]} == {MASTODON, BLUESKY, EMAIL}
    assert len(data["member"]) == 3  # her, and the two members merged into her
    assert len(data["events"]) == 3
    assert len(data["activities"]) == 3
    assert {m["direction"] for m in data["inbox_messages"]} == {"in", "out"}
    assert "Un autre membre" not in json.dumps(data["inbox_messages"])
    assert len(data["listening_mentions"]) == 2
    assert len(data["moderation_items"]) == 1
    assert data["moderation_log"][0]["sent"].startswith(f"@{MASTODON}")
    assert data["consents"][0]["text"] == f"Moi, {NAME}, j'accepte"
    assert len(data["merges"]) == 2
    assert "bob" not in response.content.decode()
    logged = DataRequest.objects.get(kind="export", member=member)
    assert logged.summary["events"] == 3
    assert AuditEvent.objects.get(action="members.data_exported").data["events"] == 3


def test_the_export_page_reads_in_french(zoe, owner_client, workspace):
    member = zoe["member"]
    response = owner_client.get(
        f"/w/{workspace.slug}/members/{member.pk}/data/", HTTP_ACCEPT_LANGUAGE="fr"
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Ma commande" in page
    assert "Télécharger en JSON" in page or "Download as JSON" in page


def test_a_wrong_confirmation_erases_nothing(zoe, owner_client, workspace):
    member = zoe["member"]
    response = owner_client.post(
        f"/w/{workspace.slug}/members/{member.pk}/erase/", {"confirmation": "Zoe"}
    )

    assert response.status_code == 400
    member.refresh_from_db()
    assert member.erased_at is None and member.email == EMAIL


def test_her_name_confirms_as_well_as_the_word(zoe, owner_client, workspace):
    member = zoe["member"]
    response = owner_client.post(
        f"/w/{workspace.slug}/members/{member.pk}/erase/", {"confirmation": " zoé  DURAND "}
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.erased_at is not None


@pytest.mark.parametrize("page", ["data/", "data.json", "erase/"])
def test_a_role_without_the_permission_gets_403(zoe, member_client, workspace, page):
    member = zoe["member"]
    url = f"/w/{workspace.slug}/members/{member.pk}/{page}"

    assert member_client.get(url).status_code == 403
    assert member_client.post(url, {"confirmation": "ERASE"}).status_code == 403
    member.refresh_from_db()
    assert member.erased_at is None


@pytest.mark.parametrize("page", ["data/", "data.json", "erase/"])
def test_an_outsider_gets_404(zoe, outsider_client, workspace, page):
    member = zoe["member"]
    url = f"/w/{workspace.slug}/members/{member.pk}/{page}"

    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url, {"confirmation": "ERASE"}).status_code == 404
    assert not DataRequest.objects.exists()


def test_a_member_of_another_workspace_is_not_found_from_this_one(
    zoe, outsider, outsider_client, other_workspace
):
    url = f"/w/{other_workspace.slug}/members/{zoe['member'].pk}/erase/"

    assert outsider_client.post(url, {"confirmation": "ERASE"}).status_code == 404
    assert Member.objects.get(pk=zoe["member"].pk).erased_at is None


def test_an_absorbed_member_leads_to_the_member_it_was_merged_into(zoe, owner_client, workspace):
    absorbed = Member.objects.filter(merged_into=zoe["member"]).first()

    response = owner_client.get(f"/w/{workspace.slug}/members/{absorbed.pk}/erase/")

    assert response.status_code == 302
    assert response["Location"] == f"/w/{workspace.slug}/members/{zoe['member'].pk}/erase/"


def test_a_member_with_no_account_is_exported_and_erased(owner_client, workspace):
    lone = Member.objects.create(workspace=workspace, name="Solo", bio="Rien d'autre")

    page = owner_client.get(f"/w/{workspace.slug}/members/{lone.pk}/data/")
    erased = owner_client.post(
        f"/w/{workspace.slug}/members/{lone.pk}/erase/", {"confirmation": "solo"}
    )

    assert page.status_code == 200 and "Rien d&#x27;autre" in page.content.decode()
    assert erased.status_code == 302
    lone.refresh_from_db()
    assert (lone.name, lone.bio, lone.erased_at is not None) == ("", "", True)
    assert owner_client.get(f"/w/{workspace.slug}/members/{lone.pk}/erase/").status_code == 200


def test_an_event_not_attached_yet_is_erased_too(zoe, workspace):
    mail = zoe["events"][2].channel
    late = event(mail, EMAIL.upper(), kind="direct_message", name=NAME, text="Encore moi")

    done = gdpr.erase(zoe["member"])

    late.refresh_from_db()
    assert (late.author_remote_id, late.author_name, late.text) == ("", "", "")
    assert done["events"] == 4
