"""Quoting the selected words in Chromium: the "Quote" link of a post, clicked with a passage
selected, asks for that passage only (static/liant/space-quote.js); the reply box holds it as
a Markdown quote with the author's name and a link to the post, and the reply, once sent,
shows it as a blockquote.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from liant.space import posting
from liant.space.models import Post, SpaceAccount
from tests.browser.conftest import artifacts, browser, chromium_path, page  # noqa: F401
from tests.space.test_browser_journey import join_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = "Mine tastes bitter.\n\nTry a finer grind and less heat, then wait a minute."
PASSAGE = "a finer grind and less heat"

# Selects PASSAGE inside the post's second paragraph, as a reader's mouse would.
SELECT = """([selector, passage]) => {
  const paragraph = document.querySelector(selector);
  const node = paragraph.firstChild;
  const start = node.textContent.indexOf(passage);
  const range = document.createRange();
  range.setStart(node, start);
  range.setEnd(node, start + passage.length);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  return selection.toString();
}"""


def test_quoting_the_selected_words(
    live_server,
    settings,
    page: Any,  # noqa: F811
    artifacts: Any,  # noqa: F811
    space,
    recipes,
    charter,
) -> None:
    settings.SITE_URL = live_server.url
    base = f"{live_server.url}/space/{space.slug}/"
    marie = SpaceAccount.objects.create(
        space=space,
        email="marie@example.org",
        display_name="Marie D. [Dupont]",  # Markdown signs, escaped in the quote
        confirmed_at=timezone.now(),
        language="en",
    )
    quoted = posting.start_topic(marie, recipes, "Which grind for a moka pot?", BODY)
    topic = quoted.topic

    join_in(page, base, "bob@example.org", "Bob")
    page.goto(f"{base}t/{topic.pk}/")
    selector = f"#post-{quoted.pk} .body p:nth-of-type(2)"
    assert page.evaluate(SELECT, [selector, PASSAGE]) == PASSAGE
    page.click(f"#post-{quoted.pk} a.quote-link")
    page.wait_for_url("**#reply")
    page.wait_for_load_state("load")

    box = page.locator("textarea[name=body]")
    text = box.input_value().replace("\r\n", "\n")
    head, _sep, rest = text.partition("\n")
    assert head.startswith(r"> **Marie D\. \[Dupont\]** [wrote](")
    assert head.endswith(f"/space/{space.slug}/t/{topic.pk}/#post-{quoted.pk}):"), head
    assert rest == f">\n> {PASSAGE}\n\n"  # the selection only, not the whole post
    page.screenshot(path=str(artifacts / "space-quote-1-box.png"), full_page=True)

    box.press("End")
    box.press("Control+End")
    box.type("Thanks, that fixed it.")
    page.click("#reply ~ form button[type=submit].primary")
    page.wait_for_selector("text=that fixed it")
    reply = Post.objects.latest("pk")
    assert reply.pk != quoted.pk and reply.parent_id == quoted.pk
    quote = page.locator(f"#post-{reply.pk} .body blockquote")
    assert quote.locator("strong").inner_text() == "Marie D. [Dupont]"
    link = quote.locator("a", has_text="wrote")
    assert link.get_attribute("href").endswith(f"/t/{topic.pk}/#post-{quoted.pk}")
    assert PASSAGE in quote.inner_text() and "bitter" not in quote.inner_text()
    assert "Thanks, that fixed it." in page.locator(f"#post-{reply.pk} .body > p").inner_text()
    page.screenshot(path=str(artifacts / "space-quote-2-reply.png"), full_page=True)
