"""Settings for the test suite.

SQLite always; PostgreSQL and Redis when LIANT_TEST_DATABASE_URL / LIANT_TEST_REDIS_URL are
set — and then they must answer: an unreachable service is an error, never a silent skip.
"""

from __future__ import annotations

import os
from pathlib import Path

_base = Path(__file__).resolve().parent.parent
# The developer's own DATABASE_URL/REDIS_URL must never be touched by tests.
for _name in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "LIANT_SQLITE_PATH"):
    os.environ.pop(_name, None)
os.environ.setdefault("LIANT_VAR_DIR", str(_base / "var" / "test"))
# Under pytest-xdist each process gets its own var dir: its own SQLite test database, job
# queue file and media files. (The real workers a test starts inherit the already-suffixed one.)
_xdist = os.environ.get("PYTEST_XDIST_WORKER", "")
if _xdist and Path(os.environ["LIANT_VAR_DIR"]).name != _xdist:
    os.environ["LIANT_VAR_DIR"] = str(Path(os.environ["LIANT_VAR_DIR"]) / _xdist)
os.environ.setdefault("LIANT_SECRET_KEY", "test-secret-key-not-for-production-0123456789")
TEST_DATABASE_URL = os.environ.get("LIANT_TEST_DATABASE_URL", "")
TEST_REDIS_URL = os.environ.get("LIANT_TEST_REDIS_URL", "")
if TEST_DATABASE_URL:
    os.environ["DATABASE_URL"] = TEST_DATABASE_URL
if TEST_REDIS_URL:
    os.environ["REDIS_URL"] = TEST_REDIS_URL
# Local test servers (feeds, IMAP, Matrix...) run on 127.0.0.1 and only that is allowed.
os.environ["LIANT_ALLOW_PRIVATE_HOSTS"] = "127.0.0.1,localhost"
os.environ.setdefault("LIANT_HUEY_NAME", f"liant-test-{os.getpid()}")
# pytest-xdist's processes inherit the name their parent set: on a shared Redis each needs its
# own queue, or one test's worker takes (and one test's flush drops) another process's jobs.
if _xdist and not os.environ["LIANT_HUEY_NAME"].endswith(f"-{_xdist}"):
    os.environ["LIANT_HUEY_NAME"] += f"-{_xdist}"

from liant.settings import *  # noqa: E402,F403
from liant.settings import DATABASES, HUEY, INSTALLED_APPS, VAR_DIR  # noqa: E402


def _require_services() -> None:
    if TEST_DATABASE_URL:
        import psycopg

        db = DATABASES["default"]
        try:
            psycopg.connect(
                host=db.get("HOST") or None,
                port=db.get("PORT") or None,
                user=db.get("USER") or None,
                password=db.get("PASSWORD") or None,
                dbname="postgres",
                connect_timeout=5,
            ).close()
        except psycopg.Error as exc:
            raise RuntimeError(
                f"LIANT_TEST_DATABASE_URL is set but PostgreSQL does not answer: {exc}"
            ) from exc
    if TEST_REDIS_URL:
        import redis

        try:
            redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=5).ping()
        except redis.RedisError as exc:
            raise RuntimeError(
                f"LIANT_TEST_REDIS_URL is set but Redis does not answer: {exc}"
            ) from exc


_require_services()

if not TEST_DATABASE_URL:
    # A file, not memory: the real-worker tests run `liant worker` in another process.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
else:
    # A throw-away database need not wait for the disk at each commit (the migrations, the
    # flush after each transactional test); what the tests check is unchanged.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"

# Unit tests run jobs inline; the worker tests switch this off and start a real worker.
HUEY["immediate"] = True
INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]
# Rate-limit counters in memory even when Redis is set: a run never inherits another's counts.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LANGUAGE_CODE = "en"
