"""The `liant` command for operators.

`liant run` starts the web server and the job worker together; `liant bench` runs the figures
of bench/ like `make bench`; every other sub-command is a Django management command
(`liant migrate`, `liant backup`, `liant check`, `liant export`, `liant import`, ...).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ALIASES = {
    "worker": ["run_huey"],
    "check": ["check", "--deploy"],
    "demo": ["loaddemo"],
}


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liant.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "run":
        return run(args[1:])
    if args and args[0] == "bench":
        return bench(args[1:])
    if args and args[0] in ALIASES:
        args = ALIASES[args[0]] + args[1:]
    from django.core.management import execute_from_command_line

    execute_from_command_line(["liant", *args])
    return 0


def bench(argv: list[str]) -> int:
    """`liant bench [AREA]` is `make bench [AREA=...]`: bench/ in a process of its own, since
    it sets up Django on a throw-away database before anything else is imported."""
    root = Path(__file__).resolve().parent.parent
    if not (root / "bench" / "__main__.py").is_file():
        print("liant bench: bench/ comes with the source checkout only.", file=sys.stderr)
        return 2
    return subprocess.call([sys.executable, "-m", "bench", *argv], cwd=root)


def run(argv: list[str]) -> int:
    """Web server and worker in one process group; Ctrl-C (or SIGTERM) stops both cleanly."""
    parser = argparse.ArgumentParser(prog="liant run")
    parser.add_argument("--bind", default=os.environ.get("LIANT_BIND", "127.0.0.1:8000"))
    parser.add_argument(
        "--web-workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 2))
    )
    parser.add_argument("--no-worker", action="store_true", help="only the web server")
    options = parser.parse_args(argv)

    python = sys.executable
    commands = {
        "web": [
            python,
            "-m",
            "gunicorn",
            "liant.wsgi:application",
            "--bind",
            options.bind,
            "--workers",
            str(options.web_workers),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
        ]
    }
    if not options.no_worker:
        commands["worker"] = [python, "-m", "liant.cli", "worker"]

    children: dict[str, subprocess.Popen] = {}
    stopping = False

    def stop(*_args: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for name, command in commands.items():
        children[name] = subprocess.Popen(command, env=os.environ.copy())
    print(f"Liant is running at http://{options.bind}/ (Ctrl-C stops it)", flush=True)

    exit_code = 0
    while not stopping:
        for name, child in children.items():
            if child.poll() is not None:
                print(f"liant run: the {name} process exited ({child.returncode}); stopping.")
                exit_code = child.returncode or 1
                stopping = True
                break
        time.sleep(0.3)

    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
