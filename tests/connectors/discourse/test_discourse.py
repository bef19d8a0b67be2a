"""The Discourse connector against replayed, documented answers (see fixtures/README.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from django.utils import translation

from liant.connectors import registry
from liant.connectors.base import (
    Author,
    Capability,
    ConnectorError,
    Draft,
    ErrorKind,
    Event,
    EventKind,
    ModerationAction,
)
from liant.connectors.discourse import connector as discourse
from liant.connectors.discourse.connector import DiscourseConnector, normalise_forum_url
from tests.connectors.discourse.conftest import API_KEY, FakeForum, error, load, make_connector

# --- connection ----------------------------------------------------------------------------


def test_the_kind_is_registered_and_declares_what_it_does():
    assert registry.connector_class("discourse") is DiscourseConnector
    assert DiscourseConnector.publish_idempotency_window == 0
    assert ModerationAction.HIDE in DiscourseConnector.moderation_actions
    assert Capability.SEND_DIRECT in DiscourseConnector.capabilities
    assert DiscourseConnector.rules.max_length == 32_000


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("forum.example", "https://forum.example"),
        ("https://Forum.Example/", "https://forum.example"),
        ("https://example.org/forum/", "https://example.org/forum"),
        ("https://forum.example:8443", "https://forum.example:8443"),
    ],
)
def test_forum_addresses_are_normalised(given, expected):
    assert normalise_forum_url(given) == expected


@pytest.mark.parametrize("given", ["http://forum.example", "https://", "https://bad_host!"])
def test_an_address_that_is_not_an_https_forum_is_refused(given):
    with pytest.raises(ValueError):
        normalise_forum_url(given)


def test_check_connection_says_who_we_are_with_the_key_in_headers(forum, connector):
    assert connector.check_connection() == "@maisonlumiere (forum.example)"
    (request,) = forum.sent("GET", "/u/maisonlumiere.json")
    assert request.headers["Api-Key"] == API_KEY
    assert request.headers["Api-Username"] == "maisonlumiere"
    assert API_KEY not in str(request.url)  # never in a URL, so never in the exchange log


def test_categories_list_subcategories_after_their_parent(connector):
    assert connector.list_categories() == [
        (1, "Uncategorized", None),
        (5, "Café & torréfaction", None),
        (6, "Livraisons", None),
        (7, "Ateliers", None),
        (9, "Ateliers › Dégustations", 7),
    ]


def test_an_admin_key_reads_the_forums_own_length_limits(forum):
    limits = make_connector(forum).read_limits()
    assert limits.max_post_length == 20_000
    assert limits.max_topic_title_length == 120
    narrowed = make_connector(forum, limits=limits.model_dump(exclude_none=True))
    assert narrowed.rules.max_length == 20_000
    with translation.override("en"):
        assert narrowed.rules.check("x" * 20_001) == ["1 character too long"]


def test_a_moderator_key_keeps_the_discourse_defaults(forum):
    forum.script("GET", r"/admin/site_settings\.json", error(403, "error_invalid_access.json"))
    limits = make_connector(forum).read_limits()
    assert limits.get("max_post_length") == 32_000
    assert limits.get("min_topic_title_length") == 15


# --- reading -------------------------------------------------------------------------------


def test_fetch_reads_watched_categories_and_private_messages(connector):
    result = connector.fetch({})
    by_id = {e.remote_id: e for e in result.events}
    assert result.errors == []
    # 1204 is ours, 1201 is in a category not watched.
    assert set(by_id) == {"1206", "1205", "1203", "1202", "1190", "1207", "1195"}
    assert by_id["1206"].kind is EventKind.POST
    assert by_id["1205"].kind is EventKind.MENTION  # "@maisonlumiere est-ce qu'il reste…"
    assert by_id["1202"].kind is EventKind.COMMENT
    assert {by_id[i].kind for i in ("1190", "1207", "1195")} == {EventKind.DIRECT_MESSAGE}
    jules = by_id["1206"]
    assert jules.author == Author(
        remote_id="63",
        handle="jules.r",
        name="Jules Roche",
        url="https://forum.example/u/jules.r",
        avatar_url="https://forum.example/user_avatar/forum.example/jules.r/96/63_2.png",
    )
    assert jules.text.startswith("Bonjour, ma commande #4521")  # `raw`, as written
    assert jules.html.startswith("<p>Bonjour")  # `cooked`, sanitized when stored
    assert jules.url == "https://forum.example/t/retard-de-livraison-commande-4521/310/1"
    assert jules.occurred_at == datetime(2026, 11, 30, 9, 41, 12, 512000, tzinfo=UTC)
    assert jules.thread_remote_id == "310"
    assert jules.raw["topic_title"] == "Retard de livraison commande #4521"
    message = by_id["1207"]
    assert message.text == "Petite précision : c’est pour une livraison au bureau, 12 rue Mercière."
    assert message.raw == {
        "topic_id": 320,
        "post_number": 2,
        "reply_to_post_number": 1,
        "category_id": None,
        "topic_title": "Question sur ma commande",
        "topic_slug": "question-sur-ma-commande",
        "private": True,
    }
    assert result.cursor["post_id"] == 1206
    assert result.cursor["messages"]["320"] == {"n": 2, "id": 1207}


def test_fetching_twice_returns_nothing_new_and_reads_no_unchanged_message(forum, connector):
    first = connector.fetch({})
    forum.requests.clear()
    second = connector.fetch(first.cursor)
    assert second.events == []
    assert second.cursor == first.cursor
    assert [r.url.path for r in forum.requests] == [
        "/posts.json",
        "/topics/private-messages/maisonlumiere.json",
    ]


def test_a_new_post_and_a_new_message_post_come_once(forum, connector):
    cursor = connector.fetch({}).cursor
    forum.latest += load("latest_posts_newer.json")["latest_posts"]
    thread = forum.topics[321]["post_stream"]
    extra = dict(thread["posts"][0], id=1209, post_number=2, cooked="<p>Any news?</p>")
    thread["posts"].append(extra)
    thread["stream"].append(1209)
    forum.messages["topic_list"]["topics"][1]["highest_post_number"] = 2

    result = connector.fetch(cursor)

    assert [e.remote_id for e in result.events] == ["1208", "1209"]
    assert result.events[1].text == "Any news?"
    assert connector.fetch(result.cursor).events == []


def test_a_backlog_is_read_page_by_page_without_gap_or_double(forum, connector):
    cursor = connector.fetch({}).cursor
    template = forum.latest[0]
    forum.latest += [
        dict(template, id=2000 + n, post_number=n + 2, category_id=6) for n in range(7)
    ]
    forum.page_size = 3  # seven new posts take four pages, `before` being inclusive

    result = connector.fetch(cursor)

    assert sorted(e.remote_id for e in result.events) == [str(2000 + n) for n in range(7)]
    assert result.cursor["post_id"] == 2006 and "reading" not in result.cursor
    befores = [r.url.params.get("before") for r in forum.sent("GET", "/posts.json")]
    assert befores[-4:] == [None, "2004", "2002", "2000"]


def test_a_pass_cut_short_goes_on_next_time(forum, connector, monkeypatch):
    cursor = connector.fetch({}).cursor
    template = forum.latest[0]
    forum.latest += [dict(template, id=2000 + n, category_id=6) for n in range(7)]
    forum.page_size = 3
    monkeypatch.setattr(discourse, "MAX_PAGES", 2)

    first = connector.fetch(cursor)
    assert first.cursor["post_id"] == 1206  # not everything below the newest is read yet
    assert first.cursor["reading"] == {"top": 2006, "before": 2002}
    forum.latest.append(dict(template, id=2100, category_id=6))  # arrives meanwhile
    second = connector.fetch(first.cursor)
    third = connector.fetch(second.cursor)

    seen = [e.remote_id for r in (first, second, third) for e in r.events]
    assert sorted(seen) == sorted([str(2000 + n) for n in range(7)] + ["2100"])
    assert third.cursor["post_id"] == 2100 and "reading" not in third.cursor


def test_a_long_message_asks_for_the_posts_not_in_the_first_chunk(forum, connector):
    forum.chunk_size = 1
    result = connector.fetch({})
    (more,) = forum.sent("GET", "/t/320/posts.json")
    assert more.url.params.get_list("post_ids[]") == ["1207"]
    assert {"1190", "1207"} <= {e.remote_id for e in result.events}


def test_an_unreadable_post_is_reported_and_the_others_kept(forum, connector):
    forum.latest[0] = dict(forum.latest[0], created_at="yesterday")
    del forum.latest[1]["user_id"]
    result = connector.fetch({})
    assert {"1203", "1202"} <= {e.remote_id for e in result.events}
    problems = sorted(str(p) for p in result.errors)
    assert problems == [
        "post 1205: the post has no user_id",
        "post 1206: unreadable date 'yesterday'",
    ]


# --- publishing ----------------------------------------------------------------------------


def test_publishing_creates_a_topic_with_its_title_and_category(forum, connector):
    draft = Draft(
        "# Nouveau café du mois : Éthiopie Guji\n\nNotes de pêche blanche et de jasmin.",
        link="https://maisonlumiere.example/guji",
        extras={"category": 5},
    )
    post = connector.publish(draft)

    (request,) = forum.sent("POST", "/posts.json")
    assert forum.body(request) == {
        "title": "Nouveau café du mois : Éthiopie Guji",
        "raw": "# Nouveau café du mois : Éthiopie Guji\n\nNotes de pêche blanche et de jasmin."
        "\n\nhttps://maisonlumiere.example/guji",
        "category": 5,
    }
    assert post.remote_id == "1300"
    assert post.url == "https://forum.example/t/nouveau-cafe-du-mois-ethiopie-guji/330/1"
    assert post.raw["topic_id"] == 330
    assert post.published_at == datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_a_topic_goes_to_the_default_category_with_the_drafts_title(forum, connector):
    connector = make_connector(forum, default_category=7)
    connector.publish(
        Draft("Inscriptions ouvertes pour janvier.", extras={"title": "Ateliers de janvier 2027"})
    )
    assert forum.body(forum.sent("POST", "/posts.json")[0]) == {
        "title": "Ateliers de janvier 2027",
        "raw": "Inscriptions ouvertes pour janvier.",
        "category": 7,
    }


def test_a_title_the_forum_would_refuse_is_said_before_sending(forum, connector):
    with pytest.raises(ConnectorError) as caught:
        connector.publish(Draft("Café\n\nUn texte assez long pour le corps du sujet."))
    assert caught.value.kind is ErrorKind.PERMANENT
    assert "title of 15 to 255 characters (4 given)" in str(caught.value)
    assert forum.sent("POST", "/posts.json") == []


def test_a_first_line_too_long_for_a_title_is_shortened_at_a_word(forum, connector):
    line = "Notre sélection de Noël : " + "origines rares et torréfaction claire " * 10
    connector.publish(Draft(line + "\n\nDétails en boutique."))
    title = forum.body(forum.sent("POST", "/posts.json")[0])["title"]
    assert len(title) <= 255 and title.endswith("claire…")


def test_a_short_answer_fits_a_private_message_but_not_a_topic(forum, connector):
    message, comment = stored(connector, "1207"), stored(connector, "1202")
    connector.reply(message, Draft("Bien noté !"))  # 11 characters: messages take 10
    with pytest.raises(ConnectorError) as caught:
        connector.reply(comment, Draft("Bien noté !"))
    assert "post of 20 to 32000 characters (11 given)" in str(caught.value)


def test_a_publish_whose_answer_failed_is_never_sent_twice(forum, connector):
    forum.script("POST", r"/posts\.json", httpx.Response(502), httpx.Response(502))
    with pytest.raises(ConnectorError) as caught:
        connector.publish(Draft("Fermeture exceptionnelle\n\nLa brûlerie ferme le 24 décembre."))
    assert caught.value.kind is ErrorKind.TRANSIENT
    assert len(forum.sent("POST", "/posts.json")) == 1  # no idempotency key: no retry


def test_discourses_own_refusal_is_given_in_its_words(forum, connector):
    forum.script("POST", r"/posts\.json", error(422, "error_title_too_short.json"))
    with pytest.raises(ConnectorError) as caught:
        connector.publish(Draft("Un titre suffisant\n\nEt un corps de texte assez long."))
    assert caught.value.kind is ErrorKind.PERMANENT
    assert "Title is too short (minimum is 15 characters)" in str(caught.value)


def stored(connector: DiscourseConnector, remote_id: str) -> Event:
    events = {e.remote_id: e for e in connector.fetch({}).events}
    return events[remote_id]


def test_a_reply_answers_the_post_in_its_topic(forum, connector):
    parent = stored(connector, "1205")
    post = connector.reply(parent, Draft("Oui, il reste quatre places : à bientôt !"))
    assert forum.body(forum.sent("POST", "/posts.json")[0]) == {
        "topic_id": 305,
        "raw": "Oui, il reste quatre places : à bientôt !",
        "reply_to_post_number": 3,
    }
    assert post.url == "https://forum.example/t/nouveau-cafe-du-mois-ethiopie-guji/305/4"


def test_a_reply_to_a_private_message_stays_in_it(forum, connector):
    parent = stored(connector, "1207")
    connector.reply(parent, Draft("C'est noté, nous livrerons au 12 rue Mercière."))
    assert forum.body(forum.sent("POST", "/posts.json")[0]) == {
        "topic_id": 320,
        "raw": "C'est noté, nous livrerons au 12 rue Mercière.",
        "reply_to_post_number": 2,
    }


def test_a_reply_to_an_event_without_its_topic_asks_the_forum_where_it_is(forum, connector):
    bare = Event(EventKind.COMMENT, "1202", None, datetime(2026, 11, 29, tzinfo=UTC))
    connector.reply(bare, Draft("Merci de rester courtois sur ce forum."))
    assert forum.sent("GET", "/posts/1202.json")
    assert forum.body(forum.sent("POST", "/posts.json")[0])["topic_id"] == 304


def test_a_direct_message_opens_a_private_message(forum, connector):
    connector.send_direct(
        Author("94", "ana_lyon"), Draft("Votre commande\n\nElle part demain matin.")
    )
    assert forum.body(forum.sent("POST", "/posts.json")[0]) == {
        "title": "Votre commande",
        "raw": "Votre commande\n\nElle part demain matin.",
        "archetype": "private_message",
        "target_recipients": "ana_lyon",
    }


# --- metrics and moderation ----------------------------------------------------------------


def test_metrics_of_a_topic_and_of_a_reply(forum, connector):
    found = {m.remote_id: m.values for m in connector.metrics(["1150", "1202", "999"])}
    assert found == {
        "1150": {"views": 412, "likes": 23, "replies": 7},
        "1202": {"views": 5, "likes": 0, "replies": 0},
    }


def test_hiding_is_a_flag_with_action_taken(forum, connector):
    connector.moderate("1202", ModerationAction.HIDE)
    (request,) = forum.sent("POST", "/post_actions.json")
    assert forum.body(request) == {"id": 1202, "post_action_type_id": 4, "take_action": "true"}


def test_a_flag_that_did_not_hide_is_not_taken_for_a_hidden_post(forum, connector):
    not_hidden = dict(load("post_action_hide.json"), hidden=False)
    forum.script("POST", r"/post_actions\.json", httpx.Response(200, json=not_hidden))
    with pytest.raises(ConnectorError) as caught:
        connector.moderate("1202", ModerationAction.HIDE)
    assert caught.value.kind is ErrorKind.PERMANENT
    assert "did not hide post 1202" in str(caught.value)


def test_deleting_a_post(forum, connector):
    connector.moderate("1202", ModerationAction.DELETE)
    assert forum.sent("DELETE", "/posts/1202.json")


def test_silencing_finds_the_author_and_gives_a_date_and_a_reason(forum):
    connector = make_connector(forum)
    connector.http.clock = lambda: datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    connector.moderate("1202", ModerationAction.MUTE)
    (request,) = forum.sent("PUT", "/admin/users/88/silence.json")
    assert forum.body(request) == {
        "silenced_till": "2126-11-06T12:00:00+00:00",
        "reason": "Breach of the community guidelines",
    }
    connector.moderate("1202", ModerationAction.UNMUTE)
    connector.moderate("user:88", ModerationAction.BAN)
    connector.moderate("user:88", ModerationAction.UNBAN)
    assert forum.sent("PUT", "/admin/users/88/unsilence.json")
    assert forum.body(forum.sent("PUT", "/admin/users/88/suspend.json")[0])["suspend_until"]
    assert forum.sent("PUT", "/admin/users/88/unsuspend.json")


def test_silencing_someone_already_silenced_is_done(forum, connector):
    forum.script("PUT", r"/admin/users/88/silence\.json", error(409, "error_already_silenced.json"))
    connector.moderate("user:88", ModerationAction.MUTE)  # no error


def test_an_action_the_api_user_may_not_take_is_permanent_in_discourses_words(forum, connector):
    forum.script("POST", r"/post_actions\.json", error(403, "error_invalid_access.json"))
    with pytest.raises(ConnectorError) as caught:
        connector.moderate("1202", ModerationAction.HIDE)
    assert caught.value.kind is ErrorKind.PERMANENT
    assert "You are not permitted to view the requested resource." in str(caught.value)
    assert forum.sent("GET", "/u/maisonlumiere.json")  # the key itself still works


# --- expired key and rate limits -----------------------------------------------------------


def test_a_revoked_key_is_auth_expired(forum, connector):
    forum.api_key = "a-new-key-the-admin-made"
    with pytest.raises(ConnectorError) as caught:
        connector.fetch({})
    assert caught.value.kind is ErrorKind.AUTH_EXPIRED
    assert "The API username or key is invalid." in str(caught.value)
    assert connector.refresh_credentials() is None  # an API key cannot be refreshed


def test_a_429_is_rate_limited_for_the_retry_after_seconds(forum, connector):
    forum.script(
        "GET", r"/posts\.json", error(429, "error_rate_limit.json", **{"Retry-After": "39"})
    )
    with pytest.raises(ConnectorError) as caught:
        connector.fetch({})
    assert caught.value.kind is ErrorKind.RATE_LIMITED
    assert caught.value.retry_after == 39
    assert "Please wait 39 seconds" in str(caught.value)
    with pytest.raises(ConnectorError) as blocked:  # the next call waits without asking
        connector.fetch({})
    assert blocked.value.kind is ErrorKind.RATE_LIMITED
    assert len(forum.sent("GET", "/posts.json")) == 1


def test_a_429_without_the_header_reads_wait_seconds(forum, connector):
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    connector.http.clock = lambda: now
    forum.script("POST", r"/posts\.json", error(429, "error_rate_limit.json"))
    with pytest.raises(ConnectorError) as caught:
        connector.publish(Draft("Un titre suffisant\n\nEt un corps de texte assez long."))
    assert caught.value.retry_after == 39
    assert connector.http.recorder.blocked_until() == now + timedelta(seconds=39)


def test_a_fake_forum_without_the_key_refuses_like_discourse():
    forum = FakeForum()
    connector = make_connector(forum, api_key="wrong")
    with pytest.raises(ConnectorError) as caught:
        connector.check_connection()
    assert caught.value.kind is ErrorKind.AUTH_EXPIRED
