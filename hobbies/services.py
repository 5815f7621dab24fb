"""Hobby types, configuration and the sub-agent registry: every write and every read that needs logic.

Assignments' execution, proficiency, distribution and scheduling build on these.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from core.errors import Invalid, NotFound
from hobbies.catalogue import NAMES, PRACTICE_BUILT, hobby_name
from hobbies.models import Activity, Assignment, HobbyConfig, HobbyType, SubAgent
from hobbies.policies import insight_confidence

# The originals' settings (docs/originals.md 1.2): stored in HobbyConfig, each overridden by its environment variable when set
# (settings.HOBBY_CONFIG_OVERRIDES, read and validated in core/settings.py).
CONFIG_FIELDS = (
    "enabled",
    "interval_minutes",
    "idle_threshold_minutes",
    "max_hobby_duration_minutes",
    "focus_on_weaknesses",
    "variety_factor",
    "intensity_level",
    "selection_policy",
)


def hobby_check(value) -> str:
    """The canonical hobby type name, or a 400 listing the valid ones."""
    name = hobby_name(value)
    if name is None:
        raise Invalid({"hobby_type": [f"unknown hobby type {value!r}; the types are {', '.join(NAMES)}"]})
    return name


def config_effective() -> dict:
    """The originals' config shape: stored values, overridden by their environment variables when set."""
    stored = HobbyConfig.objects.get_or_create(pk=1)[0]
    effective = {field: getattr(stored, field) for field in CONFIG_FIELDS} | settings.HOBBY_CONFIG_OVERRIDES
    return {
        "enabled": effective["enabled"],
        "interval_minutes": effective["interval_minutes"],
        "idle_threshold_minutes": effective["idle_threshold_minutes"],
        "max_hobby_duration_minutes": effective["max_hobby_duration_minutes"],
        "hobbies_enabled": dict(HobbyType.objects.values_list("name", "enabled")),
        "focus_on_weaknesses": effective["focus_on_weaknesses"],
        "variety_factor": effective["variety_factor"],
        "intensity_level": effective["intensity_level"],
        "selection_policy": effective["selection_policy"],
    }


_snapshot: tuple[float, dict] = (0.0, {})  # (read at, what every assignment needs of the configuration)
SNAPSHOT_SECONDS = 5.0


def _config_snapshot() -> dict:
    """The stored switches every assignment reads (hobbies on, intensity, enabled types), read at most every
    5 s per process: a burst of assignments does not read them for each one. A change made in this process
    applies at once; one made elsewhere within 5 s."""
    global _snapshot
    if time.monotonic() - _snapshot[0] > SNAPSHOT_SECONDS:
        stored: Mapping[str, Any] = HobbyConfig.objects.filter(pk=1).values("enabled", "intensity_level").first() or {}
        _snapshot = (
            time.monotonic(),
            {
                "enabled": stored.get("enabled", True),
                "intensity_level": stored.get("intensity_level", 0.5),
                "types": frozenset(HobbyType.objects.filter(enabled=True).values_list("name", flat=True)),
            },
        )
    return _snapshot[1]


def config_snapshot_forget() -> None:
    global _snapshot
    _snapshot = (0.0, {})


def _switch(field: str):
    overrides = settings.HOBBY_CONFIG_OVERRIDES
    return overrides[field] if field in overrides else _config_snapshot()[field]


def intensity_level() -> float:
    """The effective intensity (its environment variable wins over the stored value)."""
    return _switch("intensity_level")


def hobbies_enabled() -> bool:
    """Whether hobbies may run at all (AUTONOMOUS_HOBBY_ENABLED wins over the stored value)."""
    return _switch("enabled")


def hobby_type_enabled(name: str) -> bool:
    return name in _config_snapshot()["types"]


def config_update(**changes) -> dict:
    """Change stored settings (validated by the model's ranges); hobbies_enabled goes through the types."""
    hobbies_enabled = changes.pop("hobbies_enabled", None)
    with transaction.atomic():
        stored = HobbyConfig.objects.select_for_update().get_or_create(pk=1)[0]
        for field, value in changes.items():
            if field not in CONFIG_FIELDS:
                raise Invalid({field: ["not a configuration setting"]})
            setattr(stored, field, value)
        try:
            stored.full_clean()
        except DjangoValidationError as exc:
            raise Invalid(exc.message_dict) from None
        stored.save()
        for name, enabled in (hobbies_enabled or {}).items():
            hobby_type_set_enabled(name=name, enabled=enabled)
    config_snapshot_forget()
    return config_effective()


def hobby_type_set_enabled(*, name: str, enabled: bool) -> HobbyType:
    """Enable or disable a type. A type whose practice does not exist yet cannot be enabled (400 saying so)."""
    name = hobby_check(name)
    if not isinstance(enabled, bool):
        raise Invalid({"enabled": ["enabled is true or false"]})
    if enabled and name not in PRACTICE_BUILT:
        raise Invalid({"enabled": [f"{name} cannot be enabled: its practice is not built yet"]})
    HobbyType.objects.filter(name=name).update(enabled=enabled)
    config_snapshot_forget()
    return HobbyType.objects.get(name=name)


# --- sub-agents ------------------------------------------------------------------------------------------------
def _capabilities_check(capabilities) -> list[str]:
    if not isinstance(capabilities, list) or not capabilities:
        raise Invalid({"capabilities": ['list hobby type names, or ["*"] for all']})
    return ["*" if item == "*" else hobby_check(item) for item in capabilities]


UNSET = object()  # a registration field not given: a new sub-agent gets the default, a known one keeps its own


def subagent_register(
    *,
    subagent_id: str,
    capabilities: list,
    metadata=UNSET,
    model=UNSET,
    adapter=UNSET,
    machine=UNSET,
    max_concurrent_assignments=UNSET,
) -> tuple[SubAgent, bool]:
    """Register (or re-register) a sub-agent. Without a model or machine, as in the seed documents'
    examples, it runs the default model on this machine. Re-registering changes only what it gives: an agent
    that re-registers on restart through the legacy route keeps the model an operator chose for it."""
    if not isinstance(subagent_id, str) or not 1 <= len(subagent_id.strip()) <= 100:
        raise Invalid({"subagent_id": ["subagent_id is 1 to 100 characters"]})
    if metadata is not UNSET and not isinstance(metadata, dict):
        raise Invalid({"metadata": ["metadata must be an object"]})
    if max_concurrent_assignments is not UNSET and (
        isinstance(max_concurrent_assignments, bool)
        or not isinstance(max_concurrent_assignments, int)
        or not 1 <= max_concurrent_assignments <= 100
    ):
        raise Invalid({"max_concurrent_assignments": ["between 1 and 100"]})
    given = {
        "metadata": metadata,
        "model": model,
        "adapter": adapter,
        "machine": machine or UNSET,
        "max_concurrent_assignments": max_concurrent_assignments,
    }
    given = {field: value for field, value in given.items() if value is not UNSET}
    fresh: dict[str, Any] = {
        "metadata": {},
        "model": None,
        "adapter": "",
        "machine": settings.MACHINE_NAME,
        "max_concurrent_assignments": 5,
    }
    with transaction.atomic():
        known = SubAgent.objects.select_for_update().filter(subagent_id=subagent_id.strip()).first()
        values = {
            **({} if known else fresh),
            **given,
            "capabilities": _capabilities_check(capabilities),
            "status": SubAgent.Status.ACTIVE,
        }
        if known is None:
            return SubAgent.objects.create(subagent_id=subagent_id.strip(), **values), True
        for field, value in values.items():
            setattr(known, field, value)
        known.save()
        return known, False


def subagent_get(*, subagent_id: str) -> SubAgent:
    found = SubAgent.objects.filter(subagent_id=subagent_id, status=SubAgent.Status.ACTIVE).first()
    if found is None:
        raise NotFound(f"No registered sub-agent {subagent_id!r}.")
    return found


def subagent_heartbeat(*, subagent_id: str) -> SubAgent:
    """The sub-agent says it is alive (its assignments' batches say so too, as they run)."""
    subagent = subagent_get(subagent_id=subagent_id)
    subagent.last_heartbeat_at = timezone.now()
    SubAgent.objects.filter(pk=subagent.pk).update(last_heartbeat_at=subagent.last_heartbeat_at)
    return subagent


def subagent_unregister(*, subagent_id: str) -> None:
    """It takes no new work, and its pending and running assignments are cancelled; its history stays."""
    from hobbies.assignments import assignments_cancel_running  # cycle: hobbies.assignments imports this module

    subagent = subagent_get(subagent_id=subagent_id)
    SubAgent.objects.filter(pk=subagent.pk).update(status=SubAgent.Status.UNREGISTERED)
    assignments_cancel_running(subagent=subagent)


def subagents_with_counts():
    """Active sub-agents with active, completed and failed counts derived from their assignments."""
    return (
        SubAgent.objects.filter(status=SubAgent.Status.ACTIVE)
        .annotate(
            active_assignments=Count("assignments", filter=Q(assignments__status__in=Assignment.ACTIVE)),
            completed_assignments=Count("assignments", filter=Q(assignments__status=Assignment.Status.COMPLETED)),
            failed_assignments=Count(
                "assignments", filter=Q(assignments__status__in=[Assignment.Status.FAILED, Assignment.Status.TIMED_OUT])
            ),
        )
        .order_by("registered_at")
    )


# --- activities and what they showed ----------------------------------------------------------------------------
def activities_recent(
    *, count: int = 20, hobby_type: str | None = None, status: str | None = None, subagent_id: str | None = None
):
    """The newest activities, with what activity_shape needs fetched in a fixed number of queries."""
    found = Activity.objects.select_related("subagent", "assignment").prefetch_related("insights")
    if hobby_type:
        found = found.filter(hobby_type=hobby_check(hobby_type))
    if status:
        if status not in Activity.Status.values:
            raise Invalid(
                {"status": [f"unknown status {status!r}; the statuses are {', '.join(Activity.Status.values)}"]}
            )
        found = found.filter(status=status)
    if subagent_id:
        found = found.filter(subagent__subagent_id=subagent_id)
    return list(found.order_by("-started_at")[:count])


def insights_recent(*, activities: int = 50) -> list[dict]:
    """The originals' flattened insights of the last N activities: {timestamp, hobby_type, insight}, with the
    insight's id (what feedback names), its kind and the confidence people's feedback has taught for that kind
    (registered by the learning app)."""
    found = [
        (activity, insight) for activity in activities_recent(count=activities) for insight in activity.insights.all()
    ]
    confidence = insight_confidence({insight.kind for _, insight in found})
    return [
        {
            "timestamp": activity.started_at.isoformat(),
            "hobby_type": activity.hobby_type,
            "insight": insight.text,
            "id": insight.pk,
            "kind": insight.kind,
            "confidence": confidence[insight.kind],
        }
        for activity, insight in found
    ]
