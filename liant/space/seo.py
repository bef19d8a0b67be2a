"""What search engines and link previews read: a description, a canonical address,
OpenGraph and Twitter card tags on the home, category, topic and profile pages (the image is
the space's logo, the member's picture on a profile that has one); a sitemap of
the public categories and topics; and the space's robots.txt pointing to it.

Descriptions are plain text taken from HTML already sanitized (nh3, on save), unescaped, with
the whitespace folded and cut at 160 characters; templates escape them again as attributes.
A topic whose opening post is hidden, deleted or held gives no description: what a visitor
cannot read is not put in a preview either.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import Truncator

from liant.channels.sanitize import text_of
from liant.space import avatars
from liant.space.feeds import held_openings, public_categories, public_topics
from liant.space.markup import render as render_markdown
from liant.space.models import Category, Post, Space, SpaceAccount, Topic
from liant.space.theme import logo_version

DESCRIPTION_LENGTH = 160
SITEMAP_TOPICS = 49_000  # a sitemap file holds 50,000 addresses at most


def absolute(path: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + path


def plain(sanitized_html: str, length: int = DESCRIPTION_LENGTH) -> str:
    text = " ".join(html.unescape(text_of(sanitized_html)).split())
    return Truncator(text).chars(length)


@dataclass
class Meta:
    title: str
    description: str
    canonical: str
    kind: str = "website"  # og:type
    image: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def logo_url(space: Space) -> str:
    if not space.logo:
        return ""
    path = reverse("space_logo", kwargs={"slug": space.slug})
    return absolute(f"{path}?v={logo_version(space)}")


def avatar_url(space: Space, person: SpaceAccount) -> str:
    """The member's picture, where the avatar view serves it to anyone (not for the banned,
    the erased, the brand, nor an address not confirmed: the view answers 404 to those)."""
    if not avatars.shown(person) or person.confirmed_at is None:
        return ""
    path = reverse("space_avatar", kwargs={"slug": space.slug, "pk": person.pk})
    return absolute(f"{path}?v={avatars.version(person)}")


def home_meta(space: Space) -> Meta:
    return Meta(
        title=space.title,
        description=plain(render_markdown(space.welcome())),
        canonical=absolute(space.get_absolute_url()),
        image=logo_url(space),
    )


def category_meta(space: Space, category: Category) -> Meta:
    return Meta(
        title=f"{category.name} · {space.title}",
        description=Truncator(" ".join(category.description.split())).chars(DESCRIPTION_LENGTH),
        canonical=absolute(category.get_absolute_url()),
        image=logo_url(space),
    )


def topic_meta(
    space: Space, topic: Topic, page_number: int = 1, shown: list[Post] | None = None
) -> Meta:
    """`shown`: the posts of the page, when it is the first one — its opening post is there,
    already marked held or not (mark_held), so no query is needed for it."""
    if shown and shown[0].topic_id == topic.pk and hasattr(shown[0], "held"):
        first: Post | None = shown[0]
        held = bool(first.held)  # type: ignore[union-attr]
    else:
        first = Post.objects.filter(topic=topic).select_related("author").order_by("pk").first()
        held = topic.pk in held_openings(space)
    description = ""
    if first is not None and first.visible and not first.author.erased and not held:
        description = plain(first.body_html)
    canonical = absolute(topic.get_absolute_url())
    if page_number > 1:
        canonical += f"?page={page_number}"
    return Meta(
        title=topic.title,
        description=description,
        canonical=canonical,
        kind="article",
        image=logo_url(space),
        extra={"article:published_time": topic.created_at.isoformat()},
    )


def profile_meta(space: Space, person: SpaceAccount, bio: str) -> Meta:
    return Meta(
        title=f"{person.display_name} · {space.title}",
        description=Truncator(" ".join(bio.split())).chars(DESCRIPTION_LENGTH),
        canonical=absolute(person.get_absolute_url()),
        kind="profile",
        image=avatar_url(space, person) or logo_url(space),
    )


def meta_for(context: Any) -> Meta | None:
    """The tags of the page being rendered, from the context its view already built."""
    request = context.get("request")
    space = context.get("space")
    match = getattr(request, "resolver_match", None)
    if space is None or match is None:
        return None
    name = match.url_name
    if name == "space_home":
        return home_meta(space)
    if name == "space_category" and context.get("category") is not None:
        return category_meta(space, context["category"])
    if name == "space_topic" and context.get("topic") is not None:
        listing = context.get("listing")
        number = getattr(listing, "number", 1) or 1
        shown = list(context.get("posts") or []) if number == 1 else None
        return topic_meta(space, context["topic"], number, shown)
    if name == "space_profile" and context.get("person") is not None:
        return profile_meta(space, context["person"], context.get("bio") or "")
    return None


# --- sitemap.xml and robots.txt -------------------------------------------------------------


def open_space_or_404(slug: str) -> Space:
    from django.shortcuts import get_object_or_404  # noqa: PLC0415

    return get_object_or_404(
        Space.objects.select_related("workspace"), workspace__slug=slug, enabled=True
    )


def sitemap(request: HttpRequest, slug: str) -> HttpResponse:
    """The home, the public categories and their public topics, each with its last activity."""
    space = open_space_or_404(slug)
    topics = list(
        public_topics(space)
        .order_by("-last_activity_at", "-pk")
        .values_list("pk", "last_activity_at")[:SITEMAP_TOPICS]
    )
    latest = dict(
        Topic.objects.filter(category__in=public_categories(space), hidden=False)
        .values("category_id")
        .annotate(last=Max("last_activity_at"))
        .values_list("category_id", "last")
    )
    categories = list(public_categories(space))
    home_last = max(latest.values(), default=space.created_at)
    rows = [(absolute(space.get_absolute_url()), home_last)]
    rows += [
        (absolute(c.get_absolute_url()), latest.get(c.pk, space.created_at)) for c in categories
    ]
    rows += [
        (absolute(reverse("space_topic", kwargs={"slug": space.slug, "pk": pk})), last)
        for pk, last in topics
    ]
    return render(
        request,
        "space/sitemap.xml",
        {"rows": rows},
        content_type="application/xml; charset=utf-8",
    )


def robots(request: HttpRequest, slug: str) -> HttpResponse:
    """The space's own robots.txt: its reading pages may be indexed, its forms not. (At the
    root of a host name of its own, a reverse proxy serves this file as /robots.txt.)"""
    space = open_space_or_404(slug)
    base = space.get_absolute_url()
    lines = [
        "User-agent: *",
        f"Allow: {base}",
        *(
            f"Disallow: {base}{rest}"
            for rest in (
                "join/",
                "signin/",
                "signout/",
                "me/",
                "notifications/",
                "search/",
                "unsubscribe/",
            )
        ),
        f"Sitemap: {absolute(reverse('space_sitemap', kwargs={'slug': space.slug}))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
