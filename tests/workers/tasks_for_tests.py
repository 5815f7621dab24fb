"""Tasks that exist only for tests; test workers load them with --include."""

import os
import signal
import time

from workers.base import autodidact_task
from workers.queues import QueueRole


class PermanentProblem(Exception):
    pass


@autodidact_task(name="tests.workers.tasks_for_tests.failing_task", role=QueueRole.CONTROL)
def failing_task(message: str, machine: str | None = None) -> None:
    raise PermanentProblem(message)


@autodidact_task(name="tests.workers.tasks_for_tests.sleepy_task", role=QueueRole.CONTROL)
def sleepy_task(seconds: float, machine: str | None = None) -> float:
    time.sleep(seconds)
    return seconds


@autodidact_task(name="tests.workers.tasks_for_tests.die_once_task", role=QueueRole.CONTROL, bind=True)
def die_once_task(self, marker_path: str, machine: str | None = None) -> int:
    """Kills its own pool process the first time it runs, as a crash or OOM kill would; succeeds after."""
    if not os.path.exists(marker_path):
        open(marker_path, "w").close()
        os.kill(os.getpid(), signal.SIGKILL)
    return os.getpid()


@autodidact_task(name="tests.workers.tasks_for_tests.stubborn_task", role=QueueRole.CONTROL)
def stubborn_task(seconds: float, machine: str | None = None) -> None:
    """Ignores its soft time limit, so only the hard limit can stop it."""
    from celery.exceptions import SoftTimeLimitExceeded

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            time.sleep(0.1)
        except SoftTimeLimitExceeded:
            pass


@autodidact_task(name="tests.workers.tasks_for_tests.flaky_task", role=QueueRole.CONTROL)
def flaky_task(marker_path: str, machine: str | None = None) -> str:
    """Loses its connection the first time, as when Redis or the database restarts; works after."""
    if not os.path.exists(marker_path):
        open(marker_path, "w").close()
        raise ConnectionError("connection reset by peer")
    return "done"


@autodidact_task(name="tests.workers.tasks_for_tests.models_hold_task", role=QueueRole.MODELS)
def models_hold_task(started_path: str, release_path: str, machine: str | None = None) -> str:
    """Occupies a models worker, as a long evaluation would, until the test creates release_path."""
    open(started_path, "w").close()
    deadline = time.monotonic() + 60
    while not os.path.exists(release_path) and time.monotonic() < deadline:
        time.sleep(0.05)
    return "released"


@autodidact_task(name="tests.workers.tasks_for_tests.database_session_task", role=QueueRole.CONTROL)
def database_session_task(machine: str | None = None) -> str:
    """Which database session ran it: PostgreSQL's backend pid, or SQLite's connection object."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return f"pg:{cursor.fetchone()[0]}"
    connection.ensure_connection()
    return f"sqlite:{os.getpid()}:{id(connection.connection)}"
