"""The operator's application settings for each network (client id and secret, webhook
secrets), read from the environment as LIANT_APP_<NETWORK>_<FIELD>, e.g.
LIANT_APP_FACEBOOK_CLIENT_ID, LIANT_APP_FACEBOOK_CLIENT_SECRET, LIANT_APP_SLACK_SIGNING_SECRET.

They belong to the Liant installation, not to a workspace: one Facebook app serves every
workspace's pages, and a network pushes the events of all of them to one address.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings

PREFIX = "LIANT_APP_"


def from_environ(environ: Mapping[str, str]) -> dict[str, dict[str, str]]:
    apps: dict[str, dict[str, str]] = {}
    for name, value in environ.items():
        if not name.startswith(PREFIX) or not value:
            continue
        kind, _, field = name.removeprefix(PREFIX).partition("_")
        if kind and field:
            apps.setdefault(kind.lower(), {})[field.lower()] = value
    return apps


def app_settings(kind: str) -> dict[str, str]:
    """Read from settings (filled from the environment) so tests can use override_settings."""
    return dict(getattr(settings, "NETWORK_APPS", {}).get(kind, {}))


def has_app(kind: str) -> bool:
    app = app_settings(kind)
    return bool(app.get("client_id"))
