"""The verifiable draw: freeze (commit), draw (reveal), and the standalone verifier."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from liant.animation import contests, verify_draw
from liant.animation.models import Contest, Entry, Winner
from liant.members.models import Consent, Kind, Member

SCRIPT = Path(verify_draw.__file__)


def make_contest(workspace, **fields) -> Contest:
    defaults = {"title": "Un an de torréfaction", "winners_count": 3, "require_consent": False}
    return Contest.objects.create(workspace=workspace, **{**defaults, **fields})


def enter(contest: Contest, n: int, **member_fields) -> list[Entry]:
    entries = []
    for i in range(n):
        member = Member.objects.create(
            workspace=contest.workspace,
            name=f"Personne {i}",
            email=f"p{i}-{contest.pk}@example.org",
            first_seen_at=timezone.now() - timedelta(days=400),
            **member_fields,
        )
        entry, _ = contests.add_entry(contest, member, Entry.Source.FORM, timezone.now())
        entries.append(entry)
    return entries


@pytest.fixture
def drawn(workspace) -> Contest:
    contest = make_contest(workspace)
    enter(contest, 12)
    assert contests.freeze(contest)
    assert contests.draw(contest) is not None
    contest.refresh_from_db()
    return contest


def test_the_algorithm_is_fixed_by_known_values():
    # Pinned so a change to the draw, in Liant or in the script, cannot pass unnoticed:
    # published draws must stay verifiable forever.
    seed = verify_draw.seed_of("00" * 32, "11" * 32)
    assert seed.hex() == "8878b15a7d6a3a4f464e8f9f42591dbc0cf4bedea0ec309003d2b2ee53655ef8"
    assert verify_draw.pick(list(range(1, 11)), 3, seed) == [6, 7, 1]
    assert verify_draw.pick(list(range(1, 11)), 10, seed) == [6, 7, 1, 3, 2, 10, 5, 8, 9, 4]


def test_the_draw_is_what_the_docstring_describes():
    """Written again from the documentation alone, the draw gives the same winners."""
    import hashlib
    import hmac

    secret, list_hash = "ab" * 32, "cd" * 32
    seed = hashlib.sha256(bytes.fromhex(secret) + bytes.fromhex(list_hash)).digest()
    pool, k = list(range(100, 140)), 0
    for i in range(5):
        n = len(pool) - i
        while True:
            mac = hmac.new(seed, k.to_bytes(8, "big"), hashlib.sha256).digest()
            k += 1
            value = int.from_bytes(mac, "big")
            if value < 2**256 - 2**256 % n:
                break
        j = value % n
        pool[i], pool[i + j] = pool[i + j], pool[i]
    assert (
        verify_draw.pick(list(range(100, 140)), 5, verify_draw.seed_of(secret, list_hash))
        == (pool[:5])
    )


def test_every_entry_can_win_and_the_shuffle_is_not_biased():
    counts = dict.fromkeys(range(5), 0)
    for k in range(2000):
        seed = verify_draw.sha256_hex(str(k).encode())
        counts[verify_draw.pick(list(range(5)), 1, bytes.fromhex(seed))[0]] += 1
    assert all(300 < c < 500 for c in counts.values()), counts


def test_freezing_publishes_the_list_hash_and_the_secret_hash_but_not_the_secret(workspace):
    contest = make_contest(workspace)
    entries = enter(contest, 4)
    assert contests.freeze(contest)
    assert contest.state == Contest.State.FROZEN
    assert contest.list_hash == verify_draw.sha256_hex(contest.list_json.encode())
    assert contest.secret_hash == verify_draw.sha256_hex(bytes.fromhex(contest.secret))
    listed = json.loads(contest.list_json)
    assert [e["id"] for e in listed["entries"]] == [e.pk for e in entries]
    assert listed["winners"] == 3
    # No personal data in what is published: ids and pseudonyms only.
    assert "@" not in contest.list_json and "Personne" not in contest.list_json
    document = contests.draw_document(contest)
    assert document["secret"] is None and document["winners"] == []


def test_rerunning_the_published_draw_reproduces_the_winners(drawn):
    document = contests.draw_document(drawn)
    ok, findings, winners = verify_draw.verify(json.loads(json.dumps(document)))
    assert ok, findings
    recorded = list(Winner.objects.filter(contest=drawn).values_list("entry_id", flat=True))
    assert [w["id"] for w in winners] == recorded
    assert len(recorded) == 3


def test_the_standalone_script_verifies_the_download(drawn, tmp_path):
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(contests.draw_document(drawn)))
    # -I: isolated mode, no site-packages: the script must need nothing but the stdlib.
    run = subprocess.run(
        [sys.executable, "-I", str(SCRIPT), str(path)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "VERIFIED" in run.stdout and "NOT VERIFIED" not in run.stdout
    for winner in drawn.winners.all():
        assert winner.label in run.stdout


@pytest.mark.parametrize("tamper", ["list", "secret", "winners", "list_hash"])
def test_tampering_with_the_draw_is_detected(drawn, tmp_path, tamper):
    document = contests.draw_document(drawn)
    if tamper == "list":
        listed = json.loads(document["list"])
        listed["entries"] = listed["entries"][1:]  # someone quietly removed
        document["list"] = verify_draw.canonical(listed).decode()
    elif tamper == "secret":
        document["secret"] = "0" * 64
    elif tamper == "winners":
        document["winners"][0], document["winners"][1] = (
            document["winners"][1],
            document["winners"][0],
        )
    else:
        document["list_hash"] = "f" * 64
    ok, findings, _ = verify_draw.verify(document)
    assert not ok
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(document))
    run = subprocess.run([sys.executable, "-I", str(SCRIPT), str(path)], capture_output=True)
    assert run.returncode == 1
    assert b"NOT VERIFIED" in run.stdout


def test_a_frozen_list_cannot_change(workspace):
    contest = make_contest(workspace)
    enter(contest, 3)
    contests.freeze(contest)
    frozen = (contest.list_json, contest.list_hash, contest.secret_hash)
    late = Member.objects.create(workspace=workspace, name="Retardataire")
    with pytest.raises(contests.ContestClosed):
        contests.add_entry(contest, late, Entry.Source.FORM, timezone.now())
    assert not contests.freeze(contest)  # a second freeze changes nothing
    contest.refresh_from_db()
    assert (contest.list_json, contest.list_hash, contest.secret_hash) == frozen
    # Even a row written behind the code's back does not reach the draw: it reads the list.
    sneaked = Entry.objects.create(
        workspace=workspace, contest=contest, member=late, source=Entry.Source.FORM
    )
    contests.draw(contest)
    assert sneaked.pk not in set(contest.winners.values_list("entry_id", flat=True))
    assert contest.winners.count() == 3


def test_a_draw_never_runs_twice(drawn):
    first = list(drawn.winners.values_list("entry_id", "rank"))
    assert contests.draw(drawn) is None
    assert contests.draw_due() == 0
    assert list(drawn.winners.values_list("entry_id", "rank")) == first


def test_the_draw_waits_for_the_announced_time(workspace):
    contest = make_contest(workspace)
    enter(contest, 5)
    contests.freeze(contest, draw_at=timezone.now() + timedelta(hours=2))
    assert contests.draw(contest) is None
    assert contests.draw_due() == 0
    assert contests.draw_due(now=timezone.now() + timedelta(hours=3)) == 1
    contest.refresh_from_db()
    assert contest.state == Contest.State.DRAWN and contest.winners.count() == 3


def test_more_winners_than_entries_gives_everyone_a_prize(workspace):
    contest = make_contest(workspace, winners_count=10)
    enter(contest, 2)
    contests.freeze(contest)
    contests.draw(contest)
    assert contest.winners.count() == 2
    assert verify_draw.verify(contests.draw_document(contest))[0]


def test_eligibility_is_decided_at_the_freeze(workspace):
    contest = make_contest(workspace, min_account_days=30, countries="FR, BE", require_consent=True)
    now = timezone.now()
    people = {
        "ok": Member.objects.create(workspace=workspace, country="FR"),
        "new": Member.objects.create(workspace=workspace, country="FR"),
        "abroad": Member.objects.create(workspace=workspace, country="US"),
        "staff": Member.objects.create(workspace=workspace, country="FR", kind=Kind.STAFF),
        "bot": Member.objects.create(workspace=workspace, country="BE", kind=Kind.BOT),
        "no_consent": Member.objects.create(workspace=workspace, country="BE"),
        "withdrew": Member.objects.create(workspace=workspace, country="BE"),
    }
    Member.objects.exclude(pk=people["new"].pk).update(first_seen_at=now - timedelta(days=60))
    Member.objects.filter(pk=people["new"].pk).update(first_seen_at=now - timedelta(days=2))
    for key, member in people.items():
        if key != "no_consent":
            Consent.objects.create(member=member, purpose=Consent.Purpose.CONTEST_RULES)
        member.refresh_from_db()
        contests.add_entry(contest, member, Entry.Source.FORM, now)
    Consent.objects.create(
        member=people["withdrew"], purpose=Consent.Purpose.CONTEST_RULES, granted=False
    )
    contests.freeze(contest)
    reasons = {e.member_id: e.excluded_because for e in Entry.objects.filter(contest=contest)}
    assert reasons == {
        people["ok"].pk: "",
        people["new"].pk: "account_too_new",
        people["abroad"].pk: "country",
        people["staff"].pk: "staff_or_bot",
        people["bot"].pk: "staff_or_bot",
        people["no_consent"].pk: "no_consent",
        people["withdrew"].pk: "no_consent",
    }
    listed = json.loads(contest.list_json)["entries"]
    assert [e["id"] for e in listed] == [Entry.objects.get(contest=contest, member=people["ok"]).pk]


def test_the_draw_stays_verifiable_after_a_winner_is_erased(drawn):
    winner = drawn.winners.first()
    Member.objects.filter(pk=winner.entry.member_id).delete()  # a GDPR erasure
    document = contests.draw_document(drawn)
    ok, findings, winners = verify_draw.verify(document)
    assert ok, findings
    assert winners[0]["label"] == winner.label
    assert drawn.winners.count() == 3


def test_the_freeze_reads_the_contests_post_once_more(workspace):
    from tests.members.factories import channel, event

    mastodon = channel(workspace, "mastodon")
    contest = make_contest(workspace, channel=mastodon, post_remote_id="p1")
    event(mastodon, "derniere", parent="p1", days_ago=400)  # stored, never collected
    contests.freeze(contest)
    assert len(json.loads(contest.list_json)["entries"]) == 1


@pytest.mark.django_db(transaction=True)
def test_two_draws_at_the_same_moment_give_one_set_of_winners(workspace):
    import threading

    from django.db import connection

    contest = make_contest(workspace)
    enter(contest, 8)
    contests.freeze(contest)
    start = threading.Barrier(3)
    results: list[object] = []

    def worker() -> None:
        try:
            start.wait()
            results.append(contests.draw(Contest.objects.get(pk=contest.pk)))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r is not None for r in results) == 1
    assert Winner.objects.filter(contest=contest).count() == 3
    contest.refresh_from_db()
    assert verify_draw.verify(contests.draw_document(contest))[0]
