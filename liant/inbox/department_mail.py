"""A department answers by e-mail, and the answer comes back into the conversation.

The mail that tells a department about a conversation carries a Reply-To on the workspace's
own mailbox with a sub-address: `support+d<conversation>.<department>.<signature>@domain`.
Mail servers deliver sub-addresses to the main mailbox (RFC 5233), so the e-mail channel
fetches the answer like any other mail; the grouping recognises the signed sub-address and
adds the answer (quoted history removed) as an internal note instead of opening a new
conversation with the colleague. The member keeps talking to one interlocutor.
"""

from __future__ import annotations

import hmac
import re

from django.utils.crypto import salted_hmac
from mailparser_reply import EmailReplyParser

from liant.channels.models import Channel, Event

SALT = "liant.inbox.department-answer"
TAG = re.compile(
    r"^(?P<local>[^+@]+)\+d(?P<conversation>\d+)\.(?P<department>\d+)\.(?P<sig>[0-9a-f]{16})@"
)


def _signature(conversation_id: int, department_id: int) -> str:
    return salted_hmac(SALT, f"{conversation_id}.{department_id}").hexdigest()[:16]


def mailbox_of(workspace_id: int, preferred: Channel | None = None) -> str:
    """The workspace's own e-mail address that answers can come back to, if it has one."""
    if preferred is not None and preferred.kind == "email":
        channels = [preferred]
    else:
        channels = list(Channel.objects.filter(workspace_id=workspace_id, kind="email"))
    for channel in channels:
        address = str((channel.settings or {}).get("address", ""))
        if "@" in address and "+" not in address.split("@")[0]:
            return address
    return ""


def reply_address(conversation, department) -> str:
    mailbox = mailbox_of(conversation.workspace_id, conversation.channel)
    if not mailbox:
        return ""
    local, domain = mailbox.split("@", 1)
    signature = _signature(conversation.pk, department.pk)
    return f"{local}+d{conversation.pk}.{department.pk}.{signature}@{domain}"


def answered(event: Event) -> tuple[int, int] | None:
    """(conversation id, department id) when this stored e-mail is a department's answer
    with a valid signature; a forged or altered sub-address is an ordinary e-mail."""
    if event.channel.kind != "email" or not isinstance(event.raw, dict):
        return None
    for address in event.raw.get("to") or []:
        found = TAG.match(str(address))
        if not found:
            continue
        conversation, department = int(found["conversation"]), int(found["department"])
        if hmac.compare_digest(found["sig"], _signature(conversation, department)):
            return conversation, department
    return None


def answer_text(event: Event) -> str:
    """The colleague's words, without the quoted mail they answered (FR and EN clients)."""
    text = event.text or ""
    try:
        reply = EmailReplyParser(languages=["fr", "en"]).parse_reply(text=text)
    except Exception:  # a parser failure must not lose the answer: keep it whole
        reply = ""
    return (reply or text).strip()
