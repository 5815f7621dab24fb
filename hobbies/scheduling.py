"""When hobbies run: idle agents practise, people interrupt them, operators start and stop the scheduler.

- An agent is idle when nobody has interacted with it for idle_threshold_minutes (never counts as idle since
  it registered).
- Beat calls scheduler_tick every minute; it acts once per interval_minutes (a conditional update on the
  configuration row, so two beats or two control workers never tick twice). Each idle, active sub-agent with
  nothing running gets one assignment, its type drawn by the originals' weighted draw, or, with the
  selection policy "reward", by Thompson sampling on what practice gained (learning.loop.hobby_policy).
- A user interaction records the time and cancels the agent's running work, once.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from core.errors import Conflict, Invalid
from hobbies.assignments import assignment_create, assignments_cancel_running, can_take, practicable
from hobbies.models import AgentInteraction, Assignment, HobbyConfig, HobbyType, Progress, SubAgent
from hobbies.policies import SelectionPolicy, selection_policy_chooser, selection_policy_register
from hobbies.services import config_effective

TICK_SLACK = timedelta(seconds=30)  # the tick beat runs every minute


def weighted_choice(
    proficiency: dict[str, float], *, variety: float, focus_on_weaknesses: bool, rng: random.Random
) -> str | None:
    """The originals' draw (docs/originals.md 1.5): weight = (1 - proficiency) + random() * variety, a roulette pick
    over the cumulative sum; a plain random choice when not focusing on weaknesses."""
    names = sorted(proficiency)
    if not names:
        return None
    if not focus_on_weaknesses:
        return rng.choice(names)
    weights = [(1 - proficiency[name]) + rng.random() * variety for name in names]
    total = sum(weights)
    if total <= 0:
        return rng.choice(names)
    pick, cumulative = rng.random() * total, 0.0
    for name, weight in zip(names, weights):
        cumulative += weight
        if pick <= cumulative:
            return name
    return names[-1]


def interaction_record(*, agent_id: str) -> dict:
    """A person talked to the agent: it is busy from now on, and its running practice stops (once)."""
    if not isinstance(agent_id, str) or not 1 <= len(agent_id.strip()) <= 100:
        raise Invalid({"agent_id": ["agent_id is 1 to 100 characters"]})
    agent_id = agent_id.strip()
    now = timezone.now()
    AgentInteraction.objects.update_or_create(agent_id=agent_id, defaults={"last_interaction_at": now})
    interrupted: list[str] = []
    subagent = SubAgent.objects.filter(subagent_id=agent_id).first()
    if subagent is not None:
        interrupted = assignments_cancel_running(subagent=subagent)
    return {"agent_id": agent_id, "last_interaction_at": now.isoformat(), "interrupted": interrupted}


def idle_agents(threshold_minutes: float) -> set[str]:
    """Active sub-agents nobody has talked to for the threshold (nor since they registered)."""
    cutoff = timezone.now() - timedelta(minutes=threshold_minutes)
    busy = set(AgentInteraction.objects.filter(last_interaction_at__gt=cutoff).values_list("agent_id", flat=True))
    candidates = SubAgent.objects.filter(status=SubAgent.Status.ACTIVE, registered_at__lte=cutoff)
    return {s for s in candidates.values_list("subagent_id", flat=True) if s not in busy}


def system_state() -> dict:
    """enabled (configuration), running (started, not stopped), is_idle (nobody talked to any agent lately)."""
    config = config_effective()
    cutoff = timezone.now() - timedelta(minutes=config["idle_threshold_minutes"])
    return {
        "enabled": config["enabled"],
        "running": config["enabled"] and _running(),
        "is_idle": not AgentInteraction.objects.filter(last_interaction_at__gt=cutoff).exists(),
    }


def _running() -> bool:
    running = HobbyConfig.objects.filter(pk=1).values_list("running", flat=True).first()
    return running is not False  # no configuration row yet: the default, running


def scheduler_set_running(running: bool) -> dict:
    HobbyConfig.objects.get_or_create(pk=1)
    HobbyConfig.objects.filter(pk=1).update(running=running)
    word = "started" if running else "stopped"
    return {"status": word, "message": f"Hobby scheduler {word}"}


def _tick_due(interval_minutes: float) -> bool:
    """Take this interval's tick, if nobody has: a conditional update, so it happens once."""
    now = timezone.now()
    HobbyConfig.objects.get_or_create(pk=1)
    # Half a beat of slack: a beat a few milliseconds early must not push the tick a whole minute later.
    due = Q(last_tick_at__isnull=True) | Q(last_tick_at__lte=now - timedelta(minutes=interval_minutes) + TICK_SLACK)
    return bool(HobbyConfig.objects.filter(due, pk=1).update(last_tick_at=now))


def scheduler_tick(*, rng: random.Random | None = None, force: bool = False) -> list[Assignment]:
    """Start a hobby on each idle sub-agent with nothing running. force skips the interval (an operator's
    "run now"), never the enabled and running switches."""
    config = config_effective()
    if not config["enabled"] or not _running():
        return []
    if not force and not _tick_due(config["interval_minutes"]):
        return []
    rng = rng or random.Random()
    enabled = practicable(HobbyType.objects.filter(enabled=True).values_list("name", flat=True))
    busy = set(Assignment.objects.filter(status__in=Assignment.ACTIVE).values_list("subagent__subagent_id", flat=True))
    free = idle_agents(config["idle_threshold_minutes"]) - busy
    started = []
    for subagent in SubAgent.objects.select_related("model").filter(subagent_id__in=free).order_by("registered_at"):
        known = dict(
            Progress.objects.filter(subagent=subagent, proficiency__isnull=False).values_list(
                "hobby_type", "proficiency"
            )
        )
        # A type never measured weighs as the weakest (1 - 0): for choosing only, so untried types get tried; it
        # is never shown as a proficiency of 0.
        options = {name: known.get(name, 0.0) for name in enabled if can_take(subagent, name)}
        chooser = selection_policy_chooser(config["selection_policy"])
        choice = chooser(subagent=subagent, proficiency=options, rng=rng, config=config)
        if choice is None:
            continue
        try:
            started.append(
                assignment_create(
                    subagent_id=subagent.subagent_id,
                    hobby_type=choice,
                    duration_minutes=config["max_hobby_duration_minutes"],
                    origin="scheduler",
                )
            )
        except Conflict:
            continue  # at capacity meanwhile (it has work), or hobbies switched off since the check above
    return started


def weakness_choice(*, subagent, proficiency: dict[str, float], rng: random.Random, config: dict) -> str | None:
    """The originals' policy: a draw weighted towards weak types, with the configured variety."""
    return weighted_choice(
        proficiency, variety=config["variety_factor"], focus_on_weaknesses=config["focus_on_weaknesses"], rng=rng
    )


selection_policy_register(SelectionPolicy.WEAKNESS, weakness_choice)
