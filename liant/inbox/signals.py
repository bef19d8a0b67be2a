from __future__ import annotations

from typing import Any


def group_after_fetch(sender: Any, **kwargs: Any) -> None:
    """New events were stored: group them now rather than at the next minute's sweep."""
    from liant.inbox import tasks  # noqa: PLC0415 - tasks need the app registry ready

    tasks.group_events()
