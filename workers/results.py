"""Waiting, in a web request, for a task's answer from a worker."""

from __future__ import annotations

from typing import Any

from celery.exceptions import TimeoutError as CeleryTimeout
from celery.result import AsyncResult

from core.errors import ServiceUnavailable


def answer_within(result: AsyncResult, *, seconds: float, who: str) -> Any:
    """The task's return value, or a 503 naming who did not answer in time."""
    try:
        return result.get(timeout=seconds)
    except CeleryTimeout:
        raise ServiceUnavailable(f"No {who} answered within {seconds:g} s.") from None
