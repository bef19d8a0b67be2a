"""`{% avatar space person size %}`: a member's picture where their name is shown.

Without a picture (or when it may not be shown: erased, banned, the brand) the profile page
keeps its initials (`initials=True`); next to names in lists there was no placeholder, so
nothing is added there. Next to a name the picture's alt is empty, as the name that follows
already says who it is (a screen reader would read it twice); on the profile it is said."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from liant.space import avatars
from liant.space.models import Space, SpaceAccount

register = template.Library()


@register.simple_tag
def avatar(
    space: Space, person: SpaceAccount, size: int = 32, initials: bool = False
) -> SafeString:
    if person is None:
        return SafeString("")
    if avatars.shown(person):
        src = reverse("space_avatar", kwargs={"slug": space.slug, "pk": person.pk})
        return format_html(
            '<img class="avatar" src="{}?v={}" width="{}" height="{}" alt="{}" loading="lazy" '
            'decoding="async">',
            src,
            avatars.version(person),
            size,
            size,
            _("Picture of %(name)s") % {"name": person.display_name} if initials else "",
        )
    if not initials:
        return SafeString("")
    return format_html('<span class="avatar" aria-hidden="true">{}</span>', person.initials)
