"""A mailbox for the demo, on this machine: Dovecot (IMAP) and a small SMTP server.

`make demo` starts it next to `liant run` so the demo's e-mail channel reads and answers real
mail offline. Answers sent from Liant are filed in the mailbox's "Sent" folder.

    python -m liant.demo.mailserver --start | --stop
"""

from __future__ import annotations

import argparse
import contextlib
import imaplib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

IMAP_PORT = int(os.environ.get("LIANT_DEMO_IMAP_PORT", "10143"))
SMTP_PORT = int(os.environ.get("LIANT_DEMO_SMTP_PORT", "10025"))
ADDRESS = "support@maison-lumiere.example"
PASSWORD = "demo-mailbox-2026"

CONF = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:{root}/mail/%u
mail_uid = nobody
mail_gid = nogroup
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""

MESSAGES = [
    (
        "José Martin",
        "jose@client.example",
        "Ma commande n° 1042 n'est pas arrivée",
        "Bonjour,\n\nJ'ai commandé deux sachets d'Éthiopie Guji il y a dix jours et je n'ai "
        "rien reçu.\nPouvez-vous vérifier ?\n\nMerci,\nJosé",
        3,
    ),
    (
        "Ann Lee",
        "ann@shop.example",
        "Wholesale prices for our café",
        "Hello,\n\nWe run a small café in Brussels and would like your wholesale prices for "
        "5 kg bags.\n\nBest,\nAnn",
        2,
    ),
    (
        "Sophie Bernard",
        "sophie@mail.example",
        "Idée : un atelier de dégustation en ligne",
        "Bonjour l'équipe,\n\nJ'adore vos cafés. Pourquoi ne pas proposer des ateliers de "
        "dégustation en visio ? Je serais la première inscrite !\n\nSophie",
        1,
    ),
    (
        "Léa Fontaine",
        "lea.fontaine@mail.example",
        "Candidature spontanée : barista",
        "Bonjour,\n\nBarista depuis quatre ans à Lyon, j'aimerais rejoindre votre boutique. "
        "Je vous envoie mon CV dès que vous le souhaitez.\n\nBien à vous,\nLéa Fontaine",
        1,
    ),
    (
        "Tom Baker",
        "tom@mail.example",
        "Best coffee I've had in years",
        "Hi!\n\nJust wanted to say the Guji is wonderful, and the parcel arrived beautifully "
        "packed. Thank you so much!\n\nTom",
        0,
    ),
]


def root() -> Path:
    return (
        Path(os.environ.get("LIANT_VAR_DIR", Path(__file__).resolve().parents[2] / "var"))
        / "demo-mail"
    )


def wait_for(port: int, limit: float = 20.0) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.1)
    return False


def seed() -> None:
    """Put the demo's customer mails in the inbox once."""
    imap = imaplib.IMAP4("127.0.0.1", IMAP_PORT)
    imap.login(ADDRESS, PASSWORD)
    imap.select("INBOX")
    _status, data = imap.uid("SEARCH", "ALL")
    if not (data[0] or b"").split():
        for name, sender, subject, body, days in MESSAGES:
            message = EmailMessage()
            message["From"] = f"{name} <{sender}>"
            message["To"] = ADDRESS
            message["Subject"] = subject
            message["Date"] = format_datetime(datetime.now(UTC) - timedelta(days=days))
            message["Message-ID"] = make_msgid(domain=sender.split("@")[1])
            message.set_content(body)
            imap.append("INBOX", None, None, message.as_bytes())
    imap.create("Sent")
    imap.logout()


def start() -> int:
    dovecot = shutil.which("dovecot") or "/usr/sbin/dovecot"
    if not os.path.exists(dovecot) or os.geteuid() != 0:
        print("Demo mailbox not started (needs Dovecot and root); the e-mail channel will say so.")
        return 0
    stop()
    base = root()
    for sub in ("run", "state", "mail"):
        (base / sub).mkdir(parents=True, exist_ok=True)
    shutil.chown(base / "mail", "nobody", "nogroup")
    os.chmod(base, 0o755)  # noqa: S103 - Dovecot's mail user must reach its folder
    (base / "passwd").write_text(f"{ADDRESS}:{{PLAIN}}{PASSWORD}\n")
    (base / "dovecot.conf").write_text(CONF.format(root=base, port=IMAP_PORT))
    subprocess.run([dovecot, "-c", str(base / "dovecot.conf")], check=True)
    smtp = subprocess.Popen(
        [sys.executable, "-m", "liant.demo.mailserver", "--smtp"],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    (base / "smtp.pid").write_text(str(smtp.pid))
    if not (wait_for(IMAP_PORT) and wait_for(SMTP_PORT)):
        print("Demo mailbox did not start; see var/demo-mail/dovecot.log")
        return 1
    seed()
    print(f"Demo mailbox: {ADDRESS} on 127.0.0.1 (IMAP {IMAP_PORT}, SMTP {SMTP_PORT})")
    return 0


def stop() -> None:
    base = root()
    pids = []
    for pid_file in (base / "run" / "master.pid", base / "smtp.pid"):
        with contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError):
            pid = int(pid_file.read_text().strip())
            os.kill(pid, signal.SIGTERM)
            pids.append(pid)
        pid_file.unlink(missing_ok=True)
    deadline = time.monotonic() + 10  # a new Dovecot refuses to start while the old one runs
    for pid in pids:
        while time.monotonic() < deadline and alive(pid):
            time.sleep(0.1)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reap it if it was our child
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def serve_smtp() -> None:
    """Accept what Liant sends and file it in the demo mailbox's Sent folder."""
    from aiosmtpd.controller import Controller

    class FileInSent:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            imap = imaplib.IMAP4("127.0.0.1", IMAP_PORT)
            imap.login(ADDRESS, PASSWORD)
            imap.append("Sent", "(\\Seen)", None, envelope.content)  # type: ignore[attr-defined]
            imap.logout()
            return "250 Message accepted"

    controller = Controller(FileInSent(), hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m liant.demo.mailserver")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--start", action="store_true")
    group.add_argument("--stop", action="store_true")
    group.add_argument("--smtp", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.start:
        return start()
    if args.stop:
        stop()
        return 0
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    serve_smtp()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
