"""Contact forms as a network: kind "forms", one built-in channel per workspace.

A submission of a form whose purpose is "contact" is a person writing to the brand, so it
is stored as a channels.Event (a direct message from the address given) the moment it is
captured (inbox.py), exactly as the community space stores its posts: grouping, routing
rules, assignment and members read it with no case for forms. `fetch` is the catch-up for
any submission that path missed (the same remote id is never stored twice).

An answer from the inbox goes back by e-mail to the address given in the form, through the
workspace's e-mail channel. A workspace without one cannot answer: the reply fails with a
message saying so, and the conversation shows it (nothing is sent through another relay
behind the manager's back).

Remote ids: a submission is "submission:<id>"; the author is the address, lowercased, so all
the messages of one person land in one conversation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar

from django.utils.translation import gettext_noop as _

from liant.connectors.base import (
    Author,
    Capability,
    Connector,
    ConnectorError,
    ConnectorSettings,
    Draft,
    ErrorKind,
    Event,
    EventKind,
    FetchResult,
    RemotePost,
    Rules,
)

BATCH = 500


class FormsSettings(ConnectorSettings):
    workspace_id: int


def to_event(submission: Any) -> Event:
    data = submission.data or {}
    address = str(data.get("email", "")).strip().lower()
    name = str(data.get("name", "")).strip()
    lines = [str(data.get("message", "")).strip()]
    # The other answers the form asked for, so whoever reads the inbox sees them all.
    for key in ("company", "phone", *sorted(k for k in data if k.startswith("custom_"))):
        if data.get(key):
            label = key
            if key.startswith("custom_"):
                labels = submission.form.custom_labels or []
                n = int(key.removeprefix("custom_") or 0)
                label = labels[n - 1] if 0 < n <= len(labels) else key
            lines.append(f"{label}: {data[key]}")
    return Event(
        kind=EventKind.DIRECT_MESSAGE,
        remote_id=f"submission:{submission.pk}",
        author=Author(remote_id=address, handle=address, name=name),
        occurred_at=submission.created_at,
        text="\n".join(line for line in lines if line) or submission.form.name,
        language=submission.language or "",
        raw={
            "subject": submission.form.name,
            "reply_to": address,
            "form_id": submission.form_id,
            "submission_id": submission.pk,
            "origin": submission.origin,
        },
    )


class FormsConnector(Connector):
    kind = "forms"
    label = "Forms"
    connection = _("Built in: the contact forms of this workspace")
    capabilities = frozenset({Capability.FETCH, Capability.REPLY})
    rules = Rules(max_length=20_000)
    settings_model: ClassVar[type[ConnectorSettings]] = FormsSettings
    fetch_interval = 900
    limitations = _(
        "Submissions arrive at once; answers leave by e-mail through the workspace's "
        "e-mail channel, so without one they cannot be sent."
    )

    @property
    def _workspace_id(self) -> int:
        assert isinstance(self.settings, FormsSettings)
        return self.settings.workspace_id

    def check_connection(self) -> str:
        return "forms"

    def fetch(self, since: Mapping[str, Any]) -> FetchResult:
        from liant.leads.models import Purpose, Submission  # noqa: PLC0415 - registry loads early

        last = int(since.get("last_submission_id") or 0)
        rows = list(
            Submission.objects.filter(
                workspace_id=self._workspace_id, form__purpose=Purpose.CONTACT, pk__gt=last
            )
            .select_related("form")
            .order_by("pk")[:BATCH]
        )
        events = [to_event(s) for s in rows if (s.data or {}).get("email")]
        newest = max([last, *(s.pk for s in rows)])
        return FetchResult(events=events, cursor={"last_submission_id": newest})

    def reply(self, parent: Event, draft: Draft) -> RemotePost:
        """Send the answer from the workspace's e-mail channel to the address of the form."""
        from liant.channels.fetching import connector_for  # noqa: PLC0415
        from liant.channels.models import Channel  # noqa: PLC0415

        address = str(
            parent.raw.get("reply_to") or (parent.author.remote_id if parent.author else "")
        )
        if not address:
            raise ConnectorError(_("The form gave no address to answer to."), ErrorKind.PERMANENT)
        channel = (
            Channel.objects.filter(workspace_id=self._workspace_id, kind="email")
            .order_by("pk")
            .first()
        )
        if channel is None:
            raise ConnectorError(
                _("No e-mail channel to answer from: connect one, or write to %(address)s."),
                ErrorKind.PERMANENT,
                address=address,
            )
        mail = connector_for(channel)
        # The e-mail connector reads the subject from `link` for a message that opens a
        # thread; the idempotency key becomes the Message-ID, so a retry shows once.
        subject = str(parent.raw.get("subject", ""))
        return mail.send_direct(
            Author(
                remote_id=address, handle=address, name=parent.author.name if parent.author else ""
            ),
            dataclasses.replace(draft, link=f"Re: {subject}".strip() if subject else ""),
        )
