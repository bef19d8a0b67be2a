"""New channel events become mentions at once, not only at the next minute's sweep."""

from __future__ import annotations

from typing import Any


def listen_after_fetch(sender: Any, workspace_id: int, **kwargs: Any) -> None:
    from liant.listening import tasks  # noqa: PLC0415 - tasks need the app registry ready
    from liant.listening.models import Query  # noqa: PLC0415

    if Query.objects.filter(workspace_id=workspace_id, active=True).exists():
        tasks.listen(workspace_id)
