"""Paired A/B of adapters, and the watch after a promotion that rolls a regression back.

A/B: the champion (or the bare base model) and the challenger answer the same held-out items of every measured
suite; per suite, the accuracy difference with a paired-bootstrap interval and a McNemar p-value
(learning.training.ab). The challenger is promoted when the target suite improves significantly and no other
suite drops significantly by more than 2 points; otherwise the champion stays and the reason is recorded.

Watch (the originals' live data correlator, reference 2b.2, put to work): a promotion stores a baseline of the
old champion (held-out accuracy per suite, generation latency, error rate, process CPU and memory); a check
measures the new champion the same way and rolls back to `previous` on a proficiency drop or a regression past
the originals' thresholds (learning.training.regression). Only regressions count.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass, field

import psutil
from django.db import transaction

from learning import adapters
from learning.models import ABComparison, Adapter, AdapterEvent
from learning.training.ab import compare_suite, decide
from learning.training.regression import MetricsSnapshot, regressions, should_roll_back

# Process CPU over a measurement shorter than this is noise (measured: 0 to 118 points for one model): it is
# left out, and the watch compares CPU only between measurements long enough to mean something.
CPU_WINDOW_SECONDS = 5.0
MEASURED_SUITES = ("arithmetic", "string_transform", "sequences", "sorting", "json_extraction", "tool_use")


@dataclass
class Measured:
    """One model (base, or base + adapter) on the held-out items of some suites."""

    correct: dict[str, dict[str, bool]] = field(default_factory=dict)  # suite -> item id -> right
    skills: dict[str, str] = field(default_factory=dict)  # item id -> skill
    seconds_per_item: list[float] = field(default_factory=list)  # per suite: generation time / items
    failed_runs: int = 0
    runs: int = 0
    cpu_percent: float | None = None
    memory_percent: float | None = None

    def accuracy(self, suite: str) -> float:
        values = list(self.correct.get(suite, {}).values())
        return 100.0 * sum(values) / len(values) if values else 0.0

    def by_skill(self) -> dict[str, float]:
        """Held-out accuracy per skill, in percent."""
        from hobbies.analysis import mean_by_skill

        scored = ((self.skills[item], 100.0 * right)
                  for suite in self.correct.values() for item, right in suite.items())
        return {skill: round(mean, 1) for skill, mean in mean_by_skill(scored).items()}

    def snapshot(self) -> MetricsSnapshot:
        latency = statistics.median(self.seconds_per_item) * 1000 if self.seconds_per_item else None
        return MetricsSnapshot(cpu_percent=self.cpu_percent, memory_percent=self.memory_percent,
                               latency_p50_ms=latency, error_rate=self.failed_runs / self.runs if self.runs else None,
                               heldout={suite: self.accuracy(suite) for suite in self.correct})


def measure(artifact, *, adapter: Adapter | None = None, suites=MEASURED_SUITES, limit: int | None = None
            ) -> Measured:
    """Held-out evaluation runs here (this process's model host), recorded as EvalRuns like any other."""
    from models_suite.services.evaluation import eval_run_create, eval_run_execute

    process = psutil.Process()
    cpu_before, wall_before = sum(process.cpu_times()[:2]), time.perf_counter()
    found = Measured()
    for suite in suites:
        run = eval_run_create(model=artifact, suite=suite, limit=limit, adapter=adapter.path if adapter else "",
                              enqueue=False)
        run = eval_run_execute(eval_run_id=run.pk)
        found.runs += 1
        if run.status != run.Status.COMPLETED:
            found.failed_runs += 1
            continue
        found.correct[suite] = {r["id"]: bool(r["correct"]) for r in run.results}
        found.skills.update({r["id"]: r["skill"] for r in run.results})
        if run.item_count and run.generation_seconds is not None:
            found.seconds_per_item.append(run.generation_seconds / run.item_count)
    wall = time.perf_counter() - wall_before
    if wall >= CPU_WINDOW_SECONDS:  # shorter windows are mostly the kernel's 10 ms tick rounding
        busy = (sum(process.cpu_times()[:2]) - cpu_before) / (wall * (psutil.cpu_count() or 1))
        found.cpu_percent = min(100.0, 100.0 * busy)  # points of the whole machine
    found.memory_percent = process.memory_percent()
    return found


def paired(before: Measured, after: Measured, suite: str) -> tuple[list[bool], list[bool]]:
    items = sorted(set(before.correct.get(suite, {})) & set(after.correct.get(suite, {})))
    return [before.correct[suite][i] for i in items], [after.correct[suite][i] for i in items]


def comparison_run(*, challenger: Adapter, target_suite: str, suites=MEASURED_SUITES, limit: int | None = None,
                   before: Measured | None = None) -> tuple[ABComparison, Measured, Measured]:
    """Champion (or base) against the challenger on the same items; promote or keep, recorded either way.
    `before` reuses a measurement of the current champion taken earlier in the same cycle."""
    adapters.adapter_verified(challenger)  # a corrupt challenger is refused before anything is measured
    if target_suite not in suites:
        raise ValueError(f"target suite {target_suite!r} is not among the measured suites {list(suites)}")
    defending = adapters.champion(challenger.base_model, challenger.hobby_type)
    if before is None:
        before = measure(challenger.base_model, adapter=defending, suites=suites, limit=limit)
    after = measure(challenger.base_model, adapter=challenger, suites=suites, limit=limit)
    comparisons = {suite: compare_suite(suite, *paired(before, after, suite))
                   for suite in suites if suite in before.correct and suite in after.correct}
    decision = decide(comparisons, target_suite)
    with transaction.atomic():
        row = ABComparison.objects.create(
            challenger=challenger, champion=defending, target_suite=target_suite, promote=decision.promote,
            reason=decision.reason, suites=[comparisons[suite].to_dict() for suite in comparisons])
        if not decision.promote:
            AdapterEvent.objects.create(adapter=challenger, kind=AdapterEvent.Kind.KEPT,
                                        detail={"comparison": row.pk, "reason": decision.reason})
    if decision.promote:
        baseline = asdict(before.snapshot())
        Adapter.objects.filter(pk=challenger.pk).update(metadata={**challenger.metadata, "baseline": baseline,
                                                                  "comparison": row.pk})
        adapters.adapter_promote(Adapter.objects.get(pk=challenger.pk), detail={"comparison": row.pk})
    return row, before, after


def watch_check(adapter: Adapter, *, current: Measured | None = None, limit: int | None = None,
                heldout_tolerance: float = 5.0) -> list[str]:
    """Measure the champion against the baseline stored at its promotion; roll back on any regression.
    Returns the regressions found, described (empty: it stays, or it is no longer the champion)."""
    if not Adapter.objects.filter(pk=adapter.pk, alias=Adapter.Alias.CHAMPION).exists():
        return []
    baseline = MetricsSnapshot.from_dict(adapter.metadata.get("baseline") or {})
    if current is None:
        current = measure(adapter.base_model, adapter=adapter, suites=tuple(baseline.heldout) or MEASURED_SUITES,
                          limit=limit)
    found = regressions(baseline, current.snapshot(), heldout_tolerance=heldout_tolerance)
    described = [regression.describe() for regression in found]
    if should_roll_back(found):
        adapters.adapter_roll_back(adapter, reason="; ".join(described), detail={
            "current": asdict(current.snapshot()), "baseline": adapter.metadata.get("baseline")})
    else:
        AdapterEvent.objects.create(adapter=adapter, kind=AdapterEvent.Kind.WATCHED,
                                    detail={"current": asdict(current.snapshot())})
    return described


def champions_to_watch() -> list[Adapter]:
    """Champions promoted by an A/B (they carry a baseline) and not yet watched since."""
    watched = AdapterEvent.objects.filter(kind__in=[AdapterEvent.Kind.WATCHED, AdapterEvent.Kind.ROLLED_BACK])
    return [adapter for adapter in Adapter.objects.filter(alias=Adapter.Alias.CHAMPION,
                                                          metadata__has_key="baseline").select_related("base_model")
            if not watched.filter(adapter=adapter, created_at__gte=adapter.promoted_at).exists()]
