"""A connector whose network is a script, for testing what the publisher does around it."""

from __future__ import annotations

from typing import Any, ClassVar

from liant.connectors.base import Capability, Connector, Draft, Metrics, RemotePost, Rules


class ScriptedPublisher(Connector):
    """Each publish takes the next step of `script`: an exception is raised, anything else
    publishes. Like a network honouring idempotency keys, a key seen before gives back the
    post it made, so `posts` holds what the network really shows."""

    kind = "scripted_pub"
    label = "Scripted"
    capabilities = frozenset({Capability.PUBLISH})
    rules = Rules(max_length=20, threads=True)
    publish_idempotency_window: ClassVar[float] = 3600.0
    script: ClassVar[list[Any]] = []
    refreshed: ClassVar[dict[str, Any] | None] = None
    drafts: ClassVar[list[Draft]] = []
    posts: ClassVar[dict[str, RemotePost]] = {}

    def publish(self, draft: Draft) -> RemotePost:
        cls = type(self)
        cls.drafts.append(draft)
        step = cls.script.pop(0) if cls.script else None
        if isinstance(step, Exception):
            raise step
        if isinstance(step, RemotePost):  # the network's own answer, as given
            return step
        if draft.idempotency_key in cls.posts:
            return cls.posts[draft.idempotency_key]
        n = len(cls.posts) + 1
        post = RemotePost(remote_id=f"r{n}", url=f"https://net.example/p/{n}")
        cls.posts[draft.idempotency_key] = post
        return post

    def refresh_credentials(self) -> dict[str, Any] | None:
        return type(self).refreshed


class KeylessPublisher(ScriptedPublisher):
    """A network with no idempotency key: every call that arrives is a new post."""

    kind = "keyless_pub"
    publish_idempotency_window: ClassVar[float] = 0.0
    posts: ClassVar[dict[str, RemotePost]] = {}

    def publish(self, draft: Draft) -> RemotePost:
        cls = type(self)
        cls.drafts.append(draft)
        step = cls.script.pop(0) if cls.script else None
        if isinstance(step, Exception):
            raise step
        n = len(cls.posts) + 1
        post = RemotePost(remote_id=f"k{n}", url=f"https://keyless.example/p/{n}")
        cls.posts[f"{draft.idempotency_key}#{n}"] = post
        return post


class MetricsPublisher(ScriptedPublisher):
    """A network that also tells what each post got: `counts` maps a remote id to its values."""

    kind = "metrics_pub"
    capabilities = frozenset({Capability.PUBLISH, Capability.METRICS})
    counts: ClassVar[dict[str, dict[str, int]]] = {}
    asked: ClassVar[list[list[str]]] = []

    def metrics(self, remote_ids: list[str]) -> list[Metrics]:
        type(self).asked.append(list(remote_ids))
        return [Metrics(r, dict(self.counts[r])) for r in remote_ids if r in self.counts]
