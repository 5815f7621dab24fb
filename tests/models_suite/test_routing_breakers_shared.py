"""Outages shared between web processes through Redis (models_suite.services.breakers): two registries stand for
two processes, against the suite's real Redis."""

import pytest

from models_suite.models import BreakerTransition
from models_suite.routing.breaker import CLOSED, HALF_OPEN, OPEN, Breakers
from models_suite.routing.decision import Policy
from models_suite.services import breakers
from models_suite.services.breakers import SHARED_KEY, _breaker_changed, breakers_reset, breakers_share

POLICY = Policy(failure_threshold=2, cooldown_seconds=30)


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


@pytest.fixture
def processes(db, monkeypatch):
    """Two processes' breakers; the second tells itself apart by another pid in what it publishes."""
    breakers_reset()
    first, second = Breakers(on_change=_breaker_changed, clock=Clock()), Breakers(on_change=_breaker_changed)
    yield first, second
    breakers_reset()


def _open_in(registry: Breakers, name: str = "cloud") -> None:
    breaker = registry.get(name, failure_threshold=POLICY.failure_threshold, cooldown_seconds=POLICY.cooldown_seconds)
    for _ in range(POLICY.failure_threshold):
        breaker.failure("connection refused")


def test_an_outage_one_process_finds_is_adopted_by_another_without_failures_of_its_own(processes, monkeypatch):
    first, second = processes
    _open_in(first)
    raw = breakers._shared().get(SHARED_KEY.format("cloud"))
    assert raw is not None and b"connection refused" in raw
    assert 0 < breakers._shared().pttl(SHARED_KEY.format("cloud")) <= 30_000
    monkeypatch.setattr(breakers, "_who", lambda: "web-2 pid 2")  # the second process reads it
    breakers_share({"cloud": POLICY, "local": POLICY}, registry=second)
    adopted = second.peek("cloud")
    assert adopted is not None and adopted.state == OPEN and adopted.origin == "shared"
    assert adopted.failures == 0 and "found by" in adopted.last_error and not adopted.would_allow()
    assert second.peek("local") is None  # nothing published for it
    assert BreakerTransition.objects.filter(candidate="cloud", state=OPEN, error__contains="(adopted)").exists()


def test_a_probe_that_finds_the_candidate_back_releases_it_everywhere(processes, monkeypatch):
    first, second = processes
    _open_in(first)
    monkeypatch.setattr(breakers, "_who", lambda: "web-2 pid 2")
    breakers_share({"cloud": POLICY}, registry=second)
    monkeypatch.undo()
    found = first.peek("cloud")
    found.clock.now = 30  # its cool-down is over: its probe goes, and the candidate answers
    assert found.allows() and found.state == HALF_OPEN
    found.success()
    assert found.state == CLOSED and breakers._shared().get(SHARED_KEY.format("cloud")) is None
    monkeypatch.setattr(breakers, "_who", lambda: "web-2 pid 2")
    breakers_share({"cloud": POLICY}, registry=second)
    assert second.peek("cloud").state == CLOSED


def test_a_process_does_not_adopt_its_own_finding_and_redis_down_changes_nothing(processes, monkeypatch):
    first, _ = processes
    _open_in(first)
    own = first.peek("cloud")
    breakers_share({"cloud": POLICY}, registry=first)
    assert own.state == OPEN and own.origin == ""

    class Down:
        def __getattr__(self, name):
            raise breakers.redis.ConnectionError("down")

    monkeypatch.setattr(breakers, "_shared", lambda: Down())
    fresh = Breakers(on_change=_breaker_changed)
    breakers_share({"cloud": POLICY}, registry=fresh)  # logged, not raised
    assert fresh.peek("cloud") is None
