"""`liant export`, `liant import` and `liant bench`."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from liant.channels.models import Channel
from liant.listening.models import Mention, Query
from liant.members.models import Member
from liant.publishing.models import Post, Variant


def export(area: str, fmt: str = "csv", slug: str = "brand") -> str:
    out = io.StringIO()
    call_command("export", area, workspace=slug, format=fmt, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def run_import(area: str, path: Path, slug: str = "brand", **options) -> tuple[str, str, bool]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import", area, str(path), workspace=slug, stdout=out, stderr=err, **options)
        ok = True
    except CommandError as error:
        err.write(str(error))
        ok = False
    return out.getvalue(), err.getvalue(), ok


@pytest.fixture
def mastodon(workspace) -> Channel:
    return Channel.objects.create(
        workspace=workspace,
        kind="mastodon",
        name="Piaille",
        settings={"instance_url": "https://piaille.example"},
    )


# --- members ----------------------------------------------------------------------------


def test_members_round_trip_through_csv_and_json(workspace, other_workspace, tmp_path):
    Member.objects.create(workspace=workspace, name="Camille", email="camille@example.org")
    Member.objects.create(workspace=workspace, name="Éloi", email="eloi@example.org", country="FR")
    Member.objects.create(workspace=other_workspace, name="Rival", email="secret@rival.example")
    for fmt, suffix in (("csv", ".csv"), ("json", ".jsonl")):
        text = export("members", fmt)
        assert "secret@rival.example" not in text  # another workspace's data is never exported
        path = tmp_path / f"members{suffix}"
        path.write_text(text, encoding="utf-8")
        Member.objects.filter(workspace=other_workspace).delete()
        out, err, ok = run_import("members", path, slug="rival-brand")
        assert ok, err
        assert "2 rows stored, 0 refused" in out
        assert sorted(
            Member.objects.filter(workspace=other_workspace).values_list("name", "email", "country")
        ) == [("Camille", "camille@example.org", ""), ("Éloi", "eloi@example.org", "FR")]


def test_json_export_is_one_object_a_line(workspace):
    Member.objects.create(workspace=workspace, name="Camille", custom_fields={"city": "Lyon"})
    lines = export("members", "json").splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["custom_fields"] == {"city": "Lyon"}


def test_formula_cells_are_neutralised_and_come_back_as_typed(workspace, other_workspace, tmp_path):
    Member.objects.create(workspace=workspace, name='=HYPERLINK("http://evil.example")')
    text = export("members")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["name"] == '\'=HYPERLINK("http://evil.example")'
    path = tmp_path / "m.csv"
    path.write_text(text, encoding="utf-8")
    assert run_import("members", path, slug="rival-brand")[2]
    assert Member.objects.get(workspace=other_workspace).name == '=HYPERLINK("http://evil.example")'


def test_a_bad_row_is_reported_with_its_line_and_the_others_go_in(workspace, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(
        "name,email,country\nAna,ana@example.org,FR\nBad,not-an-address,FR\nBo,bo@example.org,\n",
        encoding="utf-8",
    )
    out, err, ok = run_import("members", path)
    assert not ok  # the exit status says not everything went in
    assert "line 3: email: “not-an-address” is not a valid e-mail address." in err
    assert "2 rows stored, 1 refused" in out
    assert sorted(Member.objects.values_list("name", flat=True)) == ["Ana", "Bo"]


def test_a_line_that_is_not_json_is_reported_and_the_others_go_in(workspace, tmp_path):
    path = tmp_path / "m.jsonl"
    path.write_text('{"name": "Ana"}\nnot json\n{"name": "Bo"}\n', encoding="utf-8")
    out, err, ok = run_import("members", path)
    assert not ok
    assert "line 2: This line is not a JSON object." in err
    assert sorted(Member.objects.values_list("name", flat=True)) == ["Ana", "Bo"]


def test_the_cli_lifts_the_web_row_limit(workspace, tmp_path, monkeypatch):
    monkeypatch.setattr("liant.members.importing.MAX_ROWS", 1)
    path = tmp_path / "m.csv"
    path.write_text("name\nAna\nBo\n", encoding="utf-8")
    assert run_import("members", path)[2]
    assert Member.objects.count() == 2


def test_dry_run_checks_every_row_and_writes_nothing(workspace, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("name,email\nAna,ana@example.org\nBad,nope\n", encoding="utf-8")
    out, err, ok = run_import("members", path, dry_run=True)
    assert "line 3:" in err and not ok
    assert "1 rows would be stored (dry run" in out
    assert not Member.objects.exists()


def test_an_unknown_workspace_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="No workspace has the slug 'nowhere'"):
        export("members", slug="nowhere")
    path = tmp_path / "m.csv"
    path.write_text("name\nAna\n", encoding="utf-8")
    assert run_import("members", path, slug="nowhere")[2] is False


def test_unknown_workspace_exits_non_zero_from_the_liant_command(db):
    from liant.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["export", "members", "--workspace", "nowhere"])
    assert stop.value.code != 0


def test_a_file_that_is_neither_csv_nor_json_lines_is_refused(workspace, tmp_path):
    path = tmp_path / "m.xlsx"
    path.write_bytes(b"PK")
    _out, err, ok = run_import("members", path)
    assert not ok and ".jsonl" in err


# --- posts ------------------------------------------------------------------------------


def test_posts_round_trip_as_drafts_variants_together(
    workspace, other_workspace, mastodon, tmp_path
):
    second = Channel.objects.create(workspace=workspace, kind="bluesky", name="Ciel", settings={})
    post = Post.objects.create(
        workspace=workspace, title="Lancement", tags=["a", "b"], state="published"
    )
    Variant.objects.create(post=post, channel=mastodon, text="Bonjour", state="published")
    Variant.objects.create(post=post, channel=second, text="Salut", link="https://x.example/")
    Channel.objects.create(workspace=other_workspace, kind="mastodon", name="Piaille", settings={})
    Channel.objects.create(workspace=other_workspace, kind="bluesky", name="Ciel", settings={})
    text = export("posts")
    path = tmp_path / "posts.csv"
    path.write_text(text, encoding="utf-8")
    out, err, ok = run_import("posts", path, slug="rival-brand")
    assert ok, err
    copy = Post.objects.get(workspace=other_workspace)
    assert (copy.title, copy.tags, copy.state) == ("Lancement", ["a", "b"], "draft")
    assert sorted(copy.variants.values_list("channel__name", "text", "state")) == [
        ("Ciel", "Salut", "draft"),
        ("Piaille", "Bonjour", "draft"),
    ]


def test_a_post_row_on_an_unknown_channel_is_refused_with_its_line(workspace, mastodon, tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text(
        '{"title": "Un", "channel": "Piaille", "text": "Bonjour"}\n'
        '{"title": "Deux", "channel": "Nulle part", "text": "Salut"}\n',
        encoding="utf-8",
    )
    _out, err, ok = run_import("posts", path)
    assert not ok and 'line 2: No channel of this workspace called "Nulle part"' in err
    assert list(Post.objects.values_list("title", flat=True)) == ["Un"]


# --- mentions ---------------------------------------------------------------------------


def test_mentions_round_trip_through_listening_ingestion(workspace, other_workspace, tmp_path):
    for ws in (workspace, other_workspace):
        Query.objects.create(workspace=ws, name="Marque", kind="brand", text="lumière")
    path = tmp_path / "in.jsonl"
    path.write_text(
        json.dumps(
            {
                "source": "feed",
                "remote_id": "1",
                "text": "J'adore Lumière",
                "occurred_at": "2026-03-01T09:00:00+00:00",
            }
        )
        + "\n"
        + json.dumps(
            {
                "source": "feed",
                "remote_id": "2",
                "text": "Rien à voir",
                "occurred_at": "2026-03-01T09:00:00+00:00",
            }
        )
        + "\n"
        + json.dumps({"source": "feed", "remote_id": "3", "text": "Lumière", "occurred_at": "hier"})
        + "\n",
        encoding="utf-8",
    )
    _out, err, ok = run_import("mentions", path)
    assert not ok
    assert "line 2: It matches no active listening query." in err
    assert "line 3: occurred_at" in err
    assert list(Mention.objects.values_list("workspace__slug", "remote_id")) == [("brand", "1")]
    exported = tmp_path / "out.csv"
    exported.write_text(export("mentions"), encoding="utf-8")
    assert "Marque" in exported.read_text()
    _out, err, ok = run_import("mentions", exported, slug="rival-brand")
    assert ok, err
    assert Mention.objects.get(workspace=other_workspace).text == "J'adore Lumière"
    assert run_import("mentions", exported, slug="rival-brand")[2]  # twice: stored once
    assert Mention.objects.filter(workspace=other_workspace).count() == 1


# --- bench ------------------------------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="bench sets up its own database whatever the suite's: once per make test is enough",
)
def test_liant_bench_runs_an_area_and_prints_its_figures():
    result = subprocess.run(
        [sys.executable, "-m", "liant.cli", "bench", "x"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "bench: x." in result.stdout
