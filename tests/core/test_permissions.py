"""The role matrix, per part of the product (a view's role_scope), for reads and writes."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from core.permissions import RolePermission

ALLOWED = {
    # scope: {role: (may read, may write)}
    "general": {"operator": (1, 1), "viewer": (1, 0), "rater": (0, 0), "agent": (0, 0)},
    "feedback": {"operator": (1, 1), "viewer": (1, 0), "rater": (1, 1), "agent": (0, 0)},
    "agent": {"operator": (1, 1), "viewer": (1, 0), "rater": (0, 0), "agent": (1, 1)},
    "self": {"operator": (1, 1), "viewer": (1, 1), "rater": (1, 1), "agent": (1, 1)},
}


@pytest.mark.parametrize("scope", ALLOWED)
@pytest.mark.parametrize("role", ["operator", "viewer", "rater", "agent"])
def test_each_role_reaches_only_its_part(personas, scope, role):
    view = SimpleNamespace(role_scope=scope)
    may_read, may_write = ALLOWED[scope][role]
    user = personas[role].user
    assert RolePermission().has_permission(SimpleNamespace(user=user, method="GET"), view) == bool(may_read)
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert RolePermission().has_permission(SimpleNamespace(user=user, method=method), view) == bool(may_write)


@pytest.mark.parametrize("scope", ALLOWED)
def test_strangers_reach_nothing(scope):
    request = SimpleNamespace(user=AnonymousUser(), method="GET")
    assert not RolePermission().has_permission(request, SimpleNamespace(role_scope=scope))
