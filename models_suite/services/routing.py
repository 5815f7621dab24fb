"""The router's Django side: gather what decide() needs (routes, candidates' facts, live workers, memory, the
learned router, breakers), decide, and keep the breakers and metrics.

What is read from the database is read once per SNAPSHOT_SECONDS per process, not per request: a routed request
then costs no query before it is sent (route edits and worker changes take effect within that time).
Breakers live in the process and share the outages they find (models_suite.services.breakers), read with the
snapshot.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from prometheus_client import Counter

from core.errors import ServiceUnavailable
from models_suite.models import ModelArtifact, Placement, Route, RouterModel
from models_suite.routing.breaker import Breaker
from models_suite.routing.content import default_content_classifier
from models_suite.routing.decision import LOCAL, REMOTE, Candidate, Decision, NoUsableCandidate, Policy, decide
from models_suite.routing.learned import LearnedRouter
from models_suite.routing.request_text import RequestFacts
from models_suite.services.adapter_resolution import candidate_name
from models_suite.services.breakers import BREAKERS, breaker_for, breakers_share
from models_suite.services.routes import policy_of
from workers.models import Machine
from workers.queues import QueueRole
from workers.selectors import machines_offering

SNAPSHOT_SECONDS = 2.0
# A tokenizer this small reads a character (or a byte) per token: the built-in model's does.
CHARACTER_VOCABULARY = 512

ROUTER_DECISIONS = Counter(
    "router_decisions", "Routing decisions, by route, chosen candidate and step", ["route", "candidate", "reason"]
)
ROUTER_FALLBACKS = Counter(
    "router_fallbacks",
    "Candidates that failed a routed request, which then went to the next one, by cause",
    ["route", "candidate", "cause"],
)


@dataclass(frozen=True)
class Target:
    """A candidate as the gateway sends to it."""

    name: str
    artifact: ModelArtifact  # only the fields routing reads
    adapter: str  # "" for the bare model


@dataclass
class Snapshot:
    routes: dict[str, tuple[list[str], Policy]]
    artifacts: dict[str, ModelArtifact]
    live_machines: set[str]
    resident: dict[str, set[str]]
    pinned_bytes: dict[str, int]
    budget_bytes: dict[str, int]
    learned: LearnedRouter | None
    learned_version: int | None
    learned_names: dict[str, str]  # a candidate naming an adapter -> "<model>:<adapter id>" it names now
    taken_at: float = field(default_factory=time.monotonic)


_snapshot: Snapshot | None = None
_snapshot_lock = threading.Lock()


def snapshot(*, fresh: bool = False) -> Snapshot:
    global _snapshot
    current = _snapshot
    if not fresh and current is not None and time.monotonic() - current.taken_at < SNAPSHOT_SECONDS:
        return current
    with _snapshot_lock:
        _snapshot = _read_snapshot()
        breakers_share({name: policy for candidates, policy in _snapshot.routes.values() for name in candidates})
        return _snapshot


def snapshot_forget() -> None:
    """The next request reads afresh (after a route is saved in this process; in tests)."""
    global _snapshot
    _snapshot = None


def _read_snapshot() -> Snapshot:
    routes = {r.name: (list(r.candidates), policy_of(r)) for r in Route.objects.filter(enabled=True)}
    bases = {c.partition(":")[0] for candidates, _ in routes.values() for c in candidates}
    artifacts = {
        a.name: a
        for a in ModelArtifact.objects.filter(name__in=bases).only(
            "name", "kind", "status", "machine", "context_length", "capabilities", "tokenizer", "estimated_memory_bytes"
        )
    }
    resident: dict[str, set[str]] = {}
    pinned: dict[str, int] = {}
    for machine, name, pinned_flag, measured in Placement.objects.values_list(
        "machine", "name", "pinned", "measured_bytes"
    ):
        resident.setdefault(machine, set()).add(name)
        if pinned_flag:
            pinned[machine] = pinned.get(machine, 0) + measured
    budget = {}
    for name, gpus in Machine.objects.exclude(gpus=[]).values_list("name", "gpus"):
        total_mib = max(int(gpu.get("memory_total_mib") or 0) for gpu in gpus)
        if total_mib:
            budget[name] = int(total_mib * 2**20 * settings.MODEL_MEMORY_BUDGET_PERCENT / 100)
    learned, version = _learned_router(_snapshot)
    return Snapshot(
        learned_names=_learned_names(routes, artifacts),
        routes=routes,
        artifacts=artifacts,
        live_machines=set(machines_offering(QueueRole.MODELS)),
        resident=resident,
        pinned_bytes=pinned,
        budget_bytes=budget,
        learned=learned,
        learned_version=version,
    )


def _learned_names(routes: dict, artifacts: dict[str, ModelArtifact]) -> dict[str, str]:
    """What each candidate with an adapter ("<model>:champion", an id) is learned as: the adapter its reference
    names now (candidate_name), so a promotion moves a route's champion to the new adapter's graded answers at
    the next snapshot."""
    names = {}
    for candidates, _ in routes.values():
        for name in candidates:
            base, _, reference = name.partition(":")
            if reference and base in artifacts:
                names[name] = candidate_name(artifacts[base], reference) or name
    return names


def _learned_router(previous: Snapshot | None) -> tuple[LearnedRouter | None, int | None]:
    """The newest version, its weights read and its models merged only when the version changed: a version is
    megabytes of JSON, and the snapshot is read every SNAPSHOT_SECONDS."""
    version = RouterModel.objects.order_by("-version").values_list("version", flat=True).first()
    if previous is not None and previous.learned_version == version:
        return previous.learned, version
    if version is None:
        return None, None
    weights = RouterModel.objects.values_list("weights", flat=True).get(version=version)
    return LearnedRouter.from_dict(weights), version


def is_route(name: str) -> bool:
    return name in snapshot().routes


def _unusable(snap: Snapshot, name: str, artifact: ModelArtifact | None, breaker: Breaker) -> str:
    if artifact is None:
        return "not a registered model any more"
    if artifact.status != ModelArtifact.Status.AVAILABLE:
        return f"model {artifact.status}"
    if artifact.kind == ModelArtifact.Kind.REMOTE:
        if not snap.live_machines:
            return "no live models worker to call it"
    else:
        if artifact.machine not in snap.live_machines:
            return f"no live models worker on {artifact.machine or 'its machine'}"
        budget = snap.budget_bytes.get(artifact.machine)
        resident = artifact.name in snap.resident.get(artifact.machine, set())
        if budget and not resident:
            pinned = snap.pinned_bytes.get(artifact.machine, 0)
            if pinned + artifact.estimated_memory_bytes > budget:
                return (
                    f"does not fit in memory: needs {artifact.estimated_memory_bytes >> 20} MiB next to "
                    f"{pinned >> 20} MiB pinned, budget {budget >> 20} MiB"
                )
    if not breaker.would_allow():
        return f"circuit breaker open ({breaker.seconds_until_probe():.0f} s to the next probe): {breaker.last_error}"
    return ""


def _candidate(snap: Snapshot, name: str, policy: Policy) -> Candidate:
    artifact = snap.artifacts.get(name.partition(":")[0])
    breaker = breaker_for(name, policy)
    remote = artifact is not None and artifact.kind == ModelArtifact.Kind.REMOTE
    vocabulary = int((artifact.tokenizer or {}).get("vocab_size") or 0) if artifact is not None else 0
    return Candidate(
        name=name,
        backend=REMOTE if remote else LOCAL,
        context_length=artifact.context_length if artifact is not None else 0,
        chars_per_token=1.0 if 0 < vocabulary <= CHARACTER_VOCABULARY else 3.0,
        # A remote endpoint is asked and answers for itself; a local model says so in its capabilities.
        supports_tools=remote or (artifact is not None and "tools" in (artifact.capabilities or [])),
        unusable=_unusable(snap, name, artifact, breaker),
        learned_as=snap.learned_names.get(name, ""),
    )


@dataclass
class Routing:
    route: str
    policy: Policy
    decision: Decision
    targets: dict[str, Target]


def route_decide(route_name: str, facts: RequestFacts, *, task_type: str | None = None) -> Routing:
    """The decision for a request to `route_name` (a known route: is_route()). NoUsableCandidate when none can
    take it."""
    snap = snapshot()
    candidates, policy = snap.routes[route_name]
    try:
        decision = decide(
            facts,
            [_candidate(snap, name, policy) for name in candidates],
            policy,
            content=default_content_classifier(),
            learned=snap.learned,
            task_type=task_type,
        )
    except NoUsableCandidate as exc:
        raise ServiceUnavailable(
            f"Route {route_name!r}: {exc}", code="no_usable_candidate", details={"candidates": exc.states}
        ) from None
    ROUTER_DECISIONS.labels(route_name, decision.candidate, decision.step).inc()
    targets = {}
    for name in decision.order:
        base, _, adapter = name.partition(":")
        targets[name] = Target(name=name, artifact=snap.artifacts[base], adapter=adapter)
    return Routing(route=route_name, policy=policy, decision=decision, targets=targets)


def fallback_record(routing: Routing, candidate: str, cause: str) -> None:
    ROUTER_FALLBACKS.labels(routing.route, candidate, cause).inc()


def breaker_states() -> list[dict]:
    """This process's breakers, for the API and admin."""
    return [
        {
            "candidate": b.name,
            "state": b.state,
            "consecutive_failures": b.failures,
            "seconds_until_probe": round(b.seconds_until_probe(), 1),
            "last_error": b.last_error,
            "found_by": "another process" if b.origin == "shared" else "this process",
        }
        for b in BREAKERS.all()
    ]


__all__ = ["NoUsableCandidate", "route_decide", "is_route", "snapshot", "snapshot_forget", "breaker_states"]
