"""Approval by an outside client through a signed, expiring link, and comments on a post.
Every workspace view test also sends the outsider, who gets a 404 and changes nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from liant.core.models import AuditEvent
from liant.publishing import approval
from liant.publishing.models import ApprovalLink, Comment, Post, Variant
from liant.publishing.states import State

pytestmark = pytest.mark.django_db


def url(workspace, path: str = "") -> str:
    return f"/w/{workspace.slug}/publishing/{path}"


@pytest.fixture
def post(workspace, owner, channel) -> Post:
    post = Post.objects.create(workspace=workspace, owner=owner, title="Soldes d'hiver")
    Variant.objects.create(post=post, channel=channel, text="-20 % sur le Guji")
    return post


def make_link(owner_client, workspace, post, **extra) -> str:
    answer = owner_client.post(
        url(workspace, f"{post.pk}/approval-link/"),
        {"name": "Mme Client", "email": "client@example.com", "days": 7, **extra},
        follow=True,
    )
    [address] = set(re.findall(r"/publishing/approve/[^/\s\"<]+/", answer.content.decode()))
    return address


def test_a_client_reads_comments_and_approves_without_an_account(
    owner_client, outsider_client, workspace, post
):
    assert (
        outsider_client.post(
            url(workspace, f"{post.pk}/approval-link/"), {"name": "X", "days": 7}
        ).status_code
        == 404
    )
    assert not ApprovalLink.objects.exists()

    address = make_link(owner_client, workspace, post)
    post.refresh_from_db()
    assert post.state == State.IN_REVIEW  # sending it for approval asks for review

    client = Client()  # no account, no session
    page = client.get(address)
    assert page.status_code == 200
    assert "-20 % sur le Guji" in page.content.decode()

    client.post(address, {"action": "comment", "text": "Ajoutez la date de fin ?"})
    client.post(address, {"action": "approve", "text": "Parfait"})
    post.refresh_from_db()
    assert post.state == State.APPROVED
    assert [c.text for c in post.comments.all()] == ["Ajoutez la date de fin ?", "Parfait"]
    assert all(c.author_name == "Mme Client" and c.author is None for c in post.comments.all())
    last = post.history.last()
    assert last.to_state == State.APPROVED and "Mme Client" in last.note and last.actor is None
    actions = set(AuditEvent.objects.filter(workspace=workspace).values_list("action", flat=True))
    assert {
        "post.approval_link_created",
        "post.commented_by_client",
        "post.approved_by_client",
    } <= actions
    assert ApprovalLink.objects.get().decision == "approve"

    detail = owner_client.get(url(workspace, f"{post.pk}/")).content.decode()
    assert "Ajoutez la date de fin ?" in detail and "approved" in detail


def test_a_client_can_ask_for_changes(
    owner_client,
    workspace,
    post,
    outsider_client,
    owner,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    address = make_link(owner_client, workspace, post)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(address, {"action": "changes", "text": "Le prix est faux"})
    post.refresh_from_db()
    assert post.state == State.DRAFT
    assert AuditEvent.objects.filter(action="post.changes_asked_by_client").exists()
    [mail] = mailoutbox  # the post's owner hears it, in their language
    assert mail.to == [owner.email] and "Mme Client" in mail.subject
    assert "Le prix est faux" in mail.body
    assert outsider_client.get(url(workspace, f"{post.pk}/")).status_code == 404


def test_an_expired_revoked_or_forged_link_shows_nothing(
    owner_client, outsider_client, workspace, post
):
    address = make_link(owner_client, workspace, post)
    link = ApprovalLink.objects.get()
    client = Client()

    ApprovalLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(address).status_code == 404
    assert client.post(address, {"action": "approve"}).status_code == 404
    ApprovalLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() + timedelta(days=1))
    assert client.get(address).status_code == 200

    assert (
        outsider_client.post(url(workspace, f"approval-links/{link.pk}/revoke/")).status_code == 404
    )
    assert client.get(address).status_code == 200
    owner_client.post(url(workspace, f"approval-links/{link.pk}/revoke/"))
    assert client.get(address).status_code == 404
    assert AuditEvent.objects.filter(action="post.approval_link_revoked").exists()

    forged = f"/publishing/approve/{signing.Signer().sign_object(link.pk)}/"  # no salt
    assert client.get(forged).status_code == 404
    dated = f"/publishing/approve/{signing.dumps(link.pk, salt=approval.SALT)}/"  # other shape
    assert client.get(dated).status_code == 404  # not a 500
    assert client.get(address[:-3] + "x/").status_code == 404
    post.refresh_from_db()
    assert post.state == State.IN_REVIEW


def test_a_link_cannot_approve_a_post_that_moved_on(owner_client, workspace, post, outsider_client):
    address = make_link(owner_client, workspace, post)
    Post.objects.filter(pk=post.pk).update(state=State.DRAFT)  # the team took it back
    Client().post(address, {"action": "approve"})
    post.refresh_from_db()
    assert post.state == State.DRAFT
    assert not AuditEvent.objects.filter(action="post.approved_by_client").exists()
    assert (
        outsider_client.post(url(workspace, f"{post.pk}/move/"), {"to": "approved"}).status_code
        == 404
    )


def test_teammates_comment_on_the_post_page(owner_client, outsider_client, workspace, post, owner):
    owner_client.post(url(workspace, f"{post.pk}/comment/"), {"text": "Relu, OK pour moi"})
    assert (
        outsider_client.post(url(workspace, f"{post.pk}/comment/"), {"text": "spam"}).status_code
        == 404
    )
    assert [(c.author, c.text) for c in Comment.objects.all()] == [(owner, "Relu, OK pour moi")]
    assert outsider_client.get(url(workspace, f"{post.pk}/")).status_code == 404


def test_the_link_is_signed_with_its_own_salt(workspace, post):
    link = ApprovalLink.objects.create(
        post=post, name="A", expires_at=timezone.now() + timedelta(days=1)
    )
    signed = approval.link_path(link).split("/")[-2]
    assert signing.Signer(salt=approval.SALT).unsign_object(signed) == link.pk
    with pytest.raises(signing.BadSignature):
        signing.Signer().unsign_object(signed)
    assert approval.link_path(link) == approval.link_path(link)  # the same address each time


# --- Images of the post, shown to the client --------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24


def image(variant: Variant, data: bytes = PNG, content_type: str = "image/png", alt: str = ""):
    from django.core.files.base import ContentFile

    from liant.publishing.models import VariantMedia

    return VariantMedia.objects.create(
        variant=variant,
        file=ContentFile(data, name="photo.png"),
        content_type=content_type,
        size=len(data),
        alt_text=alt,
    )


def test_the_client_sees_each_image_with_its_description(owner_client, workspace, post):
    described = image(post.variants.get(), alt="La salle, vue du comptoir")
    bare = image(post.variants.get())
    address = make_link(owner_client, workspace, post)
    client = Client()
    page = client.get(address).content.decode()
    src = f"{address}media/{described.pk}"
    assert f'<img src="{src}" alt="La salle, vue du comptoir"' in page
    assert f'<img src="{address}media/{bare.pk}" alt="Image without a description"' in page
    assert "This image has no description" in page  # the client can ask for one

    picture = client.get(src)
    assert picture.status_code == 200 and picture["Content-Type"] == "image/png"
    assert picture.content == PNG
    assert picture["X-Content-Type-Options"] == "nosniff"


def test_only_this_posts_images_and_only_while_the_link_works(
    owner_client, workspace, other_workspace, post, channel
):
    address = make_link(owner_client, workspace, post)
    mine = image(post.variants.get())
    other_post = Post.objects.create(workspace=workspace, title="Autre")
    elsewhere = image(Variant.objects.create(post=other_post, channel=channel, text="x"))
    client = Client()
    assert client.get(f"{address}media/{elsewhere.pk}").status_code == 404
    forged = address.replace("/approve/", "/approve/x")
    assert client.get(f"{forged}media/{mine.pk}").status_code == 404
    ApprovalLink.objects.update(revoked_at=timezone.now())
    assert client.get(f"{address}media/{mine.pk}").status_code == 404


def test_a_file_that_is_not_a_picture_is_never_served_as_one(owner_client, workspace, post):
    address = make_link(owner_client, workspace, post)
    svg = image(post.variants.get(), b"<svg onload=alert(1)>", "image/svg+xml")
    lying = image(post.variants.get(), b"<script>alert(1)</script>", "image/png")
    client = Client()
    page = client.get(address).content.decode()
    assert f"media/{svg.pk}" not in page  # named, not shown
    assert client.get(f"{address}media/{svg.pk}").status_code == 404
    assert client.get(f"{address}media/{lying.pk}").status_code == 404
