"""Readiness: can this install do work right now? Each check names what is down and why."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

import redis
from django.conf import settings
from django.db import DatabaseError, connection

from workers import broker
from workers.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str = ""


def _redis_check(url: str, purpose: str) -> Check:
    if settings.REDIS_EMBEDDED_MISSING:
        return Check(False, "REDIS_URL is unset and the embedded Redis is not running (start the stack: make run)")
    try:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=settings.REDIS_TIMEOUT_SECONDS, socket_timeout=settings.REDIS_TIMEOUT_SECONDS
        )
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, OSError) as exc:
        # Anyone may probe readiness: say what kind of failure, not the hosts and users in its message.
        logger.warning("readiness: Redis at %s: %s", purpose, exc)
        return Check(False, f"unreachable ({type(exc).__name__})")
    return Check(True)


def _broker_check() -> Check:
    if broker.kind() == "redis":
        return _redis_check(settings.CELERY_BROKER_URL, "broker")
    try:
        broker.ping()
    except Exception as exc:  # kombu and py-amqp raise many kinds; every one means "not reachable"
        logger.warning("readiness: broker: %s", exc)
        return Check(False, f"unreachable ({type(exc).__name__})")
    return Check(True)


def _database_check() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        logger.warning("readiness: database: %s", exc)
        return Check(False, f"unreachable ({type(exc).__name__})")
    return Check(True)


def _worker_check() -> Check:
    try:
        alive = WorkerHeartbeat.objects.alive().count()
    except DatabaseError:
        return Check(False, "cannot read worker heartbeats: the database is down")
    if not alive:
        return Check(False, f"no worker heartbeat within {settings.WORKER_STALE_SECONDS} s")
    return Check(True, f"{alive} worker(s) alive")


def readiness() -> dict[str, dict]:
    checks = {
        "database": _database_check(),
        "redis": _redis_check(settings.CACHES["default"]["LOCATION"], "cache"),
        "broker": _broker_check(),
        "workers": _worker_check(),
    }
    return {name: asdict(check) for name, check in checks.items()}
