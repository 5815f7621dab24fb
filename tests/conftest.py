"""Shared fixtures: personas for each role, API clients, a clean cache, real worker processes."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from redis.exceptions import RedisError
from rest_framework.test import APIClient

from core.roles import ROLES
from core.services import role_user_ensure

pytest_plugins = ["tests.workers.processes", "tests.browser"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Personas get passwords; the production hasher is slow on purpose, which tests do not need.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clean_cache():
    # Throttle counters live in the cache; each test starts with a clean budget. Pure tests (no Redis at
    # hand) skip this; a test that needs Redis fails on its own, saying so.
    try:
        cache.clear()
    except RedisError:
        pass
    yield


class Persona:
    def __init__(self, username: str, role: str | None):
        self.username, self.role = username, role
        self.token = None
        self.user = None
        if role is not None:
            account = role_user_ensure(username=username, role=role)
            self.token = account.token
            from django.contrib.auth import get_user_model

            self.user = get_user_model().objects.get(username=username)

    def client(self) -> APIClient:
        client = APIClient()
        if self.token:
            client.credentials(HTTP_AUTHORIZATION=f"Token {self.token}")
        return client


@pytest.fixture
def personas(db) -> dict[str, Persona]:
    """One persona per role ('operator', 'rater', 'agent', 'viewer'), a second of each ('other_<role>'),
    and 'stranger' (no credentials)."""
    people = {role: Persona(role, role) for role in ROLES}
    people.update({f"other_{role}": Persona(f"other_{role}", role) for role in ROLES})
    people["stranger"] = Persona("stranger", None)
    return people


@pytest.fixture
def operator_client(personas) -> APIClient:
    return personas["operator"].client()
