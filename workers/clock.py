"""One clock for times taken on different machines and compared: the Redis server's (TIME).

A queue's oldest message was stamped by whichever machine sent it and is read by whichever scrapes /metrics:
with each machine's own clock, any skew between the two went straight into the figure. Both now read the same
clock, the metrics Redis server's. The scraper asks it (one TIME per scrape); a sender must not pay a round trip
per message, so it estimates it: once a minute at most it measures the offset between the server's clock and its
own monotonic clock (a TIME, half its round trip allowed for), and adds the monotonic time elapsed since. Its wall
clock plays no part: set wrong, stepped by NTP or travelled by a test, the stamps stay right.
"""

from __future__ import annotations

import os
import time

import redis
from django.conf import settings
from redis.backoff import NoBackoff
from redis.retry import Retry

SYNC_SECONDS = 60.0  # how long a measured offset is used; monotonic clocks drift by microseconds in that time
RETRY_SECONDS = 5.0  # after a failed measurement (Redis down), how long before trying again

_synced: dict[str, tuple[float, float]] = {}  # url -> (our monotonic time, the server's time) at the last measure
_tried: dict[str, float] = {}  # url -> our monotonic time of the last attempt
_clients: dict[tuple[int, str], redis.Redis] = {}


def quick_client(url: str) -> redis.Redis:
    """A client that fails at once when the server is away (no retries, short timeouts): for calls made on the way
    of a message (its publish, its receipt), which must never wait on a metrics server."""
    key = (os.getpid(), url)
    if key not in _clients:
        _clients[key] = redis.Redis.from_url(
            url, socket_connect_timeout=0.5, socket_timeout=0.5, retry=Retry(NoBackoff(), 0)
        )
    return _clients[key]


def server_time(client: redis.Redis) -> float:
    """The server's clock now, in seconds since the epoch (one round trip)."""
    seconds, microseconds = client.time()
    return seconds + microseconds / 1_000_000


def redis_now(url: str | None = None) -> float | None:
    """The metrics Redis server's clock as this process reckons it (see the module's docstring); None when it has
    never been reachable from this process."""
    url = url or settings.METRICS_REDIS_URL
    mono = time.monotonic()
    synced = _synced.get(url)
    stale = synced is None or mono - synced[0] > SYNC_SECONDS
    if stale and mono - _tried.get(url, float("-inf")) > RETRY_SECONDS:
        _tried[url] = mono
        try:
            before = time.monotonic()
            server = server_time(quick_client(url))
            after = time.monotonic()
        except (redis.RedisError, OSError):
            pass  # keep the last measurement, if any: a minute-old offset is still right to a millisecond or so
        else:
            synced = _synced[url] = ((before + after) / 2, server)
    if synced is None:
        return None
    return synced[1] + (time.monotonic() - synced[0])


def forget() -> None:
    """Measure afresh (tests)."""
    _synced.clear()
    _tried.clear()
