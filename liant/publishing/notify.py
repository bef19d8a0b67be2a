"""Telling people when a post did not go out (nothing is missed silently), and when a client
decided on a post through an approval link."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from liant.core.models import Membership, User
from liant.core.permissions import Role
from liant.publishing.models import ApprovalLink, Post, Variant
from liant.publishing.states import State

log = logging.getLogger(__name__)


def people_to_tell(variant: Variant) -> set[User]:
    return people_of(variant.post)


def people_of(post: Post) -> set[User]:
    """The post's owner; when it has none (or they left), the workspace's owners and admins."""
    members = Membership.objects.filter(workspace_id=post.workspace_id, user__is_active=True)
    if post.owner_id and members.filter(user_id=post.owner_id).exists():
        assert post.owner is not None
        return {post.owner}
    return {
        m.user for m in members.filter(role__in=[Role.OWNER, Role.ADMIN]).select_related("user")
    }


def tell_not_published(variant_id: int) -> None:
    """Sent after the change is committed; a mail server that is down must not undo it."""
    variant = (
        Variant.objects.select_related("post", "post__workspace", "post__owner", "channel")
        .filter(pk=variant_id)
        .first()
    )
    if variant is None or variant.state not in (State.FAILED, State.UNCONFIRMED, State.HELD):
        return
    workspace = variant.post.workspace
    link = settings.SITE_URL + reverse(
        "post_detail", kwargs={"ws": workspace.slug, "pk": variant.post_id}
    )
    for person in people_to_tell(variant):
        with translation.override(person.language or workspace.language):
            subjects = {
                State.FAILED: _("Not published on %(channel)s: %(post)s"),
                State.UNCONFIRMED: _("To check on %(channel)s: %(post)s"),
                State.HELD: _("Held, too late for %(channel)s: %(post)s"),
            }
            names = {"channel": variant.channel.name, "post": str(variant.post)[:60]}
            body = _(
                "%(state)s: %(reason)s\n\nSee the post, publish it again or cancel it:\n%(link)s"
            ) % {
                "state": State(variant.state).label,
                "reason": variant.last_error_display,
                "link": link,
            }
            try:
                send_mail(subjects[State(variant.state)] % names, body, None, [person.email])
            except Exception:  # the variant's page still says it; the log says why no mail
                log.exception("could not tell %s about variant %s", person.email, variant_id)


def tell_client_decision(link_id: int) -> None:
    """After commit, like the above: the people of the post learn what the client said."""
    link = (
        ApprovalLink.objects.select_related("post", "post__workspace", "post__owner")
        .filter(pk=link_id)
        .first()
    )
    if link is None or not link.decision:
        return
    post, workspace = link.post, link.post.workspace
    address = settings.SITE_URL + reverse(
        "post_detail", kwargs={"ws": workspace.slug, "pk": post.pk}
    )
    last = post.comments.filter(link=link).order_by("-created_at", "-id").first()
    for person in people_of(post):
        with translation.override(person.language or workspace.language):
            names = {"client": link.name, "post": str(post)[:60]}
            subject = (
                _("%(client)s approved: %(post)s")
                if link.decision == "approve"
                else _("%(client)s asks for changes: %(post)s")
            ) % names
            body = _("Their comment: %(comment)s\n\nSee the post:\n%(link)s") % {
                "comment": last.text if last else "—",
                "link": address,
            }
            try:
                send_mail(subject, body, None, [person.email])
            except Exception:  # the post's page and history still say it
                log.exception("could not tell %s about approval link %s", person.email, link_id)
