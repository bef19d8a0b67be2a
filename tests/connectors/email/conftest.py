from __future__ import annotations

import imaplib
import itertools
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.servers import free_port, start_dovecot, stop_dovecot

_counter = itertools.count(1)


@pytest.fixture(scope="session")
def dovecot():
    server, pid = start_dovecot()
    yield server
    stop_dovecot(server, pid)


@dataclass
class Mailbox:
    address: str
    password: str
    port: int

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        """Put a message in the mailbox as a mail server would (IMAP APPEND)."""
        imap = imaplib.IMAP4("127.0.0.1", self.port)
        imap.login(self.address, self.password)
        if folder != "INBOX":
            imap.create(folder)
        status, data = imap.append(folder, None, None, raw)
        assert status == "OK", data
        imap.logout()


@pytest.fixture
def mailbox(dovecot) -> Mailbox:
    """A fresh, empty mailbox on the real IMAP server for each test."""
    address = f"support{next(_counter)}@maison-lumiere.example"
    assert address in dovecot.users, "more mailboxes are needed in tests/servers.py"
    return Mailbox(address, "s3cret-imap", dovecot.port)


@dataclass
class Outbox:
    port: int
    messages: list = field(default_factory=list)
    users: dict = field(default_factory=lambda: {"support@maison-lumiere.example": "s3cret-smtp"})
    refuse: set = field(default_factory=set)
    # Offer PIPELINING (RFC 2920) in the EHLO reply; aiosmtpd reads commands in order either
    # way, so this only changes what the client is told it may do.
    pipelining: bool = True


class Handler:
    def __init__(self, outbox: Outbox):
        self.outbox = outbox

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.outbox.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.outbox.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.outbox.messages.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture(scope="session")
def smtp_server():
    outbox = Outbox(port=free_port())

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and outbox.users.get(auth_data.login.decode()) == auth_data.password.decode()
        )
        return AuthResult(success=ok, handled=False)

    controller = Controller(
        Handler(outbox),
        hostname="127.0.0.1",
        port=outbox.port,
        authenticator=authenticate,
        auth_require_tls=False,
    )
    controller.start()
    yield outbox
    controller.stop()


@pytest.fixture
def outbox(smtp_server) -> Outbox:
    smtp_server.messages.clear()
    smtp_server.refuse.clear()
    smtp_server.pipelining = True
    return smtp_server
