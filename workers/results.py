"""Waiting, in a web request, for a task's answer from a worker; and what a worker's error becomes for the client.

WORKER_ERRORS is the one table from a worker's error to the client's status and code. Every view that waits on
a worker goes through it: answer_within (a Celery result) and the gateway (replies pushed by the worker, whose
refusals carry the same status and code), so an error reaches the client as the 4xx/503 it is in process.

A task's exception travels as JSON ({exc_type, exc_module, exc_message: its args}) and Celery rebuilds it here
(celery.backends.base.Backend.exception_to_python) in one of three forms:
  - the real class, when its module is already imported in this process;
  - a class of the same name made up in celery.exceptions, when it is not (no base classes of ours then);
  - a plain Exception whose message is "<class 'module.Name'>([args])", when the real class cannot be built
    from its arguments alone (BudgetExceeded takes keyword arguments).
So errors are matched by class name, module left aside, never by class: the class itself, then (where the real
class is known here) its bases, the most specific name in the table winning.
"""

from __future__ import annotations

import ast
import re
import sys
from typing import Any

from celery import states
from celery.exceptions import TimeoutError as CeleryTimeout
from celery.result import AsyncResult

from core.errors import AppError, ServiceUnavailable

# Exception class name -> (HTTP status, error code): the status and code the models worker's refusals to the
# gateway carry (models_suite.services.generation), so one error reads the same whichever view met it.
WORKER_ERRORS: dict[str, tuple[int, str]] = {
    # The caller's mistakes.
    "InvalidRequest": (400, "invalid_request"),  # too long for the context, bad sampling parameters
    "UnknownModel": (409, "not_resident"),  # the host holds no model of that name (unload, swap)
    "BudgetExceeded": (409, "over_memory_budget"),  # it does not fit, and nothing more can be evicted
    # The model cannot run here, or not now.
    "BackendUnavailable": (503, "model_unavailable"),  # an optional package missing, an endpoint down
    "DeviceBusy": (503, "model_unavailable"),  # another process held the device's lock for too long
    "BackendError": (503, "model_unavailable"),
    "HostError": (503, "model_unavailable"),
}
# Anything else a worker raised: the worker failed, not this process (which did its part), hence 502. The task's
# failure, traceback and all, is on the error bus (workers.signals.record_failure) for operators.
WORKER_FAILED = (502, "worker_failed")
MESSAGE_LIMIT = 1000

# Celery's last resort when the real class would not take the arguments: Exception(f"{cls}({exc_message})").
_UNBUILT = re.compile(r"\A<class '(?P<path>[\w.]+)'>\((?P<args>.*)\)\Z", re.DOTALL)


class WorkerError(AppError):
    """A worker's error as the client reads it: {"error": {"code", "message"}} with the status."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message, code=code)
        self.status = status
        self.args = (status, code, message)


def worker_error(exc: BaseException, *, who: str = "worker") -> WorkerError:
    """The client's error for an exception a worker raised, in any of the forms Celery rebuilds it in."""
    names, message = _identified(exc)
    for name in names:
        if name in WORKER_ERRORS:
            status, code = WORKER_ERRORS[name]
            return WorkerError(status, code, message[:MESSAGE_LIMIT])
    status, code = WORKER_FAILED
    return WorkerError(status, code, f"The {who} failed: {names[0]}: {message}"[:MESSAGE_LIMIT])


def refusal_for(exc: BaseException) -> dict | None:
    """What a worker that answers instead of raising sends back for `exc`: {"error": {status, code, message}},
    from the same table; None for an exception that is not a refusal (a failure, to be raised)."""
    error = worker_error(exc)
    if (error.status, error.code) == WORKER_FAILED:
        return None
    return {"error": {"status": error.status, "code": error.code, "message": error.message}}


def refusal_error(answer: Any) -> WorkerError | None:
    """The error a task answered with instead of raising ({"error": {status, code, message}}, as the model
    host's over-budget answer and the gateway's refusals are), or None for any other answer."""
    error = answer.get("error") if isinstance(answer, dict) and set(answer) == {"error"} else None
    if not isinstance(error, dict):
        return None
    status, code, message = error.get("status"), error.get("code"), error.get("message")
    if not (isinstance(status, int) and 400 <= status <= 599 and isinstance(code, str) and isinstance(message, str)):
        return None
    return WorkerError(status, code, message)


def answer_within(result: AsyncResult, *, seconds: float, who: str) -> Any:
    """The task's return value; a 503 naming who did not answer in time; or the worker's error, mapped by
    WORKER_ERRORS, whether the task raised it or answered with it."""
    try:
        # Not propagated: the task's exception comes back as the answer, told apart from this process's own
        # trouble (the result backend unreachable), which stays what it is.
        answer = result.get(timeout=seconds, propagate=False)
    except CeleryTimeout:
        raise ServiceUnavailable(f"No {who} answered within {seconds:g} s.") from None
    if result.state in states.PROPAGATE_STATES:  # it failed, or was revoked
        raise worker_error(answer if isinstance(answer, BaseException) else Exception(str(answer)), who=who)
    refused = refusal_error(answer)
    if refused is not None:
        raise refused
    return answer


def _identified(exc: BaseException) -> tuple[list[str], str]:
    """(the exception's class names, most specific first, module left aside; its message)."""
    unbuilt = _UNBUILT.match(str(exc)) if type(exc) is Exception else None
    if unbuilt:
        cls = _class_at(unbuilt["path"])
        names = _names(cls) if cls is not None else [_last(unbuilt["path"])]
        return names, _message_of_args(unbuilt["args"])
    return _names(type(exc)), str(exc)


def _names(cls: type) -> list[str]:
    # A made-up class keeps the qualified name ("ModelArtifact.DoesNotExist") as its __name__.
    return [_last(c.__qualname__) for c in cls.__mro__ if issubclass(c, BaseException)]


def _last(dotted: str) -> str:
    return dotted.rpartition(".")[2]


def _class_at(path: str) -> type | None:
    """The exception class `path` ("module.Qual.Name") names, from a module already imported; never imports."""
    parts = path.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        found: Any = sys.modules.get(".".join(parts[:cut]))
        if found is None:
            continue
        for name in parts[cut:]:
            found = getattr(found, name, None)
        if isinstance(found, type) and issubclass(found, BaseException):
            return found
        return None
    return None


def _message_of_args(text: str) -> str:
    """The exception's message from its arguments as Celery wrote them ("['message']" or "('a', 2)")."""
    try:
        args = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    if isinstance(args, (list, tuple)):
        return str(args[0]) if len(args) == 1 else ", ".join(str(a) for a in args)
    return str(args)
