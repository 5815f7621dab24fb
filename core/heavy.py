"""Work that belongs on a worker, never inside a web request.

A request answers within a second or two; training, practice, evaluation, building a dataset (it scores insights
with the reward model) and loading a model take seconds to hours. The services that do such work are marked
@worker_only; the middleware (core.middleware.HeavyWorkGuardMiddleware) marks each request, and a marked service
called while one is being answered raises HeavyWorkInRequest, naming both, instead of quietly holding the
request (and a web process) for minutes. Views accept such work (202) and hand it to a worker; the fuzzing run
and the route tests then fail on any path that does it inline.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

_request_path: ContextVar[str | None] = ContextVar("autodidact_request_path", default=None)
F = TypeVar("F", bound=Callable)


class HeavyWorkInRequest(RuntimeError):
    """A view called a @worker_only service inline: a bug in that view (it should have queued the work)."""


def worker_only(func: F) -> F:
    @functools.wraps(func)
    def guarded(*args, **kwargs):
        path = _request_path.get()
        if path is not None:
            raise HeavyWorkInRequest(
                f"{func.__module__}.{func.__qualname__} is worker work, called inline while "
                f"answering {path}: queue it and answer 202"
            )
        return func(*args, **kwargs)

    guarded.worker_only = True  # type: ignore[attr-defined]
    return guarded  # type: ignore[return-value]


@contextmanager
def answering(path: str) -> Iterator[None]:
    """While a request to `path` is being answered (views, serializers, services they call)."""
    token = _request_path.set(path)
    try:
        yield
    finally:
        _request_path.reset(token)
