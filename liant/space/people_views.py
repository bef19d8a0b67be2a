"""Public pages about people and what they follow: profiles, one's own settings, reactions,
follows, notifications, search and the unsubscribe link of the digest mails.

As everywhere on the space: an account is looked up within the space of the address (another
space's id answers 404), writing needs an account signed in to this space, and what others
cannot see on a topic page (hidden, deleted, held posts, hidden topics, erased people) is not
shown here either.
"""

from __future__ import annotations

import html
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from liant.channels.sanitize import text_of
from liant.members.engagement import HELPFUL_REPLIES
from liant.members.models import Identity, Level, Member
from liant.space import (
    accounts,
    avatars,
    mentions,
    notifications,
    permissions,
    profile_moderation,
    reactions,
)
from liant.space import search as space_search
from liant.space.forms import ProfileForm, SearchForm
from liant.space.models import Category, Post, Space, SpaceAccount, Topic
from liant.space.public_views import open_space, page, post_url
from liant.text import fold

RECENT = 10
NOTIFICATIONS_PER_PAGE = 30
RESULTS_PER_PAGE = 20


# --- Who is behind an account ---------------------------------------------------------------


def members_of(space: Space, people: list[SpaceAccount]) -> dict[int, Member | None]:
    """Account id → its member (None when erased), read only: nothing is created here.
    Accounts with no identity yet are absent."""
    keys = {p.remote_id: p.pk for p in people if not p.staff}
    found: dict[int, Member | None] = {}
    identities = Identity.objects.filter(
        workspace_id=space.workspace_id, network=accounts.NETWORK, key__in=list(keys)
    ).select_related("member")
    for identity in identities:
        member: Member | None = identity.member
        hops = 0
        while member is not None and member.merged_into_id is not None and hops < 10:
            member = Member.objects.filter(pk=member.merged_into_id).first()
            hops += 1
        found[keys[identity.key]] = None if member is None or member.erased_at else member
    return found


def badges(member: Member | None) -> list[str]:
    if member is None or member.erased_at:
        return []
    found = []
    if member.level != Level.OBSERVER:
        found.append(str(member.get_level_display()))
    if member.helpful_replies >= HELPFUL_REPLIES:
        found.append(_("Helpful"))
    return found


def mark_badges(space: Space, posts: list[Post]) -> None:
    """`post.author_badges` for a topic page: levels from Members, shown next to names."""
    people = {p.author_id: p.author for p in posts}
    members = members_of(space, list(people.values()))
    for post in posts:
        post.author_badges = badges(members.get(post.author_id))  # type: ignore[attr-defined]


def visible_posts(space: Space, account: SpaceAccount | None) -> Any:
    """What `account` may read of the space: visible posts of visible topics in the
    categories open to it (permissions.py), by people not erased."""
    return (
        permissions.posts(space, account)
        .filter(
            hidden=False,
            deleted_at__isnull=True,
            topic__hidden=False,
        )
        .exclude(author__email="", author__staff=False)
    )


def without_held(space: Space, posts: list[Post]) -> list[Post]:
    held = notifications.held_post_ids(space.pk, [p.pk for p in posts])
    return [p for p in posts if p.pk not in held]


# --- Profiles -------------------------------------------------------------------------------


def profile(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    space, account = open_space(request, slug)
    person = get_object_or_404(SpaceAccount, pk=pk, space=space, confirmed_at__isnull=False)
    found = members_of(space, [person])
    member = found.get(person.pk)
    if person.erased or (person.pk in found and member is None):
        raise Http404  # an erased member: nothing about them is shown
    posts = without_held(
        space,
        list(
            visible_posts(space, account)
            .filter(author=person)
            .select_related("topic__category")
            .order_by("-created_at", "-pk")[: RECENT * 2]
        ),
    )[:RECENT]
    topics = (
        permissions.topics(space, account)
        .filter(author=person, hidden=False)
        .select_related("category")
        .order_by("-created_at", "-pk")[:RECENT]
    )
    return page(
        request,
        "space/profile.html",
        space,
        account,
        person=person,
        member=member,
        badges=badges(member),
        # A banned account's words are not shown again through its profile.
        bio=person.bio if not person.banned_at else "",
        posts=posts,
        topics=topics,
    )


def edit_profile(request: HttpRequest, slug: str) -> HttpResponse:
    space, account = open_space(request, slug)
    if account is None:
        return redirect("space_signin", slug=slug)
    shown_name, shown_bio = account.display_name, account.bio
    # A change waiting for a moderator is what its author sees in the form.
    initial = (
        {"display_name": account.pending_name, "bio": account.pending_bio}
        if account.pending_key
        else {}
    )
    form = ProfileForm(
        request.POST or None,
        request.FILES or None,
        instance=account,
        initial=initial,
        can_write=account.can_post,
    )
    if request.method == "POST" and form.is_valid():
        name, bio = form.cleaned_data["display_name"], form.cleaned_data["bio"]
        # The form wrote the typed name and bio into the instance: what is shown changes
        # only through the rules (profile_moderation.py).
        account.display_name, account.bio = shown_name, shown_bio
        form.save()
        if form.picture_data is not None:
            avatars.store(account, form.picture_data)
        elif form.cleaned_data.get("remove_picture"):
            avatars.remove(account)
        outcome = profile_moderation.SAVED
        if account.can_post:
            outcome = profile_moderation.submit(account, name, bio)
        if account.language:
            # The message below is read on the next page, which is in the language just
            # chosen: say it in that language, not the one the form was sent in.
            translation.activate(account.language)
        if outcome == profile_moderation.HELD:
            messages.info(
                request,
                _(
                    "Your profile is saved. Your new name or presentation will be shown once "
                    "a moderator has looked at it; until then the previous one stays."
                ),
            )
        elif outcome == profile_moderation.REFUSED:
            messages.error(
                request,
                _(
                    "Your settings are saved, but the moderation rules refused your new name "
                    "or presentation: the previous one stays."
                ),
            )
        elif outcome == profile_moderation.FAILED:
            messages.error(
                request,
                _(
                    "Your settings are saved, but your new name or presentation could not be "
                    "checked just now: please try again in a moment."
                ),
            )
        else:
            messages.success(request, _("Your profile is saved."))
        return redirect("space_profile", slug=slug, pk=account.pk)
    return page(
        request,
        "space/profile_edit.html",
        space,
        account,
        form=form,
        by_name=mentions.by_name(account.display_name),
    )


# --- Reactions and follows ------------------------------------------------------------------


@require_POST
def react(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    space, account = open_space(request, slug)
    post = get_object_or_404(
        Post.objects.select_related("topic__category__space", "author"),
        pk=pk,
        topic__category__space=space,
        topic__hidden=False,
        hidden=False,
        deleted_at__isnull=True,
    )
    if account is None:
        return redirect("space_signin", slug=slug)
    if closed := permissions.refuse(post.topic.category, account):
        return closed
    if notifications.held_post_ids(space.pk, [post.pk]):
        raise Http404  # a held post is not there for others
    kind = request.POST.get("kind", "")
    try:
        reactions.toggle(account, post, kind)
    except reactions.CannotReact:
        messages.error(request, _("You cannot react to this message."))
    return redirect(post_url(post))


@require_POST
def follow_topic(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    space, account = open_space(request, slug)
    topic = get_object_or_404(
        Topic.objects.select_related("category__space"), pk=pk, category__space=space, hidden=False
    )
    if account is None:
        return redirect("space_signin", slug=slug)
    if closed := permissions.refuse(topic.category, account):
        return closed
    if notifications.follows(account, topic=topic):
        notifications.unfollow(account, topic=topic)
        messages.info(request, _("You no longer follow this topic."))
    elif not account.banned_at:
        notifications.follow(account, topic=topic)
        messages.success(request, _("You follow this topic: replies will be notified."))
    return redirect(topic.get_absolute_url())


@require_POST
def follow_category(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    space, account = open_space(request, slug)
    category = get_object_or_404(Category.objects.select_related("space"), pk=pk, space=space)
    if account is None:
        return redirect("space_signin", slug=slug)
    if closed := permissions.refuse(category, account):
        return closed
    if notifications.follows(account, category=category):
        notifications.unfollow(account, category=category)
        messages.info(request, _("You no longer follow this category."))
    elif not account.banned_at:
        notifications.follow(account, category=category)
        messages.success(request, _("You follow this category: new topics will be notified."))
    return redirect(category.get_absolute_url())


# --- Notifications --------------------------------------------------------------------------


def notification_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The account's notifications; opening the page marks them read (it only changes the
    account's own state, so a GET doing it harms nobody)."""
    space, account = open_space(request, slug)
    if account is None:
        return redirect("space_signin", slug=slug)
    listing = Paginator(notifications.shown(account), NOTIFICATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = notifications.visible(account, list(listing.object_list))
    for row in rows:
        row.text = notifications.describe(row)  # type: ignore[attr-defined]
        row.url = post_url(row.post)  # type: ignore[attr-defined]
    response = page(request, "space/notifications.html", space, account, rows=rows, listing=listing)
    notifications.mark_read(account)
    return response


@csrf_exempt  # the signed token is the proof; mail clients POST it with no page (RFC 8058)
def unsubscribe(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    space, account = open_space(request, slug)
    target = notifications.account_for_unsubscribe(space.pk, token)
    if target is None:
        return page(request, "space/unsubscribe.html", space, account, invalid=True, status=400)
    if request.method == "POST":
        SpaceAccount.objects.filter(pk=target.pk).update(email_notifications="never")
        return page(request, "space/unsubscribe.html", space, account, done=True)
    return page(request, "space/unsubscribe.html", space, account, target=target)


# --- Search ---------------------------------------------------------------------------------


def search(request: HttpRequest, slug: str) -> HttpResponse:
    """Posts with every word typed in them or their topic's title, best first (search.py);
    only what anyone may read on the topic pages."""
    space, account = open_space(request, slug)
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    listing = None
    if fold(query).split():
        rows = space_search.search(space, query, account)
        listing = Paginator(rows, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        for post in listing.object_list:
            post.snippet = html.unescape(text_of(post.body_html))[:300]  # type: ignore[attr-defined]
    return page(
        request,
        "space/search.html",
        space,
        account,
        form=form,
        query=query,
        listing=listing,
    )
