"""The community manager's message to new members (Markdown, in the space's settings), shown
once: on the first page a member opens after confirming the address (the sign-in link leads
to the home page, so that is where it is read). Not in the confirmation e-mail: that mail is
also the sign-in link, and a long message there hides the one thing to do.

"Once" is stored on the account (`welcomed_at`), claimed with a conditional update, so two
tabs or two devices never show it twice. An account that joined before any message was
written is welcomed (with nothing to show) on its first visit all the same: a message written
later is for the members who join after it.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from liant.space.markup import render
from liant.space.models import Space, SpaceAccount


def message(space: Space, language: str | None = None) -> str:
    """The message as written, in the reader's language, else in the other one."""
    language = (language or get_language() or "fr")[:2]
    fr, en = space.member_welcome_fr.strip(), space.member_welcome_en.strip()
    return (en or fr) if language == "en" else (fr or en)


def pending(account: SpaceAccount | None) -> SafeString | None:
    """The message, rendered and sanitized, if this account has not been welcomed yet."""
    if account is None or account.confirmed_at is None or account.welcomed_at is not None:
        return None
    claimed = SpaceAccount.objects.filter(pk=account.pk, welcomed_at__isnull=True).update(
        welcomed_at=timezone.now()
    )
    if not claimed:
        return None
    text = message(account.space, account.language)
    return mark_safe(render(text)) if text else None  # noqa: S308 - sanitized by nh3
