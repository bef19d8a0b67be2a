from __future__ import annotations

import itertools

import pytest

from liant.connectors.http import HttpClient, MemoryRecorder
from liant.connectors.matrix.connector import MatrixConnector

_names = itertools.count(1)


class Room:
    """A room on the real homeserver with the brand's account and a member in it."""

    def __init__(self, synapse):
        n = next(_names)
        self.synapse = synapse
        self.brand = synapse.register(f"brand{n}", "brand-password")
        self.member = synapse.register(f"member{n}", "member-password")
        self.member_client = MatrixConnector(
            {"homeserver": synapse.url, "user_id": self.member["user_id"]},
            {"access_token": self.member["access_token"]},
            HttpClient(MemoryRecorder()),
        )
        # The brand runs the room (so it may redact, kick and ban); the member joins it.
        created = self.brand_connector()._call(
            "POST",
            "/_matrix/client/v3/createRoom",
            body={"name": f"Café {n}", "preset": "public_chat"},
        )
        self.room_id = created["room_id"]
        self.member_client._call("POST", f"/_matrix/client/v3/join/{self.room_id}", body={})

    def brand_connector(self, recorder=None, **settings) -> MatrixConnector:
        return MatrixConnector(
            {
                "homeserver": self.synapse.url,
                "user_id": self.brand["user_id"],
                "default_room": getattr(self, "room_id", ""),
                **settings,
            },
            {"access_token": self.brand["access_token"]},
            HttpClient(recorder or MemoryRecorder()),
        )

    def member_says(self, text: str, **extra) -> str:
        import uuid

        answer = self.member_client._call(
            "PUT",
            f"/_matrix/client/v3/rooms/{self.room_id}/send/m.room.message/{uuid.uuid4().hex}",
            body={"msgtype": "m.text", "body": text, **extra},
        )
        return answer["event_id"]


@pytest.fixture
def room(synapse) -> Room:
    return Room(synapse)
