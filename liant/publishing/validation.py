"""Checking a variant against its network's declared rules, without calling the network."""

from __future__ import annotations

from dataclasses import dataclass

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from liant.channels.models import Channel
from liant.connectors import registry
from liant.connectors.base import Capability, Rules


def text_with_link(text: str, link: str) -> str:
    """What the network receives: the link goes at the end of the text unless it is in it.

    Done here for every network, because not every connector shows `Draft.link` (Matrix and
    Bluesky ignore it), and so the count below is the count of what is really sent."""
    text = text.strip()
    if link and link not in text:
        return f"{text}\n\n{link}".strip()
    return text


def rules_of(channel: Channel) -> Rules:
    return registry.connector_class(channel.kind).rules


def can_publish(channel: Channel) -> bool:
    try:
        return Capability.PUBLISH in registry.connector_class(channel.kind).capabilities
    except LookupError:
        return False


@dataclass
class Check:
    remaining: int | None  # None: the network sets no limit
    problems: list[str]
    empty: bool = False  # nothing typed yet: the counter says nothing is wrong so far

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def over(self) -> bool:
        return self.remaining is not None and self.remaining < 0

    @property
    def summary(self) -> str:
        if self.remaining is None:
            return _("No length limit")
        if self.remaining >= 0:
            return ngettext(
                "%(count)d character left", "%(count)d characters left", self.remaining
            ) % {"count": self.remaining}
        over = -self.remaining
        return ngettext("%(count)d character too many", "%(count)d characters too many", over) % {
            "count": over
        }


THREAD_SEPARATOR = "---"


def split_thread(text: str) -> list[str]:
    """Follow-up posts as typed in the composer: separated by a line holding only ---."""
    parts: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.strip() == THREAD_SEPARATOR:
            parts.append("\n".join(current).strip())
            current = []
        else:
            current.append(line)
    parts.append("\n".join(current).strip())
    return [part for part in parts if part]


def media_problems(channel: Channel, rules: Rules, media: list[tuple[str, int]]) -> list[str]:
    """The network's media rules in the reader's words (Rules.check speaks English only)."""
    problems = []
    network = channel.kind_label
    if len(media) > rules.max_media:
        problems.append(
            ngettext(
                "%(network)s takes at most %(count)d image or video.",
                "%(network)s takes at most %(count)d images or videos.",
                rules.max_media,
            )
            % {"network": network, "count": rules.max_media}
        )
    for content_type, size in media:
        if rules.media_types and content_type not in rules.media_types:
            problems.append(
                _("%(network)s does not accept %(type)s files.")
                % {"network": network, "type": content_type}
            )
            continue
        video = content_type.startswith("video/")
        limit = rules.max_video_bytes if video else rules.max_image_bytes
        if limit is not None and size > limit:
            problems.append(
                _("%(network)s takes files of %(limit)s at most; this one is %(size)s.")
                % {
                    "network": network,
                    "limit": filesizeformat(limit),
                    "size": filesizeformat(size),
                }
            )
    return problems


def join_thread(parts: list[str]) -> str:
    return f"\n{THREAD_SEPARATOR}\n".join(parts)


def check_variant(
    channel: Channel,
    text: str,
    link: str = "",
    content_warning: str = "",
    thread: list[str] | None = None,
    media: list[tuple[str, int]] | None = None,
) -> Check:
    rules = rules_of(channel)
    full = text_with_link(text, link)
    remaining = rules.remaining(full)
    problems = []
    media = media or []
    if not full and not media:
        problems.append(_("Write something to publish."))
    problems += media_problems(channel, rules, media)
    if remaining is not None and remaining < 0:
        problems.append(
            _("Too long for %(network)s: %(count)d characters at most, counted its way.")
            % {"network": channel.kind_label, "count": rules.max_length}
        )
    if content_warning and not rules.content_warning:
        problems.append(
            _("%(network)s has no content warning; remove it or write it in the text.")
            % {"network": channel.kind_label}
        )
    thread = thread or []
    if thread and not rules.threads:
        problems.append(
            _("%(network)s cannot publish follow-up posts.") % {"network": channel.kind_label}
        )
    for number, part in enumerate(thread, start=2):
        left = rules.remaining(part)
        if left is not None and left < 0:
            problems.append(
                _("Part %(number)d of the thread is %(count)d characters too long.")
                % {"number": number, "count": -left}
            )
    return Check(remaining, problems, empty=not full and not thread)
