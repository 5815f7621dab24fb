"""Hooks into Celery: worker registration and heartbeats, task metrics, the error bus."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from billiard.exceptions import TimeLimitExceeded
from celery import bootsteps, signals
from django.conf import settings
from django.db import close_old_connections, connection, connections

from workers import broker, metrics
from workers.celery import app
from workers.clock import redis_now
from workers.gpu import gpu_inventory
from workers.queues import role_of_queue

logger = logging.getLogger(__name__)


class HeartbeatStep(bootsteps.StartStopStep):
    """Registers the worker with its machine on start, beats from a thread of its own, says goodbye on stop.

    A thread, not the worker's timer: a slow nvidia-smi or a database waiting on a lock must not stall the
    event loop that consumes messages and enforces time limits.
    """

    def __init__(self, worker, **kwargs) -> None:
        super().__init__(worker, **kwargs)
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self, worker):
        self._register(worker)
        self.thread = threading.Thread(target=self._run, args=(worker,), name="autodidact-heartbeat", daemon=True)
        self.thread.start()

    def stop(self, worker):
        from workers.services import worker_stop  # Django: models are not ready before apps load

        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout=10)
        self._safely(worker_stop, worker_name=worker.hostname)

    def _run(self, worker):
        while not self.stopping.wait(settings.WORKER_HEARTBEAT_SECONDS):
            self._beat(worker)
        connection.close()  # this thread's own database connection

    def _register(self, worker):
        from workers.services import worker_register  # Django: models are not ready before apps load

        queues = sorted(worker.app.amqp.queues.consume_from)
        suffix = f".{settings.MACHINE_NAME}"
        self._safely(
            worker_register,
            worker_name=worker.hostname,
            machine_name=settings.MACHINE_NAME,
            hostname=socket.gethostname(),
            roles=sorted({role_of_queue(q) for q in queues if q.endswith(suffix)}),
            queues=queues,
            pid=os.getpid(),
            concurrency=worker.concurrency or 1,
            gpus=gpu_inventory(),
        )

    def _beat(self, worker):
        from workers.services import worker_beat  # Django: models are not ready before apps load

        if self._safely(worker_beat, worker_name=worker.hostname, gpus=gpu_inventory()) is False:
            self._register(worker)

    @staticmethod
    def _safely(fn, **kwargs):
        # The database may be briefly away; a missed beat is better than a dead worker.
        close_old_connections()
        try:
            return fn(**kwargs)
        except Exception:
            logger.exception("heartbeat: %s failed", fn.__name__)
            return None


app.steps["worker"].add(HeartbeatStep)


@signals.worker_init.connect
def declare_default_queue(sender=None, **_):
    """RabbitMQ: as it starts, a worker binds every queue it knows to the delayed-delivery exchanges (countdowns on
    quorum queues), Celery's default queue among them, which then must exist. Nothing is sent there (every task is
    routed to a machine's queue), but it is declared, empty, so that the binding succeeds."""
    if broker.kind() != "amqp" or sender is None:
        return
    worker_app = sender.app
    with worker_app.connection_for_write() as connection:
        worker_app.amqp.queues[worker_app.conf.task_default_queue](connection.default_channel).declare()


_started: dict[str, float] = {}


@signals.before_task_publish.connect
def stamp_sent_at(headers=None, routing_key=None, **_):
    # Lets /metrics tell how long the oldest waiting message of a queue has waited, and which queues exist. The
    # time is the metrics Redis server's (workers.clock), not this machine's: the scraper reads the same clock.
    queue = broker.queue_of_routing_key(routing_key or "")
    sent = redis_now()
    if sent is None:
        sent = time.time()  # that Redis was never reachable from here: this machine's clock is all there is
    if headers is not None:
        headers[metrics.SENT_AT_HEADER] = sent
        # RabbitMQ cannot show a waiting message without taking it: note it until a worker does. A countdown's
        # message is not waiting yet (it sits in the broker's delay queues until its time).
        if queue and headers.get("id") and not headers.get("eta") and broker.kind() == "amqp":
            broker.note_sent(queue, headers["id"], sent)
    if queue:
        metrics.record_published(queue)


@signals.task_received.connect
def note_taken(request=None, **_):
    if request is not None and broker.kind() == "amqp":
        broker.note_taken(queue_of(request), request.id)


# A connection a task of this thread used without error less than this long ago is not pinged again before the
# next task: in a burst of short tasks the SELECT 1 was one round trip in nine. A server that went away in that
# second fails the task's first query instead, which the transient-error retry sends again (workers.base).
CONNECTION_TRUSTED_SECONDS = 1.0
# Per thread (the models worker runs tasks in threads, each with its own connections): alias -> when a task that
# checked that connection last ended having used it without error. A task that started on trust does not renew
# the trust, so in a burst a connection is still checked once a second.
_clean_use = threading.local()


def _clean_uses() -> dict[str, float]:
    if not hasattr(_clean_use, "at"):
        _clean_use.at, _clean_use.trusted = {}, set()
    return _clean_use.at


@signals.task_prerun.connect
def note_start(task_id=None, **_):
    _started[task_id] = time.monotonic()
    # What Django does at each request's start: drop a connection that is too old or broke (then checked
    # again before use); a healthy one is kept for the next task (settings.CELERY_DB_REUSE_MAX).
    close_old_connections()
    now, used = time.monotonic(), _clean_uses()
    _clean_use.trusted = set()
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None and now - used.get(conn.alias, float("-inf")) < CONNECTION_TRUSTED_SECONDS:
            conn.health_check_done = True  # Django's own flag: checked already for this "request"
            _clean_use.trusted.add(conn.alias)


@signals.task_postrun.connect
def count_finished(task_id=None, task=None, state=None, **_):
    started = _started.pop(task_id, None)
    if state is None:
        return  # no outcome here: a timeout or a lost process, counted by the main process (workers.requests)
    used = _clean_uses()
    for conn in connections.all(initialized_only=True):
        # Django marks the health check done when a task first opens a cursor, so, unless this task started on
        # trust, a done check means the connection was checked and used in this task.
        checked = conn.health_check_done and conn.alias not in _clean_use.trusted
        if conn.connection is not None and checked and not conn.errors_occurred:
            used[conn.alias] = time.monotonic()
    metrics.record_task(
        task=task.name,
        queue=queue_of(task.request),
        outcome=state.lower(),
        runtime=None if started is None else time.monotonic() - started,
    )


@signals.task_failure.connect
def record_failure(sender=None, task_id=None, exception=None, einfo=None, **_):
    from core.services import error_event_record  # Django: models are not ready before apps load

    if isinstance(exception, TimeLimitExceeded):
        return  # Celery signals a hard time limit more than once; workers.requests records it once

    close_old_connections()
    error_event_record(
        source="task",
        exception=exception,
        task_name=getattr(sender, "name", ""),
        task_id=task_id or "",
        traceback=str(einfo) if einfo else "",
    )


def queue_of(request) -> str:
    info = getattr(request, "delivery_info", None) or {}
    return broker.queue_of_routing_key(info.get("routing_key") or info.get("queue") or "") or "unknown"
