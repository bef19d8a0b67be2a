"""The demo mailbox reads and answers real mail offline (Dovecot + a small SMTP server)."""

from __future__ import annotations

import imaplib
import os
import shutil
import socket
import tempfile

import pytest

from liant.connectors.base import Draft
from liant.connectors.email.connector import EmailConnector
from liant.connectors.http import HttpClient, MemoryRecorder
from liant.demo import mailserver
from tests.servers import free_port, missing


@pytest.fixture
def demo_mail(monkeypatch):
    if not (shutil.which("dovecot") or os.path.exists("/usr/sbin/dovecot")):
        missing("Dovecot (IMAP server)", "apt-get install dovecot-imapd")
    if os.geteuid() != 0:
        pytest.skip("the demo mailbox needs root to start Dovecot")
    imap, smtp = free_port(), free_port()
    # Not pytest's tmp_path: its parents are private (0700) and Dovecot's own users must
    # read the password file, as they can under ./var.
    var = tempfile.mkdtemp(prefix="liant-demo-mail-")
    os.chmod(var, 0o755)  # noqa: S103
    monkeypatch.setenv("LIANT_VAR_DIR", var)
    monkeypatch.setenv("LIANT_DEMO_IMAP_PORT", str(imap))
    monkeypatch.setenv("LIANT_DEMO_SMTP_PORT", str(smtp))
    monkeypatch.setattr(mailserver, "IMAP_PORT", imap)
    monkeypatch.setattr(mailserver, "SMTP_PORT", smtp)
    try:
        assert mailserver.start() == 0
        yield imap, smtp
    finally:  # even when starting failed half-way, nothing is left running
        mailserver.stop()
        shutil.rmtree(var, ignore_errors=True)


def test_the_demo_mailbox_is_read_and_answered(demo_mail):
    imap, smtp = demo_mail
    settings = {
        "address": mailserver.ADDRESS,
        "imap_host": "127.0.0.1",
        "imap_port": imap,
        "imap_security": "none",
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp,
        "smtp_security": "none",
    }
    credentials = {"username": mailserver.ADDRESS, "password": mailserver.PASSWORD}
    connector = EmailConnector(settings, credentials, HttpClient(MemoryRecorder()))
    events = connector.fetch({}).events
    assert len(events) == len(mailserver.MESSAGES)
    assert events[0].author.remote_id == "jose@client.example"
    connector.reply(events[0], Draft(text="Bonjour José, votre colis part aujourd'hui."))
    box = imaplib.IMAP4("127.0.0.1", imap)
    box.login(mailserver.ADDRESS, mailserver.PASSWORD)
    box.select("Sent")
    _status, data = box.uid("SEARCH", "ALL")
    box.logout()
    assert len(data[0].split()) == 1


def test_starting_twice_does_not_seed_twice(demo_mail):
    imap, _smtp = demo_mail
    mailserver.start()
    box = imaplib.IMAP4("127.0.0.1", imap)
    box.login(mailserver.ADDRESS, mailserver.PASSWORD)
    _status, count = box.select("INBOX")
    box.logout()
    assert int(count[0]) == len(mailserver.MESSAGES)


def test_stop_closes_both_ports(demo_mail):
    imap, smtp = demo_mail
    mailserver.stop()
    for port in (imap, smtp):
        with socket.socket() as s:
            for _ in range(50):
                if s.connect_ex(("127.0.0.1", port)) != 0:
                    break
                s.close()
                import time

                time.sleep(0.1)
                s = socket.socket()
            assert s.connect_ex(("127.0.0.1", port)) != 0
