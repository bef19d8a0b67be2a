"""A contact form's submission opens (or adds to) an inbox conversation.

Each workspace has one built-in channel of kind "forms" (connector.py), created with its
first contact submission. Submissions are stored as that channel's events the moment they
are captured, through the same `store_events` every fetch uses, so the inbox groups them
per person and applies its routing rules like any message.
"""

from __future__ import annotations

import logging

from django.db import transaction

from liant.channels.fetching import store_events
from liant.channels.models import Channel
from liant.connectors.base import FetchResult
from liant.core.models import Workspace
from liant.leads.connector import to_event
from liant.leads.models import Purpose, Submission

log = logging.getLogger(__name__)

# Purposes whose submissions are someone writing to the brand, who expects an answer.
CONVERSATION_PURPOSES = (Purpose.CONTACT,)


def forms_channel(workspace: Workspace) -> Channel:
    """The workspace's forms channel, created once (the workspace row is locked meanwhile,
    so two submissions at the same moment do not create two)."""
    with transaction.atomic():
        Workspace.objects.select_for_update().filter(pk=workspace.pk).first()
        channel = Channel.objects.filter(workspace=workspace, kind="forms").order_by("pk").first()
        if channel is None:
            channel = Channel.objects.create(
                workspace=workspace,
                kind="forms",
                name="Forms",
                settings={"workspace_id": workspace.pk},
                fetch_interval=900,
            )
    return channel


def publish(submission: Submission) -> int:
    """Store the submission as an event now. A failure must not lose the submission: it
    is logged, and the channel's next fetch stores it."""
    if submission.form.purpose not in CONVERSATION_PURPOSES or not submission.data.get("email"):
        return 0
    try:
        with transaction.atomic():
            channel = forms_channel(submission.workspace)
            # The cursor is the catch-up's; storing one submission leaves it where it is.
            return store_events(
                channel, FetchResult([to_event(submission)], channel.cursor), update_cursor=False
            )
    except Exception:
        log.exception(
            "storing submission %s as an event failed; the next fetch will", submission.pk
        )
        return 0
