"""learning.planning.hobby_bandit: pure (no database), so these run without Django's test database."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from learning.planning.hobby_bandit import (
    GAIN_SCALE,
    ArmPosterior,
    Prior,
    activity_reward,
    posterior_summary,
    thompson_choice,
)

REWARDS = [0.3, -0.1, 0.8, 0.25, 0.4, -0.35, 0.6]


def picks(arms, rng, draws: int, **kwargs) -> dict[str, int]:
    counts = dict.fromkeys(arms, 0)
    for _ in range(draws):
        counts[thompson_choice(arms, rng=rng, **kwargs)] += 1
    return counts


# activity_reward


def test_activity_reward_weighs_scaled_gain_and_insight():
    assert GAIN_SCALE == 10.0
    assert activity_reward(proficiency_gain=0.05, insight_reward=0.5) == pytest.approx(0.6 * 0.5 + 0.4 * 0.5)
    assert activity_reward(proficiency_gain=0.1, insight_reward=-1.0) == pytest.approx(0.6 * 1.0 - 0.4)
    assert activity_reward(proficiency_gain=-0.2, insight_reward=0.0) == pytest.approx(-1.2)


def test_activity_reward_drops_missing_parts_and_renormalises():
    assert activity_reward(proficiency_gain=0.1, insight_reward=None) == pytest.approx(1.0)
    assert activity_reward(proficiency_gain=None, insight_reward=-0.5) == pytest.approx(-0.5)
    assert activity_reward(proficiency_gain=math.nan, insight_reward=0.7) == pytest.approx(0.7)
    assert activity_reward(proficiency_gain=None, insight_reward=None) is None  # nothing observed, not 0
    assert activity_reward(proficiency_gain=math.nan, insight_reward=None) is None
    assert activity_reward(
        proficiency_gain=0.02, insight_reward=0.6, gain_weight=1.0, insight_weight=3.0
    ) == pytest.approx((0.2 + 3 * 0.6) / 4)
    assert activity_reward(proficiency_gain=0.3, insight_reward=0.6, gain_weight=0.0, insight_weight=0.0) == 0.0


def test_an_activity_that_measured_nothing_is_no_observation():
    """A first activity (gain unknown) with no insight reward leaves its arm as it was: not a 0 that pulls the
    mean down and narrows the posterior as if something had been measured."""
    nothing = activity_reward(proficiency_gain=None, insight_reward=None)
    assert ArmPosterior.from_rewards([nothing, nothing]) == ArmPosterior()
    assert ArmPosterior.from_rewards([nothing]).mean_posterior() == ArmPosterior().mean_posterior()
    # Between rewards it changes nothing either, discount included: the same statistics as without it.
    assert ArmPosterior.from_rewards([0.4, nothing, 0.8], discount=0.9) == ArmPosterior.from_rewards(
        [0.4, 0.8], discount=0.9
    )


# the posterior's arithmetic


def test_sufficient_statistics_match_a_direct_computation():
    arm = ArmPosterior.from_rewards(REWARDS)
    assert arm.n == 7
    assert arm.mean == pytest.approx(np.mean(REWARDS))
    assert arm.m2 == pytest.approx(np.var(REWARDS) * 7)
    assert arm.m2 / (arm.n - 1) == pytest.approx(np.var(REWARDS, ddof=1))
    one_by_one = ArmPosterior()
    for reward in REWARDS:
        one_by_one = one_by_one.updated(reward)
    assert (one_by_one.n, one_by_one.mean) == (arm.n, pytest.approx(arm.mean))
    assert one_by_one.m2 == pytest.approx(arm.m2)


def test_mean_posterior_is_the_normal_inverse_gamma_update():
    prior = Prior(mean=0.1, kappa=2.0, alpha=1.5, beta=0.4)
    x = np.array(REWARDS)
    n, xbar = len(x), x.mean()
    kappa, alpha = 2.0 + n, 1.5 + n / 2
    location = (2.0 * 0.1 + n * xbar) / kappa
    beta = 0.4 + ((x - xbar) ** 2).sum() / 2 + 2.0 * n * (xbar - 0.1) ** 2 / (2 * kappa)
    df, loc, scale = ArmPosterior.from_rewards(REWARDS).mean_posterior(prior)
    assert df == pytest.approx(2 * alpha) and df == pytest.approx(10.0)
    assert loc == pytest.approx(location)
    assert scale == pytest.approx(math.sqrt(beta / (alpha * kappa)))
    # No data: the prior itself, a t with 2 degrees of freedom of scale sqrt(beta / (alpha kappa)).
    assert ArmPosterior().mean_posterior(Prior()) == pytest.approx((2.0, 0.0, math.sqrt(0.5)))


def test_discounted_statistics_weigh_the_reward_k_from_the_end_by_discount_to_the_k():
    arm = ArmPosterior.from_rewards(REWARDS, discount=0.8)
    weights = 0.8 ** np.arange(len(REWARDS))[::-1]
    mean = np.average(REWARDS, weights=weights)
    assert arm.n == pytest.approx(weights.sum())
    assert arm.mean == pytest.approx(mean)
    assert arm.m2 == pytest.approx((weights * (np.array(REWARDS) - mean) ** 2).sum())
    with pytest.raises(ValueError):
        ArmPosterior().updated(1.0, discount=0.0)


def test_discounting_follows_an_arm_that_changed():
    history = [1.0] * 100 + [0.0] * 20  # it used to pay, and lately has not
    plain = ArmPosterior.from_rewards(history)
    discounted = ArmPosterior.from_rewards(history, discount=0.9)
    assert plain.mean == pytest.approx(100 / 120)
    assert discounted.mean == pytest.approx(0.9**20 * (1 - 0.9**100) / (1 - 0.9**120))  # 0.1216
    assert discounted.mean < 0.13
    steady = ArmPosterior.from_rewards([0.5, 0.45, 0.55] * 10)
    rng = np.random.default_rng(3)
    assert picks({"changed": plain, "steady": steady}, rng, 1000)["changed"] >= 990
    assert picks({"changed": discounted, "steady": steady}, rng, 1000)["steady"] >= 900


def test_posterior_summary():
    arms = {"b": ArmPosterior.from_rewards(REWARDS), "a": ArmPosterior()}
    summary = posterior_summary(arms)
    assert list(summary) == ["a", "b"]
    assert summary["a"] == {"n": 0.0, "mean": 0.0, "posterior_mean": 0.0, "std": pytest.approx(math.sqrt(0.5))}
    df, loc, scale = arms["b"].mean_posterior()
    assert summary["b"]["n"] == 7 and summary["b"]["mean"] == pytest.approx(np.mean(REWARDS))
    assert summary["b"]["posterior_mean"] == pytest.approx(loc)
    assert summary["b"]["std"] == pytest.approx(scale * math.sqrt(df / (df - 2)))


# choosing


def test_an_unexplored_arm_gets_picked_within_a_few_draws():
    data = np.random.default_rng(1)
    arms = {
        "a": ArmPosterior.from_rewards(data.normal(0.2, 0.3, 30)),
        "b": ArmPosterior.from_rewards(data.normal(0.2, 0.3, 30)),
        "new": ArmPosterior(),
    }
    for seed in range(50):
        rng = np.random.default_rng(seed)
        assert "new" in [thompson_choice(arms, rng=rng) for _ in range(15)], seed
    assert 300 <= picks(arms, np.random.default_rng(0), 1000)["new"] <= 450  # 375: explored, not favoured


def test_a_clearly_better_arm_is_picked_at_least_nine_times_in_ten():
    data = np.random.default_rng(2)
    arms = {
        name: ArmPosterior.from_rewards(data.normal(mean, 0.3, 50))
        for name, mean in [("good", 0.5), ("meh", 0.2), ("bad", 0.0)]
    }
    assert picks(arms, np.random.default_rng(0), 1000)["good"] >= 900
    assert picks(arms, random.Random(0), 1000)["good"] >= 900  # the standard library's generator works too
    # With two rewards each the same means leave room to explore.
    few = {
        name: ArmPosterior.from_rewards([mean - 0.1, mean + 0.1])
        for name, mean in [("good", 0.5), ("meh", 0.2), ("bad", 0.0)]
    }
    assert 500 <= picks(few, np.random.default_rng(0), 1000)["good"] <= 700  # 579


def test_prior_means_seed_an_arm():
    arms = {"a": ArmPosterior(), "b": ArmPosterior()}
    seeded = picks(arms, np.random.default_rng(0), 1000, prior_means={"a": 2.0})["a"]
    plain = picks(arms, np.random.default_rng(0), 1000)["a"]
    assert seeded >= 850 and 400 <= plain <= 600


def test_seeded_choices_are_deterministic_whatever_the_order_of_the_arms():
    data = np.random.default_rng(4)
    arms = {name: ArmPosterior.from_rewards(data.normal(0.1 * k, 0.5, 5)) for k, name in enumerate("dcba")}
    reordered = dict(sorted(arms.items()))

    def run(arms, rng) -> list[str]:
        return [thompson_choice(arms, rng=rng) for _ in range(60)]

    sequence = run(arms, np.random.default_rng(7))
    assert sequence == run(reordered, np.random.default_rng(7))
    assert len(set(sequence)) > 1  # the draws do vary from step to step
    assert run(arms, random.Random(7)) == run(reordered, random.Random(7))
    assert run(arms, np.random.default_rng(8)) != sequence
    with pytest.raises(ValueError):
        thompson_choice({}, rng=np.random.default_rng(0))


def test_the_module_is_pure():
    """No Django, no project imports: the benchmark and any worker can use it without settings."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys, learning.planning.hobby_bandit; print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'django', 'hobbies', 'core', 'memoryhub', 'workers'}))"
    )
    assert (
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[2],
        ).stdout
        == "[]\n"
    )
