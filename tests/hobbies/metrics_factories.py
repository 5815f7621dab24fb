"""Activities finished through the real finishing path (hobbies.proficiency.activity_finish), so the hourly rollups
and progress rows the metrics read are the ones production keeps; no model is run."""

from __future__ import annotations

import secrets

from hobbies.models import Activity, Attempt, SubAgent
from hobbies.practice import Practised
from hobbies.proficiency import activity_finish


def subagent(name: str = "sa-1") -> SubAgent:
    return SubAgent.objects.create(subagent_id=name, capabilities=["*"], machine="m1")


def started(*, hobby_type: str, agent: SubAgent | None = None, description: str = "") -> Activity:
    return Activity.objects.create(
        activity_id=secrets.token_hex(6),
        hobby_type=hobby_type,
        subagent=agent,
        model_name="tiny",
        description=description,
    )


def finished(
    *,
    hobby_type: str,
    agent: SubAgent | None = None,
    status: str = "completed",
    heldout: float | None = None,
    seconds: float = 60.0,
    right: int = 3,
    wrong: int = 1,
    heldout_by_skill: dict[str, float] | None = None,
    assignment=None,
) -> Activity:
    """One activity of `right` correct and `wrong` wrong arithmetic attempts (wrong ones off by one), which took
    `seconds`, finished with the held-out score `heldout` (and `heldout_by_skill`, per skill)."""
    activity = started(hobby_type=hobby_type, agent=agent)
    Activity.objects.filter(pk=activity.pk).update(
        planned_items=right + wrong, duration_seconds=seconds, assignment=assignment
    )
    activity.refresh_from_db()
    for i in range(right + wrong):
        ok = i < right
        Attempt.objects.create(
            activity=activity,
            item_id=f"arithmetic/train/{i}",
            skill="addition",
            prompt=f"Q:{i}+1=",
            expected=str(i + 1),
            answer=str(i + 1 if ok else i + 2),
            correct=ok,
            score=1.0 if ok else 0.0,
            failure_kind="" if ok else "off_by_small",
        )
    return activity_finish(
        Practised(activity=activity, status=status, heldout_score=heldout, heldout_by_skill=heldout_by_skill or {}),
        assignment,
    )
