"""The circuit breaker: closed, open, half-open with one probe, cool-down that grows (pure, a fake clock)."""

from models_suite.routing.breaker import CLOSED, HALF_OPEN, OPEN, Breaker, Breakers


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_it_opens_after_consecutive_failures_and_skips_until_the_cool_down():
    clock, changes = Clock(), []
    breaker = Breaker(
        "cloud", failure_threshold=3, cooldown_seconds=10, clock=clock, on_change=lambda b, s: changes.append(s)
    )
    breaker.failure("refused")
    breaker.success()  # a success between failures resets the count
    for _ in range(2):
        breaker.failure("refused")
    assert breaker.state == CLOSED and breaker.allows()
    breaker.failure("refused")
    assert breaker.state == OPEN and changes == [OPEN] and breaker.last_error == "refused"
    assert not breaker.allows() and not breaker.would_allow()
    clock.now = 9.9
    assert not breaker.allows()


def test_half_open_lets_one_probe_through_and_its_outcome_decides():
    clock = Clock()
    breaker = Breaker("cloud", failure_threshold=1, cooldown_seconds=10, clock=clock)
    breaker.failure("timeout")
    clock.now = 10
    assert breaker.would_allow()  # a dry run does not take the probe
    assert breaker.allows() and breaker.state == HALF_OPEN
    assert not breaker.allows()  # one probe at a time
    breaker.failure("timeout again")
    assert breaker.state == OPEN and breaker.current_cooldown == 20  # doubled
    clock.now = 30
    assert breaker.allows()
    breaker.success()
    assert breaker.state == CLOSED and breaker.allows() and breaker.current_cooldown == 0


def test_breakers_are_made_once_per_candidate_and_take_the_routes_settings():
    breakers = Breakers()
    first = breakers.get("cloud", failure_threshold=2, cooldown_seconds=5)
    again = breakers.get("cloud", failure_threshold=4, cooldown_seconds=7)
    assert first is again and (again.failure_threshold, again.cooldown_seconds) == (4, 7)
    assert [b.name for b in breakers.all()] == ["cloud"]


def test_an_adopted_outage_opens_for_what_remains_and_probes_like_its_own():
    clock, changes = Clock(), []
    breaker = Breaker("cloud", cooldown_seconds=30, clock=clock, on_change=lambda b, s: changes.append((s, b.origin)))
    assert breaker.adopt(12.0, "refused (found by web-2)")
    assert breaker.state == OPEN and breaker.origin == "shared" and changes == [(OPEN, "shared")]
    assert not breaker.would_allow() and breaker.seconds_until_probe() == 12.0
    assert not breaker.adopt(30.0, "again")  # already open: nothing changes
    clock.now = 12
    assert breaker.allows() and breaker.state == HALF_OPEN  # this process's own probe
    breaker.failure("refused here too")
    assert breaker.state == OPEN and breaker.origin == "" and breaker.current_cooldown == 30  # now its own finding


def test_only_an_adopted_outage_is_released_and_a_probe_out_is_not_overridden():
    clock = Clock()
    adopted = Breaker("cloud", clock=clock)
    adopted.adopt(10.0, "refused")
    assert adopted.release_adopted() and adopted.state == CLOSED and adopted.origin == ""
    own = Breaker("cloud", failure_threshold=1, cooldown_seconds=10, clock=clock)
    own.failure("refused")
    assert not own.release_adopted() and own.state == OPEN  # its own probe decides
    clock.now = 10
    assert own.allows() and own.state == HALF_OPEN and own.probing
    assert not own.adopt(10.0, "refused elsewhere")  # its probe is out: its outcome decides
