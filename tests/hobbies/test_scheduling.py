"""The scheduler: the originals' weighted draw, one tick per interval, idle sub-agents only, user interactions
that interrupt once, and start/stop."""

import random
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from hobbies.models import AgentInteraction, Assignment, HobbyConfig, HobbyType, Progress, SubAgent
from hobbies.scheduling import scheduler_tick, system_state, weighted_choice
from hobbies.services import subagent_register


def test_the_weighted_draw_favours_weak_types_and_variety_flattens_it():
    rng = random.Random(1)
    draws = Counter(
        weighted_choice({"weak": 0.1, "strong": 0.9}, variety=0.0, focus_on_weaknesses=True, rng=rng)
        for _ in range(4000)
    )
    assert draws["weak"] / 4000 == pytest.approx(0.9 / 1.0, abs=0.03)  # weights 0.9 against 0.1
    flat = Counter(
        weighted_choice({"weak": 0.1, "strong": 0.9}, variety=1.0, focus_on_weaknesses=True, rng=rng)
        for _ in range(4000)
    )
    assert draws["strong"] < flat["strong"]  # variety gives the strong type more turns
    unfocused = Counter(
        weighted_choice({"weak": 0.1, "strong": 0.9}, variety=0.0, focus_on_weaknesses=False, rng=rng)
        for _ in range(4000)
    )
    assert unfocused["strong"] / 4000 == pytest.approx(0.5, abs=0.04)
    assert weighted_choice({}, variety=0.3, focus_on_weaknesses=True, rng=rng) is None


@pytest.fixture
def idle_subagent(db):
    subagent = subagent_register(subagent_id="agent", capabilities=["*"])[0]
    SubAgent.objects.filter(pk=subagent.pk).update(registered_at=timezone.now() - timedelta(hours=1))
    return subagent


def test_a_tick_starts_one_hobby_on_each_idle_sub_agent_once_per_interval(idle_subagent):
    busy = subagent_register(subagent_id="talking", capabilities=["*"])[0]
    SubAgent.objects.filter(pk=busy.pk).update(registered_at=timezone.now() - timedelta(hours=1))
    AgentInteraction.objects.create(agent_id="talking", last_interaction_at=timezone.now())
    HobbyType.objects.exclude(name="TOOL_MASTERY").update(enabled=False)
    HobbyType.objects.filter(name="TOOL_MASTERY").update(enabled=True)

    started = scheduler_tick(rng=random.Random(0))
    assert [(a.subagent.subagent_id, a.hobby_type, a.origin) for a in started] == [
        ("agent", "TOOL_MASTERY", "scheduler")
    ]
    assert started[0].duration_minutes == 10.0  # max_hobby_duration_minutes
    assert scheduler_tick() == []  # within the interval: nothing
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        AgentInteraction.objects.update(last_interaction_at=timezone.now())  # still talking
        assert scheduler_tick() == []  # the agent's hobby is still running: nothing more for it
        Assignment.objects.update(status="completed")
    with time_machine.travel(timezone.now() + timedelta(minutes=32)):
        AgentInteraction.objects.update(last_interaction_at=timezone.now())
        assert [a.subagent.subagent_id for a in scheduler_tick()] == ["agent"]


def test_the_draw_uses_the_sub_agents_measured_proficiency(idle_subagent):
    HobbyType.objects.update(enabled=False)
    HobbyType.objects.filter(name__in=["SKILL_PRACTICE", "PATTERN_RECOGNITION"]).update(enabled=True)
    Progress.objects.create(subagent=idle_subagent, hobby_type="SKILL_PRACTICE", proficiency=1.0, measurements=3)
    HobbyConfig.objects.update_or_create(pk=1, defaults={"variety_factor": 0.0})
    for seed in range(5):
        Assignment.objects.all().delete()
        assert [a.hobby_type for a in scheduler_tick(rng=random.Random(seed), force=True)] == ["PATTERN_RECOGNITION"]


def test_stopped_or_disabled_schedulers_start_nothing(idle_subagent, personas, settings):
    operator = personas["operator"].client()
    assert operator.post("/hobby/stop").json() == {"status": "stopped", "message": "Hobby scheduler stopped"}
    assert scheduler_tick(force=True) == [] and system_state()["running"] is False
    assert operator.post("/hobby/start").json()["status"] == "started"
    settings.HOBBY_CONFIG_OVERRIDES = {"enabled": False}  # AUTONOMOUS_HOBBY_ENABLED=false
    assert scheduler_tick(force=True) == [] and system_state()["enabled"] is False
    settings.HOBBY_CONFIG_OVERRIDES = {}
    assert len(scheduler_tick(force=True)) == 1
    assert personas["viewer"].client().post("/hobby/start").status_code == 403


def test_a_user_interaction_makes_the_agent_busy_and_cancels_its_running_work_once(idle_subagent, personas):
    started = scheduler_tick(force=True)
    assert len(started) == 1
    Assignment.objects.filter(pk=started[0].pk).update(status="running")
    agent = personas["agent"].client()

    first = agent.post("/hobby/interaction", {"agent_id": "agent"}, format="json").json()
    assert first["interrupted"] == [started[0].assignment_id]
    assert Assignment.objects.get(pk=started[0].pk).status == "cancelled"
    second = agent.post("/hobby/interaction", {"agent_id": "agent"}, format="json").json()
    assert second["interrupted"] == []  # recorded once
    assert system_state()["is_idle"] is False
    assert scheduler_tick(force=True) == []  # a person is talking to it
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):  # past the 5-minute idle threshold
        assert system_state()["is_idle"] is True
        assert len(scheduler_tick(force=True)) == 1
    assert agent.post("/hobby/interaction", {}, format="json").status_code == 400


def test_a_model_too_short_for_documents_is_never_sent_to_read_them(idle_subagent, tiny):
    SubAgent.objects.filter(pk=idle_subagent.pk).update(model=tiny)  # a 64-token context
    HobbyType.objects.update(enabled=False)
    HobbyType.objects.filter(name__in=["KNOWLEDGE_EXPLORATION", "SKILL_PRACTICE"]).update(enabled=True)
    for seed in range(5):
        Assignment.objects.all().delete()
        assert [a.hobby_type for a in scheduler_tick(rng=random.Random(seed), force=True)] == ["SKILL_PRACTICE"]


def test_types_with_nothing_to_practise_are_not_handed_out(idle_subagent):
    # an empty memory hub: knowledge exploration could only fail, so it is not drawn
    HobbyType.objects.update(enabled=False)
    HobbyType.objects.filter(name__in=["KNOWLEDGE_EXPLORATION", "TOOL_MASTERY"]).update(enabled=True)
    for seed in range(5):
        Assignment.objects.all().delete()
        assert [a.hobby_type for a in scheduler_tick(rng=random.Random(seed), force=True)] == ["TOOL_MASTERY"]
