"""The `liant` command: backup/restore, check, createadmin, demo, and `liant run` itself."""

from __future__ import annotations

import sqlite3
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from liant.cli import main as liant_main
from liant.core.models import Membership, Organisation, User
from liant.core.permissions import Role
from liant.demo.loader import DEMO_PASSWORD

# --- backup and restore, on whichever database the suite runs ---------------------------


def slugs() -> list[str]:
    return sorted(Organisation.objects.values_list("slug", flat=True))


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_brings_the_data_back(tmp_path):
    Organisation.objects.create(name="Kept", slug="kept")
    out = StringIO()
    call_command("backup", output=str(tmp_path / "liant.backup"), stdout=out)
    backup = Path(out.getvalue().strip())
    assert backup == tmp_path / "liant.backup"
    assert backup.is_file() and backup.stat().st_size > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["liant.backup"]  # no .part left

    Organisation.objects.all().delete()
    Organisation.objects.create(name="Added after", slug="added-after")
    out = StringIO()
    call_command("restore", str(backup), yes=True, stdout=out)
    assert "Restored" in out.getvalue()
    assert slugs() == ["kept"]
    # The database still works as a whole after the swap, not just one table.
    User.objects.create_user("after@restore.example", "a password")
    assert User.objects.filter(email="after@restore.example").exists()


@pytest.mark.django_db(transaction=True)
def test_backup_goes_to_the_backup_directory_by_default(tmp_path, monkeypatch):
    monkeypatch.setenv("LIANT_BACKUP_DIR", str(tmp_path / "backups"))
    out = StringIO()
    call_command("backup", stdout=out)
    backup = Path(out.getvalue().strip())
    assert backup.parent == tmp_path / "backups"
    assert backup.name.startswith("liant-") and backup.stat().st_size > 0
    assert [p.name for p in backup.parent.iterdir()] == [backup.name]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "content",
    [b"this is not a database\n" * 100, b"", "another app's SQLite database"],
    ids=["junk", "empty-file", "foreign-sqlite"],
)
def test_restoring_something_that_is_not_a_backup_changes_nothing(tmp_path, content):
    Organisation.objects.create(name="Kept", slug="kept")
    wrong = tmp_path / "wrong.backup"
    if isinstance(content, bytes):
        wrong.write_bytes(content)
    else:
        # A sound database, just not Liant's: restoring it would empty every table.
        other = sqlite3.connect(wrong)
        other.execute("CREATE TABLE notes (body TEXT)")
        other.commit()
        other.close()
    with pytest.raises(CommandError, match=r"not a .*nothing was changed"):
        call_command("restore", str(wrong), yes=True, stdout=StringIO())
    assert slugs() == ["kept"]


def test_restore_of_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "nope"), yes=True)


@pytest.mark.django_db(transaction=True)
def test_restore_asks_first_and_a_no_changes_nothing(tmp_path, monkeypatch):
    Organisation.objects.create(name="Kept", slug="kept")
    call_command("backup", output=str(tmp_path / "b"), stdout=StringIO())
    Organisation.objects.create(name="New", slug="new")
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore", str(tmp_path / "b"), stdout=StringIO())
    assert slugs() == ["kept", "new"]


# --- `liant check` (check --deploy) -----------------------------------------------------


def liant_warnings() -> set[str]:
    return {m.id for m in run_checks(include_deployment_checks=True) if m.id.startswith("liant.")}


UNCONFIGURED = {
    "SECRET_KEY_IS_GENERATED": True,
    "ALLOWED_HOSTS": ["127.0.0.1", "localhost", "[::1]"],
    "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    "LIANT_HTTPS": False,
    "DEBUG": True,
    "DATABASE_URL": "",
}
CONFIGURED = {
    "SECRET_KEY_IS_GENERATED": False,
    "ALLOWED_HOSTS": ["liant.example.org"],
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "LIANT_HTTPS": True,
    "DEBUG": False,
    "DATABASE_URL": "postgres://db/liant",
}
# Which setting silences which warning.
FIXES = {
    "liant.W001": "SECRET_KEY_IS_GENERATED",
    "liant.W002": "ALLOWED_HOSTS",
    "liant.W003": "EMAIL_BACKEND",
    "liant.W004": "LIANT_HTTPS",
    "liant.W005": "DEBUG",
    "liant.W006": "DATABASE_URL",
}


def test_check_in_the_test_setup_says_what_it_lacks():
    # The test settings give a secret key, locmem e-mail and no debug, but only local hosts,
    # no HTTPS, and SQLite unless the suite runs on PostgreSQL. (Django's test environment
    # adds "testserver" to ALLOWED_HOSTS; a real install never has it.)
    hosts = [host for host in settings.ALLOWED_HOSTS if host != "testserver"]
    expected = {"liant.W002", "liant.W004"}
    if connection.vendor == "sqlite":
        expected.add("liant.W006")
    with override_settings(ALLOWED_HOSTS=hosts):
        assert liant_warnings() == expected


def test_an_unconfigured_install_gets_every_warning():
    with override_settings(**UNCONFIGURED):
        assert liant_warnings() == set(FIXES)


@pytest.mark.parametrize("warning", sorted(FIXES))
def test_each_setting_removes_its_own_warning(warning):
    setting = FIXES[warning]
    with override_settings(**{**UNCONFIGURED, setting: CONFIGURED[setting]}):
        assert liant_warnings() == set(FIXES) - {warning}


def test_check_is_quiet_once_configured():
    with override_settings(**CONFIGURED):
        assert liant_warnings() == set()


def test_liant_check_is_check_deploy(capsys):
    with override_settings(**UNCONFIGURED):
        assert liant_main(["check"]) == 0
    printed = capsys.readouterr()
    report = printed.out + printed.err
    for warning in FIXES:
        assert warning in report
    assert "LIANT_SECRET_KEY" in report and "EMAIL_URL" in report  # the hints say what to set


def test_check_deploy_through_call_command_passes_with_warnings_only():
    out, err = StringIO(), StringIO()
    with override_settings(**{**UNCONFIGURED, "LIANT_HTTPS": True}):
        call_command("check", "--deploy", stdout=out, stderr=err)
    report = out.getvalue() + err.getvalue()
    assert "liant.W002" in report and "liant.W004" not in report


# --- createadmin ------------------------------------------------------------------------


@pytest.mark.django_db
def test_createadmin_makes_an_operator_who_owns_a_workspace():
    out = StringIO()
    call_command(
        "createadmin",
        email="Ops@Example.org",
        password="a-long-operator-password",
        organisation="Maison Test",
        stdout=out,
    )
    assert "ops@example.org" in out.getvalue()
    user = User.objects.get(email="ops@example.org")
    assert user.is_superuser and user.is_staff
    assert user.check_password("a-long-operator-password")
    membership = Membership.objects.get(user=user)
    assert membership.role == Role.OWNER
    assert membership.workspace.name == "Maison Test"
    assert membership.workspace.organisation.name == "Maison Test"


@pytest.mark.django_db
def test_createadmin_refuses_an_e_mail_already_used_whatever_its_case():
    call_command(
        "createadmin",
        email="ops@example.org",
        password="a-long-operator-password",
        organisation="Maison Test",
        stdout=StringIO(),
    )
    with pytest.raises(CommandError, match="already exists"):
        call_command(
            "createadmin",
            email="OPS@example.org",
            password="another-password",
            organisation="Other",
            stdout=StringIO(),
        )
    assert User.objects.count() == 1
    assert list(Organisation.objects.values_list("name", flat=True)) == ["Maison Test"]


# --- the demo (the whole demo's load: tests/demo/test_whole_demo.py) ---------------------


def test_liant_demo_is_loaddemo(monkeypatch, capsys):
    # What `liant demo` runs; the load itself is the test above's (loading again here would
    # cost half a minute for nothing).
    from liant.demo.loader import DemoContext
    from liant.demo.management.commands import loaddemo

    loads = []

    def load() -> DemoContext:
        loads.append(1)
        return DemoContext(None, {}, {})  # type: ignore[arg-type]

    monkeypatch.setattr(loaddemo, "load", load)
    assert liant_main(["demo"]) == 0
    assert loads == [1]
    assert DEMO_PASSWORD in capsys.readouterr().out
