"""Answers a task pushes to the web request waiting for them, through a Redis list named by `reply_key`.

For a request that waits (the gateway), this beats Celery's result backend: one blocking pop instead of a
subscribe, a read and an unsubscribe, and no result stored that nobody reads again. It also carries a
stream: messages with a "piece" are followed by more; any other message is the last. When the process
running a task that was given a `reply_key` dies or hits its hard time limit, the worker's main process
pushes an error for it (workers.requests), so the waiter hears at once instead of timing out.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Generator

from django.conf import settings

from core.redis_clients import client_for

REPLY_TTL_SECONDS = 600  # an answer nobody came for does not stay


def new_reply_key() -> str:
    return f"autodidact:reply:{uuid.uuid4().hex}"


def reply_push(reply_key: str, message: dict) -> None:
    pipe = client_for(settings.CELERY_RESULT_BACKEND).pipeline(transaction=False)
    pipe.rpush(reply_key, json.dumps(message))
    pipe.expire(reply_key, REPLY_TTL_SECONDS)
    pipe.execute()


def replies(reply_key: str, *, timeout: float) -> Generator[dict | None, None, None]:
    """The messages as they are pushed, through the last; None (and the end) if one does not come in time."""
    # Its own pool: a blocking pop outlasts the shared clients' socket timeout.
    # A popped list is gone; what comes after a waiter gave up expires (REPLY_TTL_SECONDS).
    client = client_for(settings.CELERY_RESULT_BACKEND, socket_timeout=timeout + 5)
    while True:
        popped = client.blpop([reply_key], timeout=timeout)
        if popped is None:
            yield None
            return
        message = json.loads(popped[1])
        yield message
        if "piece" not in message:
            return


def reply(reply_key: str, *, timeout: float) -> dict | None:
    """The one answer, or None if it did not come in time."""
    messages = replies(reply_key, timeout=timeout)
    try:
        return next(messages)
    finally:
        messages.close()
