"""A network whose answers are a script, for testing what the inbox does around a reply."""

from __future__ import annotations

from typing import Any, ClassVar

from liant.connectors.base import Author, Capability, Connector, Draft, Event, RemotePost


class ScriptedReplier(Connector):
    """Each reply or direct message takes the next step of `script`: an exception is raised,
    anything else is sent. `sent` holds what reached the network, in order."""

    kind = "scripted_reply"
    label = "Scripted replies"
    capabilities = frozenset({Capability.REPLY, Capability.SEND_DIRECT})
    script: ClassVar[list[Any]] = []
    sent: ClassVar[list[tuple[str, str, Draft]]] = []  # (verb, to, draft)

    def _next(self, verb: str, to: str, draft: Draft) -> RemotePost:
        cls = type(self)
        step = cls.script.pop(0) if cls.script else None
        if isinstance(step, Exception):
            raise step
        cls.sent.append((verb, to, draft))
        n = len(cls.sent)
        return RemotePost(remote_id=f"reply-{n}", url=f"https://net.example/r/{n}")

    def reply(self, parent: Event, draft: Draft) -> RemotePost:
        return self._next("reply", parent.remote_id, draft)

    def send_direct(self, recipient: Author, draft: Draft) -> RemotePost:
        return self._next("direct", recipient.remote_id, draft)
