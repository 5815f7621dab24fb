"""Role checks for every API view.

A view says which part of the product it belongs to with `role_scope`:
  "general" (default): operators do anything, viewers read;
  "feedback": raters (and operators) read and write, viewers read;
  "agent": sub-agents' service tokens (and operators) read and write, viewers read;
  "self": any authenticated user, acting on their own things (the view checks ownership).
A view's `read_methods` names methods besides GET/HEAD/OPTIONS that only read (a search sent as POST).
"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from core.roles import AGENT, OPERATOR, RATER, VIEWER, user_roles

SCOPE_WRITERS = {"general": set(), "feedback": {RATER}, "agent": {AGENT}}


class RolePermission(BasePermission):
    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        if not request.user.is_authenticated:
            return False
        scope = getattr(view, "role_scope", "general")
        roles = user_roles(request.user)
        if scope == "self" or OPERATOR in roles:
            return True
        # A view may declare other methods that only read (a search sent as POST): viewers may use those too.
        if (request.method in SAFE_METHODS or request.method in getattr(view, "read_methods", ())) and VIEWER in roles:
            return True
        return bool(roles & SCOPE_WRITERS.get(scope, set()))


def is_operator(user) -> bool:
    return OPERATOR in user_roles(user)
