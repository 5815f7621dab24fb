import logging
import time
import uuid

from django.conf import settings
from redis.exceptions import RedisError
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

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


class ClientRouteThrottle(BaseThrottle):
    """The originals' limit: THROTTLE_RATE (100/min) per client and route, over a sliding window.

    The client is the authenticated user (or the address, for a public route that opts into throttling:
    DRF checks permissions first, so anonymous calls to protected routes are refused with 401 before they
    are counted; tokens are 160 random bits, beyond guessing). The route is the URL pattern, so
    /api/v1/machines/a and /api/v1/machines/b share one budget. Counts live in Redis (the cache database),
    so every web process and machine shares them.
    """

    def __init__(self):
        self.wait_seconds: float | None = None

    def cache_key(self, request) -> str:
        client = f"user:{request.user.pk}" if request.user.is_authenticated else f"ip:{self.get_ident(request)}"
        match = request.resolver_match
        route = match.route if match is not None else request.path
        return f"autodidact:throttle:{client}:{route}"

    def allow_request(self, request, view) -> bool:
        limit, window = SimpleRateThrottle.parse_rate(None, settings.THROTTLE_RATE)
        try:
            admitted, wait = client_for(settings.CACHES["default"]["LOCATION"]).eval(
                SLIDING_WINDOW, 1, self.cache_key(request), time.time(), window, limit, uuid.uuid4().hex
            )
        except RedisError:
            # The database is the truth and stays reachable; a Redis outage must not take the API down
            # with it, so limits are not enforced until Redis returns (/health/ready reports the outage).
            logger.warning("throttle skipped: Redis unavailable")
            return True
        self.wait_seconds = None if admitted else max(0.0, float(wait))
        return bool(admitted)

    def wait(self):
        return self.wait_seconds
