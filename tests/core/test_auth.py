"""Who may call what: the four roles, token ownership, Bearer tokens, and the role-user command."""

from __future__ import annotations

import io
import json

import pytest
import redis
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.roles import ROLES
from core.services import role_user_ensure
from tests.routes import fill, protected_routes
from workers.models import Machine
from workers.queues import queue_name

MACHINE = "auth-test-machine"
NON_OPERATOR_ROLES = [role for role in ROLES if role != "operator"]
# Which routes are public or for browsers, and fill(), live in tests/routes.py (the role matrix shares them).


def assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, (response.status_code, response.content[:300])
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    assert body["error"]["code"] == code, body


def client_with(header: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    return client


def me_status(token: str) -> int:
    return client_with(f"Token {token}").get("/api/v1/me").status_code


@pytest.fixture
def machine(db):
    Machine.objects.create(name=MACHINE, roles=["control"])
    broker = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    yield
    broker.delete(queue_name("control", MACHINE))  # no worker consumes it: leave nothing behind


# --- Public and protected routes --------------------------------------------------------------------------


def test_route_walk_sees_the_api():
    # Guard for the parametrized test below: if the walk found nothing, it would check nothing.
    routes = protected_routes()
    for expected in ("metrics", "api/schema/", "api/v1/me", "api/v1/machines/<str:name>/ping", "api/v1/errors/"):
        assert expected in routes


def test_health_needs_no_auth(client, db):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_readiness_needs_no_auth(client, db):
    # Ready or not (no worker runs here), the answer is the probe's, never an auth refusal.
    response = client.get("/health/ready")
    assert response.status_code in (200, 503)
    assert response.json().get("status") == "ready" or response.json()["error"]["code"] == "not_ready"


@pytest.mark.parametrize("route", protected_routes())
def test_every_other_route_refuses_anonymous_callers_with_401(client, db, route):
    # Authentication is checked before the method and before the object lookup, so an anonymous caller
    # learns nothing (not even whether a method exists: ping is POST-only, yet GET gets 401, not 405).
    # No Accept header: every view, the schema's YAML one included, must answer its errors in JSON.
    for method in ("get", "post", "put", "patch", "delete"):
        assert_error(getattr(client, method)(fill(route)), 401, "not_authenticated")


@pytest.mark.parametrize("route", protected_routes())
def test_every_other_route_refuses_a_bad_token_with_401(db, route):
    assert_error(client_with("Token 0000000000").get(fill(route)), 401, "authentication_failed")


# --- Roles on a general resource --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, read, write",
    [
        ("operator", 200, 202),
        ("viewer", 200, 403),
        ("rater", 403, 403),
        ("agent", 403, 403),
        ("stranger", 401, 401),
    ],
)
def test_general_resources_by_role(personas, machine, persona, read, write):
    client = personas[persona].client()
    assert client.get("/api/v1/errors/").status_code == read
    assert client.get(f"/api/v1/machines/{MACHINE}").status_code == read
    # wait_seconds 0: the ping is only published to the machine's queue, so no worker is needed.
    assert client.post(f"/api/v1/machines/{MACHINE}/ping", {"wait_seconds": 0}, format="json").status_code == write


def test_a_user_without_a_role_is_refused(db):
    # Roles are group memberships: an account with a valid token but no role group may read nothing.
    user = get_user_model().objects.create(username="operator-without-group")
    token = Token.objects.create(user=user).key
    assert_error(client_with(f"Token {token}").get("/api/v1/errors/"), 403, "forbidden")


# --- Tokens: rotate and revoke ----------------------------------------------------------------------------


def token_url(username: str) -> str:
    return f"/api/v1/users/{username}/token"


def current_token(persona) -> str | None:
    return Token.objects.filter(user=persona.user).values_list("key", flat=True).first()


@pytest.mark.parametrize("role", ROLES)
def test_owner_can_rotate_own_token(personas, role):
    owner = personas[role]
    response = owner.client().post(token_url(owner.username))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["username"] == owner.username
    assert body["token"] != owner.token and body["token"] == current_token(owner)
    assert me_status(body["token"]) == 200
    assert me_status(owner.token) == 401


@pytest.mark.parametrize("role", ROLES)
def test_owner_can_revoke_own_token(personas, role):
    owner = personas[role]
    response = owner.client().delete(token_url(owner.username))
    assert response.status_code == 204
    assert current_token(owner) is None
    assert me_status(owner.token) == 401
    assert client_with(f"Bearer {owner.token}").get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("role", NON_OPERATOR_ROLES)
@pytest.mark.parametrize("method", ["post", "delete"])
def test_other_user_of_the_same_role_gets_404_and_changes_nothing(personas, role, method):
    owner, other = personas[role], personas[f"other_{role}"]
    response = getattr(other.client(), method)(token_url(owner.username))
    assert_error(response, 404, "not_found")
    assert current_token(owner) == owner.token and current_token(other) == other.token
    assert me_status(owner.token) == 200


@pytest.mark.parametrize("role", NON_OPERATOR_ROLES)
def test_non_operators_cannot_touch_anyone_elses_token(personas, role):
    actor = personas[role]
    for target in personas.values():
        if target is actor or target.user is None:
            continue
        for method in ("post", "delete"):
            assert_error(getattr(actor.client(), method)(token_url(target.username)), 404, "not_found")
        assert current_token(target) == target.token


def test_someone_elses_account_looks_exactly_like_no_account(personas):
    # The 404 must not reveal which usernames exist.
    client = personas["viewer"].client()
    existing = client.post(token_url("operator"))
    missing = client.post(token_url("nobody-by-this-name"))
    assert existing.status_code == missing.status_code == 404
    assert existing.json() == missing.json()


@pytest.mark.parametrize("target", ["rater", "agent", "viewer", "other_operator", "other_agent"])
def test_operator_can_rotate_and_revoke_anyones_token(personas, target):
    operator, person = personas["operator"].client(), personas[target]
    response = operator.post(token_url(person.username))
    assert response.status_code == 201
    new = response.json()["token"]
    assert me_status(person.token) == 401 and me_status(new) == 200
    assert operator.delete(token_url(person.username)).status_code == 204
    assert me_status(new) == 401 and current_token(person) is None


def test_operator_gets_404_for_a_user_that_does_not_exist(operator_client):
    assert_error(operator_client.post(token_url("nobody-by-this-name")), 404, "not_found")


@pytest.mark.parametrize("method", ["post", "delete"])
def test_stranger_gets_401_and_changes_nothing(personas, method):
    response = getattr(personas["stranger"].client(), method)(token_url("viewer"))
    assert_error(response, 401, "not_authenticated")
    assert current_token(personas["viewer"]) == personas["viewer"].token


# --- Bearer and bad tokens --------------------------------------------------------------------------------


@pytest.mark.parametrize("keyword", ["Bearer", "Token", "bearer"])
def test_both_keywords_authenticate(personas, keyword):
    response = client_with(f"{keyword} {personas['viewer'].token}").get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == "viewer"


@pytest.mark.parametrize(
    "header, code",
    [
        ("Bearer not-a-token", "authentication_failed"),
        ("Token not-a-token", "authentication_failed"),
        ("Bearer", "authentication_failed"),  # keyword without a key
        ("Bearer two parts", "authentication_failed"),
        ("Basic dmlld2VyOnB3", "not_authenticated"),  # a scheme we do not take counts as no credentials
    ],
)
def test_bad_credentials_are_401_in_the_error_shape(db, header, code):
    response = client_with(header).get("/api/v1/me")
    assert_error(response, 401, code)
    assert response["WWW-Authenticate"] == "Bearer"


# --- /me --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["operator", "rater", "agent", "viewer", "other_agent"])
def test_me_names_the_caller_and_their_roles(personas, persona):
    response = personas[persona].client().get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == persona
    assert body["roles"] == [personas[persona].role]


# --- No password-for-token exchange -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api-token-auth/", "/api/v1/auth/token", "/api/v1/token", "/auth/token", "/token", "/api/v1/login"]
)
def test_no_route_exchanges_a_password_for_a_token(client, db, path):
    # Tokens are issued by the create_role_user command or by an authenticated caller, never for a password.
    account = role_user_ensure(username="pw-user", role="operator", password="correct horse battery")
    payload = {"username": "pw-user", "password": "correct horse battery"}
    response = client.post(path, payload, content_type="application/json")
    assert response.status_code in (401, 403, 404, 405), response.status_code
    assert account.token.encode() not in response.content
    assert b'"token"' not in response.content


# --- The create_role_user command -------------------------------------------------------------------------


def run_command(*args) -> dict:
    out = io.StringIO()
    call_command("create_role_user", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize("role", ROLES)
def test_command_creates_a_user_with_a_working_token(db, role):
    result = run_command(f"cmd-{role}", "--role", role)
    assert result["created"] is True and result["role"] == role
    response = client_with(f"Bearer {result['token']}").get("/api/v1/me")
    assert response.status_code == 200
    assert (response.json()["username"], response.json()["roles"]) == (f"cmd-{role}", [role])
    assert Token.objects.get(user__username=f"cmd-{role}").key == result["token"]


def test_command_gives_agents_no_usable_password(db):
    # A sub-agent authenticates with its service token only; it cannot log in to admin or the forms.
    result = run_command("cmd-agent", "--role", "agent")
    assert result["password"] is None
    assert not get_user_model().objects.get(username="cmd-agent").has_usable_password()


def test_command_gives_people_a_password_that_works(db):
    result = run_command("cmd-rater", "--role", "rater")
    assert result["password"]
    assert get_user_model().objects.get(username="cmd-rater").check_password(result["password"])


def test_command_takes_the_password_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("CMD_TEST_PASSWORD", "from the environment")
    run_command("cmd-viewer", "--role", "viewer", "--password-env", "CMD_TEST_PASSWORD")
    assert get_user_model().objects.get(username="cmd-viewer").check_password("from the environment")
    monkeypatch.delenv("CMD_TEST_PASSWORD")
    with pytest.raises(CommandError):
        run_command("cmd-viewer", "--role", "viewer", "--password-env", "CMD_TEST_PASSWORD")


def test_command_rerun_keeps_the_token_and_rotate_token_replaces_it(db):
    first = run_command("cmd-op", "--role", "operator")
    again = run_command("cmd-op", "--role", "operator")
    assert again["created"] is False and again["token"] == first["token"]
    rotated = run_command("cmd-op", "--role", "operator", "--rotate-token")
    assert rotated["token"] != first["token"]
    assert me_status(rotated["token"]) == 200
    assert me_status(first["token"]) == 401


def test_command_changing_the_role_replaces_the_old_one(db):
    # Demoting an operator must take away operator rights (superuser included), not add a second role.
    token = run_command("cmd-demoted", "--role", "operator")["token"]
    run_command("cmd-demoted", "--role", "viewer")
    user = get_user_model().objects.get(username="cmd-demoted")
    assert not user.is_superuser and not user.is_staff
    assert client_with(f"Token {token}").get("/api/v1/me").json()["roles"] == ["viewer"]
    assert client_with(f"Token {token}").delete(token_url("operator")).status_code == 404


@pytest.mark.parametrize("role", ["wizard", "Operator", ""])
def test_command_refuses_an_unknown_role(db, role):
    with pytest.raises((CommandError, SystemExit)):
        call_command("create_role_user", "cmd-wizard", "--role", role, stdout=io.StringIO())
    assert not get_user_model().objects.filter(username="cmd-wizard").exists()
