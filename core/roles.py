"""The four roles, as Django groups. Superusers count as operators."""

from __future__ import annotations

OPERATOR, RATER, AGENT, VIEWER = "operator", "rater", "agent", "viewer"
ROLES = (OPERATOR, RATER, AGENT, VIEWER)

ROLE_DESCRIPTIONS = {
    OPERATOR: "everything",
    RATER: "the feedback forms and feedback API only",
    AGENT: "a sub-agent's service token: reports results and heartbeats, nothing else",
    VIEWER: "read-only access to every API resource",
}


def user_roles(user) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_autodidact_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True)) & set(ROLES)
        if user.is_superuser:
            names.add(OPERATOR)
        cached = user._autodidact_roles = frozenset(names)
    return cached
