"""The reward-driven hobby policy: Thompson sampling over the hobby types a sub-agent can take.

Switched on with the hobby configuration's selection_policy = "reward" (admin, PATCH /api/v1/hobbies/config or
HOBBY_SELECTION_POLICY). An arm's rewards are the sub-agent's finished activities of that type, each scored by
learning.planning.hobby_bandit.activity_reward from its measured proficiency gain (held-out, after minus before) and the reward
of its insights (people's where they rated, the current reward model's elsewhere: insights it has not scored yet
are scored when an arm needs them, once per model version; without a trained model, people's ratings only). The
bench (bench_hobby_policy.py) measures its regret against the originals' weakness-weighted draw.
"""

from __future__ import annotations

import random
from statistics import fmean

from hobbies.models import Activity, Insight
from learning.feedback.reward_models import insight_rewards
from learning.planning.hobby_bandit import ArmPosterior, activity_reward, posterior_summary, thompson_choice

HISTORY = 200  # a sub-agent's recent activities the arms are built from
DISCOUNT = 0.98  # per pull of an arm: about 50 activities of memory, so a swapped model's arms catch up
PRIOR_WEIGHTING = 0.5  # an untried weak type starts a little ahead: weakness as a prior, not as the rule


def _insight_rewards(activity_pks: list[int]) -> dict[int, float]:
    """Mean insight reward per activity, for activities with insights people rated or the reward model scores."""
    insights = dict(Insight.objects.filter(activity_id__in=activity_pks).values_list("pk", "activity_id"))
    by_activity: dict[int, list[float]] = {}
    for pk, (value, _) in insight_rewards(list(insights)).items():
        by_activity.setdefault(insights[pk], []).append(value)
    return {pk: fmean(values) for pk, values in by_activity.items()}


def arms_for(subagent, hobby_types) -> dict[str, ArmPosterior]:
    finished = list(
        Activity.objects.filter(subagent=subagent, hobby_type__in=list(hobby_types), status=Activity.Status.COMPLETED)
        .order_by("-pk")
        .values_list("pk", "hobby_type", "improvement_delta")[:HISTORY]
    )
    insight_reward = _insight_rewards([pk for pk, _, _ in finished])
    rewards: dict[str, list[float | None]] = {name: [] for name in hobby_types}  # None: nothing measured
    for pk, hobby_type, gain in reversed(finished):  # oldest first: the discount weighs the latest most
        rewards[hobby_type].append(activity_reward(proficiency_gain=gain, insight_reward=insight_reward.get(pk)))
    return {name: ArmPosterior.from_rewards(values, discount=DISCOUNT) for name, values in rewards.items()}


def reward_policy_choice(
    *, subagent, proficiency: dict[str, float], rng: random.Random, config: dict | None = None
) -> str | None:
    """The next hobby type for `subagent` among `proficiency`'s keys (those it can take), by Thompson sampling.
    (config: the hobby configuration every registered policy is given; this one needs none of it.)"""
    if not proficiency:
        return None
    arms = arms_for(subagent, proficiency)
    prior_means = {name: PRIOR_WEIGHTING * (1 - level) for name, level in proficiency.items()}
    return thompson_choice(arms, rng=rng, prior_means=prior_means)


def policy_report(subagent, hobby_types) -> dict:
    """What the policy believes per type: activities seen, mean reward and its uncertainty."""
    return posterior_summary(arms_for(subagent, hobby_types))
