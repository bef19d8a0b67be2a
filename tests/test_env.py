"""liant.env: reading settings from the environment, strictly."""

from __future__ import annotations

import multiprocessing
import os
import stat
from pathlib import Path

import pytest

from liant.env import email_settings, env_bool, env_int, env_list, env_secret, generated_secret


@pytest.mark.parametrize("raw", ["1", "true", "True", "YES", "on", " yes "])
def test_true_booleans(monkeypatch, raw):
    monkeypatch.setenv("X", raw)
    assert env_bool("X") is True


@pytest.mark.parametrize("raw", ["0", "false", "FALSE", "no", "off", ""])
def test_false_booleans(monkeypatch, raw):
    monkeypatch.setenv("X", raw)
    assert env_bool("X", True) is False


@pytest.mark.parametrize("raw", ["maybe", "2", "oui", "tru"])
def test_a_boolean_that_is_neither_is_an_error_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("LIANT_HTTPS", raw)
    with pytest.raises(ValueError, match="LIANT_HTTPS must be a boolean"):
        env_bool("LIANT_HTTPS")


def test_an_unset_boolean_is_the_default(monkeypatch):
    monkeypatch.delenv("X", raising=False)
    assert env_bool("X") is False
    assert env_bool("X", True) is True


def test_integers(monkeypatch):
    monkeypatch.delenv("N", raising=False)
    assert env_int("N", 7) == 7
    monkeypatch.setenv("N", "")
    assert env_int("N", 7) == 7
    monkeypatch.setenv("N", " 12 ")
    assert env_int("N", 1) == 12
    monkeypatch.setenv("N", "douze")
    with pytest.raises(ValueError, match="N must be an integer, got 'douze'"):
        env_int("N", 1)


def test_lists(monkeypatch):
    monkeypatch.delenv("HOSTS", raising=False)
    assert env_list("HOSTS", ["localhost"]) == ["localhost"]
    monkeypatch.setenv("HOSTS", " liant.example.org, ,www.example.org ")
    assert env_list("HOSTS", []) == ["liant.example.org", "www.example.org"]
    monkeypatch.setenv("HOSTS", "")
    assert env_list("HOSTS", ["localhost"]) == []  # set but empty means none


def test_a_secret_can_come_from_a_file(monkeypatch, tmp_path):
    path = tmp_path / "key"
    path.write_text("from-a-file\n")
    monkeypatch.delenv("LIANT_TEST_SECRET", raising=False)
    monkeypatch.delenv("LIANT_TEST_SECRET_FILE", raising=False)
    assert env_secret("LIANT_TEST_SECRET", "fallback") == "fallback"
    monkeypatch.setenv("LIANT_TEST_SECRET_FILE", str(path))
    assert env_secret("LIANT_TEST_SECRET") == "from-a-file"  # trailing newline dropped
    monkeypatch.setenv("LIANT_TEST_SECRET", "direct")
    assert env_secret("LIANT_TEST_SECRET") == "direct"  # the variable itself wins


def test_a_secret_file_that_is_missing_is_an_error_not_an_empty_secret(monkeypatch, tmp_path):
    monkeypatch.delenv("LIANT_TEST_SECRET", raising=False)
    monkeypatch.setenv("LIANT_TEST_SECRET_FILE", str(tmp_path / "absent"))
    with pytest.raises(FileNotFoundError):
        env_secret("LIANT_TEST_SECRET")


def test_the_generated_secret_is_private_and_stable(tmp_path):
    path = tmp_path / "var" / "secret_key"
    first = generated_secret(path)
    assert len(first) > 40
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert path.read_text() == first
    assert generated_secret(path) == first
    assert generated_secret(tmp_path / "elsewhere") != first  # random, not a constant


def _secret_after(barrier, path: Path, results) -> None:
    barrier.wait()
    results.put(generated_secret(path))


def test_processes_starting_together_share_one_complete_secret(tmp_path):
    # `liant run` starts the web server and the worker at once on a fresh ./var: none of them
    # may read the key file before it is written (an empty key), nor write a second key.
    context = multiprocessing.get_context("fork")
    for round_ in range(30):
        path = tmp_path / f"secret_key_{round_}"
        barrier, results = context.Barrier(8), context.Queue()
        processes = [
            context.Process(target=_secret_after, args=(barrier, path, results)) for _ in range(8)
        ]
        for process in processes:
            process.start()
        values = [results.get(timeout=30) for _ in processes]
        for process in processes:
            process.join(timeout=30)
        assert len(set(values)) == 1 and values[0] == path.read_text() != ""
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    leftovers = {p.name for p in tmp_path.iterdir()} - {f"secret_key_{i}" for i in range(30)}
    assert leftovers == set()  # no temporary file left behind


def test_email_urls():
    assert email_settings("")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    assert email_settings("console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    assert email_settings("locmem://")["EMAIL_BACKEND"].endswith("locmem.EmailBackend")

    smtp = email_settings(
        "smtp://user%40example.org:p%40ss@smtp.example.org:2525?from=Liant%20<l@example.org>"
    )
    assert smtp["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
    assert smtp["EMAIL_HOST"] == "smtp.example.org" and smtp["EMAIL_PORT"] == 2525
    assert smtp["EMAIL_HOST_USER"] == "user@example.org" and smtp["EMAIL_HOST_PASSWORD"] == "p@ss"
    assert smtp["EMAIL_USE_TLS"] is True and smtp["EMAIL_USE_SSL"] is False  # STARTTLS
    assert smtp["DEFAULT_FROM_EMAIL"] == "Liant <l@example.org>"

    assert email_settings("smtp://mail.example.org")["EMAIL_PORT"] == 587
    plain = email_settings("smtp://mail.example.org:25?tls=false&timeout=5")
    assert plain["EMAIL_USE_TLS"] is False and plain["EMAIL_TIMEOUT"] == 5

    smtps = email_settings("smtps://u:p@mail.example.org")
    assert smtps["EMAIL_PORT"] == 465
    assert smtps["EMAIL_USE_SSL"] is True and smtps["EMAIL_USE_TLS"] is False  # implicit TLS
    assert "DEFAULT_FROM_EMAIL" not in smtps


@pytest.mark.parametrize("url", ["http://mail.example.org", "imap://u:p@mail.example.org"])
def test_an_e_mail_url_with_another_scheme_is_an_error(url):
    with pytest.raises(ValueError, match="EMAIL_URL scheme must be smtp, smtps or console"):
        email_settings(url)
