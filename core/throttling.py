import logging

from django.conf import settings
from redis.exceptions import RedisError
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)


class ClientRouteThrottle(SimpleRateThrottle):
    """The originals' limit: THROTTLE_RATE (100/min) per client and route.

    The client is the authenticated user (or the address, for a public route that opts into throttling:
    DRF checks permissions first, so anonymous calls to protected routes are refused with 401 before they
    are counted; tokens are 160 random bits, beyond guessing). The route is the URL pattern, so
    /api/v1/machines/a and /api/v1/machines/b share one budget. Counts live in the shared cache (Redis), so
    every web process and machine sees the same numbers.
    """

    scope = "client_route"

    def get_rate(self):
        return settings.THROTTLE_RATE

    def get_cache_key(self, request, view):
        client = f"user:{request.user.pk}" if request.user.is_authenticated else f"ip:{self.get_ident(request)}"
        match = request.resolver_match
        route = match.route if match is not None else request.path
        return f"throttle:{client}:{route}"

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except RedisError:
            # The database is the truth and stays reachable; a Redis outage must not take the API down
            # with it, so limits are not enforced until Redis returns (/health/ready reports the outage).
            logger.warning("throttle skipped: Redis unavailable")
            return True
