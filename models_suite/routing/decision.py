"""decide(): which candidate of a route answers a request, in the issue's order, each step saying why.

1. fit: a candidate that cannot read the request (its context is shorter than the request plus the answer, or
   the request defines tools and it cannot call them) is never chosen;
2. resources: a candidate whose machine has no live models worker, whose model would not fit in memory next to
   what is pinned, or whose circuit breaker is open, is skipped (its state is reported);
3. rules: an explicit task type, scored by the complexity table; heavy work goes to the most capable usable
   candidate (the last in cost order), light work to the cheapest;
4. content: without a task type, the request's size and what it asks for (content.ContentClassifier);
5. learned: for a request the content step does not call heavy, the learned router's chances of a right answer
   choose the cheapest candidate within the margin of the best.
The candidates not chosen, usable ones first in the order they would be tried, are the failover order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from models_suite.routing.complexity import DEFAULT_HEAVY_AT, DEFAULT_TASK_COMPLEXITY, task_complexity
from models_suite.routing.content import CONTENT_HEAVY_AT, ContentClassifier
from models_suite.routing.learned import LearnedRouter, cheapest_within_margin
from models_suite.routing.reading import request_reader
from models_suite.routing.request_text import RequestFacts

LOCAL, REMOTE = "local", "remote"
# Request size in tokens -> complexity (the originals' estimated_tokens factor): a long request is heavy work
# whatever it asks, and past the local context it cannot stay local anyway.
SIZE_COMPLEXITY = ((2000, 0.8), (1000, 0.6))


@dataclass(frozen=True)
class Policy:
    heavy_at: float = DEFAULT_HEAVY_AT  # complexity from which work is heavy (task types and size)
    content_heavy_at: float = CONTENT_HEAVY_AT  # P(heavy) from which the content step calls a request heavy
    quality_margin: float = 0.05  # learned step: the cheapest candidate within this of the best chance
    use_learned: bool = True
    task_complexity: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_TASK_COMPLEXITY))
    timeout_seconds: float = 30.0  # per candidate: no answer by then counts as a failure, and the next one is tried
    failure_threshold: int = 3  # consecutive failures that open a candidate's breaker
    cooldown_seconds: float = 30.0  # how long an open breaker skips its candidate before one probe


@dataclass(frozen=True)
class Candidate:
    name: str  # "<registered model>" or "<model>:<adapter>"
    backend: str  # LOCAL or REMOTE
    context_length: int = 0  # tokens; 0 when unknown (no limit is assumed)
    chars_per_token: float = 3.0
    supports_tools: bool = False
    unusable: str = ""  # why it cannot take requests now (no worker, no memory, breaker open); "" if it can
    # The name the learned router knows its graded answers by: "<model>:<adapter id>" for "<model>:champion" (the
    # alias resolved when the route was read); "" for the candidate's own name.
    learned_as: str = ""

    def cannot_read(self, facts: RequestFacts) -> str:
        """Why this candidate cannot read the request, or ""."""
        if facts.has_tools and not self.supports_tools:
            return "the request defines tools and this model cannot call them"
        if self.context_length:
            needed = facts.needs_tokens(self.chars_per_token)
            if needed > self.context_length:
                return f"needs about {needed} tokens with the answer; its context is {self.context_length}"
        return ""


@dataclass
class Decision:
    candidate: str
    backend: str
    complexity: float
    reason: str
    step: str  # rule, fit, content, learned or cheapest
    order: list[str]  # the chosen candidate, then the failover order
    alternatives: list[dict]  # every other candidate: usable ones in failover order, then the others and why

    def as_dict(self) -> dict:
        return {
            "candidate": self.candidate,
            "backend": self.backend,
            "complexity": round(self.complexity, 4),
            "reason": self.reason,
            "step": self.step,
            "alternatives": self.alternatives,
        }


class NoUsableCandidate(Exception):
    def __init__(self, states: list[dict]):
        self.states = states
        super().__init__(
            "No candidate can take this request: " + "; ".join(f"{s['candidate']} ({s['state']})" for s in states)
        )


def size_complexity(tokens: int) -> float:
    return next((score for limit, score in SIZE_COMPLEXITY if tokens > limit), 0.0)


def decide(
    facts: RequestFacts,
    candidates: Sequence[Candidate],
    policy: Policy,
    *,
    content: ContentClassifier,
    learned: LearnedRouter | None = None,
    task_type: str | None = None,
) -> Decision:
    skipped: list[dict] = []
    usable: list[Candidate] = []
    reads: list[str] = []
    for candidate in candidates:
        cannot = candidate.cannot_read(facts)
        if not cannot:
            reads.append(candidate.name)
        if why := cannot or candidate.unusable:
            skipped.append({"candidate": candidate.name, "backend": candidate.backend, "state": why})
        else:
            usable.append(candidate)
    if not usable:
        raise NoUsableCandidate(skipped)
    cheapest, strongest = usable[0], usable[-1]
    fit_note = f"; only {', '.join(reads)} can read it" if len(reads) < len(candidates) else ""

    chosen, complexity, step, heavy = cheapest, 0.0, "cheapest", False
    rule = task_complexity(task_type, policy.task_complexity) if task_type else None
    if rule is not None:
        name, complexity = rule
        heavy = complexity >= policy.heavy_at
        step = "rule"
        reason = f"task type {name}: complexity {complexity:.2f} ({'heavy' if heavy else 'light'} at {policy.heavy_at})"
    else:
        tokens = facts.estimated_tokens()
        by_size = size_complexity(tokens)
        consult_learned = learned is not None and policy.use_learned and len(usable) > 1
        reading = request_reader(content, learned if consult_learned else None).read(facts)
        p_heavy, kind = reading.content.p_heavy, reading.content.kind
        complexity = max(by_size, p_heavy)
        step = "content"
        if by_size >= policy.heavy_at:
            heavy, reason = True, f"about {tokens} tokens: heavy by size"
        elif p_heavy >= policy.content_heavy_at:
            heavy, reason = True, f"asks for {kind} (P(heavy) {p_heavy:.2f})"
        else:
            reason = f"asks for {kind} (P(heavy) {p_heavy:.2f}): light"
            names = [c.name for c in usable]
            known = {c.name: reading.chances.get(c.learned_as or c.name) for c in usable}
            picked = cheapest_within_margin(
                {name: p for name, p in known.items() if p is not None}, names, policy.quality_margin
            )
            if picked is not None:
                name, chances = picked
                chosen = next(c for c in usable if c.name == name)
                step = "learned"
                shown = ", ".join(f"{c} {p:.2f}" for c, p in chances.items())
                reason += f"; learned P(right): {shown}; cheapest within {policy.quality_margin} of the best"
    if step != "learned":
        chosen = strongest if heavy else cheapest
    if fit_note and step != "learned":
        reason += fit_note
    unusable = [c for c in candidates if c.unusable and c.name in reads]
    if unusable:
        reason += "; skipped " + "; ".join(f"{c.name}: {c.unusable}" for c in unusable)
    # Failover: the others in the direction of the choice (toward cheaper for heavy work, toward stronger for
    # light), then the rest.
    others = [c for c in usable if c is not chosen]
    order = [c for c in reversed(others)] if heavy else others
    alternatives = [{"candidate": c.name, "backend": c.backend, "state": "usable"} for c in order] + skipped
    return Decision(
        candidate=chosen.name,
        backend=chosen.backend,
        complexity=complexity,
        reason=reason,
        step=step,
        order=[chosen.name] + [c.name for c in order],
        alternatives=alternatives,
    )
