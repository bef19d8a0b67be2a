"""Where a connector keeps how far a long upload got, so a retry resumes it instead of sending
the file again.

A video goes to X or LinkedIn in several calls (start, chunks, finish, wait for processing);
the publisher retries a variant that failed on the way (a 5xx on the 40th chunk, processing
that takes longer than a worker waits) with the same idempotency key. Keyed by the network,
the account, the draft's key, the file's place in the draft and its bytes, one small JSON
file says what the network already has: its id for the upload, the chunks it acknowledged,
whether it was finished. Kept through Django's storage like Instagram's journal
(liant/connectors/instagram/journal.py): every worker reads what another one wrote, on the
local disk or an S3-compatible store alike; a crash loses at most the last step.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

FOLDER = "uploads/progress"

log = logging.getLogger(__name__)


class Progress:
    def __init__(self, network: str, account: str, key: str, index: int, data: bytes) -> None:
        digest = hashlib.sha256(data).hexdigest()
        name = hashlib.sha256(f"{network}\0{account}\0{key}\0{index}\0{digest}".encode())
        self.name = f"{FOLDER}/{network}/{name.hexdigest()[:40]}.json"
        # Without a key (a reply typed in the inbox, a test) there is no retry to resume.
        self.kept = bool(key)

    def read(self) -> dict[str, Any]:
        if not self.kept or not default_storage.exists(self.name):
            return {}
        try:
            with default_storage.open(self.name, "rb") as handle:
                data = json.loads(handle.read())
        except (OSError, ValueError):
            log.warning("unreadable upload progress %s: starting over", self.name)
            return {}
        return data if isinstance(data, dict) else {}

    def write(self, state: dict[str, Any]) -> None:
        if not self.kept:
            return
        # Replaced whole: storages (S3 with file_overwrite off, or the local disk) give a new
        # name rather than overwrite, so the old one goes first.
        if default_storage.exists(self.name):
            default_storage.delete(self.name)
        default_storage.save(self.name, ContentFile(json.dumps(state).encode()))

    def forget(self) -> None:
        if self.kept and default_storage.exists(self.name):
            default_storage.delete(self.name)
