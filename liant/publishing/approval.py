"""Approval by an outside client through a magic link, and comments on a post.

The link is a signed value (django.core.signing, its own salt) naming an ApprovalLink row; the
row says until when it works, whether it was revoked and what was decided. A client can read
the post, comment, approve it or ask for changes; every step is in the audit log and the
post's history names the client, since there is no account to name.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from liant.core import audit
from liant.core.access import WorkspaceRequest, workspace_view
from liant.publishing import notify
from liant.publishing.forms import sniff_image
from liant.publishing.models import ApprovalLink, Comment, Post, VariantMedia, move
from liant.publishing.states import State

SALT = "liant.publishing.approval-link"
MAX_DAYS = 30
# Shown to the client as pictures: the raster types the composer accepts (it reads them from
# the bytes). Never SVG, which can carry script and would run on Liant's own address.
PREVIEWED = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


class LinkForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Client's name"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("Client's e-mail"), required=False)
    days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"), min_value=1, max_value=MAX_DAYS, initial=7
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


def link_path(link: ApprovalLink) -> str:
    # Not timestamped: the same address every time it is shown; the row says until when.
    signed = signing.Signer(salt=SALT).sign_object(link.pk)
    return reverse("approval_page", kwargs={"signed": signed})


def link_of(signed: str) -> ApprovalLink:
    """The link a signed value names, if it still works; else a 404 (nothing to tell apart
    a forged address from an expired one, for someone who has neither)."""
    try:
        pk = signing.Signer(salt=SALT).unsign_object(signed)
    except (signing.BadSignature, ValueError):
        raise Http404 from None
    link = (
        ApprovalLink.objects.select_related("post__workspace").filter(pk=pk).first()
        if isinstance(pk, int)
        else None
    )
    if link is None or not link.usable():
        raise Http404
    return link


# --- Inside the workspace --------------------------------------------------------------------


@workspace_view("posts.write")
@require_POST
def create_link(request: WorkspaceRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(Post, pk=pk, workspace=request.workspace)
    form = LinkForm(request.POST)
    if not form.is_valid() or post.state not in (State.DRAFT, State.IN_REVIEW):
        messages.error(request, _("Only a draft or a post in review can be sent for approval."))
        return redirect("post_detail", ws=request.workspace.slug, pk=post.pk)
    with transaction.atomic():
        if post.state == State.DRAFT:
            move(post, State.IN_REVIEW, actor=request.user)
        link = ApprovalLink.objects.create(
            post=post,
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            created_by=request.user,
            expires_at=timezone.now() + timedelta(days=form.cleaned_data["days"]),
        )
        audit.record(
            request,
            "post.approval_link_created",
            target=post,
            client=link.name,
            expires_at=link.expires_at.isoformat(),
        )
    messages.success(
        request,
        _("Send this address to %(name)s: %(url)s")
        % {"name": link.name, "url": settings.SITE_URL + link_path(link)},
    )
    return redirect("post_detail", ws=request.workspace.slug, pk=post.pk)


@workspace_view("posts.write")
@require_POST
def revoke_link(request: WorkspaceRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(ApprovalLink, pk=pk, post__workspace=request.workspace)
    ApprovalLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    audit.record(request, "post.approval_link_revoked", target=link.post, client=link.name)
    messages.success(request, _("The link no longer works."))
    return redirect("post_detail", ws=request.workspace.slug, pk=link.post_id)


@workspace_view("posts.view")
@require_POST
def add_comment(request: WorkspaceRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(Post, pk=pk, workspace=request.workspace)
    form = CommentForm(request.POST)
    if form.is_valid():
        Comment.objects.create(
            post=post,
            author=request.user,
            author_name=str(request.user),
            text=form.cleaned_data["text"],
        )
        audit.record(request, "post.commented", target=post)
    return redirect("post_detail", ws=request.workspace.slug, pk=post.pk)


def links_of(post: Post) -> list[dict[str, Any]]:
    return [
        {"link": link, "path": link_path(link), "usable": link.usable()}
        for link in post.approval_links.select_related("created_by")
    ]


# --- Outside: the client, without an account ------------------------------------------------


def approval_page(request: HttpRequest, signed: str) -> HttpResponse:
    link = link_of(signed)
    post = link.post
    workspace = post.workspace
    if request.method == "POST":
        return client_action(request, link, signed)
    with timezone.override(workspace.timezone):
        return render(
            request,
            "publishing/approval.html",
            {
                "link": link,
                "signed": signed,
                "previewed": PREVIEWED,
                "post": post,
                "variants": post.variants.select_related("channel").prefetch_related("media"),
                "comments": post.comments.all(),
                "form": CommentForm(),
                "can_decide": post.state == State.IN_REVIEW,
                "zone": workspace.timezone,
            },
        )


@require_GET
def approval_media(request: HttpRequest, signed: str, pk: int) -> HttpResponse:
    """An image of the post, for the holder of a working approval link (the files are not
    served publicly). Only this post's images, only raster types whose bytes say the same."""
    link = link_of(signed)
    item = VariantMedia.objects.filter(pk=pk, variant__post_id=link.post_id).first()
    if item is None or item.content_type not in PREVIEWED:
        raise Http404
    try:
        data = item.read()
    except OSError:  # the file is gone from the storage
        raise Http404 from None
    if sniff_image(data[:16]) != item.content_type:
        raise Http404
    response = HttpResponse(data, content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cache-Control"] = "private, max-age=300"  # the link may be revoked any time
    return response


def client_action(request: HttpRequest, link: ApprovalLink, signed: str) -> HttpResponse:
    post = link.post
    action = request.POST.get("action", "comment")
    form = CommentForm(request.POST)
    text = form.cleaned_data["text"] if form.is_valid() else ""
    back = redirect("approval_page", signed=signed)
    if action == "comment" and not text:
        messages.error(request, _("Write a comment first."))
        return back
    if action not in ("comment", "approve", "changes"):
        raise Http404
    with transaction.atomic():
        if text:
            Comment.objects.create(post=post, link=link, author_name=link.name, text=text)
        if action == "comment":
            audit.record(
                None,
                "post.commented_by_client",
                workspace=post.workspace,
                target=post,
                client=link.name,
            )
            messages.success(request, _("Thank you, your comment is saved."))
            return back
        to = State.APPROVED if action == "approve" else State.DRAFT
        with translation.override(post.workspace.language):  # read by the workspace's people
            note = (
                _("Approved by %(name)s (client, through an approval link).")
                if to == State.APPROVED
                else _("Changes asked by %(name)s (client, through an approval link).")
            ) % {"name": link.name}
        if post.state != State.IN_REVIEW or not move(post, to, note=note):
            messages.error(request, _("This post is no longer waiting for approval."))
            return back
        ApprovalLink.objects.filter(pk=link.pk).update(decision=action, decided_at=timezone.now())
        link_id = link.pk
        transaction.on_commit(lambda: notify.tell_client_decision(link_id))
        audit.record(
            None,
            "post.approved_by_client" if to == State.APPROVED else "post.changes_asked_by_client",
            workspace=post.workspace,
            target=post,
            client=link.name,
            link=link.pk,
        )
    messages.success(
        request,
        _("Thank you: the post is approved.")
        if to == State.APPROVED
        else _("Thank you: the team will make the changes."),
    )
    return back
