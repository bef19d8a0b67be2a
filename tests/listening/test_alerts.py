"""Alerts: a spike against the same hour of previous weeks, a negative surge, a new
influential author, a crisis word; each raised once, told to the right people."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from liant.core.permissions import Role
from liant.listening import alerts
from liant.listening.ingest import Incoming, ingest
from liant.listening.models import Alert, ListeningSettings, Query, Rollup
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 9, 40, tzinfo=UTC)  # a Monday, 9 h
HOUR = NOW.replace(minute=0)


@pytest.fixture
def brand(workspace):
    return Query.objects.create(workspace=workspace, name="Marque", kind="brand", text="lumière")


def history(query, per_week, weeks=6, negative=0):
    """Past Mondays 9 h, and a few other hours, as the roll-ups would hold them."""
    for k in range(1, weeks + 1):
        for start, count, negatives in (
            (HOUR - timedelta(weeks=k), per_week, negative),
            (HOUR - timedelta(weeks=k, hours=3), 1, 0),
        ):
            Rollup.objects.create(
                query=query,
                period="hour",
                start=start,
                mentions=count,
                negative=negatives,
                neutral=count - negatives,
            )


def say(workspace, texts, start=HOUR, **extra):
    return ingest(
        workspace,
        [
            Incoming(
                source="bluesky",
                remote_id=f"{start.isoformat()}-{n}",
                text=text,
                occurred_at=start + timedelta(minutes=n % 40),
                **extra,
            )
            for n, text in enumerate(texts)
        ],
    )


def test_a_spike_against_the_same_hour_of_previous_weeks(
    workspace, brand, owner, django_capture_on_commit_callbacks
):
    history(brand, per_week=3)
    say(workspace, [f"Lumière numéro {n} dont tout le monde parle" for n in range(25)])

    with django_capture_on_commit_callbacks(execute=True):
        (alert,) = alerts.check(workspace, NOW)

    assert alert.kind == "spike" and alert.query == brand
    assert alert.figures["mentions"] == 25 and alert.figures["expected"] == 3
    assert alert.mentions.count() == 25
    assert alerts.check(workspace, NOW) == []  # the same hour never raises twice
    assert len(mail.outbox) == 1 and "25 mentions" in mail.outbox[0].body


def test_a_usual_busy_hour_is_not_a_spike(workspace, brand):
    history(brand, per_week=25)
    say(workspace, [f"Lumière {n}" for n in range(27)])
    assert alerts.check(workspace, NOW) == []


def test_a_quiet_query_does_not_page_anyone(workspace, brand):
    history(brand, per_week=0)
    say(workspace, ["Lumière une", "Lumière deux", "Lumière trois"])  # 3 > 0, but tiny
    assert alerts.check(workspace, NOW) == []


def test_a_negative_surge(workspace, brand):
    history(brand, per_week=20, negative=2)
    angry = [f"Lumière : café brûlé, horrible, jamais plus ({n})" for n in range(12)]
    say(workspace, angry + ["Lumière, bonne journée", "Lumière ouvre à 8 h"])
    raised = {a.kind: a for a in alerts.check(workspace, NOW)}
    surge = raised["negative"]
    assert surge.figures["negative"] >= 10 and surge.figures["share_before"] == round(12 / 126, 3)
    assert "negative" in alerts.describe(surge)


def test_a_new_influential_author_once(workspace, brand):
    say(
        workspace,
        ["Lumière, c'est mon café préféré"],
        author_handle="star@mastodon.social",
        author_followers=250_000,
    )
    say(
        workspace,
        ["Encore Lumière ce matin"],
        start=HOUR + timedelta(minutes=5),
        author_handle="star@mastodon.social",
        author_followers=250_000,
    )
    say(workspace, ["Lumière, sympa"], author_handle="petit@mastodon.social", author_followers=40)
    raised = alerts.check(workspace, NOW)
    assert [(a.kind, a.figures["author"]) for a in raised] == [
        ("influencer", "star@mastodon.social")
    ]


def test_crisis_words_even_disguised_and_told_in_french(
    workspace, brand, django_capture_on_commit_callbacks
):
    ListeningSettings.objects.update_or_create(
        workspace=workspace, defaults={"crisis_terms": "intoxication\nrappel produit"}
    )
    french = make_user("cm@brand.example", workspace, Role.COMMUNITY_MANAGER)
    french.language = "fr"
    french.save()
    make_user("analyst@brand.example", workspace, Role.ANALYST)  # reads, is not paged
    say(
        workspace,
        ["Lumière : INT0XICATI0N après le déjeuner ?!", "Lumière, rappel produit ?", "Lumière top"],
    )

    with django_capture_on_commit_callbacks(execute=True):
        (alert, other) = sorted(alerts.check(workspace, NOW), key=lambda a: a.key)
    assert (alert.kind, alert.figures["term"]) == ("crisis", "intoxication")
    assert other.figures["term"] == "rappel produit"
    (message,) = mail.outbox
    assert message.to == ["cm@brand.example"]
    assert "Le mot de crise « intoxication » apparaît" in message.body
    say(workspace, ["Lumière encore une intoxication"], start=HOUR + timedelta(minutes=50))
    assert alerts.check(workspace, NOW) == []
    assert Alert.objects.get(key__startswith="intoxication").mentions.count() == 2


def test_alerts_of_one_workspace_stay_there(workspace, other_workspace, brand):
    Query.objects.create(workspace=other_workspace, name="Marque", kind="brand", text="lumière")
    ListeningSettings.objects.update_or_create(
        workspace=other_workspace, defaults={"crisis_terms": "lumière"}
    )
    say(workspace, ["Lumière partout"])
    assert alerts.check(other_workspace, NOW) == []
