"""Redis clients shared within a process, one pool per URL and per process (a pool must not cross fork)."""

from __future__ import annotations

import os

import redis
from django.conf import settings

_clients: dict[tuple[int, str, float | None], redis.Redis] = {}


def client_for(url: str, *, socket_timeout: float | None = None) -> redis.Redis:
    """The shared client for url; a longer socket_timeout for blocking commands gets a pool of its own."""
    key = (os.getpid(), url, socket_timeout)
    if key not in _clients:
        _clients[key] = redis.Redis.from_url(
            url,
            socket_connect_timeout=settings.REDIS_TIMEOUT_SECONDS,
            socket_timeout=socket_timeout or settings.REDIS_TIMEOUT_SECONDS,
        )
    return _clients[key]


def reset() -> None:
    """Forget every client (tests that point settings at another server)."""
    _clients.clear()
