"""The rollback rule after a promotion (learning.training.regression): pure, no database."""

import random

import pytest

from learning.training.paired_stats import ALPHA, MAX_DROP_POINTS, compare_suite, decide
from learning.training.regression import (
    CRITICAL,
    HIGH,
    SERVED_MIN_REQUESTS,
    MetricsSnapshot,
    Served,
    heldout_regressions,
    served_regressions,
    served_skipped,
    should_roll_back,
)


def pairs(both: int, fixed: int, broken: int, neither: int) -> tuple[list[bool], list[bool]]:
    """(before, after) right-or-wrong per item: both right, only after right, only before right, neither."""
    before = [True] * both + [False] * fixed + [True] * broken + [False] * neither
    after = [True] * both + [True] * fixed + [False] * broken + [False] * neither
    return before, after


def test_a_significant_drop_beyond_two_points_on_fresh_items_is_a_regression():
    drop = compare_suite("arith", *pairs(100, 2, 20, 78))  # -9 points, p far below 0.05
    rise = compare_suite("logic", *pairs(100, 20, 2, 78))
    found = heldout_regressions({"arith": drop, "logic": rise})
    assert [(r.metric, r.severity) for r in found] == [("heldout_fresh:arith", CRITICAL)]  # a rise is ignored
    assert found[0].change == pytest.approx(-9.0) and found[0].p_value < ALPHA
    described = found[0].describe()
    assert "fresh arith items fell" in described and "-9.0 points" in described and "p=" in described
    assert should_roll_back(found)


def test_a_drop_the_ab_accepts_is_not_a_regression():
    # Large but not significant (few discordant items), and significant but within 2 points: the A/B promotes
    # over both, so neither may roll the promotion back.
    noisy = compare_suite("noisy", *pairs(10, 0, 3, 7))  # -15 points, p = 0.25
    small = compare_suite("small", *pairs(900, 0, 15, 85))  # -1.5 points, p < 0.001
    target = compare_suite("target", *pairs(50, 30, 0, 20))
    assert noisy.difference < -MAX_DROP_POINTS and noisy.p_value >= ALPHA
    assert -MAX_DROP_POINTS <= small.difference < 0 and small.p_value < ALPHA
    comparisons = {"noisy": noisy, "small": small, "target": target}
    assert decide(comparisons, "target").promote
    assert heldout_regressions(comparisons) == []


def test_the_watch_and_the_ab_agree_on_every_drop():
    # On any evidence: a suite the watch calls a regression is one that would have kept the champion in the A/B,
    # and a drop the A/B accepts the watch accepts too.
    draw = random.Random(7)
    target = compare_suite("target", *pairs(40, 30, 0, 30))
    for _ in range(300):
        other = compare_suite(
            "other", *pairs(draw.randint(0, 60), draw.randint(0, 8), draw.randint(0, 25), draw.randint(1, 60))
        )
        promoted = decide({"target": target, "other": other}, "target").promote
        assert bool(heldout_regressions({"other": other})) == (not promoted), other


def test_the_watch_uses_the_abs_thresholds():
    import inspect

    defaults = inspect.signature(decide).parameters
    assert (defaults["alpha"].default, defaults["max_drop_points"].default) == (ALPHA, MAX_DROP_POINTS)


def served(latencies, failures=0) -> Served:
    return Served([float(x) for x in latencies], [i < failures for i in range(len(latencies))])


STEADY = [100.0 + (i % 10) for i in range(60)]  # p50 104.5 ms, p95 109 ms


def severity_of(metric, after):
    found = [r for r in served_regressions(served(STEADY), after) if r.metric == metric]
    assert len(found) <= 1
    return found[0].severity if found else None


def test_served_latency_thresholds_are_the_originals_and_need_a_significant_shift():
    p50 = "served_latency_p50_ms"
    assert severity_of(p50, served([x + 49 for x in STEADY])) is None
    assert severity_of(p50, served([x + 50 for x in STEADY])) == HIGH  # ">=" as in the originals
    assert severity_of(p50, served([x + 99 for x in STEADY])) == HIGH
    assert severity_of(p50, served([x + 100 for x in STEADY])) == CRITICAL
    # p95 alone: a slow tail of a tenth of the requests, +150 ms (high for p95: +100; critical: +200)
    tail = [x + 150 if i % 10 == 0 else x for i, x in enumerate(STEADY)]
    assert severity_of("served_latency_p95_ms", served(tail)) == HIGH
    # A rise past the threshold in a percentile that the whole distribution does not share is noise
    few_slow = [*STEADY[:57], 5000.0, 5000.0, 5000.0]
    assert served_regressions(served(STEADY), served(few_slow)) == []


def test_a_faster_champion_raises_nothing():
    assert served_regressions(served(STEADY), served([x - 80 for x in STEADY])) == []
    assert served_regressions(served(STEADY, failures=10), served(STEADY)) == []


def test_the_served_error_rate_must_rise_by_more_than_five_hundredths_significantly():
    assert served_regressions(served(STEADY), served(STEADY, failures=3)) == []  # +0.05: not "more than"
    found = served_regressions(served(STEADY), served(STEADY, failures=9))  # +0.15, Fisher p = 0.0014
    assert [(r.metric, r.severity) for r in found] == [("served_error_rate", CRITICAL)]
    assert found[0].baseline == 0 and found[0].current == 0.15 and "served error rate rose" in found[0].describe()
    # +0.067 on 60 requests a side is within chance (p = 0.059): not a regression
    assert served_regressions(served(STEADY), served(STEADY, failures=4)) == []


def test_too_few_requests_on_either_side_skips_the_served_signal():
    few = served(STEADY[: SERVED_MIN_REQUESTS - 1], failures=20)
    assert "29 before the promotion and 60" in served_skipped(few, served(STEADY))
    assert served_skipped(served(STEADY), few) and served_regressions(served(STEADY), few) == []
    assert served_skipped(served(STEADY), served(STEADY)) is None


def test_served_figures_are_named_for_what_they_are():
    figures = Served.of([(100.0, 200), (300.0, 503), (200.0, 200), (50.0, 400)]).figures()
    assert figures == {"served_latency_p50_ms": 150.0, "served_latency_p95_ms": 285.0, "served_error_rate": 0.25}


def test_from_dict_ignores_unknown_keys():
    snapshot = MetricsSnapshot.from_dict({"latency_p50_ms": 12.5, "cpu_percent": 3, "heldout": {"arith": 70}})
    assert snapshot.heldout == {"arith": 70} and snapshot.eval_seconds_per_item is None
    assert MetricsSnapshot.from_dict({"heldout": None}).heldout == {}
