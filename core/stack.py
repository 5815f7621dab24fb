"""The whole stack on one machine: embedded Redis (when REDIS_URL is unset), gunicorn, a worker, beat.

Children run in their own sessions so that Ctrl-C reaches only us, and we stop them in reverse order of
start: beat first (no new ticks), then the worker (warm shutdown finishes or re-queues its tasks), then the
web server, then Redis, which flushes its append-only file. If any child dies, the whole stack stops and
says which. Ctrl-C, SIGTERM and a closed terminal (SIGHUP) all stop it the same way.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from core.embedded_redis import die_with_parent


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = None


@dataclass
class Stack:
    children: list[Child]
    env: dict[str, str]
    stop_timeout: float = 30.0
    stopping: bool = field(default=False)

    def start(self) -> None:
        for child in self.children:
            child.process = subprocess.Popen(
                child.argv, env=self.env, start_new_session=True, preexec_fn=die_with_parent
            )

    def first_exited(self) -> Child | None:
        return next((c for c in self.children if c.process and c.process.poll() is not None), None)

    def stop(self) -> None:
        for child in reversed(self.children):
            if child.process and child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
                try:
                    child.process.wait(self.stop_timeout)
                except subprocess.TimeoutExpired:
                    child.process.kill()
                    child.process.wait()


def web_argv(*, host: str, port: int, workers: int, threads: int, access_log: bool = True) -> list[str]:
    """gunicorn with threaded workers: they keep connections alive (a sync worker opens one per request) and
    a long gateway stream occupies one thread, not a whole process; --timeout is then only the heartbeat of
    a stuck process, not a limit on a request."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "core.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--timeout",
        "60",
        "--graceful-timeout",
        "10",
        *(["--access-logfile", "-"] if access_log else []),
    ]


def wait_until_ready(base_url: str, stack: Stack, timeout: float = 120.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not stack.stopping and stack.first_exited() is None:
        try:
            if httpx.get(f"{base_url}/health/ready", timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    return False


def fresh_directory(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def run(stack: Stack, base_url: str, on_ready) -> int:
    def request_stop(signum, frame):
        stack.stopping = True

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, request_stop)
    try:
        stack.start()
        if wait_until_ready(base_url, stack):
            on_ready()
        while not stack.stopping:
            exited = stack.first_exited()
            if exited is not None:
                assert exited.process is not None  # first_exited returns started children only
                print(
                    f"\n{exited.name} exited with code {exited.process.returncode}; stopping the stack.",
                    file=sys.stderr,
                    flush=True,
                )
                return 1
            time.sleep(0.5)
        return 0
    finally:
        print("stopping...", file=sys.stderr, flush=True)
        stack.stop()
