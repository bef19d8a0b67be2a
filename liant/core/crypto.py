"""Encryption of secrets at rest (network tokens, passwords).

The Fernet keys are derived from SECRET_KEY (and SECRET_KEY_FALLBACKS, so a rotated key can
still read what the old one wrote). Values are stored as "fernet:<token>".
"""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "fernet:"


class DecryptionError(Exception):
    """A stored secret could not be read with any configured key."""


def _derive(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"liant-secrets", info=b"fernet").derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


@functools.cache
def _fernet(secret_key: str, fallbacks: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_derive(secret_key), *(_derive(k) for k in fallbacks)])


def fernet() -> MultiFernet:
    return _fernet(settings.SECRET_KEY, tuple(settings.SECRET_KEY_FALLBACKS))


def encrypt(value: str) -> str:
    return PREFIX + fernet().encrypt(value.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise DecryptionError("value is not an encrypted secret")
    try:
        return fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError(
            "secret cannot be decrypted: was LIANT_SECRET_KEY changed without keeping the "
            "old one in LIANT_SECRET_KEY_FALLBACKS?"
        ) from exc
