"""Celery figures for /metrics that stay right across worker processes and machines.

Every worker process adds its task outcomes and run times to hashes in Redis (the metrics database), and
/metrics reads them back; queue depth and the age of the oldest waiting message are read from the broker
at scrape time (workers.broker: Redis or RabbitMQ), the age by the metrics Redis server's clock (workers.clock),
so no machine's clock skew enters it. Nothing lives in one process's memory, so nothing is lost or double
counted when there are several processes or machines.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import Iterator

import amqp.exceptions
import kombu.exceptions
import redis
from django.conf import settings
from django.db import DatabaseError
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric

from core.redis_clients import client_for
from workers.clock import server_time

logger = logging.getLogger(__name__)

RUNTIME_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, float("inf"))
TASKS_KEY = "celery:tasks"
# Each run is counted once, in the first bucket its time fits (one HINCRBY instead of one per bucket above it, on
# every task's way out); /metrics adds them up into Prometheus' cumulative buckets. A new key: the one before held
# cumulative counts, and adding those up again would count runs twice.
BUCKETS_KEY = "celery:runtime:bucket"
SUM_KEY = "celery:runtime:sum"
# What reading the queues may meet: Redis, RabbitMQ (kombu's and py-amqp's errors), the database (known queues).
BROKER_ERRORS = (redis.RedisError, kombu.exceptions.KombuError, amqp.exceptions.AMQPError, OSError, DatabaseError)
SENT_AT_HEADER = "autodidact_sent_at"  # when the message was sent, by the metrics Redis server's clock
QUEUES_KEY = "celery:queues"  # every queue a task was ever sent to, so a never-started machine's shows too

QUEUE_RECORD_SECONDS = 60  # a queue is re-recorded at most this often per process: no extra round trip per task
_queues_recorded: dict[tuple[str, str], float] = {}


def record_published(queue: str) -> None:
    key = (settings.METRICS_REDIS_URL, queue)
    if time.monotonic() - _queues_recorded.get(key, -QUEUE_RECORD_SECONDS) < QUEUE_RECORD_SECONDS:
        return
    try:
        client_for(settings.METRICS_REDIS_URL).sadd(QUEUES_KEY, queue)
        _queues_recorded[key] = time.monotonic()
    except redis.RedisError:
        logger.warning("could not record queue %s", queue)


def record_task(*, task: str, queue: str, outcome: str, runtime: float | None) -> None:
    """Count one finished task (and its run time). Never raises: metrics must not fail a task."""
    try:
        pipe = client_for(settings.METRICS_REDIS_URL).pipeline(transaction=True)
        pipe.hincrby(TASKS_KEY, json.dumps([task, queue, outcome]), 1)
        if runtime is not None:
            bound = next(b for b in RUNTIME_BUCKETS if runtime <= b)
            pipe.hincrby(BUCKETS_KEY, json.dumps([task, queue, bound]), 1)
            pipe.hincrbyfloat(SUM_KEY, json.dumps([task, queue]), runtime)  # the count is the +Inf bucket
        pipe.execute()
    except redis.RedisError:
        logger.warning("could not record metrics for %s (%s)", task, outcome)


def source_up_family() -> GaugeMetricFamily:
    return GaugeMetricFamily(
        "autodidact_metrics_source_up", "Whether a metrics source could be read (1) or not (0)", labels=["source"]
    )


def _bound_label(bound: float) -> str:
    return "+Inf" if bound == float("inf") else repr(float(bound))


class CeleryTaskCollector:
    def collect(self) -> Iterator[Metric]:
        up = source_up_family()
        try:
            client = client_for(settings.METRICS_REDIS_URL)
            tasks, buckets = client.hgetall(TASKS_KEY), client.hgetall(BUCKETS_KEY)
            sums = client.hgetall(SUM_KEY)
        except redis.RedisError:
            up.add_metric(["redis"], 0)
            yield up
            return
        up.add_metric(["redis"], 1)
        yield up

        total = CounterMetricFamily(
            "autodidact_celery_tasks",
            "Finished Celery tasks by task, queue and outcome",
            labels=["task", "queue", "outcome"],
        )
        for field, value in sorted(tasks.items()):
            total.add_metric(json.loads(field), int(value))
        yield total

        runtime = HistogramMetricFamily(
            "autodidact_celery_task_runtime_seconds", "Celery task run time", labels=["task", "queue"]
        )
        by_labels: dict[tuple, dict[float, int]] = {}
        for field, value in buckets.items():
            task, queue, bound = json.loads(field)
            by_labels.setdefault((task, queue), {})[float(bound)] = int(value)
        for field, value in sorted(sums.items()):
            labels = tuple(json.loads(field))
            seen = by_labels.get(labels, {})
            cumulative = list(itertools.accumulate(seen.get(b, 0) for b in RUNTIME_BUCKETS))
            runtime.add_metric(
                list(labels),
                buckets=[(_bound_label(b), count) for b, count in zip(RUNTIME_BUCKETS, cumulative, strict=True)],
                sum_value=float(value),
            )
        yield runtime


class QueueCollector:
    """Waiting messages per known queue, and how long the oldest of them has waited."""

    def collect(self):
        from workers import broker  # cycle: workers.broker imports this module
        from workers.selectors import known_queues  # Django: models are not ready before apps load

        depth = GaugeMetricFamily("autodidact_celery_queue_depth", "Messages waiting in a queue", labels=["queue"])
        oldest = GaugeMetricFamily(
            "autodidact_celery_queue_oldest_message_age_seconds",
            "How long the oldest message waiting in a queue has waited, by the Redis server's clock (0 when empty). "
            "Redis broker: read from the message. RabbitMQ: since its publish, for messages no worker has taken; "
            "one the broker put back after its worker's connection died is not counted again",
            labels=["queue"],
        )
        up = source_up_family()
        try:
            metrics_redis = client_for(settings.METRICS_REDIS_URL)
            published = {q.decode() for q in metrics_redis.smembers(QUEUES_KEY)}
            queues = sorted(set(known_queues()) | published)
            found = broker.waiting(queues)
            now = server_time(metrics_redis)  # after reading the queues: no message is younger than "now"
        except BROKER_ERRORS as exc:
            logger.warning("queue metrics: %s: %s", type(exc).__name__, exc)
            up.add_metric(["broker"], 0)
            yield up
            return
        for queue in queues:
            count, sent = found[queue]
            depth.add_metric([queue], count)
            oldest.add_metric([queue], max(0.0, now - sent) if sent is not None else 0.0)
        up.add_metric(["broker"], 1)
        yield from (up, depth, oldest)
