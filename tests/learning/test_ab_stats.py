"""Paired A/B statistics (learning.training.paired_stats): pure, no database."""

from math import comb

import pytest

from learning.training.paired_stats import SuiteComparison, compare_suite, decide, mcnemar_p, paired_bootstrap_interval


def pairs(*, fixed=0, broken=0, both_right=0, both_wrong=0):
    """Paired results: `fixed` items only the challenger got right, `broken` only the champion got right."""
    before = [False] * fixed + [True] * broken + [True] * both_right + [False] * both_wrong
    after = [True] * fixed + [False] * broken + [True] * both_right + [False] * both_wrong
    return before, after


def test_mcnemar_matches_the_hand_computed_binomial():
    # 10 fixed, 2 broken: two-sided exact p = 2 * P(X <= 2), X ~ Binomial(12, 1/2) = 2 * 79 / 4096
    before, after = pairs(fixed=10, broken=2, both_right=30, both_wrong=8)
    expected = 2 * sum(comb(12, k) for k in range(3)) / 2**12
    assert expected == pytest.approx(158 / 4096)
    assert mcnemar_p(before, after) == pytest.approx(expected, rel=1e-9)
    # symmetric: swapping the sides gives the same p
    assert mcnemar_p(after, before) == pytest.approx(expected, rel=1e-9)


def test_mcnemar_only_discordant_pairs_count():
    assert mcnemar_p(*pairs(fixed=5)) == pytest.approx(2 / 32)
    assert mcnemar_p(*pairs(fixed=5, both_right=500, both_wrong=500)) == pytest.approx(2 / 32)


def test_mcnemar_without_discordant_pairs_is_one():
    assert mcnemar_p(*pairs(both_right=7, both_wrong=3)) == 1.0
    assert mcnemar_p([], []) == 1.0


def test_lengths_must_match():
    with pytest.raises(ValueError):
        mcnemar_p([True, False], [True])
    with pytest.raises(ValueError):
        paired_bootstrap_interval([True], [True, False])


def test_identical_runs_give_p_one_and_a_zero_interval():
    before = [True, False, True, True, False] * 10
    comparison = compare_suite("arith", before, list(before))
    assert comparison.p_value == 1.0
    assert comparison.interval == (0.0, 0.0)
    assert comparison.difference == 0.0
    assert comparison.before == comparison.after == 60.0


def test_bootstrap_interval_contains_the_observed_difference_and_narrows_with_more_items():
    small = pairs(fixed=6, broken=2, both_right=20, both_wrong=12)  # 40 items, +10 points
    large = pairs(fixed=60, broken=20, both_right=200, both_wrong=120)  # same shares, 400 items
    low, high = paired_bootstrap_interval(*small)
    assert low < 10.0 < high
    large_low, large_high = paired_bootstrap_interval(*large)
    assert large_low < 10.0 < large_high
    assert (large_high - large_low) < (high - low) / 2  # about 1/sqrt(10) as wide
    assert large_low > 0  # 400 items make +10 points clearly positive; 40 do not
    assert low < 0


def test_bootstrap_is_seeded_and_respects_confidence():
    data = pairs(fixed=9, broken=4, both_right=30, both_wrong=7)
    assert paired_bootstrap_interval(*data, seed=3) == paired_bootstrap_interval(*data, seed=3)
    narrow = paired_bootstrap_interval(*data, confidence=0.5)
    wide = paired_bootstrap_interval(*data, confidence=0.99)
    assert wide[0] < narrow[0] and narrow[1] < wide[1]
    with pytest.raises(ValueError):
        paired_bootstrap_interval([], [])


def test_compare_suite_figures_and_to_dict():
    comparison = compare_suite("arith", *pairs(fixed=10, broken=2, both_right=30, both_wrong=8))
    assert comparison.items == 50
    assert comparison.before == pytest.approx(64.0)
    assert comparison.after == pytest.approx(80.0)
    assert comparison.difference == pytest.approx(16.0)
    data = comparison.to_dict()
    assert data["suite"] == "arith" and data["difference"] == 16.0
    assert data["p_value"] == pytest.approx(158 / 4096, abs=1e-5)
    assert data["interval"][0] < 16.0 < data["interval"][1]


def suites(**results):
    return {name: compare_suite(name, *data) for name, data in results.items()}


CLEAR_GAIN = pairs(fixed=20, broken=2, both_right=40, both_wrong=38)  # +18 points on 100 items, p ~ 1e-4


def test_decide_promotes_a_clear_gain():
    decision = decide(suites(arith=CLEAR_GAIN, logic=pairs(both_right=50, both_wrong=50)), "arith")
    assert decision.promote
    assert "arith" in decision.reason and "+18.0 points" in decision.reason


def test_decide_refuses_an_insignificant_gain():
    decision = decide(suites(arith=pairs(fixed=3, broken=1, both_right=50, both_wrong=46)), "arith")
    assert not decision.promote
    assert "did not improve significantly" in decision.reason and "+2.0 points" in decision.reason


def test_decide_refuses_a_loss_on_the_target():
    assert not decide(suites(arith=pairs(fixed=0, broken=20, both_wrong=80)), "arith").promote


def test_decide_refuses_when_another_suite_drops_significantly_by_more_than_two_points():
    decision = decide(suites(arith=CLEAR_GAIN, logic=pairs(broken=12, both_right=50, both_wrong=38)), "arith")
    assert not decision.promote
    assert "logic" in decision.reason and "-12.0 points" in decision.reason


def test_decide_keeps_the_champion_when_a_skill_fell_below_its_floor_inside_a_suite_that_did_not_drop():
    comparisons = suites(arith=CLEAR_GAIN, logic=pairs(both_right=50, both_wrong=50))
    fallen = {"uppercase": {"after": 78.8, "floor": 82.6, "p_value": 0.0312}}

    decision = decide(comparisons, "arith", fallen=fallen)

    assert not decision.promote
    assert "arith improved" in decision.reason and "uppercase 78.8 % (floor 82.6 %, p=0.0312)" in decision.reason
    # floors checked and none fell: promoted, and the reason says the floors held
    assert decide(comparisons, "arith", fallen={}).promote
    assert "nor any skill significantly below its floor" in decide(comparisons, "arith", fallen={}).reason
    assert "floor" not in decide(comparisons, "arith").reason  # no floors given: not claimed


def test_decide_allows_small_or_insignificant_drops_elsewhere():
    decision = decide(
        suites(
            arith=CLEAR_GAIN,
            small=pairs(broken=1, both_right=50, both_wrong=49),  # -1 point, p = 1
            noisy=pairs(broken=3, both_right=10, both_wrong=7),  # -15 points on 20 items, p = 0.25
            tiny=pairs(broken=15, both_right=500, both_wrong=485),
        ),  # -1.5 points, p < 0.001
        "arith",
    )
    assert decision.promote, decision.reason


def test_decide_thresholds_are_parameters():
    comparisons = suites(arith=CLEAR_GAIN, tiny=pairs(broken=15, both_right=500, both_wrong=485))
    assert not decide(comparisons, "arith", max_drop_points=1.0).promote
    assert not decide(comparisons, "arith", alpha=1e-6).promote


def test_decide_needs_the_target():
    with pytest.raises(ValueError):
        decide({"logic": SuiteComparison("logic", 10, 50.0, 60.0, 10.0, (0.0, 20.0), 0.01)}, "arith")


def test_a_measurement_gives_each_skill_its_accuracy_across_suites():
    from learning.loop.comparisons import Measured

    measured = Measured(
        correct={"arithmetic": {"a1": True, "a2": False, "a3": True}, "sorting": {"s1": False}},
        skills={"a1": "addition", "a2": "addition", "a3": "subtraction", "s1": "addition"},
    )
    assert measured.by_skill() == {"addition": 33.3, "subtraction": 100.0}
    assert measured.accuracy("arithmetic") == pytest.approx(200 / 3)
