"""The reward-driven hobby policy: Thompson sampling on what practising each type gained, switched on in the
hobby configuration, used by the scheduler."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from hobbies.models import Activity, Assignment, HobbyConfig, HobbyType, SubAgent
from hobbies.scheduling import scheduler_tick
from hobbies.services import subagent_register
from learning.feedback.ratings import feedback_submit
from learning.loop.hobby_policy import arms_for, reward_policy_choice
from tests.hobbies.metrics_factories import finished

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(db):
    subagent = subagent_register(subagent_id="agent", capabilities=["*"])[0]
    SubAgent.objects.filter(pk=subagent.pk).update(registered_at=timezone.now() - timedelta(hours=1))
    return subagent


def practised(agent, hobby_type: str, gains: list[float | None]) -> list[Activity]:
    return [
        Activity.objects.create(
            activity_id=f"{hobby_type[:4]}-{i}",
            hobby_type=hobby_type,
            subagent=agent,
            model_name="tiny",
            status="completed",
            improvement_delta=gain,
        )
        for i, gain in enumerate(gains)
    ]


def test_arms_are_built_from_measured_gains_and_insight_rewards(agent, personas):
    practised(agent, "SKILL_PRACTICE", [0.05, 0.05])
    (coding,) = practised(agent, "CODE_ANALYSIS", [0.05])
    insight = coding.insights.create(skill="x", kind="other", text="a finding", share=1.0)
    feedback_submit(rater=personas["rater"].user, target_type="insight", target_id=str(insight.pk), rating=1)
    arms = arms_for(agent, ["SKILL_PRACTICE", "CODE_ANALYSIS", "TOOL_MASTERY"])
    assert arms["SKILL_PRACTICE"].n == pytest.approx(1 + 0.98)  # the older activity weighs 0.98
    assert arms["SKILL_PRACTICE"].mean == pytest.approx(0.5)  # 10 x the gain
    # 0.6 x (10 x 0.05) + 0.4 x (-1): people's poor opinion of its insight pulls the type down
    assert arms["CODE_ANALYSIS"].mean == pytest.approx(0.6 * 0.5 - 0.4)
    assert arms["TOOL_MASTERY"].n == 0


def test_a_gain_nobody_measured_is_unknown_to_the_policy_not_zero(agent, personas):
    (first,) = practised(agent, "SKILL_PRACTICE", [None])  # a first activity: no measurement before it
    practised(agent, "CODE_ANALYSIS", [None])
    insight = first.insights.create(skill="x", kind="other", text="a finding", share=1.0)
    feedback_submit(rater=personas["rater"].user, target_type="insight", target_id=str(insight.pk), rating=5)
    arms = arms_for(agent, ["SKILL_PRACTICE", "CODE_ANALYSIS"])
    # Its insight reward alone scores it (+1), the unknown gain weighing nothing ...
    assert arms["SKILL_PRACTICE"].n == 1 and arms["SKILL_PRACTICE"].mean == pytest.approx(1.0)
    # ... and with no insight reward either, it is no observation at all: the arm stays at its prior.
    assert arms["CODE_ANALYSIS"].n == 0


def test_a_type_that_started_strong_is_not_favoured_for_its_first_score(agent):
    """Through the real finishing path: each type's first held-out score is where the agent stands, not a gain,
    so a type that happened to start at 0.9 earns no reward over one that started at 0.1."""
    strong = finished(hobby_type="SKILL_PRACTICE", agent=agent, heldout=0.9)
    weak = finished(hobby_type="CODE_ANALYSIS", agent=agent, heldout=0.1)
    assert strong.improvement_delta is None and weak.improvement_delta is None
    arms = arms_for(agent, ["SKILL_PRACTICE", "CODE_ANALYSIS"])
    assert arms["SKILL_PRACTICE"].n == arms["CODE_ANALYSIS"].n == 0
    rng = random.Random(5)
    options = {"SKILL_PRACTICE": 0.5, "CODE_ANALYSIS": 0.5}
    picks = Counter(reward_policy_choice(subagent=agent, proficiency=options, rng=rng) for _ in range(400))
    assert 140 <= picks["SKILL_PRACTICE"] <= 260  # even odds; with its 0.9 as a gain it was picked ~all the time


def test_the_policy_favours_the_type_that_gains_most(agent):
    practised(agent, "SKILL_PRACTICE", [0.10, 0.12, 0.09, 0.11, 0.10, 0.12])
    practised(agent, "CODE_ANALYSIS", [0.0, -0.01, 0.01, 0.0, 0.0, 0.01])
    options = {"SKILL_PRACTICE": 0.5, "CODE_ANALYSIS": 0.5}
    rng = random.Random(3)
    picks = Counter(reward_policy_choice(subagent=agent, proficiency=options, rng=rng) for _ in range(300))
    assert picks["SKILL_PRACTICE"] > 270
    assert reward_policy_choice(subagent=agent, proficiency={}, rng=rng) is None


def test_the_scheduler_uses_the_policy_when_switched_on(agent, personas):
    HobbyType.objects.update(enabled=False)
    HobbyType.objects.filter(name__in=["SKILL_PRACTICE", "PATTERN_RECOGNITION"]).update(enabled=True)
    practised(agent, "SKILL_PRACTICE", [0.15] * 8)
    practised(agent, "PATTERN_RECOGNITION", [-0.05] * 8)
    response = (
        personas["operator"].client().patch("/api/v1/hobbies/config", {"selection_policy": "reward"}, format="json")
    )
    assert response.status_code == 200 and response.json()["selection_policy"] == "reward"
    HobbyConfig.objects.filter(pk=1).update(variety_factor=0.0)
    chosen = []
    for seed in range(10):
        Assignment.objects.all().delete()
        chosen += [a.hobby_type for a in scheduler_tick(rng=random.Random(seed), force=True)]
    # The weakness draw would favour PATTERN_RECOGNITION (no progress rows: both weak alike); the policy has
    # learned that SKILL_PRACTICE pays.
    assert chosen.count("SKILL_PRACTICE") >= 9
    bad = personas["operator"].client().patch("/api/v1/hobbies/config", {"selection_policy": "bandit"}, format="json")
    assert bad.status_code == 400 and "selection_policy" in bad.json()["error"]["details"]
