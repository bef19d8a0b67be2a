"""`{% space_head %}`: what every public page of a space puts in its <head> — the theme's CSS
custom properties, the feeds' <link rel="alternate">, and on the home, category, topic and
profile pages the description, canonical address, OpenGraph and Twitter card tags."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from liant.space import seo
from liant.space.models import Category, Space
from liant.space.theme import logo_version, theme_of

register = template.Library()


@register.inclusion_tag("space/_head.html", takes_context=True)
def space_head(context: Any) -> dict[str, Any]:
    space = context.get("space")
    if space is None:
        return {}
    category = context.get("category")
    feed_category = (
        category
        if isinstance(category, Category) and category.kind == Category.Kind.FORUM
        else None
    )
    return {
        "space": space,
        "theme": theme_of(space),
        "feed_category": feed_category,
        "meta": seo.meta_for(context),
    }


@register.simple_tag
def space_logo_src(space: Space) -> str:
    """The logo's address with its version, so a new logo shows at once despite caching."""
    path = reverse("space_logo", kwargs={"slug": space.slug})
    return f"{path}?v={logo_version(space)}"
