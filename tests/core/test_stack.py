"""`make run` end to end: the whole stack from an empty var/, as a newcomer gets it, and Ctrl-C."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django.conf import settings

from core.embedded_redis import free_loopback_port
from core.env import BASE_DIR
from tests.core.test_metrics import promtool_check
from tests.workers.processes import wait_for

pytestmark = pytest.mark.slow


def processes_of(var_dir: Path) -> list[int]:
    """Every live process started for this stack (they all carry its VAR_DIR in their environment)."""
    marker = f"VAR_DIR={var_dir}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


class RunningStack:
    def __init__(self, var_dir: Path, port: int):
        self.var_dir, self.base = var_dir, f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ENV"}}
        env.update({"VAR_DIR": str(var_dir), "PORT": str(port), "WORKER_HEARTBEAT_SECONDS": "2"})
        self.log = var_dir.parent / f"stack-{port}.log"
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runstack"],
            cwd=BASE_DIR,
            env=env,
            stdout=open(self.log, "w"),
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        return self.log.read_text()

    def wait_ready(self):
        def ready():
            assert self.process.poll() is None, self.output()
            return "Autodidact is ready" in self.output()

        wait_for(ready, timeout=180, interval=0.5, what="the stack to be ready")

    def interrupt(self) -> int:
        self.process.send_signal(signal.SIGINT)  # what Ctrl-C sends
        return self.process.wait(90)


def test_make_run_starts_everything_ctrl_c_stops_everything_and_a_second_stack_on_its_var_dir_is_refused(tmp_path):
    var_dir = tmp_path / "var"
    stack = RunningStack(var_dir, free_loopback_port())
    try:
        stack.wait_ready()
        token = (var_dir / "operator.token").read_text().strip()
        assert (var_dir / "operator.token").stat().st_mode & 0o777 == 0o600
        banner = stack.output()
        assert "user:     operator" in banner and f"token:    {token}" in banner and "/admin/" in banner
        password = (var_dir / "operator.password").read_text().strip()
        assert f"password: {password}" in banner

        auth = {"Authorization": f"Bearer {token}"}
        assert httpx.get(f"{stack.base}/health/ready").json()["status"] == "ready"
        assert httpx.get(f"{stack.base}/api/v1/me", headers=auth).json()["roles"] == ["operator"]
        pong = httpx.post(
            f"{stack.base}/api/v1/machines/{_machine(stack, auth)}/ping",
            headers=auth,
            json={"wait_seconds": 30},
            timeout=40,
        )
        assert pong.status_code == 200, pong.text
        metrics = httpx.get(f"{stack.base}/metrics", headers=auth).text
        assert promtool_check(metrics).returncode == 0
        assert 'outcome="success"' in metrics  # the ping, counted by the worker, read by the web server
        assert httpx.get(f"{stack.base}/admin/login/").status_code == 200
        workers = httpx.get(f"{stack.base}/api/v1/workers/", headers=auth).json()["results"]
        by_name = {w["worker_name"].split("@")[0]: w for w in workers}
        # its own worker: one process, a pool of threads sharing one model host
        assert (
            by_name["models"]["concurrency"] == settings.MODELS_WORKER_THREADS and len(by_name["models"]["queues"]) == 1
        )
        assert "control-hobbies-memory" in by_name and by_name["training"]["concurrency"] == 1
        assert (var_dir / "redis" / "appendonlydir").is_dir()
        assert processes_of(var_dir)  # web, worker, beat, redis
    finally:
        code = stack.interrupt()
    assert code == 0, stack.output()
    wait_for(lambda: not processes_of(var_dir), timeout=30, what="every process of the stack to stop")
    assert not (var_dir / "redis" / "redis.url").exists()

    again = RunningStack(var_dir, free_loopback_port())  # a second `make run` reuses everything
    try:
        again.wait_ready()
        assert (var_dir / "operator.token").read_text().strip() == token
        assert f"password: {password}" in again.output()
        # While it runs, another stack on the same var/ is refused and leaves it alone (checked here rather than
        # in a test of its own: each stack started from an empty var/ costs the suite half a minute).
        beside = RunningStack(var_dir, free_loopback_port())
        assert beside.process.wait(60) != 0
        assert "already running" in beside.output()
        assert httpx.get(f"{again.base}/health/ready").status_code == 200
    finally:
        assert again.interrupt() == 0
    wait_for(lambda: not processes_of(var_dir), timeout=30, what="every process of the second stack to stop")


def _machine(stack, auth) -> str:
    return httpx.get(f"{stack.base}/api/v1/machines/", headers=auth).json()["results"][0]["name"]
