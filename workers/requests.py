"""What happens to a task outside its own process: hard time limits and lost workers.

Neither reaches the task's signals (the process running it is killed or gone), so the worker's main
process counts and records them here.
"""

from __future__ import annotations

from billiard.einfo import ExceptionWithTraceback
from billiard.exceptions import WorkerLostError
from celery.worker.request import Request

from core.models import ErrorEvent
from core.services import error_event_record
from workers import metrics
from workers.broker import queue_of_routing_key


def _record(request: Request, outcome: str, message: str, exception_type: str) -> None:
    queue = queue_of_routing_key((request.delivery_info or {}).get("routing_key") or "") or "unknown"
    metrics.record_task(task=request.task_name, queue=queue, outcome=outcome, runtime=None)
    error_event_record(
        source=ErrorEvent.Source.WORKER,
        message=message,
        exception_type=exception_type,
        task_name=request.task_name,
        task_id=request.id,
    )


class AutodidactRequest(Request):
    def on_timeout(self, soft, timeout):
        super().on_timeout(soft, timeout)
        if not soft:
            _record(self, "timeout", f"Hard time limit ({timeout}s) exceeded", "TimeLimitExceeded")

    def on_failure(self, exc_info, send_failed_event=True, return_ok=False):
        lost = self._is_worker_lost(exc_info.exception)
        super().on_failure(exc_info, send_failed_event=send_failed_event, return_ok=return_ok)
        if lost:
            requeued = self.task.acks_late and self.task.reject_on_worker_lost
            note = "; the message was re-queued" if requeued else ""
            _record(self, "worker_lost", f"The process running the task died{note}", "WorkerLostError")

    def _is_worker_lost(self, exc) -> bool:
        # Celery reports a vanished pool process either as WorkerLostError or, with billiard >= 4.3, as
        # the SystemExit it saw, unless we cancelled the task ourselves (see Request.on_failure).
        if isinstance(exc, ExceptionWithTraceback):
            exc = exc.exc
        if isinstance(exc, (SystemExit, KeyboardInterrupt)):
            return not (self._already_cancelled or self._already_revoked)
        return isinstance(exc, WorkerLostError)
