"""What production still lacks, shown by `liant check` (Django's `check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def liant_deploy_checks(app_configs: Any, **kwargs: Any) -> list[Warning]:
    problems: list[Warning] = []
    if settings.SECRET_KEY_IS_GENERATED:
        problems.append(
            Warning(
                "The secret key was generated into ./var.",
                hint="Set LIANT_SECRET_KEY (or LIANT_SECRET_KEY_FILE) so every web server and "
                "worker shares it and encrypted secrets survive a lost ./var.",
                id="liant.W001",
            )
        )
    if set(settings.ALLOWED_HOSTS) <= {"127.0.0.1", "localhost", "[::1]"}:
        problems.append(
            Warning(
                "ALLOWED_HOSTS only lists this machine.",
                hint="Set ALLOWED_HOSTS to the host names people use, e.g. liant.example.org.",
                id="liant.W002",
            )
        )
    if settings.EMAIL_BACKEND.endswith("console.EmailBackend"):
        problems.append(
            Warning(
                "E-mail is printed to the console, not sent.",
                hint="Set EMAIL_URL, e.g. smtp://user:password@smtp.example.org:587.",
                id="liant.W003",
            )
        )
    if not settings.LIANT_HTTPS:
        problems.append(
            Warning(
                "HTTPS settings are off.",
                hint="Serve Liant behind a TLS proxy and set LIANT_HTTPS=true (secure cookies, "
                "HSTS, redirect to HTTPS).",
                id="liant.W004",
            )
        )
    if settings.DEBUG:
        problems.append(
            Warning("LIANT_DEBUG is on.", hint="Unset LIANT_DEBUG in production.", id="liant.W005")
        )
    if not settings.DATABASE_URL:
        problems.append(
            Warning(
                "The database is SQLite in ./var.",
                hint="Fine for one machine; set DATABASE_URL for PostgreSQL when a team "
                "outgrows it, and back up ./var with `liant backup`.",
                id="liant.W006",
            )
        )
    return problems
