"""Signed, expiring addresses of stored files: the one helper every part of Liant signs with.

A token is `django.core.signing.TimestampSigner` over the file's reference (a name or
"kind:pk"), with a salt made of the purpose and a scope (the workspace the address belongs
to): a token made for one workspace or one purpose never verifies for another, and one made
for one file cannot be edited into another's (the signature covers the reference). The time
is in the token, so the reader decides how old is too old (`max_age`).

Used by the media library (private workspaces: every address given to a browser expires) and
by Instagram's staging (Meta fetches a post's media from a public address for a day or two).
On an S3-compatible store the library's addresses are presigned by the store itself
(`presigned_url`), which a browser fetches without going through Liant.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.files.storage import Storage


class Refused(Exception):
    """The token is not ours, was changed, belongs elsewhere, or is too old."""


def url_seconds() -> int:
    """How long an address given to a browser of a private workspace works."""
    return int(getattr(settings, "LIANT_MEDIA_URL_SECONDS", 3600))


def _signer(purpose: str, scope: str) -> signing.TimestampSigner:
    # No scope: the salt is the purpose alone (Instagram's staged files, signed before scopes).
    return signing.TimestampSigner(salt=f"{purpose}:{scope}" if scope else purpose)


def sign(reference: str, *, purpose: str, scope: str = "") -> str:
    return _signer(purpose, scope).sign(reference)


def unsign(token: str, *, purpose: str, max_age: timedelta | int | None, scope: str = "") -> str:
    """The reference signed in the token, or Refused (tampered, other scope, expired)."""
    try:
        return _signer(purpose, scope).unsign(token, max_age=max_age)
    except signing.BadSignature as exc:  # SignatureExpired is one too
        raise Refused(str(exc)) from None


def signs_itself(storage: Storage) -> bool:
    """Whether the store hands out its own expiring addresses: django-storages' S3 backend
    presigns (`querystring_auth`); the local filesystem does not, so Liant signs and serves."""
    return bool(getattr(storage, "querystring_auth", False))


def presigned_url(
    storage: Storage, name: str, *, content_type: str, seconds: int | None = None
) -> str:
    """An S3 presigned GET, valid `seconds`, answered with the checked type and inline: the
    bucket is private and nothing else reaches it."""
    return storage.url(  # type: ignore[call-arg]
        name,
        parameters={
            "ResponseContentType": content_type,
            "ResponseContentDisposition": "inline",
            "ResponseCacheControl": "private, max-age=600",
        },
        expire=seconds or url_seconds(),
    )
