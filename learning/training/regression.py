"""The automatic rollback rule after a promotion: compare a metrics snapshot taken before it with one taken after.

From the originals' live data correlator (VelocityFibre/VF shared/live_data_correlator.py), with its thresholds:

    critical: CPU +20 points, memory +30 points, latency +100 ms
    high:     CPU +10 points, memory +15 points, latency +50 ms

reached at or past the threshold, as there (`>=`). Two changes from the original:

* Only regressions count. The original compared absolute deltas, so a *drop* in CPU raised an alarm.
* It also watches what a model promotion can break and a deploy metric cannot see: each held-out suite's
  accuracy falling by more than a tolerance (5 points by default), and the generation error rate rising by more
  than 0.05 absolute (five more failed generations in a hundred). Both are critical, and both are "more than",
  so a drop of exactly the tolerance passes. 0.05 is our choice: well above the jitter of a rate measured on a
  few hundred requests, well below the point where users notice every answer failing.

Metrics missing on either side are skipped, not errors: a snapshot taken before a metric existed, or a suite
added since, must not block or force a rollback. Pure: no Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields

CRITICAL = "critical"
HIGH = "high"

# metric -> (critical rise, high rise), from the originals
RISE_THRESHOLDS = {
    "cpu_percent": (20.0, 10.0),
    "memory_percent": (30.0, 15.0),
    "latency_p50_ms": (100.0, 50.0),
}
ERROR_RATE_RISE = 0.05
HELDOUT_TOLERANCE = 5.0
UNITS = {"cpu_percent": " points", "memory_percent": " points", "latency_p50_ms": " ms", "error_rate": "",
         "heldout": " points"}


@dataclass
class MetricsSnapshot:
    cpu_percent: float | None = None  # process CPU, percentage points
    memory_percent: float | None = None  # process memory, percentage points
    latency_p50_ms: float | None = None  # median generation latency
    error_rate: float | None = None  # failed generations, 0..1
    heldout: dict[str, float] = field(default_factory=dict)  # suite -> accuracy, percent

    @classmethod
    def from_dict(cls, data: Mapping) -> MetricsSnapshot:
        """From stored JSON; unknown keys are ignored so older or richer snapshots still load."""
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        values["heldout"] = dict(values.get("heldout") or {})
        return cls(**values)


@dataclass
class Regression:
    metric: str  # "cpu_percent", ..., or "heldout:<suite>"
    severity: str  # CRITICAL or HIGH
    baseline: float
    current: float
    change: float  # current - baseline, signed in the metric's own direction
    threshold: float  # the size of change that made it this severe

    def describe(self) -> str:
        unit = UNITS.get(self.metric.split(":")[0], "")
        if self.metric.startswith("heldout:"):
            what = f"held-out accuracy on {self.metric.split(':', 1)[1]} fell"
            limit = f"more than {self.threshold:g}{unit}"
        elif self.metric == "error_rate":
            what, limit = "error rate rose", f"more than {self.threshold:g}"
        else:
            what, limit = f"{self.metric} rose", f"at least {self.threshold:g}{unit}"
        return (f"{self.severity}: {what} from {self.baseline:g} to {self.current:g} "
                f"({self.change:+g}{unit}; {limit} is {self.severity})")


def _change(baseline: float, current: float) -> float:
    # Rounded so that a change meant to sit exactly on a threshold (0.15 - 0.10) is not a hair under it.
    return round(current - baseline, 9)


def regressions(baseline: MetricsSnapshot, current: MetricsSnapshot, *,
                heldout_tolerance: float = HELDOUT_TOLERANCE) -> list[Regression]:
    found = []
    for metric, (critical, high) in RISE_THRESHOLDS.items():
        before, after = getattr(baseline, metric), getattr(current, metric)
        if before is None or after is None:
            continue
        rise = _change(before, after)
        if rise >= critical:
            found.append(Regression(metric, CRITICAL, before, after, rise, critical))
        elif rise >= high:
            found.append(Regression(metric, HIGH, before, after, rise, high))
    if baseline.error_rate is not None and current.error_rate is not None:
        rise = _change(baseline.error_rate, current.error_rate)
        if rise > ERROR_RATE_RISE:
            found.append(Regression("error_rate", CRITICAL, baseline.error_rate, current.error_rate, rise,
                                    ERROR_RATE_RISE))
    for suite in sorted(baseline.heldout.keys() & current.heldout.keys()):
        before, after = baseline.heldout[suite], current.heldout[suite]
        if before is None or after is None:
            continue
        change = _change(before, after)
        if -change > heldout_tolerance:
            found.append(Regression(f"heldout:{suite}", CRITICAL, before, after, change, heldout_tolerance))
    return found


def should_roll_back(found: list[Regression]) -> bool:
    # High rolls back too, not only critical: the rule is that a drop in proficiency or a regression past either
    # of the originals' thresholds undoes the promotion. Keeping the previous champion costs little (it is still
    # on disk), while serving a model that is markedly slower or heavier costs every request until someone looks.
    return any(regression.severity in (CRITICAL, HIGH) for regression in found)
