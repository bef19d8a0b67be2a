"""Events attach to members within seconds of being stored; the sweep in tasks.py catches
anything a lost signal missed."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from liant.channels.signals import events_stored


@receiver(events_stored)
def on_events_stored(sender: Any, workspace_id: int, **kwargs: Any) -> None:
    from liant.members.tasks import attach_workspace  # noqa: PLC0415 - needs the app registry

    attach_workspace(workspace_id)
