"""Small helpers to read settings from the environment.

Kept free of Django imports so `settings.py`, the CLI and tests can all use them.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ValueError(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, default: str = "") -> str:
    """Read NAME, or the file named by NAME_FILE (Docker/systemd secrets)."""
    value = os.environ.get(name)
    if value:
        return value
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return default


def generated_secret(path: Path) -> str:
    """Return the secret stored at `path`, creating it (mode 0600) the first time."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(50)
    # Two processes starting together (`liant run` starts the web server and the worker at
    # once) must agree on one key, and neither may read the file before it is written: an
    # O_EXCL create followed by a write lets the other process read an empty key. So the key
    # is written in full to a private temporary file (mkstemp: mode 0600), then hard-linked
    # into place; os.link fails if another process won, and then its key is the one.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(value)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return path.read_text().strip()
        except OSError:
            # A file system without hard links (vfat, some network mounts): rename into place.
            # Not exclusive, but the key is never read half-written.
            os.replace(tmp, path)
            return path.read_text().strip()
    finally:
        Path(tmp).unlink(missing_ok=True)
    return value


def email_settings(url: str) -> dict[str, object]:
    """Translate EMAIL_URL into Django e-mail settings.

    smtp://user:pass@host:587 (STARTTLS), smtps://user:pass@host:465 (implicit TLS),
    console:// (print), locmem:// (tests). `?from=` sets the default sender.
    """
    if not url or url.startswith("console:"):
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    if parts.scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if parts.scheme not in {"smtp", "smtps", "submission"}:
        raise ValueError(f"EMAIL_URL scheme must be smtp, smtps or console, got {parts.scheme!r}")
    implicit_tls = parts.scheme == "smtps"
    result: dict[str, object] = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if implicit_tls else 587),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": implicit_tls,
        "EMAIL_USE_TLS": not implicit_tls and query.get("tls", "true").lower() in TRUE,
        "EMAIL_TIMEOUT": int(query.get("timeout", "20")),
    }
    if "from" in query:
        result["DEFAULT_FROM_EMAIL"] = query["from"]
    return result


def media_storage(url_seconds: int) -> dict[str, object]:
    """Django's STORAGES["default"]: ./var/media (MEDIA_ROOT), or an S3-compatible bucket
    when LIANT_S3_BUCKET is set (AWS, MinIO, Garage, Scaleway, OVH...).

    The bucket stays private: every address given to a browser is presigned and expires after
    `url_seconds`, or goes through Liant (liant/media/signed.py).
    """
    bucket = env_str("LIANT_S3_BUCKET")
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": env_str("LIANT_S3_ENDPOINT_URL") or None,  # None: AWS itself
            "region_name": env_str("LIANT_S3_REGION") or None,
            # None: boto3 looks for them itself (instance role, ~/.aws, AWS_* variables).
            "access_key": env_secret("LIANT_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_secret("LIANT_S3_SECRET_ACCESS_KEY") or None,
            "location": env_str("LIANT_S3_PREFIX").strip("/"),  # a folder of a shared bucket
            "default_acl": "private",
            # A name in use gets a new one rather than replacing a file (the library's names
            # are random anyway; this keeps a collision from losing a file).
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": url_seconds,
            # Path-style (host/bucket/key) works with every S3-compatible server; virtual
            # hosts need a DNS name per bucket that self-hosted ones rarely have.
            "addressing_style": env_str("LIANT_S3_ADDRESSING_STYLE", "path"),
            "signature_version": "s3v4",
        },
    }
