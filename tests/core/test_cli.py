"""The `liant` command: backup/restore, check, createadmin, demo, and `liant run` itself."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from liant.cli import main as liant_main
from liant.core.models import Membership, Organisation, User, Workspace
from liant.core.permissions import Role
from liant.demo.loader import DEMO_PASSWORD, PERSONAS
from tests.servers import free_port

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


# --- the demo ---------------------------------------------------------------------------


def row_counts() -> dict[str, int]:
    """Rows of every Liant model (and the users), so a step that doubles anything shows."""
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_config.name.startswith("liant.")
    }


def test_the_demo_loads_twice_without_doubling_and_prints_the_logins(loaded_demo, db):
    counts = (User.objects.count(), Membership.objects.count(), Workspace.objects.count())
    everything = row_counts()
    call_command("loaddemo", stdout=StringIO())
    assert (User.objects.count(), Membership.objects.count(), Workspace.objects.count()) == counts
    assert row_counts() == everything
    assert counts == (
        len(PERSONAS),
        sum(len(p.roles) for p in PERSONAS),
        len({slug for p in PERSONAS for slug in p.roles}),
    )

    printed = loaded_demo.printed
    assert f"Password for all of them: {DEMO_PASSWORD}" in printed
    for persona in PERSONAS:
        assert persona.email in printed
        user = User.objects.get(email=persona.email)
        assert user.name == persona.name and user.language == persona.language
        assert user.check_password(DEMO_PASSWORD)
        roles = dict(user.memberships.values_list("workspace__slug", "role"))
        assert roles == {slug: str(role) for slug, role in persona.roles.items()}
        if "maison-lumiere" in persona.roles:  # the brand's main workspace opens first
            assert user.last_workspace is not None
            assert user.last_workspace.slug == "maison-lumiere"
    assert Organisation.objects.get().name == "Maison Lumière"


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


# --- `liant run`: web server and worker together -----------------------------------------


def children_of(pid: int) -> list[int]:
    result = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True
    )
    return [int(x) for x in result.stdout.split()]


def descendants_of(pid: int) -> list[int]:
    found: list[int] = []
    for child in children_of(pid):
        found += [child, *descendants_of(child)]
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


def alive(pid: int) -> bool:
    """Still running: a zombie waiting for its (dead) parent to be reaped counts as gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return fields[0] not in {"Z", "X"}


def run_env(var_dir: Path) -> dict[str, str]:
    """A fresh machine's environment: no DATABASE_URL/REDIS_URL, nothing from the test run."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LIANT_")
        and k not in {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "liant.settings",
        "LIANT_VAR_DIR": str(var_dir),
        "LIANT_SECRET_KEY": "run-test-secret-not-for-production",
    }
    return env


@dataclass
class Running:
    process: subprocess.Popen[str]
    children: dict[str, int]  # "web" (gunicorn master) and "worker" (huey consumer)
    everyone: list[int]  # every descendant, gunicorn's own worker included

    def wait_until_all_gone(self) -> list[str]:
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in self.everyone) and time.monotonic() < deadline:
            time.sleep(0.1)
        return [command_line(pid) for pid in self.everyone if alive(pid)]


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """A fresh machine's var dir after `liant migrate`, made once: the migrations take half a
    minute, and each test starts from a copy."""
    var_dir = tmp_path_factory.mktemp("migrated")
    cli = [sys.executable, "-m", "liant.cli"]
    subprocess.run([*cli, "migrate", "-v0"], env=run_env(var_dir), check=True, timeout=300)
    assert (var_dir / "liant.sqlite3").is_file()  # SQLite in the var dir, not the test DB
    return var_dir


@contextlib.contextmanager
def liant_run(var_dir: Path, migrated: Path) -> Iterator[Running]:
    """`liant run` on a fresh, migrated machine (SQLite in var_dir), once /healthz answers
    200."""
    shutil.copytree(migrated, var_dir, dirs_exist_ok=True)
    env = run_env(var_dir)
    cli = [sys.executable, "-m", "liant.cli"]
    port = free_port()
    process = subprocess.Popen(
        [*cli, "run", "--bind", f"127.0.0.1:{port}", "--web-workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # Its own session, as in a terminal: Ctrl-C there signals the whole group.
        start_new_session=True,
    )
    everyone: list[int] = []
    try:
        deadline = time.monotonic() + 60
        status = None
        while status != 200 and time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    status = r.status
            except OSError:
                time.sleep(0.3)
        assert status == 200, "GET /healthz never answered 200 within 60 s"

        children = {command_line(pid): pid for pid in children_of(process.pid)}
        assert len(children) == 2, list(children)
        web = [pid for line, pid in children.items() if "gunicorn liant.wsgi:application" in line]
        worker = [pid for line, pid in children.items() if "liant.cli worker" in line]
        assert len(web) == 1 and len(worker) == 1, list(children)
        everyone = descendants_of(process.pid)
        assert len(everyone) >= 3  # gunicorn master + its worker, and the job worker
        yield Running(process, {"web": web[0], "worker": worker[0]}, everyone)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        for pid in everyone:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        output, _ = process.communicate()
        if os.environ.get("LIANT_SHOW_WORKER_LOG"):
            print(output)


@pytest.mark.worker
@pytest.mark.parametrize("ctrl_c", ["to-liant-run", "to-the-process-group"])
def test_liant_run_starts_web_and_worker_and_ctrl_c_stops_both(tmp_path, migrated, ctrl_c):
    with liant_run(tmp_path, migrated) as run:
        if ctrl_c == "to-liant-run":
            run.process.send_signal(signal.SIGINT)
        else:
            os.killpg(run.process.pid, signal.SIGINT)
        assert run.process.wait(timeout=30) == 0
        assert run.wait_until_all_gone() == []


@pytest.mark.worker
def test_when_the_worker_dies_liant_run_stops_the_web_server_and_fails(tmp_path, migrated):
    with liant_run(tmp_path, migrated) as run:
        os.kill(run.children["worker"], signal.SIGKILL)
        assert run.process.wait(timeout=30) != 0  # a supervisor sees it and restarts it
        assert run.wait_until_all_gone() == []
