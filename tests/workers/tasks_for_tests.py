"""Tasks that exist only for tests; test workers load them with --include."""

import os
import signal
import time

from workers.base import autodidact_task


class PermanentProblem(Exception):
    pass


@autodidact_task(role="control")
def failing_task(message: str, machine: str | None = None) -> None:
    raise PermanentProblem(message)


@autodidact_task(role="control")
def sleepy_task(seconds: float, machine: str | None = None) -> float:
    time.sleep(seconds)
    return seconds


@autodidact_task(role="control", bind=True)
def die_once_task(self, marker_path: str, machine: str | None = None) -> int:
    """Kills its own pool process the first time it runs, as a crash or OOM kill would; succeeds after."""
    if not os.path.exists(marker_path):
        open(marker_path, "w").close()
        os.kill(os.getpid(), signal.SIGKILL)
    return os.getpid()


@autodidact_task(role="control")
def stubborn_task(seconds: float, machine: str | None = None) -> None:
    """Ignores its soft time limit, so only the hard limit can stop it."""
    from celery.exceptions import SoftTimeLimitExceeded

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            time.sleep(0.1)
        except SoftTimeLimitExceeded:
            pass


@autodidact_task(role="control")
def flaky_task(marker_path: str, machine: str | None = None) -> str:
    """Loses its connection the first time, as when Redis or the database restarts; works after."""
    if not os.path.exists(marker_path):
        open(marker_path, "w").close()
        raise ConnectionError("connection reset by peer")
    return "done"


@autodidact_task(role="models")
def models_hold_task(started_path: str, release_path: str, machine: str | None = None) -> str:
    """Occupies a models worker, as a long evaluation would, until the test creates release_path."""
    open(started_path, "w").close()
    deadline = time.monotonic() + 60
    while not os.path.exists(release_path) and time.monotonic() < deadline:
        time.sleep(0.05)
    return "released"


@autodidact_task(role="control")
def database_session_task(machine: str | None = None) -> str:
    """Which database session ran it: PostgreSQL's backend pid, or SQLite's connection object."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return f"pg:{cursor.fetchone()[0]}"
    connection.ensure_connection()
    return f"sqlite:{os.getpid()}:{id(connection.connection)}"
