"""The broker, whichever it is: Redis (the default, REDIS_URL's broker database) or RabbitMQ (CELERY_BROKER_URL=
amqp://...). What the rest of the product asks of it: is it up, how many messages wait in a queue, and since when
the oldest has waited.

How long the oldest message has waited, by broker:
- Redis: a queue is a list; its oldest message is read without taking it (LINDEX) and carries the time it was sent,
  stamped by the Redis server's clock (workers.clock).
- RabbitMQ: AMQP 0-9-1 cannot look at a message without taking it (basic.get then a reject would count as a
  delivery, mark it redelivered and reorder it), and the management plugin is optional. So each message is noted
  as it is sent (a sorted set per queue in the metrics Redis, by the same clock) and crossed off when a worker
  takes it (task_received). The figure is the age of the oldest message sent and not yet taken. A message the
  broker puts back (its worker's connection died before the acknowledgement) is not noted again: it waits
  uncounted until taken. A noted message that never reached the queue (its publish failed) is forgotten once
  the queue is seen empty. The depth itself is exact: RabbitMQ's own count (a passive queue.declare).
"""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import urlsplit

import redis
from amqp.exceptions import NotFound
from django.conf import settings
from kombu import Connection

from core.redis_clients import client_for
from workers import clock
from workers.metrics import SENT_AT_HEADER

logger = logging.getLogger(__name__)

AMQP_SCHEMES = {"amqp", "amqps", "pyamqp"}
# kombu's Redis transport keeps a queue's messages of priority p > 0 in "<queue>\x06\x16<p>".
PRIORITY_SEPARATOR = "\x06\x16"
PRIORITY_STEPS = (0, 3, 6, 9)
WAITING_KEY = "celery:waiting:{queue}"  # RabbitMQ only: task id -> when it was sent, until a worker takes it
FORGET_SLACK_SECONDS = 5.0  # an empty queue keeps notes this young: their messages may still be on their way
# RabbitMQ's native delayed delivery (countdowns on quorum queues) routes by "<28 binary digits>.<routing key>".
DELAYED_ROUTING_KEY = re.compile(r"\A(?:[01]\.){28}(?P<key>.+)\Z")


def kind(url: str | None = None) -> str:
    """ "amqp" for RabbitMQ, "redis" for Redis."""
    scheme = urlsplit(url or settings.CELERY_BROKER_URL).scheme
    return "amqp" if scheme in AMQP_SCHEMES else "redis"


def queue_of_routing_key(routing_key: str) -> str:
    found = DELAYED_ROUTING_KEY.match(routing_key or "")
    return found["key"] if found else routing_key


def ping(url: str | None = None, timeout: float | None = None) -> None:
    """Raise when the broker cannot be reached."""
    url = url or settings.CELERY_BROKER_URL
    timeout = timeout or settings.REDIS_TIMEOUT_SECONDS
    if kind(url) == "redis":
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        try:
            client.ping()
        finally:
            client.close()
        return
    with Connection(url, connect_timeout=timeout) as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)


# --- waiting messages ----------------------------------------------------------------------------------------
def waiting(queues: list[str]) -> dict[str, tuple[int, float | None]]:
    """queue -> (messages waiting, when the oldest was sent by the metrics Redis server's clock, or None when
    none is waiting or its time is not known)."""
    if kind() == "redis":
        return _waiting_redis(queues)
    return _waiting_amqp(queues)


def _waiting_redis(queues: list[str]) -> dict[str, tuple[int, float | None]]:
    client, found = client_for(settings.CELERY_BROKER_URL), {}
    for queue in queues:
        count, oldest = 0, None
        for step in PRIORITY_STEPS:
            key = queue if step == 0 else f"{queue}{PRIORITY_SEPARATOR}{step}"
            count += client.llen(key)
            sent = sent_at(client.lindex(key, -1))  # producers LPUSH, consumers pop the right end
            if sent is not None:
                oldest = sent if oldest is None else min(oldest, sent)
        found[queue] = (count, oldest if count else None)
    return found


def _waiting_amqp(queues: list[str]) -> dict[str, tuple[int, float | None]]:
    counts = {}
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=settings.REDIS_TIMEOUT_SECONDS) as connection:
        channel = connection.channel()
        for queue in queues:
            try:
                counts[queue] = channel.queue_declare(queue=queue, passive=True).message_count
            except NotFound:  # never declared: nobody sent to it nor consumed it yet
                counts[queue] = 0
                channel = connection.channel()  # the broker closed that channel
    found: dict[str, tuple[int, float | None]]
    notes, found = client_for(settings.METRICS_REDIS_URL), {}
    now = clock.server_time(notes)
    for queue, count in counts.items():
        key = WAITING_KEY.format(queue=queue)
        if not count:
            notes.zremrangebyscore(key, "-inf", now - FORGET_SLACK_SECONDS)
            found[queue] = (0, None)
            continue
        oldest = notes.zrange(key, 0, 0, withscores=True)
        found[queue] = (count, float(oldest[0][1]) if oldest else None)
    return found


def sent_at(raw: bytes | str | None) -> float | None:
    """When a message in kombu's Redis format was sent (its header), or None."""
    if not raw:
        return None
    try:
        return float(json.loads(raw)["headers"][SENT_AT_HEADER])
    except (ValueError, KeyError, TypeError):
        return None


def note_sent(queue: str, task_id: str, when: float) -> None:
    """RabbitMQ: a message for `queue` is on its way (called before its publish)."""
    try:
        clock.quick_client(settings.METRICS_REDIS_URL).zadd(WAITING_KEY.format(queue=queue), {task_id: when})
    except (redis.RedisError, OSError):
        logger.warning("could not note message %s for queue %s", task_id, queue)


def note_taken(queue: str, task_id: str) -> None:
    """RabbitMQ: a worker took the message."""
    try:
        clock.quick_client(settings.METRICS_REDIS_URL).zrem(WAITING_KEY.format(queue=queue), task_id)
    except (redis.RedisError, OSError):
        logger.warning("could not note message %s of queue %s as taken", task_id, queue)


def purge(queues: list[str]) -> None:
    """Drop what waits in these queues (tests: each starts with empty queues). RabbitMQ's queues stay declared:
    a sender that declared one before does not declare it again, and would publish into the void."""
    if kind() == "redis":
        client = client_for(settings.CELERY_BROKER_URL)
        for queue in queues:
            client.delete(queue, *(f"{queue}{PRIORITY_SEPARATOR}{step}" for step in PRIORITY_STEPS[1:]))
        return
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=settings.REDIS_TIMEOUT_SECONDS) as connection:
        channel = connection.channel()
        for queue in queues:
            try:
                channel.queue_purge(queue=queue)
            except NotFound:
                channel = connection.channel()
