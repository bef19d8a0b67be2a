"""Rules run within seconds of a message's arrival: the channels say when they stored events,
and the worker judges them at once (the minute sweep in tasks.py catches anything missed)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from liant.channels.signals import events_stored


@receiver(events_stored)
def on_events_stored(sender: Any, workspace_id: int, **kwargs: Any) -> None:
    from liant.moderation.tasks import moderate_workspace

    moderate_workspace(workspace_id)
