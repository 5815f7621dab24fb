"""How every Autodidact task is declared: its role (hence queue), time limits, retry and ack policy.

    @autodidact_task(role="hobbies", machine_for=lambda args, kwargs: assignment_machine(kwargs["assignment_id"]))
    def assignment_run_task(assignment_id: int) -> None: ...

Idempotent tasks (the default: they claim their row with a conditional UPDATE) are acknowledged only after
they finish and re-queued if their worker dies, so a killed worker's job is picked up again and finished
once. Only transient errors (a connection dropped, a lock timed out) are retried, with capped backoff.
"""

from __future__ import annotations

from typing import Callable

import httpx
import kombu.exceptions
import redis.exceptions
from django.conf import settings
from django.db import InterfaceError, OperationalError

from workers.celery import app

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    kombu.exceptions.OperationalError,
    OperationalError,  # database unreachable, or SQLite's "database is locked"
    InterfaceError,
    httpx.TransportError,
    ConnectionError,
    TimeoutError,
)

MachineFor = Callable[[tuple, dict], "str | None"]


def autodidact_task(
    *,
    role: str,
    idempotent: bool = True,
    machine_for: MachineFor | None = None,
    max_retries: int = 5,
    **options,
):
    limit = settings.CELERY_ROLE_TIME_LIMITS[role]

    def decorate(fn):
        return app.task(
            role=role,
            machine_for=staticmethod(machine_for) if machine_for else None,
            acks_late=idempotent,
            reject_on_worker_lost=idempotent,
            time_limit=limit,
            soft_time_limit=max(1, limit - max(5, limit // 20)),
            autoretry_for=TRANSIENT_ERRORS,
            retry_backoff=2,
            retry_backoff_max=300,
            retry_jitter=True,
            max_retries=max_retries,
            Request="workers.requests:AutodidactRequest",
            **options,
        )(fn)

    return decorate
