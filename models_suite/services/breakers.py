"""The routing candidates' circuit breakers: one per candidate in each web process (models_suite.routing.breaker),
the outages they find shared between processes through Redis, their transitions recorded for operators.

Sharing: a process whose breaker opens sets `autodidact:router:breaker:<candidate>` (the error, who found it) to
expire when its cool-down ends, and deletes it when its probe finds the candidate back. Every process reads those
keys with its routing snapshot (every SNAPSHOT_SECONDS) and adopts an outage it has not seen, for what remains of
its cool-down, or releases one it adopted whose key is gone. So an outage costs the first process its
failure_threshold failures and the others at most the seconds until their next snapshot, not failures of their
own. Redis being down only means each process finds outages alone, as without sharing.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping

import redis
from django.conf import settings
from prometheus_client import Gauge

from core.redis_clients import client_for
from models_suite.models import BreakerTransition
from models_suite.routing.breaker import CLOSED, HALF_OPEN, OPEN, Breaker, Breakers
from models_suite.routing.decision import Policy

log = logging.getLogger(__name__)

SHARED_KEY = "autodidact:router:breaker:{}"
# The share is read on a request's path (with the snapshot): a Redis that stalls must not stall the request.
SHARE_TIMEOUT_SECONDS = 0.2

ROUTER_BREAKER_STATE = Gauge(
    "router_breaker_state",
    "A candidate's circuit breaker in a web process: 0 closed, 1 half-open, 2 open (the worst process's)",
    ["candidate"],
    multiprocess_mode="max",
)
_STATE_VALUE = {CLOSED: 0, HALF_OPEN: 1, OPEN: 2}


def _who() -> str:
    return f"{settings.MACHINE_NAME} pid {os.getpid()}"


def _shared() -> redis.Redis:
    return client_for(settings.REDIS_URL, socket_timeout=SHARE_TIMEOUT_SECONDS)


def _breaker_changed(breaker: Breaker, state: str) -> None:
    ROUTER_BREAKER_STATE.labels(breaker.name).set(_STATE_VALUE[state])
    adopted = breaker.origin == "shared"
    BreakerTransition.objects.create(
        candidate=breaker.name,
        state=state,
        error=(f"{breaker.last_error} (adopted)" if adopted else breaker.last_error) if state == OPEN else "",
        machine=settings.MACHINE_NAME,
        pid=os.getpid(),
    )
    if adopted:
        return  # another process found it and published it
    try:
        if state == OPEN:
            found = json.dumps({"error": breaker.last_error, "by": _who()})
            _shared().set(SHARED_KEY.format(breaker.name), found, px=max(1, int(breaker.current_cooldown * 1000)))
        elif state == CLOSED:
            _shared().delete(SHARED_KEY.format(breaker.name))
    except redis.RedisError as exc:
        log.warning("could not share the breaker of %s (%s): other processes find the outage alone", breaker.name, exc)


BREAKERS = Breakers(on_change=_breaker_changed)


def breaker_for(name: str, policy: Policy) -> Breaker:
    return BREAKERS.get(name, failure_threshold=policy.failure_threshold, cooldown_seconds=policy.cooldown_seconds)


def breakers_share(policies: Mapping[str, Policy], *, registry: Breakers = BREAKERS) -> None:
    """Adopt the outages other processes published for these candidates (name -> the policy of a route naming
    it), and release adopted ones whose key is gone: one round trip to Redis."""
    names = sorted(policies)
    if not names:
        return
    try:
        pipe = _shared().pipeline(transaction=False)
        for name in names:
            pipe.get(SHARED_KEY.format(name))
            pipe.pttl(SHARED_KEY.format(name))
        found = pipe.execute()
    except redis.RedisError as exc:
        log.warning("could not read the shared breakers (%s): this process finds outages alone", exc)
        return
    for name, raw, ttl_ms in zip(names, found[::2], found[1::2]):
        breaker = registry.peek(name)
        if raw is None or ttl_ms is None or ttl_ms <= 0:
            if breaker is not None:
                breaker.release_adopted()
            continue
        try:
            found = json.loads(raw)
            error, by = str(found.get("error", "")), str(found.get("by", "another process"))
        except (ValueError, AttributeError):
            error, by = "", "another process"
        if by == _who():
            continue  # this process's own finding
        if breaker is None:
            policy = policies[name]
            breaker = registry.get(
                name, failure_threshold=policy.failure_threshold, cooldown_seconds=policy.cooldown_seconds
            )
        breaker.adopt(ttl_ms / 1000.0, f"{error} (found by {by})")


def breakers_reset() -> None:
    """Forget every breaker, here and shared (tests; an operator starting afresh)."""
    names = [b.name for b in BREAKERS.all()]
    BREAKERS.clear()
    try:
        keys = list(_shared().scan_iter(SHARED_KEY.format("*"))) + [SHARED_KEY.format(n) for n in names]
        if keys:
            _shared().delete(*keys)
    except redis.RedisError:
        pass
