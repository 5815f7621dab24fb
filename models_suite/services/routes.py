"""Routes: defining, validating and reading them. A route's policy is stored as given (only the keys an operator
set) and read through policy_of(), which fills in the defaults, so changing a default changes every route that
did not choose otherwise."""

from __future__ import annotations

import re
from dataclasses import fields

from django.db import transaction

from core.errors import Invalid, NotFound
from models_suite.models import ModelArtifact, Route
from models_suite.routing.complexity import normalise_task_type
from models_suite.routing.decision import Policy

SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
MAX_CANDIDATES = 8
# Policy keys and the ranges an operator may set: a typo or a nonsense value is refused, never stored.
_RANGES: dict[str, tuple[float, float]] = {
    "heavy_at": (0.0, 1.0),
    "content_heavy_at": (0.0, 1.0),
    "quality_margin": (0.0, 1.0),
    "timeout_seconds": (0.1, 600.0),
    "failure_threshold": (1, 100),
    "cooldown_seconds": (0.1, 3600.0),
}
POLICY_KEYS = {f.name for f in fields(Policy)}


def policy_of(route: Route) -> Policy:
    given = dict(route.policy or {})
    if "task_complexity" in given:  # edits the default table: entries given replace or add, the rest stay
        edits = {normalise_task_type(k): v for k, v in given["task_complexity"].items()}
        given["task_complexity"] = {**Policy().task_complexity, **edits}
    return Policy(**given)


def _policy_errors(policy) -> list[str]:
    if not isinstance(policy, dict):
        return ["must be an object"]
    errors = []
    for key, value in policy.items():
        if key not in POLICY_KEYS:
            errors.append(f"unknown key {key!r}; the keys are {', '.join(sorted(POLICY_KEYS))}")
        elif key == "use_learned":
            if not isinstance(value, bool):
                errors.append("use_learned must be true or false")
        elif key == "task_complexity":
            if not isinstance(value, dict) or not all(
                isinstance(k, str) and normalise_task_type(k) and _number(v) and 0 <= v <= 1 for k, v in value.items()
            ):
                errors.append("task_complexity maps task types to numbers from 0 to 1")
        else:
            low, high = _RANGES[key]
            if not _number(value) or not low <= value <= high or (isinstance(low, int) and not isinstance(value, int)):
                errors.append(f"{key} must be a {'whole ' if isinstance(low, int) else ''}number from {low} to {high}")
    return errors


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _candidate_errors(candidates) -> list[str]:
    if not isinstance(candidates, list) or not candidates:
        return ["must be a non-empty list of registered model names"]
    if len(candidates) > MAX_CANDIDATES:
        return [f"at most {MAX_CANDIDATES} candidates"]
    if not all(isinstance(c, str) and c for c in candidates):
        return ["each candidate is a registered model name (a string)"]
    errors = []
    if len(set(candidates)) != len(candidates):
        errors.append("a candidate is listed twice")
    bases = {c.partition(":")[0] for c in candidates}
    known = dict(ModelArtifact.objects.filter(name__in=bases).values_list("name", "kind"))
    for candidate in candidates:
        base, _, adapter = candidate.partition(":")
        if base not in known:
            errors.append(f"{base!r} is not a registered model (GET /api/v1/models/ lists them)")
        elif adapter and known[base] == ModelArtifact.Kind.REMOTE:
            errors.append(f"{candidate!r}: adapters attach to local models only")
        elif adapter and not SLUG.match(adapter):
            errors.append(f"{candidate!r}: an adapter is an alias or an adapter id")
    return errors


def route_validate(*, name: str, candidates, policy, current: Route | None) -> None:
    errors: dict[str, list[str]] = {}
    if not isinstance(name, str) or not SLUG.match(name) or len(name) > 100:
        errors["name"] = ["letters, digits, - and _ only, at most 100 characters"]
    elif ModelArtifact.objects.filter(name=name).exists():
        errors["name"] = [f"{name!r} is a registered model's name: a route needs a name of its own"]
    elif Route.objects.filter(name=name).exclude(pk=current.pk if current else -1).exists():
        errors["name"] = [f"a route named {name!r} exists"]
    if candidate_errors := _candidate_errors(candidates):
        errors["candidates"] = candidate_errors
    if policy_errors := _policy_errors(policy):
        errors["policy"] = policy_errors
    if errors:
        raise Invalid(errors)


def route_named(name: str) -> Route:
    route = Route.objects.filter(name=name).first()
    if route is None:
        raise NotFound(f"No route named {name!r}; GET /api/v1/router/routes/ lists them.")
    return route


@transaction.atomic
def route_save(
    *,
    name: str,
    candidates: list,
    policy: dict | None = None,
    enabled: bool = True,
    description: str = "",
    current: Route | None = None,
) -> Route:
    """Create a route, or replace `current`'s definition. Nothing is written unless all of it is valid."""
    policy = {} if policy is None else policy
    route_validate(name=name, candidates=candidates, policy=policy, current=current)
    route = current or Route()
    route.name, route.candidates, route.policy = name, candidates, policy
    route.enabled, route.description = enabled, description
    route.save()
    return route
