"""Optional link shortening at publishing time, through a pluggable service.

A workspace picks a shortener in its publishing settings (none by default). The publisher asks
it for the short form of a variant's outgoing link (after UTM tagging) and sends that instead,
in the text and as the link. A shortener must be idempotent per variant: a publish tried
again after a crash must send the same short link, or the network's copy and ours would
disagree.

One service ships: Liant's own short links, answered by Liant at /s/<code>, so it works
offline and counts clicks in the workspace's own database. Another service is a class with
`shorten(link, variant) -> str` added to SHORTENERS.
"""

from __future__ import annotations

import secrets
import string
from typing import ClassVar, Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from liant.channels.sanitize import clean_url
from liant.publishing.models import PublishingSettings, ShortLink, Variant

# 62^8 ≈ 2·10^14 codes: guessing one that exists is hopeless, and a guess only finds a link
# that was published anyway.
CODE_ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 8


class Shortener(Protocol):
    label: ClassVar[str | Promise]

    def shorten(self, link: str, variant: Variant) -> str:
        """The short form of `link` as published by `variant`; the same on every call."""
        ...


class LiantShortener:
    """Short links answered by this Liant installation (its LIANT_SITE_URL)."""

    label: ClassVar[str | Promise] = _("Liant's own short links (/s/…), with click counts")

    def shorten(self, link: str, variant: Variant) -> str:
        if not clean_url(link):
            return link  # only http(s) links are ever redirected to
        return absolute(self.short_link(link, variant))

    def short_link(self, link: str, variant: Variant) -> ShortLink:
        # The first short link made for the variant is kept, whatever the link became since
        # (settings changed between two attempts): the network may already show that one.
        found = ShortLink.objects.filter(variant=variant).first()
        if found is not None:
            return found
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    return ShortLink.objects.create(
                        workspace_id=variant.post.workspace_id,
                        variant=variant,
                        code=new_code(),
                        target_url=link,
                    )
            except IntegrityError:
                # Either the code was taken (draw again) or the variant got its link from
                # another call meanwhile (use that one).
                found = ShortLink.objects.filter(variant=variant).first()
                if found is not None:
                    return found
        raise RuntimeError("no free short code after 5 draws")


# name → (dotted path of the class); the name is what PublishingSettings.link_shortener stores.
SHORTENERS: dict[str, str] = {
    "liant": "liant.publishing.shortener.LiantShortener",
}


def choices() -> list[tuple[str, str]]:
    return [("", str(_("Do not shorten links")))] + [
        (name, str(import_string(path).label)) for name, path in SHORTENERS.items()
    ]


def shortener_of(publishing: PublishingSettings) -> Shortener | None:
    path = SHORTENERS.get(publishing.link_shortener)
    if path is None:  # none chosen, or a service removed from this installation
        return None
    shortener: Shortener = import_string(path)()
    return shortener


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def absolute(link: ShortLink) -> str:
    return settings.SITE_URL + reverse("short_link", kwargs={"code": link.code})


def count_click(link: ShortLink) -> None:
    """One visit more; counted by the database, so two visits at once both count."""
    ShortLink.objects.filter(pk=link.pk).update(
        clicks=F("clicks") + 1, last_clicked_at=timezone.now()
    )
