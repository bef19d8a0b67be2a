"""Atom feeds of a space's new topics, one for the whole space and one per category.

A feed is read by anyone, signed in or not, often through a reader that fetches it for many
people: it holds only what an anonymous visitor can read on the pages — topics of forum
categories (a chat room is no topic list) whose opening post is visible (not hidden, not
deleted, not held for a moderator, not by an erased member). Each entry's content is the
opening post's `body_html`, the HTML nh3 cleaned on save, as the topic page shows it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from liant.space import permissions
from liant.space.connector import first_posts
from liant.space.models import Category, Post, Space, Topic
from liant.space.notifications import held_post_ids_all

ENTRIES = 30


def public_categories(space: Space) -> QuerySet[Category]:
    """The categories whose topics anyone may read and list (feeds, sitemap): the forum
    categories open to a visitor who is not signed in (permissions.py leaves out members-only
    and invited-group ones)."""
    return permissions.categories(space, None).filter(kind=Category.Kind.FORUM)


def held_openings(space: Space) -> set[int]:
    """Topics whose opening post a rule holds for a moderator (read from the queue, short)."""
    held = held_post_ids_all(space.pk)
    if not held:
        return set()
    pairs = list(Post.objects.filter(pk__in=held).values_list("pk", "topic_id"))
    firsts = first_posts({topic_id for _pk, topic_id in pairs})
    return {topic_id for pk, topic_id in pairs if firsts.get(topic_id) == pk}


def public_topics(space: Space, category: Category | None = None) -> QuerySet[Topic]:
    """Topics an anonymous visitor can open, in the categories anyone may read."""
    rows = Topic.objects.filter(
        category__in=public_categories(space), hidden=False, category__space=space
    )
    if category is not None:
        rows = rows.filter(category=category)
    return rows.exclude(pk__in=held_openings(space))


def newest_entries(space: Space, category: Category | None = None) -> list[Post]:
    """The opening posts of the newest public topics, their topic and author loaded."""
    topics = list(public_topics(space, category).order_by("-created_at", "-pk")[: ENTRIES * 2])
    firsts = first_posts({t.pk for t in topics})
    posts = {
        p.pk: p
        for p in Post.objects.filter(pk__in=firsts.values(), hidden=False, deleted_at__isnull=True)
        .exclude(author__email="", author__staff=False)  # an erased member's words
        .select_related("author", "topic__category")
    }
    ordered = [posts[firsts[t.pk]] for t in topics if firsts.get(t.pk) in posts]
    return ordered[:ENTRIES]


class SpaceFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, slug: str, pk: int | None = None) -> Any:
        space = (
            Space.objects.select_related("workspace")
            .filter(workspace__slug=slug, enabled=True)
            .first()
        )
        if space is None:
            raise Http404
        category = None
        if pk is not None:
            category = public_categories(space).filter(pk=pk).first()
            if category is None:
                raise Http404
        return space, category

    def title(self, obj: Any) -> str:
        space, category = obj
        return f"{category.name} · {space.title}" if category else space.title

    def subtitle(self, obj: Any) -> str:
        space, category = obj
        if category is not None:
            return _("New topics in %(category)s") % {"category": category.name}
        return _("New topics in %(space)s") % {"space": space.title}

    def link(self, obj: Any) -> str:
        space, category = obj
        return category.get_absolute_url() if category else space.get_absolute_url()

    def items(self, obj: Any) -> list[Post]:
        space, category = obj
        return newest_entries(space, category)

    def item_title(self, item: Post) -> str:
        return item.topic.title

    def item_description(self, item: Post) -> str:
        return item.body_html  # sanitized by nh3 when the post was saved

    def item_link(self, item: Post) -> str:
        return item.topic.get_absolute_url()

    def item_pubdate(self, item: Post) -> Any:
        return item.topic.created_at

    def item_updateddate(self, item: Post) -> Any:
        return item.topic.last_activity_at

    def item_author_name(self, item: Post) -> str:
        return item.author.display_name

    def item_categories(self, item: Post) -> list[str]:
        return [item.topic.category.name]


space_feed = SpaceFeed()
