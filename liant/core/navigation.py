"""The modules of PRODUCT.md, in the order the navigation shows them.

A module that is not built yet points at an honest empty page that says what it will do.
When a module app lands, it sets `url_name` to its own home view.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Module:
    key: str
    label: Promise
    summary: Promise
    permission: str
    url_name: str = ""  # empty: not built yet


MODULES: list[Module] = [
    Module(
        "strategy",
        _("Strategy"),
        _(
            "Objectives tied to KPIs, audiences, content pillars, tones and the target "
            "publishing rhythm per channel."
        ),
        "strategy.view",
        url_name="strategy",
    ),
    Module(
        "publishing",
        _("Publishing"),
        _(
            "Posts with one variant per channel, the editorial calendar, approvals and a "
            "publisher that never posts twice."
        ),
        "posts.view",
        url_name="posts",
    ),
    Module(
        "media",
        _("Media library"),
        _("The images posts use, with their descriptions, and a version made to fit each network."),
        "posts.view",
        url_name="media",
    ),
    Module(
        "inbox",
        _("Inbox"),
        _(
            "Every comment, mention, message and e-mail in one queue, routed to the right "
            "department."
        ),
        "inbox.view",
        url_name="inbox",
    ),
    Module(
        "listening",
        _("Listening"),
        _(
            "What is said about the brand and its competitors, with sentiment, share of voice "
            "and crisis alerts."
        ),
        "listening.view",
        url_name="listening",
    ),
    Module(
        "moderation",
        _("Moderation"),
        _("A published charter turned into rules, and a review queue ordered by risk."),
        "moderation.view",
        url_name="moderation",
    ),
    Module(
        "members",
        _("Members"),
        _("One member across channels, engagement levels, ambassadors and those slipping away."),
        "members.view",
        url_name="members",
    ),
    Module(
        "animation",
        _("Animation"),
        _("Polls, contests with a verifiable draw, quizzes and events."),
        "animation.manage",
        url_name="animation",
    ),
    Module(
        "newsletters",
        _("Newsletters"),
        _("Consent-first lists and campaigns sent through SMTP, never twice."),
        "newsletters.manage",
        url_name="newsletters",
    ),
    Module(
        "leads",
        _("Leads"),
        _("Forms that capture leads and a pipeline handed to sales."),
        "leads.view",
        url_name="leads",
    ),
    Module(
        "feedback",
        _("Feedback"),
        _("Verbatims and an idea box, routed to the departments and reported back."),
        "feedback.manage",
        url_name="feedback",
    ),
    Module(
        "analytics",
        _("Analytics"),
        _("KPIs against the strategy, and the report management reads."),
        "analytics.view",
        url_name="analytics",
    ),
    Module(
        "space",
        _("Community space"),
        _("The brand's own place, hosted by Liant, that feeds every module."),
        "space.manage",
        url_name="space",
    ),
    Module(
        "channels",
        _("Channels"),
        _("The networks and mailboxes connected to this workspace, and their health."),
        "channels.view",
        url_name="channels",
    ),
]

MODULES_BY_KEY = {m.key: m for m in MODULES}


def module_url(module: Module, workspace_slug: str) -> str:
    if module.url_name:
        try:
            return reverse(module.url_name, kwargs={"ws": workspace_slug})
        except NoReverseMatch:
            pass
    return reverse("module_placeholder", kwargs={"ws": workspace_slug, "module": module.key})
