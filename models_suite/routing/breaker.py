"""A circuit breaker per candidate: closed (requests go), open (skipped without paying its timeout) and
half-open (after the cool-down, one probe request goes; its success closes the breaker, its failure opens it
again for a longer cool-down, doubling up to MAX_COOLDOWN_SECONDS).

In memory, per web process: the check sits on every routed request and must cost nothing. Processes share what
they find (models_suite.services.breakers): a process whose breaker opens publishes the outage, and the others
adopt it (adopt()) within a few seconds, so each does not pay failure_threshold timeouts of its own; an adopted
outage is released (release_adopted()) when a probe elsewhere finds the candidate back. Transitions are reported
to on_change so that operators see them (metrics, admin); `origin` says whether this process found the outage
("") or adopted it ("shared").
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"
MAX_COOLDOWN_SECONDS = 300.0


@dataclass
class Breaker:
    name: str
    failure_threshold: int = 3
    cooldown_seconds: float = 30.0
    clock: Callable[[], float] = time.monotonic
    on_change: Callable[[Breaker, str], None] | None = None
    state: str = CLOSED
    failures: int = 0  # consecutive
    opened_at: float = 0.0
    current_cooldown: float = 0.0
    probing: bool = False
    last_error: str = ""
    origin: str = ""  # "shared": the open state was adopted from another process; "": found here
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def allows(self) -> bool:
        """Whether a request may go now; in half-open, True once (the probe) until it reports back."""
        if self.state == CLOSED:
            return True
        with self._lock:
            if self.state == OPEN and self.clock() - self.opened_at >= self.current_cooldown:
                self._move(HALF_OPEN)
            if self.state == HALF_OPEN and not self.probing:
                self.probing = True
                return True
            return False

    def would_allow(self) -> bool:
        """allows() without taking the probe: for a dry run."""
        if self.state == OPEN:
            return self.clock() - self.opened_at >= self.current_cooldown
        return self.state == CLOSED or not self.probing

    def success(self) -> None:
        if self.state == CLOSED and not self.failures:
            return
        with self._lock:
            self.failures, self.probing, self.origin = 0, False, ""
            if self.state != CLOSED:
                self.current_cooldown = 0.0
                self._move(CLOSED)

    def failure(self, error: str = "") -> None:
        with self._lock:
            self.failures += 1
            self.last_error = error[:300]
            self.origin = ""  # whatever opens it now, this process found it
            if self.state == HALF_OPEN:
                self.probing = False
                self._open(min(MAX_COOLDOWN_SECONDS, max(self.cooldown_seconds, self.current_cooldown * 2)))
            elif self.state == CLOSED and self.failures >= self.failure_threshold:
                self._open(self.cooldown_seconds)

    def adopt(self, seconds: float, error: str) -> bool:
        """Open for `seconds` on another process's finding, unless this process already knows the candidate is
        failing (open, or half-open with its probe out). True when it changed."""
        with self._lock:
            if self.state == OPEN or (self.state == HALF_OPEN and self.probing):
                return False
            self.origin, self.last_error, self.failures, self.probing = "shared", error[:300], 0, False
            self._open(seconds)
            return True

    def release_adopted(self) -> bool:
        """Close an adopted outage (the process that found it has seen the candidate answer again). A breaker
        this process opened itself stays open until its own probe. True when it changed."""
        with self._lock:
            if self.state != OPEN or self.origin != "shared":
                return False
            self.current_cooldown = 0.0
            self._move(CLOSED)  # still "shared" while reported: nothing to publish
            self.origin = ""
            return True

    def seconds_until_probe(self) -> float:
        if self.state != OPEN:
            return 0.0
        return max(0.0, self.current_cooldown - (self.clock() - self.opened_at))

    def _open(self, cooldown: float) -> None:
        self.opened_at, self.current_cooldown = self.clock(), cooldown
        self._move(OPEN)

    def _move(self, state: str) -> None:
        self.state = state
        if self.on_change is not None:
            self.on_change(self, state)


class Breakers:
    """The breakers of one process, by candidate name, made on first use with the route's settings."""

    def __init__(self, on_change: Callable[[Breaker, str], None] | None = None, clock=time.monotonic):
        self._breakers: dict[str, Breaker] = {}
        self._lock = threading.Lock()
        self.on_change, self.clock = on_change, clock

    def get(self, name: str, *, failure_threshold: int = 3, cooldown_seconds: float = 30.0) -> Breaker:
        breaker = self._breakers.get(name)
        if breaker is None:
            with self._lock:
                breaker = self._breakers.setdefault(
                    name,
                    Breaker(
                        name,
                        failure_threshold=failure_threshold,
                        cooldown_seconds=cooldown_seconds,
                        clock=self.clock,
                        on_change=self.on_change,
                    ),
                )
        breaker.failure_threshold, breaker.cooldown_seconds = failure_threshold, cooldown_seconds
        return breaker

    def peek(self, name: str) -> Breaker | None:
        return self._breakers.get(name)

    def all(self) -> list[Breaker]:
        return list(self._breakers.values())

    def clear(self) -> None:
        with self._lock:
            self._breakers.clear()
