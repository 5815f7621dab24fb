"""The rollback rule after a promotion: is the new champion worse than the model it replaced?

Two signals, each compared side by side, new champion against the model before it (the previous champion, or
the bare base), measured the same way:

* Fresh held-out items (items the A/B did not use): both answer the same items, and a suite regresses under the
  A/B's own rule for a drop that keeps the champion (learning.training.paired_stats.decide): lower by more than
  MAX_DROP_POINTS with a McNemar p below ALPHA. So a drop the A/B accepted (small, or not significant) cannot
  by itself roll back, and the A/B and the watch never contradict each other on the same evidence.
* Served traffic (real gateway requests): per-request latency p50 and p95, and the error rate (answers that
  failed, 5xx). A side with fewer than SERVED_MIN_REQUESTS requests gives no figures at all: the signal is
  skipped and says so, never guessed. A latency regression needs the rise to reach the originals' thresholds
  (VelocityFibre/VF shared/live_data_correlator.py: latency +50 ms high, +100 ms critical, `>=`; for p95, which
  is noisier, twice those: our choice) and the new side to be slower with a one-sided Mann-Whitney p below
  ALPHA; an error-rate regression needs a rise of more than 0.05 (five more failures in a hundred: well above the
  jitter of a rate over a few hundred requests, well below the point where users notice every answer failing)
  with a one-sided Fisher exact p below ALPHA. A few slow or failed requests are noise, not a regression.

Only regressions count: a faster or more accurate champion raises nothing. Pure: no Django.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields

import numpy as np
from scipy.stats import fisher_exact, mannwhitneyu

from learning.training.paired_stats import ALPHA, MAX_DROP_POINTS, SuiteComparison, significant_drop

CRITICAL = "critical"
HIGH = "high"

# served metric -> (critical rise, high rise), in ms
LATENCY_RISE_MS = {"served_latency_p50_ms": (100.0, 50.0), "served_latency_p95_ms": (200.0, 100.0)}
ERROR_RATE_RISE = 0.05
SERVED_MIN_REQUESTS = 30
FAILED_STATUS = 500  # a request that ended with this status or above failed; a 4xx was the caller's mistake


@dataclass
class MetricsSnapshot:
    """What the A/B measured of the model a promotion replaced, kept on the new champion as a record of the
    evidence it was promoted on. The watch does not compare against it: it measures both models anew."""

    heldout: dict[str, float] = field(default_factory=dict)  # suite -> accuracy on the A/B's items, percent
    heldout_items: dict[str, int] = field(default_factory=dict)  # suite -> how many items that accuracy is of
    eval_seconds_per_item: float | None = None  # median over suites of a batched eval run's time per item
    failed_eval_runs: int = 0  # of eval_runs: suites the A/B could not measure on this model
    eval_runs: int = 0

    @classmethod
    def from_dict(cls, data: Mapping) -> MetricsSnapshot:
        """From stored JSON; unknown keys (an older snapshot's) are ignored."""
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        for mapping in ("heldout", "heldout_items"):
            values[mapping] = dict(values.get(mapping) or {})
        return cls(**values)


@dataclass
class Served:
    """The requests one model answered through the gateway over a window."""

    latencies_ms: list[float]
    failed: list[bool]  # per request, in the same order

    @classmethod
    def of(cls, rows: Sequence[tuple[float, int]]) -> Served:
        """From (latency_ms, HTTP status) rows."""
        return cls([float(latency) for latency, _ in rows], [status >= FAILED_STATUS for _, status in rows])

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    def figures(self) -> dict[str, float]:
        """Its latency percentiles and error rate (it must hold requests: an empty window has no figures)."""
        p50, p95 = np.percentile(self.latencies_ms, [50, 95])
        return {
            "served_latency_p50_ms": round(float(p50), 1),
            "served_latency_p95_ms": round(float(p95), 1),
            "served_error_rate": round(sum(self.failed) / self.requests, 4),
        }


@dataclass
class Regression:
    metric: str  # "heldout_fresh:<suite>", "served_latency_p50_ms", "served_latency_p95_ms", "served_error_rate"
    severity: str  # CRITICAL or HIGH
    baseline: float  # the model before the promotion
    current: float  # the new champion
    change: float  # current - baseline
    threshold: float  # the size of change that made it this severe
    p_value: float

    def describe(self) -> str:
        if self.metric.startswith("heldout_fresh:"):
            what = f"held-out accuracy on fresh {self.metric.split(':', 1)[1]} items fell"
            figures, limit = f"{self.change:+.1f} points", f"more than {self.threshold:g} points"
        elif self.metric == "served_error_rate":
            what, figures, limit = "the served error rate rose", f"{self.change:+.3g}", f"more than {self.threshold:g}"
        else:
            what, figures, limit = f"{self.metric} rose", f"{self.change:+.0f} ms", f"at least {self.threshold:g} ms"
        return (
            f"{self.severity}: {what} from {self.baseline:g} to {self.current:g} ({figures}, "
            f"p={self.p_value:.3g}; {limit} with p < {ALPHA:g} is {self.severity})"
        )


def dropped(comparison: SuiteComparison, *, alpha: float = ALPHA, max_drop_points: float = MAX_DROP_POINTS) -> bool:
    """The A/B's rule for a drop that counts: lower by more than max_drop_points, and significant."""
    return significant_drop(comparison.difference, comparison.p_value, alpha=alpha, max_drop_points=max_drop_points)


def heldout_regressions(
    comparisons: Mapping[str, SuiteComparison], *, alpha: float = ALPHA, max_drop_points: float = MAX_DROP_POINTS
) -> list[Regression]:
    """Suites whose fresh items the new champion answers worse by the A/B's rule (before: the previous model)."""
    return [
        Regression(
            f"heldout_fresh:{suite}", CRITICAL, c.before, c.after, round(c.difference, 9), max_drop_points, c.p_value
        )
        for suite, c in sorted(comparisons.items())
        if dropped(c, alpha=alpha, max_drop_points=max_drop_points)
    ]


def served_skipped(before: Served, after: Served, *, minimum: int = SERVED_MIN_REQUESTS) -> str | None:
    """Why the served signal cannot be compared (too few requests on a side), or None when it can."""
    if before.requests >= minimum and after.requests >= minimum:
        return None
    return (
        f"too few served requests to compare: {before.requests} before the promotion and {after.requests} "
        f"to the new champion since ({minimum} needed on each side)"
    )


def served_regressions(before: Served, after: Served, *, alpha: float = ALPHA) -> list[Regression]:
    """Latency and error-rate regressions of the new champion's requests; [] when served_skipped says why."""
    if served_skipped(before, after):
        return []
    found = []
    was, now = before.figures(), after.figures()
    slower = mannwhitneyu(after.latencies_ms, before.latencies_ms, alternative="greater").pvalue
    for metric, (critical, high) in LATENCY_RISE_MS.items():
        rise = round(now[metric] - was[metric], 9)
        if rise >= high and slower < alpha:
            severity, threshold = (CRITICAL, critical) if rise >= critical else (HIGH, high)
            found.append(Regression(metric, severity, was[metric], now[metric], rise, threshold, float(slower)))
    rise = round(now["served_error_rate"] - was["served_error_rate"], 9)
    if rise > ERROR_RATE_RISE:
        table = [
            [sum(after.failed), after.requests - sum(after.failed)],
            [sum(before.failed), before.requests - sum(before.failed)],
        ]
        p_value = float(fisher_exact(table, alternative="greater").pvalue)
        if p_value < alpha:
            found.append(
                Regression(
                    "served_error_rate",
                    CRITICAL,
                    was["served_error_rate"],
                    now["served_error_rate"],
                    rise,
                    ERROR_RATE_RISE,
                    p_value,
                )
            )
    return found


def should_roll_back(found: list[Regression]) -> bool:
    # High rolls back too, not only critical: keeping the previous champion costs little (it is still on disk),
    # while serving a model that is markedly worse or slower costs every request until someone looks.
    return any(regression.severity in (CRITICAL, HIGH) for regression in found)
