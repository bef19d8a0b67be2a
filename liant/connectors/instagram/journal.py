"""What a publish to Instagram has done so far, kept where a crash does not lose it.

Publishing is three calls (create a container, wait for it, media_publish) and Meta honours no
idempotency key. So, keyed by the account and the draft's idempotency key, two facts are
written once each, as soon as they are known: the container created (before waiting on it),
then the media it became (right after media_publish answers). A retry of the same draft reads
them: a known media is given back, a known container is re-used and its status read first —
PUBLISHED means the earlier media_publish went through even if its answer was lost, so
media_publish is never called twice for one draft.

They are kept through Django's storage, like the media library's files (the same sharing
between workers), as small JSON files that are never rewritten.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

FOLDER = "instagram/journal"


@dataclass
class Entry:
    container: str = ""
    created_at: str = ""  # when the container was made (ISO), to find its media later
    staged: tuple[str, ...] = ()
    media_id: str = ""
    permalink: str = ""


class Journal:
    def _name(self, account: str, key: str, fact: str) -> str:
        digest = hashlib.sha256(f"{account}\0{key}".encode()).hexdigest()[:40]
        return f"{FOLDER}/{digest}.{fact}.json"

    def _read(self, name: str) -> dict[str, Any]:
        if not default_storage.exists(name):
            return {}
        with default_storage.open(name, "rb") as handle:
            try:
                data = json.loads(handle.read())
            except ValueError:
                return {}
        return data if isinstance(data, dict) else {}

    def _write(self, name: str, data: dict[str, Any]) -> None:
        if default_storage.exists(name):
            default_storage.delete(name)  # an expired container replaced by a new one
        default_storage.save(name, ContentFile(json.dumps(data).encode()))

    def read(self, account: str, key: str) -> Entry:
        container = self._read(self._name(account, key, "container"))
        published = self._read(self._name(account, key, "published"))
        return Entry(
            container=str(container.get("container") or ""),
            created_at=str(container.get("created_at") or ""),
            staged=tuple(container.get("staged") or ()),
            media_id=str(published.get("media_id") or ""),
            permalink=str(
                self._read(self._name(account, key, "permalink")).get("permalink")
                or published.get("permalink")
                or ""
            ),
        )

    def container_created(self, account: str, key: str, container: str, staged: list[str]) -> None:
        self._write(
            self._name(account, key, "container"),
            {
                "container": container,
                "created_at": datetime.now(UTC).isoformat(),
                "staged": staged,
            },
        )

    def forget_container(self, account: str, key: str) -> None:
        default_storage.delete(self._name(account, key, "container"))

    def published(self, account: str, key: str, media_id: str, permalink: str = "") -> None:
        """Written the moment media_publish answers; the permalink, asked for afterwards, is
        a fact of its own, so the media id is never rewritten (nor lost to a rewrite)."""
        self._write(
            self._name(account, key, "published"), {"media_id": media_id, "permalink": permalink}
        )

    def permalink(self, account: str, key: str, permalink: str) -> None:
        self._write(self._name(account, key, "permalink"), {"permalink": permalink})
