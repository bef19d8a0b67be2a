"""The `liant` command: backup/restore, check, createadmin, demo, and `liant run` itself."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.test import override_settings

from liant.core.models import Membership, Organisation, User, Workspace
from liant.core.permissions import Role
from liant.demo.loader import DEMO_PASSWORD, PERSONAS
from tests.servers import free_port


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_brings_the_data_back(tmp_path):
    Organisation.objects.create(name="Kept", slug="kept")
    out = StringIO()
    call_command("backup", output=str(tmp_path / "liant.backup"), stdout=out)
    backup = Path(out.getvalue().strip())
    assert backup.is_file() and backup.stat().st_size > 0
    assert not list(tmp_path.glob("*.part"))
    Organisation.objects.all().delete()
    Organisation.objects.create(name="Added after", slug="added-after")
    call_command("restore", str(backup), yes=True, stdout=StringIO())
    assert list(Organisation.objects.values_list("slug", flat=True)) == ["kept"]


@pytest.mark.django_db(transaction=True)
def test_restoring_something_that_is_not_a_backup_changes_nothing(tmp_path):
    Organisation.objects.create(name="Kept", slug="kept")
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(CommandError):
        call_command("restore", str(junk), yes=True, stdout=StringIO())
    assert Organisation.objects.filter(slug="kept").exists()


def test_restore_of_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "nope"), yes=True)


def deploy_ids() -> set[str]:
    return {m.id for m in run_checks(include_deployment_checks=True) if m.id.startswith("liant.")}


def test_check_says_what_production_lacks():
    with override_settings(
        SECRET_KEY_IS_GENERATED=True,
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        LIANT_HTTPS=False,
        DATABASE_URL="",
    ):
        assert {
            "liant.W001",
            "liant.W002",
            "liant.W003",
            "liant.W004",
            "liant.W006",
        } <= deploy_ids()


def test_check_is_quiet_once_configured():
    with override_settings(
        SECRET_KEY_IS_GENERATED=False,
        ALLOWED_HOSTS=["liant.example.org"],
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        LIANT_HTTPS=True,
        DEBUG=False,
        DATABASE_URL="postgres://db/liant",
    ):
        assert deploy_ids() == set()


@pytest.mark.django_db
def test_createadmin_makes_an_operator_who_owns_a_workspace():
    call_command(
        "createadmin",
        email="Ops@Example.org",
        password="a-long-operator-password",
        organisation="Maison Test",
        stdout=StringIO(),
    )
    user = User.objects.get(email="ops@example.org")
    assert user.is_superuser and user.check_password("a-long-operator-password")
    assert Membership.objects.get(user=user).role == Role.OWNER
    with pytest.raises(CommandError, match="already exists"):
        call_command("createadmin", email="ops@example.org", password="x", stdout=StringIO())


@pytest.mark.django_db
def test_the_demo_loads_twice_without_doubling_and_prints_the_logins():
    out = StringIO()
    call_command("loaddemo", stdout=out)
    counts = (User.objects.count(), Membership.objects.count(), Workspace.objects.count())
    call_command("loaddemo", stdout=StringIO())
    assert (User.objects.count(), Membership.objects.count(), Workspace.objects.count()) == counts
    printed = out.getvalue()
    assert DEMO_PASSWORD in printed
    for persona in PERSONAS:
        assert persona.email in printed
        user = User.objects.get(email=persona.email)
        assert user.check_password(DEMO_PASSWORD)
        for slug, role in persona.roles.items():
            assert Membership.objects.get(user=user, workspace__slug=slug).role == role
    assert Organisation.objects.get().name == "Maison Lumière"


def children_of(pid: int) -> list[int]:
    result = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True
    )
    return [int(x) for x in result.stdout.split()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purpose.
    state = subprocess.run(
        ["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True
    ).stdout
    return bool(state.strip()) and not state.strip().startswith("Z")


@pytest.mark.worker
def test_liant_run_starts_web_and_worker_and_ctrl_c_stops_both(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env |= {
        "DJANGO_SETTINGS_MODULE": "liant.settings",
        "LIANT_VAR_DIR": str(tmp_path),
        "LIANT_SECRET_KEY": "run-test-secret",
    }
    subprocess.run([sys.executable, "-m", "liant.cli", "migrate", "-v0"], env=env, check=True)
    port = free_port()
    run = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "liant.cli",
            "run",
            "--bind",
            f"127.0.0.1:{port}",
            "--web-workers",
            "1",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and status != 200:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/healthz", timeout=2
                ) as answer:
                    status = answer.status
            except OSError:
                time.sleep(0.3)
        assert status == 200
        children = children_of(run.pid)
        assert len(children) == 2  # gunicorn master and the job worker
        run.send_signal(signal.SIGINT)
        assert run.wait(timeout=30) == 0
        time.sleep(0.5)
        assert [c for c in children if alive(c)] == []
    finally:
        if run.poll() is None:
            run.kill()
        run.communicate()
