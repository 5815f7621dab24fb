import logging
import threading
import time
import uuid

from django.conf import settings
from redis.exceptions import RedisError
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from core.metrics import THROTTLE_STORE_ERRORS
from core.redis_clients import client_for

logger = logging.getLogger(__name__)

# A sliding window in one atomic step: drop entries older than the window, count, admit or refuse.
# Reading then writing in two steps (DRF's own throttle) lets parallel requests from several web processes
# all pass on the same count.
SLIDING_WINDOW = """
local key, now, window, limit, member = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, member)
  redis.call('EXPIRE', key, math.ceil(window))
  return {1, 0}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {0, tostring(tonumber(oldest[2]) + window - now)}
"""


class StoreOutage:
    """A process' view of its throttle store being down, so that an outage is logged when it starts, then at
    most once per `interval` seconds while it lasts (with how many requests went through unthrottled), and
    once more when the store answers again; never once per request."""

    interval = 60.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._since: float | None = None  # monotonic time of this outage's first failure
        self._skipped = 0
        self._logged_at = 0.0

    def failed(self, scope: str, error: Exception) -> None:
        THROTTLE_STORE_ERRORS.labels(scope=scope).inc()
        now = time.monotonic()
        with self._lock:
            self._skipped += 1
            if self._since is None:
                self._since = self._logged_at = now
                logger.warning(
                    "throttle skipped: Redis unavailable (%s: %s); requests pass unthrottled until it answers again",
                    type(error).__name__,
                    error,
                )
            elif now - self._logged_at >= self.interval:
                self._logged_at = now
                logger.warning(
                    "throttle skipped: Redis unavailable for %.0f s, %d requests let through unthrottled "
                    "so far (%s: %s)",
                    now - self._since,
                    self._skipped,
                    type(error).__name__,
                    error,
                )

    def answered(self) -> None:
        if self._since is None:  # the usual case, without taking the lock
            return
        with self._lock:
            if self._since is not None:
                logger.info(
                    "throttle store answers again after %.0f s; %d requests were let through unthrottled",
                    time.monotonic() - self._since,
                    self._skipped,
                )
                self._since, self._skipped = None, 0


store_outage = StoreOutage()


class ClientRouteThrottle(BaseThrottle):
    """The originals' limit: THROTTLE_RATE (100/min) per client and route, over a sliding window.

    The client is the authenticated user (or the address, for a public route that opts into throttling:
    DRF checks permissions first, so anonymous calls to protected routes are refused with 401 before they
    are counted; tokens are 160 random bits, beyond guessing). The route is the URL pattern, so
    /api/v1/machines/a and /api/v1/machines/b share one budget. Counts live in Redis (the cache database),
    so every web process and machine shares them.

    When Redis cannot be reached the throttle fails open: the request passes, counted in
    autodidact_throttle_store_errors_total{scope="client_route"}, and the outage is logged (see StoreOutage).
    """

    scope = "client_route"  # the label of this throttle's series in /metrics

    def __init__(self) -> None:
        self.wait_seconds: float | None = None

    def cache_key(self, request) -> str:
        client = f"user:{request.user.pk}" if request.user.is_authenticated else f"ip:{self.get_ident(request)}"
        match = request.resolver_match
        route = match.route if match is not None else request.path
        return f"autodidact:throttle:{client}:{route}"

    def allow_request(self, request, view) -> bool:
        # DRF's parser, used unbound: it reads nothing of its instance.
        limit, window = SimpleRateThrottle.parse_rate(None, settings.THROTTLE_RATE)  # type: ignore[arg-type]
        assert limit is not None and window is not None  # THROTTLE_RATE is never empty
        try:
            admitted, wait = client_for(settings.CACHES["default"]["LOCATION"]).eval(
                SLIDING_WINDOW, 1, self.cache_key(request), time.time(), window, limit, uuid.uuid4().hex
            )
        except RedisError as error:
            # Fail open. The database is the truth and stays reachable; the limit protects the service from
            # one client's excess, and a Redis outage must not take the whole API down with it, so limits are
            # not enforced until Redis returns (/health/ready reports the outage, /metrics counts the requests).
            store_outage.failed(self.scope, error)
            return True
        store_outage.answered()
        self.wait_seconds = None if admitted else max(0.0, float(wait))
        return bool(admitted)

    def wait(self):
        return self.wait_seconds


# The series exists (at 0) from the start, so that rate() and alerts see it before the first outage.
THROTTLE_STORE_ERRORS.labels(scope=ClientRouteThrottle.scope)
