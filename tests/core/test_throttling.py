"""Rate limits: THROTTLE_RATE per client and route, counted in Redis, and never a reason to fail when Redis
is down."""

from __future__ import annotations

import logging

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache

from workers.models import Machine
from workers.queues import queue_name

LIMIT = 3


@pytest.fixture(autouse=True)
def _low_limit(settings):
    settings.THROTTLE_RATE = f"{LIMIT}/min"


@pytest.fixture
def machines(db):
    Machine.objects.create(name="throttle-a", roles=["control"])
    Machine.objects.create(name="throttle-b", roles=["control"])
    broker = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    yield broker
    broker.delete(queue_name("control", "throttle-a"))  # no worker consumes it: leave nothing behind


def use_up(client, path: str, n: int = LIMIT) -> None:
    for i in range(n):
        response = client.get(path)
        assert response.status_code == 200, (i, response.status_code, response.content[:200])


def assert_throttled(response) -> None:
    assert response.status_code == 429, (response.status_code, response.content[:200])
    error = response.json()["error"]
    assert error["code"] == "throttled"
    assert set(error) == {"code", "message", "details"}
    retry_header = int(response["Retry-After"])
    retry_details = error["details"]["retry_after_seconds"]
    # Both say how long until the one-minute window frees a slot: more than nothing, at most the window.
    assert 0 <= retry_header <= 60 and 1 <= retry_details <= 60
    assert abs(retry_details - retry_header) <= 1  # the header is rounded down, the details up


def test_the_request_over_the_limit_is_429_throttled(personas):
    client = personas["viewer"].client()
    use_up(client, "/api/v1/errors/")
    assert_throttled(client.get("/api/v1/errors/"))
    assert_throttled(client.get("/api/v1/errors/"))  # and it stays refused within the window


def test_a_different_route_has_its_own_budget(personas):
    client = personas["viewer"].client()
    use_up(client, "/api/v1/errors/")
    assert_throttled(client.get("/api/v1/errors/"))
    use_up(client, "/api/v1/me")
    use_up(client, "/api/v1/machines/")


def test_a_different_client_has_its_own_budget(personas):
    use_up(personas["viewer"].client(), "/api/v1/errors/")
    assert_throttled(personas["viewer"].client().get("/api/v1/errors/"))
    use_up(personas["other_viewer"].client(), "/api/v1/errors/")
    use_up(personas["operator"].client(), "/api/v1/errors/")


def test_the_client_is_the_user_not_the_token(personas):
    # Rotating the token must not hand out a fresh budget.
    viewer = personas["viewer"]
    use_up(viewer.client(), "/api/v1/errors/", LIMIT - 1)
    new_token = viewer.client().post(f"/api/v1/users/{viewer.username}/token").json()["token"]
    viewer.token = new_token
    use_up(viewer.client(), "/api/v1/errors/", 1)
    assert_throttled(viewer.client().get("/api/v1/errors/"))


def test_one_route_pattern_is_one_budget_whatever_the_parameters(personas, machines):
    # The route is the URL pattern, so walking through /machines/<name> does not multiply the budget.
    client = personas["viewer"].client()
    use_up(client, "/api/v1/machines/throttle-a", LIMIT - 1)
    use_up(client, "/api/v1/machines/throttle-b", 1)
    assert_throttled(client.get("/api/v1/machines/throttle-a"))
    assert_throttled(client.get("/api/v1/machines/throttle-b"))


def test_a_throttled_write_does_nothing(operator_client, machines):
    broker = machines
    for _ in range(LIMIT):
        response = operator_client.post("/api/v1/machines/throttle-a/ping", {"wait_seconds": 0}, format="json")
        assert response.status_code == 202
    response = operator_client.post("/api/v1/machines/throttle-a/ping", {"wait_seconds": 0}, format="json")
    assert_throttled(response)
    assert broker.llen(queue_name("control", "throttle-a")) == LIMIT  # the refused ping was never sent


def test_health_is_never_throttled(client, db):
    # Load balancers probe it often, from one address; a 429 there would take the machine out of rotation.
    for _ in range(LIMIT * 4):
        assert client.get("/health").status_code == 200


def test_readiness_is_never_throttled(client, db):
    for _ in range(LIMIT + 2):
        assert client.get("/health/ready").status_code in (200, 503)  # 503: no worker here, never 429


def test_counts_live_in_the_shared_cache(personas):
    # Every web process and machine must see the same counts, so they are kept in Redis, not in memory:
    # emptying the cache gives the budget back.
    client = personas["viewer"].client()
    use_up(client, "/api/v1/errors/")
    assert_throttled(client.get("/api/v1/errors/"))
    cache.clear()
    use_up(client, "/api/v1/errors/")


@pytest.fixture
def unreachable_cache(settings):
    # Nothing listens on port 1. Overriding CACHES fires setting_changed, on which Django drops the cache
    # connections it holds, so the next use of `cache` connects to this address.
    broken = {**django_settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}
    broken["OPTIONS"] = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    settings.CACHES = {"default": broken}
    with pytest.raises(redis.exceptions.ConnectionError):
        cache.get("probe")  # the override really took effect: the cache is now down
    yield


def test_requests_still_work_when_redis_is_down(personas, unreachable_cache, caplog):
    # Fail open: the database is the truth; a Redis outage must not take the whole API down with it.
    client = personas["viewer"].client()
    with caplog.at_level(logging.WARNING, logger="core.throttling"):
        for _ in range(LIMIT * 2):
            assert client.get("/api/v1/errors/").status_code == 200
    assert "throttle skipped: Redis unavailable" in caplog.text


def test_writes_still_work_when_redis_cache_is_down(operator_client, machines, unreachable_cache):
    # Only the cache is down here; the broker (another Redis database) still takes the ping.
    for _ in range(LIMIT + 1):
        response = operator_client.post("/api/v1/machines/throttle-a/ping", {"wait_seconds": 0}, format="json")
        assert response.status_code == 202


def test_parallel_requests_from_several_processes_cannot_exceed_the_limit(personas, settings):
    """The count is checked and taken in one atomic step in Redis: concurrent callers cannot all pass
    on the same count (threads stand in for web processes; each uses its own connection)."""
    from concurrent.futures import ThreadPoolExecutor
    from types import SimpleNamespace

    from core.throttling import ClientRouteThrottle

    settings.THROTTLE_RATE = "25/min"
    user = personas["viewer"].user
    request = SimpleNamespace(
        user=user,
        resolver_match=SimpleNamespace(route="api/v1/me"),
        path="/api/v1/me",
        META={"REMOTE_ADDR": "127.0.0.1"},
    )

    def attempt(_):
        return ClientRouteThrottle().allow_request(request, None)

    with ThreadPoolExecutor(max_workers=16) as pool:
        admitted = sum(pool.map(attempt, range(200)))
    assert admitted == 25
