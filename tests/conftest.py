"""Fixtures shared by the whole suite.

Every view test has three people: an owner and a member of the workspace, and an outsider
who owns another workspace and must get nothing from this one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from liant.core.models import Membership, Organisation, User, Workspace
from liant.core.permissions import Role
from tests.servers import start_pds, start_s3, start_synapse, stop_pds, stop_s3, stop_synapse

PASSWORD = "correct horse battery staple"

DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "live_server"}


def uses_the_demo(item: pytest.Item) -> bool:
    return "loaded_demo" in getattr(item, "fixturenames", ())


# Files whose tests share an expensive set-up made once per process (the whole demo; a
# migrated var dir): under pytest-xdist each goes to a single process, so it is made once.
SHARED_SETUP = ("tests/demo/test_whole_demo.py", "tests/core/test_liant_run.py")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """pytest-xdist's own groups (`xdist_group`) do not reach its scheduler under pytest 9, so
    the scheduler is told here: each SHARED_SETUP file is one unit, every other test its own,
    handed out in collection order (the order pytest-django and the hook below set)."""
    from xdist.scheduler import LoadScopeScheduling  # noqa: PLC0415 - only under xdist

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return path if path in SHARED_SETUP else nodeid

    config.option.loadscopereorder = False  # keep the collection order, biggest units not first
    return Scheduling(config, log)


@pytest.hookimpl(trylast=True)  # after pytest-django's own ordering
def pytest_collection_modifyitems(config, items):
    """The tests of the whole demo run last: they share one load of it (`loaded_demo`), which
    stays in the database for the rest of the session.

    On the PostgreSQL + Redis pass, run what may behave differently there: tests that use
    the database. Left to the SQLite pass: tests that touch no database (they would run the
    same twice), and the browser and demo tests, which drive whole pages and the whole demo
    through the same ORM and took a third of that pass. This keeps CI within its 30 minutes."""
    items.sort(key=uses_the_demo)
    for item in items:
        if uses_the_demo(item) and item.nodeid.split("::")[0] != SHARED_SETUP[0]:
            raise pytest.UsageError(
                f"{item.nodeid}: tests of the whole demo go in {SHARED_SETUP[0]}"
            )
    if not os.environ.get("LIANT_TEST_DATABASE_URL"):
        return
    skip = pytest.mark.skip(reason="run on the SQLite pass only (see tests/conftest.py)")
    for item in items:
        name = item.path.name
        uses_database = item.get_closest_marker("django_db") is not None or bool(
            DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        )
        heavy = (
            item.get_closest_marker("browser") is not None
            or name == "test_demo.py"
            or uses_the_demo(item)
            or name.startswith("test_browser")
            or "browser" in item.path.parts
        )
        if heavy or not uses_database:
            item.add_marker(skip)


@dataclass(frozen=True)
class LoadedDemo:
    printed: str  # what `liant loaddemo` printed


@pytest.fixture(scope="session")
def loaded_demo(django_db_setup, django_db_blocker) -> LoadedDemo:
    """The whole Maison Lumière demo, loaded once for the session and committed: a load takes
    half a minute, and a dozen tests read it. Each test still runs in its own transaction (ask
    for `db` too), so what one changes is rolled back; the collection puts these tests last,
    since the rows stay until the test database is dropped."""
    with django_db_blocker.unblock():
        out = StringIO()
        call_command("loaddemo", stdout=out)
        return LoadedDemo(out.getvalue())


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: a view served in French leaves French active
    in the thread (LocaleMiddleware does not undo it), which made later tests depend on order."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def organisation(db) -> Organisation:
    return Organisation.objects.create(name="Maison Test", slug="maison-test")


@pytest.fixture
def workspace(organisation) -> Workspace:
    return Workspace.objects.create(organisation=organisation, name="Brand", slug="brand")


@pytest.fixture
def other_workspace(db) -> Workspace:
    other_org = Organisation.objects.create(name="Rival", slug="rival")
    return Workspace.objects.create(organisation=other_org, name="Rival brand", slug="rival-brand")


def make_user(email: str, workspace: Workspace | None = None, role: str = Role.OWNER) -> User:
    user = User.objects.create_user(email, PASSWORD, name=email.split("@")[0].title())
    if workspace is not None:
        Membership.objects.create(workspace=workspace, user=user, role=role)
    return user


@pytest.fixture
def owner(workspace) -> User:
    return make_user("owner@brand.example", workspace, Role.OWNER)


@pytest.fixture
def member(workspace) -> User:
    return make_user("member@brand.example", workspace, Role.COMMUNITY_MANAGER)


@pytest.fixture
def outsider(other_workspace) -> User:
    return make_user("outsider@rival.example", other_workspace, Role.OWNER)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(owner) -> Client:
    return client_for(owner)


@pytest.fixture
def member_client(member) -> Client:
    return client_for(member)


@pytest.fixture
def outsider_client(outsider) -> Client:
    return client_for(outsider)


@pytest.fixture(scope="session")
def synapse():
    """One real Matrix homeserver for the whole session (connector and publisher tests)."""
    server, pid = start_synapse()
    yield server
    stop_synapse(server, pid)


@pytest.fixture(scope="session")
def reference_pds():
    """One reference Bluesky PDS for the whole session (connector and publisher tests)."""
    server, pid = start_pds()
    yield server
    stop_pds(server, pid)


@pytest.fixture(scope="session")
def s3_server():
    """One S3-compatible server (moto's) for the whole session (media storage tests)."""
    server, pid = start_s3()
    yield server
    stop_s3(server, pid)
