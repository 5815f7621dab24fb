"""Real processes for integration tests: Celery workers on the test database and Redis, private Redis servers.

No eager mode anywhere: a task sent in a test travels through Redis to a worker process started here.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from core.embedded_redis import EmbeddedRedis, die_with_parent, free_loopback_port, ping
from core.env import BASE_DIR, redis_url_with_db
from workers import broker
from workers import metrics as worker_metrics
from workers.management.commands.worker import worker_argv

TEST_TASKS_MODULE = "tests.workers.tasks_for_tests"


def database_url_for_children() -> str:
    """The test database (not the development one) as a URL for processes the tests start."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class WorkerProcess:
    def __init__(
        self, machine: str, roles: list[str], heartbeat_seconds: int, log_path: Path, extra_env: dict | None = None
    ):
        self.machine, self.roles = machine, roles
        self.worker_name = f"test@{machine}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "core.settings",
            "DATABASE_URL": database_url_for_children(),
            "REDIS_URL": settings.REDIS_URL,
            "MACHINE_NAME": machine,
            "MACHINE_ROLES": ",".join(roles),
            "WORKER_HEARTBEAT_SECONDS": str(heartbeat_seconds),
            **(extra_env or {}),
        }
        self.log_path = log_path
        self.log = open(log_path, "w")
        # The command line production uses (a thread pool for the models role), one pool process otherwise.
        argv = worker_argv(roles=roles, concurrency=1, machine=machine, hostname=self.worker_name)
        self.process = subprocess.Popen(
            [*argv, "--include", TEST_TASKS_MODULE],
            cwd=BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_registered(self, timeout: float = 60.0):
        from workers.models import WorkerHeartbeat

        def registered():
            if self.process.poll() is not None:
                raise AssertionError(f"worker {self.worker_name} exited:\n{self.log_path.read_text()[-3000:]}")
            return WorkerHeartbeat.objects.filter(worker_name=self.worker_name, stopped_at__isnull=True).first()

        return wait_for(registered, timeout, what=f"{self.worker_name} to register")

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool): no goodbye, as when a machine dies."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@pytest.fixture
def flush_redis():
    """Empty the broker (Redis: its database; RabbitMQ: the queues sent to), results and metrics databases this
    test run uses."""

    def flush():
        metrics_redis = redis.Redis.from_url(settings.METRICS_REDIS_URL)
        if broker.kind() == "amqp":
            broker.purge(sorted(q.decode() for q in metrics_redis.smembers(worker_metrics.QUEUES_KEY)))
        else:
            redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
        for url in (settings.CELERY_RESULT_BACKEND, settings.METRICS_REDIS_URL):
            redis.Redis.from_url(url).flushdb()
        worker_metrics._queues_recorded.clear()  # this process would not record its queues again for a minute

    flush()
    return flush


@pytest.fixture
def start_worker(transactional_db, flush_redis, tmp_path):
    """start_worker("alpha", ["control"]) -> a running, registered worker; all are stopped after the test."""
    started: list[WorkerProcess] = []

    def start(
        machine: str,
        roles: list[str] | None = None,
        heartbeat_seconds: int = 15,
        env: dict | None = None,
        wait: bool = True,
    ) -> WorkerProcess:
        worker = WorkerProcess(
            machine, roles or ["control"], heartbeat_seconds, tmp_path / f"worker-{machine}.log", extra_env=env
        )
        started.append(worker)
        if wait:  # else the caller waits (worker.wait_registered()), e.g. after starting several side by side
            worker.wait_registered()
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def private_redis(tmp_path):
    """A Redis server of the test's own, which it may stop and start (never the shared one)."""
    server = EmbeddedRedis(tmp_path / "redis", appendonly=False)
    server.start()
    yield server
    server.stop()


class MachineRedis:
    """A Redis server as this machine runs its own (`--save "" --appendonly no`: nothing survives a crash), on a
    free port of its own: one a test may SIGKILL and start again, which the shared one on 6379 never is."""

    def __init__(self, data_dir: Path):
        self.data_dir, self.port, self.process = Path(data_dir), None, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 15.0) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_loopback_port()
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.data_dir),
                "--logfile",
                str(self.data_dir / "redis.log"),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
        wait_for(lambda: ping(self.url, timeout=0.5), timeout, interval=0.05, what="redis-server to answer")
        return self.url

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(15)
        self.process = None


@contextmanager
def celery_app_on(redis_url: str):
    """This process's Celery app (what the services send with) on another Redis server's broker and results
    databases, for a test whose workers run there; back to the run's own after."""
    from workers.celery import app

    urls = {
        "broker_url": redis_url_with_db(redis_url, "broker"),
        "result_backend": redis_url_with_db(redis_url, "results"),
    }
    before = {name: app.conf[name] for name in urls}

    def switch(to: dict) -> None:
        app.conf.update(to)
        # Forgets its connection and producer pools; kombu keeps them (per URL, process-wide), so switching back
        # finds the run's own again, open. Closing them here would leave them closed in kombu's registry.
        app._after_fork()
        app._backend_cache = None
        app._local = threading.local()  # and the result backend

    switch(urls)
    try:
        yield app
    finally:
        switch(before)
