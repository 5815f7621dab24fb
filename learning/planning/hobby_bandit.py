"""Thompson sampling over hobby types: which type an idle agent should practise next.

Pure (numpy and the standard library): the Django side turns finished activities into rewards with
activity_reward, keeps one ArmPosterior per hobby type, and asks thompson_choice for the next type.

Each arm's reward is modelled as Gaussian with unknown mean and unknown variance under a Normal-Inverse-Gamma
prior; the mean's marginal posterior is a Student-t, and sampling it once per arm and taking the argmax is
Thompson sampling. Unknown variance matters here: held-out probes are noisy and some types' insight ratings are
noisier than others, so a fixed-variance model would be over- or under-confident per type.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

# A held-out gain of 0.10 (ten points on a 0-1 score) is a very good single activity; an insight rated +1 is the
# best an insight can be. Scaling gains by 10 puts both on the same footing, so measured gains in [-0.3, 0.3]
# become [-3, 3] and typical ones (a few points) land near the insight scale.
GAIN_SCALE = 10.0
# The measured gain is the outcome we care about (held-out, hard to game); the insight reward is a learned proxy,
# so it counts less. Renormalised when one of them is missing.
GAIN_WEIGHT = 0.6
INSIGHT_WEIGHT = 0.4
ARM_REWARD_WEIGHTS = {"proficiency_gain": GAIN_WEIGHT, "insight_reward": INSIGHT_WEIGHT}


def activity_reward(
    *,
    proficiency_gain: float | None,
    insight_reward: float | None,
    gain_weight: float = GAIN_WEIGHT,
    insight_weight: float = INSIGHT_WEIGHT,
) -> float | None:
    """One finished activity's reward: the weighted mean of GAIN_SCALE x gain and the insight reward, over the
    parts that are present (and finite). Linear, so the mean of rewards is the reward of the means (which the
    benchmark's oracle relies on).

    A gain of None is unknown, not 0: a sub-agent's first activity of a type has no earlier measurement to gain
    on, and counting it as 0 (or as its whole score, as it once was) would tell the posterior something that
    was never measured. Its insight reward alone scores it then. With neither part, the result is None: nothing
    was observed, and ArmPosterior.from_rewards skips it rather than pull the arm toward 0 and shrink its
    uncertainty. 0.0 when the parts present all weigh 0 (a caller that switched both off)."""
    parts = []
    if proficiency_gain is not None and math.isfinite(proficiency_gain):
        parts.append((gain_weight, GAIN_SCALE * proficiency_gain))
    if insight_reward is not None and math.isfinite(insight_reward):
        parts.append((insight_weight, insight_reward))
    if not parts:
        return None
    total = sum(w for w, _ in parts)
    if total <= 0:
        return 0.0
    return sum(w * value for w, value in parts) / total


@dataclass(frozen=True)
class Prior:
    """Normal-Inverse-Gamma prior: mean ~ N(mean, sigma^2 / kappa), sigma^2 ~ InvGamma(alpha, beta).

    Weakly informative: kappa = 1 (the prior mean weighs as one activity), alpha = 1 (the mean's marginal is a
    t with 2 degrees of freedom: heavy tails, so an untried arm now and then samples above any tried one), and
    beta = 0.5 (a noise scale of about 0.7, the spread of single-activity rewards)."""

    mean: float = 0.0
    kappa: float = 1.0
    alpha: float = 1.0
    beta: float = 0.5


DEFAULT_PRIOR = Prior()


@dataclass(frozen=True)
class ArmPosterior:
    """Sufficient statistics of one arm's rewards: n (a weight sum: fractional once discounted), their mean and
    m2 (the weighted sum of squared deviations from that mean)."""

    n: float = 0.0
    mean: float = 0.0
    m2: float = 0.0

    def updated(self, reward: float, *, discount: float = 1.0) -> ArmPosterior:
        """These statistics with one more reward (weight 1), older ones first multiplied by discount.

        Discounting is per pull of this arm, not per wall-clock step: an arm's rewards go stale because practice
        saturates the skill (gains shrink as proficiency nears its cap), so an arm nobody practises keeps what
        was learned about it. discount d keeps an effective memory of 1 / (1 - d) activities: 0.98, ~50, is what
        bench/bench_hobby_policy.py runs (no discount does slightly better there, where the noise dwarfs the drift;
        0.98 costs little and lets an arm follow a changed world). 1.0 (the default) is the plain posterior."""
        if not 0.0 < discount <= 1.0:
            raise ValueError("discount is in (0, 1]")
        n, m2 = self.n * discount, self.m2 * discount  # scaling all weights leaves the mean unchanged
        total = n + 1.0
        delta = reward - self.mean
        mean = self.mean + delta / total
        return ArmPosterior(n=total, mean=mean, m2=m2 + delta * (reward - mean))  # weighted Welford

    @classmethod
    def from_rewards(cls, rewards: Iterable[float | None], *, discount: float = 1.0) -> ArmPosterior:
        """Oldest first: with discount < 1 the reward k places from the end weighs discount ** k. A None (an
        activity that measured nothing: activity_reward) is no observation: it neither moves the mean nor ages
        the rewards before it, so an arm whose activities all measured nothing stays at its prior."""
        posterior = cls()
        for reward in rewards:
            if reward is not None:
                posterior = posterior.updated(float(reward), discount=discount)
        return posterior

    def mean_posterior(self, prior: Prior = DEFAULT_PRIOR) -> tuple[float, float, float]:
        """The mean's marginal posterior, a Student-t: (degrees of freedom, location, scale)."""
        kappa = prior.kappa + self.n
        location = (prior.kappa * prior.mean + self.n * self.mean) / kappa
        alpha = prior.alpha + self.n / 2
        beta = prior.beta + self.m2 / 2 + prior.kappa * self.n * (self.mean - prior.mean) ** 2 / (2 * kappa)
        return 2 * alpha, location, math.sqrt(beta / (alpha * kappa))


def _standard_t(df: float, rng: np.random.Generator | random.Random) -> float:
    if isinstance(rng, np.random.Generator):
        return float(rng.standard_t(df))
    # random.Random has no t: a normal over the root of a chi-square / df (the chi-square as a gamma).
    return rng.gauss(0.0, 1.0) / math.sqrt(rng.gammavariate(df / 2, 2.0) / df)


def thompson_choice(
    arms: Mapping[str, ArmPosterior],
    *,
    rng: np.random.Generator | random.Random,
    prior: Prior = DEFAULT_PRIOR,
    prior_means: Mapping[str, float] | None = None,
) -> str:
    """The arm whose mean, drawn once from its posterior, is highest. prior_means seeds arms' prior means (say
    from weakness) in place of prior.mean; it weighs as prior.kappa activities, so data soon overrides it.
    Arms are visited in name order so a seeded rng gives the same pick whatever the mapping's order."""
    if not arms:
        raise ValueError("no arms to choose from")
    best, best_sample = "", -math.inf
    for name in sorted(arms):
        arm_prior = (
            prior
            if prior_means is None or name not in prior_means
            else Prior(mean=float(prior_means[name]), kappa=prior.kappa, alpha=prior.alpha, beta=prior.beta)
        )
        df, location, scale = arms[name].mean_posterior(arm_prior)
        sample = location + scale * _standard_t(df, rng)
        if sample > best_sample:
            best, best_sample = name, sample
    return best


def posterior_summary(arms: Mapping[str, ArmPosterior], *, prior: Prior = DEFAULT_PRIOR) -> dict[str, dict]:
    """For display: per arm n, the observed mean, and the posterior mean and standard deviation of the mean
    (the t's standard deviation; the scale when it has no finite variance, i.e. under 3 degrees of freedom)."""
    summary = {}
    for name in sorted(arms):
        df, location, scale = arms[name].mean_posterior(prior)
        std = scale * math.sqrt(df / (df - 2)) if df > 2 else scale
        summary[name] = {"n": arms[name].n, "mean": arms[name].mean, "posterior_mean": location, "std": std}
    return summary
