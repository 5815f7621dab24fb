"""How every Autodidact task is declared: its role (hence queue), time limits, retry and ack policy.

    @autodidact_task(
        name="hobbies.tasks.assignment_run_task",
        role=QueueRole.HOBBIES,
        machine_for=lambda args, kwargs: assignment_machine(kwargs["assignment_id"]),
    )
    def assignment_run_task(assignment_id: int) -> None: ...

Every task names itself: beat's PeriodicTask rows and messages in flight hold that name, so moving or renaming
the function must not change it (Celery's default name is the module path, which a move would change).

Idempotent tasks (the default: they claim their row with a conditional UPDATE) are acknowledged only after
they finish and re-queued if their worker dies, so a killed worker's job is picked up again and finished
once. Only transient errors (a connection dropped, a lock timed out) are retried, with capped, jittered
exponential backoff; anything else is a bug or bad data and fails at once.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

import httpx
import kombu.exceptions
import redis.exceptions
from celery import Task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from workers.celery import app
from workers.queues import QueueRole

ALWAYS_TRANSIENT: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    kombu.exceptions.OperationalError,
    InterfaceError,  # the database connection was closed under us
    httpx.ConnectError,
    httpx.TimeoutException,
    httpx.RemoteProtocolError,
    ConnectionError,
    TimeoutError,
)
# Django's OperationalError covers both "the server went away" and "no such table": only the first kind
# is worth another try.
TRANSIENT_DATABASE_MESSAGES = re.compile(
    r"database is locked|could not connect|connection (refused|reset|timed out)|server closed the connection"
    r"|terminating connection|could not serialize access|deadlock detected|the database system is starting up",
    re.IGNORECASE,
)
RETRY_BACKOFF_CAP_SECONDS = 300


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, ALWAYS_TRANSIENT):
        return True
    return isinstance(exc, OperationalError) and bool(TRANSIENT_DATABASE_MESSAGES.search(str(exc)))


class AutodidactTask(Task):
    role = QueueRole.CONTROL.value
    machine_for = None

    def __call__(self, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except Exception as exc:
            if not is_transient(exc) or self.request.called_directly or self.request.retries >= self.max_retries:
                raise
            delay = min(RETRY_BACKOFF_CAP_SECONDS, 2**self.request.retries)
            # At least a second: RabbitMQ's native delayed delivery counts whole seconds and refuses 0.
            raise self.retry(exc=exc, countdown=max(1.0, delay * random.uniform(0.5, 1.0))) from exc


MachineFor = Callable[[tuple, dict], "str | None"]


def autodidact_task(
    *,
    name: str,
    role: QueueRole,
    idempotent: bool = True,
    machine_for: MachineFor | None = None,
    max_retries: int = 5,
    **options,
):
    role = QueueRole(role)  # a misspelt role fails at import, not when the first message is routed
    limit = settings.CELERY_ROLE_TIME_LIMITS[role]

    def decorate(fn):
        return app.task(
            name=name,
            base=AutodidactTask,
            role=role.value,  # the plain string, as routing has always written it into queue names and messages
            machine_for=staticmethod(machine_for) if machine_for else None,
            acks_late=idempotent,
            reject_on_worker_lost=idempotent,
            time_limit=limit,
            soft_time_limit=max(1, limit - max(5, limit // 20)),
            max_retries=max_retries,
            Request="workers.requests:AutodidactRequest",
            **options,
        )(fn)

    return decorate
