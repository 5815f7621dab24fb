"""Preloading: every minute, the three models most used in the last hour are made resident where they live.

Uses are counted per minute in Redis (the cache database) by the hosts as requests acquire models, so
the count covers every process and machine. A preload goes through the ordinary load task, so it respects
the memory budget and never evicts a pinned model or one in use.
"""

from __future__ import annotations

import logging
import time
from collections import Counter

import redis
from django.conf import settings

from core.redis_clients import client_for
from models_suite.models import ModelArtifact, Placement
from models_suite.tasks import model_load_task

logger = logging.getLogger(__name__)

PRELOAD_COUNT = 3
WINDOW_MINUTES = 60


def _key(minute: int) -> str:
    return f"autodidact:model-uses:{minute}"


def model_use_record(name: str) -> None:
    minute = int(time.time() // 60)
    try:
        pipe = client_for(settings.CACHES["default"]["LOCATION"]).pipeline()
        pipe.hincrby(_key(minute), name.split(":", 1)[0], 1)
        pipe.expire(_key(minute), (WINDOW_MINUTES + 5) * 60)
        pipe.execute()
    except redis.RedisError:
        logger.warning("could not count a use of %s", name)


def models_most_used(*, count: int = PRELOAD_COUNT, now: float | None = None) -> list[str]:
    minute = int((now or time.time()) // 60)
    client = client_for(settings.CACHES["default"]["LOCATION"])
    totals: Counter = Counter()
    for past in range(minute - WINDOW_MINUTES + 1, minute + 1):
        for name, uses in client.hgetall(_key(past)).items():
            totals[name.decode()] += int(uses)  # type: ignore[union-attr]  # bytes: client_for does not decode
    return [name for name, _ in totals.most_common(count)]


def models_preload() -> list[str]:
    """Send a load to each top model's machine unless it is resident there already. Returns what was sent."""
    sent = []
    for name in models_most_used():
        artifact = ModelArtifact.objects.filter(
            name=name, kind__in=ModelArtifact.LOCAL_KINDS, status=ModelArtifact.Status.AVAILABLE
        ).first()
        if artifact is None or Placement.objects.filter(name=name, machine=artifact.machine).exists():
            continue
        model_load_task.delay(model_name=name)
        sent.append(name)
    return sent
