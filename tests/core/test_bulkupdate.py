"""insert_many writes what bulk_create would, and hands back the new keys in row order.

Listening's tables serve as the sample: a date-time, a JSON list, nulls and a foreign key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.forms.models import model_to_dict

from liant.core.bulkupdate import insert_many, update_many
from liant.listening.models import Mention, MentionMatch, Query

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def _values(mention: Mention) -> dict:
    values = model_to_dict(mention)
    values.pop("id")
    values.pop("queries", None)
    return values


def test_rows_read_back_as_bulk_create_writes_them(workspace):
    when = datetime(2026, 3, 29, 3, 30, tzinfo=PARIS)  # just after the clocks went forward
    stored = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    common = {
        "source": "mastodon",
        "url": "https://example.org/@a/1",
        "author_handle": "@a",
        "author_name": "Anne « A »",
        "author_followers": None,
        "text": "Pas terrible, le café 😕",
        "language": "fr",
        "sentiment": "negative",
        "sentiment_score": -0.4215,
        "occurred_at": when,
        "dedupe_key": "k" * 32,
    }
    [made] = Mention.objects.bulk_create(
        [Mention(workspace=workspace, remote_id="by-orm", **common)]
    )
    Mention.objects.filter(pk=made.pk).update(stored_at=stored)
    columns = ("workspace_id", "remote_id", "stored_at", "irrelevant", *common)
    [pk] = insert_many(
        Mention,
        columns,
        [(workspace.pk, "by-insert", stored, False, *common.values())],
        returning_pk=True,
    )
    by_orm = _values(Mention.objects.get(pk=made.pk))
    by_insert = _values(Mention.objects.get(pk=pk))
    assert by_orm.pop("remote_id") == "by-orm" and by_insert.pop("remote_id") == "by-insert"
    assert by_insert == by_orm
    assert Mention.objects.get(pk=pk).occurred_at == when


def test_keys_come_back_in_row_order_over_several_statements(workspace):
    when = datetime(2026, 11, 1, tzinfo=UTC)
    n = 700  # more rows than one SQLite statement takes (999 parameters, 14 columns)
    rows = [
        (
            workspace.pk,
            "feed",
            f"r{i}",
            "",
            "",
            "",
            f"text {i}",
            "",
            "neutral",
            0.0,
            when,
            when,
            "k",
            False,
        )
        for i in range(n)
    ]
    columns = (
        "workspace_id",
        "source",
        "remote_id",
        "url",
        "author_handle",
        "author_name",
        "text",
        "language",
        "sentiment",
        "sentiment_score",
        "occurred_at",
        "stored_at",
        "dedupe_key",
        "irrelevant",
    )
    pks = insert_many(Mention, columns, rows, returning_pk=True)
    assert len(pks) == n == len(set(pks))
    texts = dict(Mention.objects.filter(pk__in=pks).values_list("pk", "text"))
    assert [texts[pk] for pk in pks] == [f"text {i}" for i in range(n)]

    query = Query.objects.create(workspace=workspace, name="q", kind="brand", text="text")
    assert (
        insert_many(
            MentionMatch,
            ("mention_id", "query_id", "terms", "occurred_at"),
            [
                (pk, query.pk, ["text", "ünïcode"], when + timedelta(minutes=i))
                for i, pk in enumerate(pks)
            ],
        )
        == []
    )
    match = MentionMatch.objects.get(mention_id=pks[5])
    assert match.terms == ["text", "ünïcode"]
    assert match.occurred_at == when + timedelta(minutes=5)
    assert update_many(Mention, ["text"], [("changed", pks[0])]) == 1
    assert Mention.objects.get(pk=pks[0]).text == "changed"


def test_nothing_to_insert_runs_nothing(workspace, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert insert_many(Mention, ("text",), [], returning_pk=True) == []


def test_sqlite_date_times_are_written_as_django_writes_them():
    from django.db import connection

    from liant.core.bulkupdate import _sqlite_utc_datetime

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's text form of a date-time")
    values = [
        datetime(2026, 11, 1, 12, 0, tzinfo=UTC),
        datetime(2026, 11, 1, 12, 0, 0, 7, tzinfo=UTC),
        datetime(2026, 3, 29, 3, 30, tzinfo=PARIS),
        datetime(2026, 3, 29, 3, 30, 5, 120, tzinfo=PARIS),
    ]
    assert [_sqlite_utc_datetime(v) for v in values] == [
        connection.ops.adapt_datetimefield_value(v) for v in values
    ]
