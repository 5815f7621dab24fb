"""The rollback rule after a promotion (learning.training.regression): pure, no database."""

import pytest

from learning.training.regression import CRITICAL, HIGH, MetricsSnapshot, regressions, should_roll_back

BASELINE = MetricsSnapshot(cpu_percent=30.0, memory_percent=40.0, latency_p50_ms=200.0, error_rate=0.10,
                           heldout={"arith": 80.0, "logic": 60.0})


def changed(**values):
    """The baseline with some metrics replaced."""
    current = MetricsSnapshot(**{**BASELINE.__dict__, "heldout": dict(BASELINE.heldout)})
    for name, value in values.items():
        setattr(current, name, value)
    return current


def severity_of(metric, current):
    found = [r for r in regressions(BASELINE, current) if r.metric == metric]
    assert len(found) <= 1
    return found[0].severity if found else None


@pytest.mark.parametrize("metric, base, critical, high", [
    ("cpu_percent", 30.0, 20.0, 10.0),
    ("memory_percent", 40.0, 30.0, 15.0),
    ("latency_p50_ms", 200.0, 100.0, 50.0),
])
def test_originals_thresholds_at_just_under_and_just_over(metric, base, critical, high):
    assert severity_of(metric, changed(**{metric: base + high - 0.1})) is None
    assert severity_of(metric, changed(**{metric: base + high})) == HIGH  # ">=" as in the originals
    assert severity_of(metric, changed(**{metric: base + high + 0.1})) == HIGH
    assert severity_of(metric, changed(**{metric: base + critical - 0.1})) == HIGH
    assert severity_of(metric, changed(**{metric: base + critical})) == CRITICAL
    assert severity_of(metric, changed(**{metric: base + critical + 0.1})) == CRITICAL


@pytest.mark.parametrize("metric, base, critical", [
    ("cpu_percent", 30.0, 20.0), ("memory_percent", 40.0, 30.0), ("latency_p50_ms", 200.0, 100.0)])
def test_improvements_are_never_flagged(metric, base, critical):
    # the original compared absolute deltas, so a large drop in CPU raised a critical alarm
    assert severity_of(metric, changed(**{metric: base - critical - 5})) is None


def test_unchanged_metrics_raise_nothing():
    assert regressions(BASELINE, changed()) == []
    assert not should_roll_back([])


def test_error_rate_rise_beyond_five_hundredths_is_critical():
    assert severity_of("error_rate", changed(error_rate=0.15)) is None  # exactly 0.05 more: not "more than"
    assert severity_of("error_rate", changed(error_rate=0.149)) is None
    assert severity_of("error_rate", changed(error_rate=0.151)) == CRITICAL
    assert severity_of("error_rate", changed(error_rate=0.0)) is None


def test_heldout_drop_beyond_tolerance_is_critical():
    assert severity_of("heldout:arith", changed(heldout={"arith": 75.0, "logic": 60.0})) is None  # exactly 5
    assert severity_of("heldout:arith", changed(heldout={"arith": 75.1, "logic": 60.0})) is None
    found = regressions(BASELINE, changed(heldout={"arith": 74.9, "logic": 90.0}))
    assert [(r.metric, r.severity) for r in found] == [("heldout:arith", CRITICAL)]  # logic improved: ignored
    assert found[0].change == pytest.approx(-5.1)
    assert "arith" in found[0].describe() and "80" in found[0].describe() and "74.9" in found[0].describe()
    assert should_roll_back(found)


def test_heldout_tolerance_is_a_parameter():
    current = changed(heldout={"arith": 77.0, "logic": 60.0})
    assert regressions(BASELINE, current) == []
    assert [r.metric for r in regressions(BASELINE, current, heldout_tolerance=2.0)] == ["heldout:arith"]


def test_missing_metrics_on_either_side_are_skipped():
    empty = MetricsSnapshot()
    assert regressions(empty, changed(cpu_percent=99.0, error_rate=0.9)) == []
    assert regressions(changed(cpu_percent=None, heldout={}), changed(cpu_percent=99.0, heldout={"arith": 0.0,
                                                                                              "new": 0.0})) == []
    assert regressions(BASELINE, MetricsSnapshot(latency_p50_ms=500.0))[0].metric == "latency_p50_ms"


def test_every_regression_is_reported_and_high_also_rolls_back():
    found = regressions(BASELINE, changed(cpu_percent=41.0, latency_p50_ms=320.0))
    assert [(r.metric, r.severity) for r in found] == [("cpu_percent", HIGH), ("latency_p50_ms", CRITICAL)]
    assert should_roll_back(found[:1])  # a high regression alone rolls back
    assert "cpu_percent rose from 30 to 41" in found[0].describe()


def test_from_dict_ignores_unknown_keys():
    snapshot = MetricsSnapshot.from_dict({"cpu_percent": 12.5, "disk_percent": 3, "heldout": {"arith": 70}})
    assert snapshot.cpu_percent == 12.5 and snapshot.heldout == {"arith": 70} and snapshot.error_rate is None
    assert MetricsSnapshot.from_dict({"heldout": None}).heldout == {}
