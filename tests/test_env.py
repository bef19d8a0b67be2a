import os
import stat

import pytest

from liant.env import email_settings, env_bool, env_int, env_list, env_secret, generated_secret


def test_booleans_are_read_strictly(monkeypatch):
    monkeypatch.setenv("X", "Yes")
    assert env_bool("X") is True
    monkeypatch.setenv("X", "off")
    assert env_bool("X", True) is False
    monkeypatch.setenv("X", "maybe")
    with pytest.raises(ValueError, match="X must be a boolean"):
        env_bool("X")
    monkeypatch.delenv("X")
    assert env_bool("X", True) is True


def test_integers_and_lists(monkeypatch):
    monkeypatch.setenv("N", "12")
    assert env_int("N", 1) == 12
    monkeypatch.setenv("N", "douze")
    with pytest.raises(ValueError, match="N must be an integer"):
        env_int("N", 1)
    monkeypatch.setenv("HOSTS", " liant.example.org, ,www.example.org ")
    assert env_list("HOSTS", []) == ["liant.example.org", "www.example.org"]


def test_a_secret_can_come_from_a_file(monkeypatch, tmp_path):
    path = tmp_path / "key"
    path.write_text("from-a-file\n")
    monkeypatch.delenv("LIANT_TEST_SECRET", raising=False)
    monkeypatch.setenv("LIANT_TEST_SECRET_FILE", str(path))
    assert env_secret("LIANT_TEST_SECRET") == "from-a-file"
    monkeypatch.setenv("LIANT_TEST_SECRET", "direct")
    assert env_secret("LIANT_TEST_SECRET") == "direct"


def test_the_generated_secret_is_private_and_stable(tmp_path):
    path = tmp_path / "var" / "secret_key"
    first = generated_secret(path)
    assert len(first) > 40
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert generated_secret(path) == first


def test_email_urls():
    assert email_settings("")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    smtp = email_settings(
        "smtp://user%40example.org:p%40ss@smtp.example.org:2525?from=Liant%20<l@example.org>"
    )
    assert smtp["EMAIL_HOST"] == "smtp.example.org" and smtp["EMAIL_PORT"] == 2525
    assert smtp["EMAIL_HOST_USER"] == "user@example.org" and smtp["EMAIL_HOST_PASSWORD"] == "p@ss"
    assert smtp["EMAIL_USE_TLS"] is True and smtp["EMAIL_USE_SSL"] is False
    assert smtp["DEFAULT_FROM_EMAIL"] == "Liant <l@example.org>"
    smtps = email_settings("smtps://u:p@mail.example.org")
    assert (
        smtps["EMAIL_PORT"] == 465
        and smtps["EMAIL_USE_SSL"] is True
        and smtps["EMAIL_USE_TLS"] is False
    )
    with pytest.raises(ValueError, match="scheme"):
        email_settings("http://mail.example.org")
