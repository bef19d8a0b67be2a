"""A corpus of XSS payloads written as posts, titles, names, bios and around mentions:
nothing runs in Chromium.

Each payload tries to run `alert()` (a dialog Playwright sees) or to set `window.pwned`; the
topic, category, home, profile, search and animation pages are opened in a real browser and neither ever happens.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from liant.space.models import Category, Post, SpaceAccount, Topic
from liant.space.posting import open_channel, space_of
from tests.browser.conftest import browser, chromium_path, page  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CORPUS = [
    "<script>alert(1)</script>",
    "<script>window.pwned=1</script>",
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=window.pwned=1>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>parent.pwned=1</script>"></iframe>',
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](javascript&#58;alert(1))",
    "![x](javascript:alert(1))",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p onmouseover="alert(1)" onclick="alert(1)">hover</p>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    '<details open ontoggle="alert(1)">x</details>',
    '<input autofocus onfocus="alert(1)">',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '"><script>alert(1)</script>',
    "`<img src=x onerror=alert(1)>`",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<style>@import 'javascript:alert(1)';</style>",
]


@pytest.fixture
def hostile(workspace) -> Topic:
    space = space_of(workspace)
    space.enabled = True
    space.save()
    open_channel(space)
    category = Category.objects.create(space=space, name='<img src=x onerror="alert(1)">')
    author = SpaceAccount.objects.create(
        space=space,
        email="x@example.org",
        display_name="<script>alert(1)</script>",
        bio="\n".join(CORPUS),
        confirmed_at=timezone.now(),
    )
    SpaceAccount.objects.create(
        space=space,
        email="t@example.org",
        display_name='"><img src=x onerror=alert(1)>',
        handle="target",
        confirmed_at=timezone.now(),
    )
    topic = Topic.objects.create(
        category=category, author=author, title="<svg onload=alert(1)>", announcement=True
    )
    for payload in CORPUS:
        Post.objects.create(topic=topic, author=author, body=payload)
        # Mentions are made into links after sanitizing: around and inside payloads too.
        Post.objects.create(topic=topic, author=author, body=f"@target {payload} @target")
    animation_corpus(workspace)
    return topic


def animation_corpus(workspace: Any) -> None:
    """Polls, contests, events and ideas whose every text is a payload (the animation page)."""
    from datetime import timedelta  # noqa: PLC0415

    from liant.animation.models import Contest, Meetup, Poll, PollChoice  # noqa: PLC0415
    from liant.feedback.models import Idea  # noqa: PLC0415

    soon = timezone.now() + timedelta(days=2)
    for n, payload in enumerate(CORPUS):
        poll = Poll.objects.create(workspace=workspace, question=payload[:300])
        PollChoice.objects.create(poll=poll, text=payload[:200])
        Contest.objects.create(
            workspace=workspace,
            title=payload[:200],
            description=payload,
            rules=payload,
            prize=payload[:300],
        )
        Meetup.objects.create(
            workspace=workspace,
            title=payload[:200],
            description=payload,
            place=payload[:300],
            starts_at=soon + timedelta(minutes=n),
        )
        Idea.objects.create(workspace=workspace, title=payload[:200], public_reason=payload)


def test_no_payload_runs_in_chromium(live_server, page: Any, hostile: Topic) -> None:  # noqa: F811
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    slug = hostile.category.space.slug
    for path in (
        f"/space/{slug}/",
        f"/space/{slug}/c/{hostile.category_id}/",
        f"/space/{slug}/t/{hostile.pk}/",
        f"/space/{slug}/u/{hostile.author_id}/",
        f"/space/{slug}/animation/",
        f"/space/{slug}/search/?q=target",
        f"/space/{slug}/search/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        # Give handlers (onload, onfocus, ontoggle…) the chance to fire if any survived.
        page.mouse.move(300, 300)
        page.wait_for_timeout(300)
        assert page.evaluate("typeof window.pwned") == "undefined", path
        assert page.url == live_server.url + path  # no refresh to a javascript: address
    assert dialogs == []
    # And the words were kept as text where they are text: the name and the title show as
    # written.
    page.goto(live_server.url + f"/space/{slug}/u/{hostile.author_id}/")
    assert page.locator("main h1").inner_text() == "<script>alert(1)</script>"
    page.goto(live_server.url + f"/space/{slug}/t/{hostile.pk}/")
    assert page.locator("a.mention").count() >= len(CORPUS) // 2  # first page of 50 posts
    assert "<svg onload=alert(1)>" in page.locator("main h1").inner_text()
    page.goto(live_server.url + f"/space/{slug}/animation/")
    titles = page.locator("main h3").all_inner_texts()
    assert "<svg onload=alert(1)>" in titles and titles.count("<script>alert(1)</script>") == 4
