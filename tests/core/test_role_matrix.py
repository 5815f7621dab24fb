"""Every role on every route: each route of the URLconf, each method its view answers, each persona (operator,
viewer, rater, agent, stranger), compared with the one table of who may do what (tests/core/role_table.py). Where
objects are owned, an owner and another user of the same role are compared too.

A request is sent with an empty body and a dummy path parameter ("x", 1) that names no object: past the permission
layer it is refused by validation (400) or not found (404), so "allowed" is anything but a refusal (401, 403, or on
a browser route a redirect to log in). The few routes that would start real work with an empty body get a body or
query that validation refuses (HARMLESS below). HEAD and OPTIONS are not sent: they answer as GET does, or only
describe the route.

To add a route: give it a row in tests/core/role_table.py. An Owned entry also needs an owner test here.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.roles import OPERATOR, ROLES
from learning.models import Feedback
from tests.conftest import Persona
from tests.core.role_table import ADMIN, PREFIX_ROWS, PUBLIC, ROUTES, Owned, allowed_roles, row_for
from tests.routes import all_routes, fill, is_browser_route, view_methods

PERSONAS = (*ROLES, "stranger")
WRITES = {"POST", "PUT", "PATCH"}
# With an empty body these would do real work for whoever gets through: instead, validation refuses them (400).
HARMLESS = {
    ("api/v1/hobbies/distribute", "POST"): {"query": "?num_assignments=0"},  # else assignments for sub-agents
    ("hobby/distribute", "POST"): {"query": "?num_assignments=0"},
    ("api/v1/learning/datasets/", "POST"): {"data": {"days_back": 0}},  # else a dataset build queued
    ("api/v1/learning/jobs/", "POST"): {"data": {"days_back": 0}},  # else a training job queued
    ("hobby/lora/train", "POST"): {"data": {"days_back": 0}},
    ("api/v1/memory/embeddings/rebuild-index", "POST"): {"data": {"namespace": 1, "unknown": 1}},  # else rebuilt
}
ADD_A_ROW = (
    "add a row for it to ROUTES in tests/core/role_table.py: {method: who may}, e.g. "
    "{'GET': READERS, 'POST': OPERATORS} (see the sets there, PUBLIC, Owned)"
)


# --- Personas, once per module ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def people(django_db_setup, django_db_blocker):
    """One persona per role and a stranger, made once for the module (each test's changes roll back), each
    person also logged in once, for the browser routes (a session; a test that logs out rolls that back too).
    Their clients are made once too: a new client loads the middleware again (WhiteNoise indexes every static
    file), which would cost more than the requests."""
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=hashers):
        made = {role: Persona(f"matrix-{role}", role) for role in ROLES}
        for persona in made.values():
            browser = Client()
            browser.force_login(persona.user)
            persona.session = browser.cookies[settings.SESSION_COOKIE_NAME].value
    made["stranger"] = Persona("matrix-stranger", None)
    for persona in made.values():
        persona.clients = {False: persona.client(), True: APIClient()}
    yield made
    with django_db_blocker.unblock():
        from django.contrib.sessions.models import Session

        Session.objects.filter(session_key__in=[p.session for p in made.values() if p.user]).delete()
        get_user_model().objects.filter(username__startswith="matrix-").delete()


@pytest.fixture(autouse=True)
def _forget_process_caches():
    # The hobby configuration and live machines are kept a few seconds per process; a matrix request may switch
    # the scheduler (POST /hobby/start) in a transaction that rolls back: forget what this process kept.
    from hobbies import assignments, services

    yield
    assignments._live = (0.0, [])
    services.config_snapshot_forget()


def client_for(persona: Persona, browser: bool) -> APIClient:
    """API routes: the persona's token. Browser routes: the persona logged in (a session), as people are."""
    client = getattr(persona, "clients", {}).get(browser)
    if client is None:  # a persona of conftest's: a client of its own
        client = persona.client() if not browser else APIClient()
        if browser and persona.user is not None:
            client.force_login(persona.user)
        return client
    client.cookies.clear()  # what the last response set (a logout, messages) does not carry over
    if browser and persona.user is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = persona.session
    return client


def send(client: APIClient, method: str, path: str, data: dict | None = None, *, browser: bool = False):
    if method not in WRITES:
        return client.generic(method, path)
    if browser:  # a form, as a browser posts it
        return client.generic(method, path, urlencode(data or {}), content_type="application/x-www-form-urlencoded")
    return getattr(client, method.lower())(path, data or {}, format="json")


def outcome(response) -> str:
    if response.status_code in (401, 403):
        return str(response.status_code)
    if response.status_code in (301, 302, 303) and "login" in response.get("Location", ""):
        return "login"
    return "allowed"


def expected(entry, persona: str, browser: bool) -> set[str]:
    if entry == ADMIN and persona == OPERATOR:
        return {"allowed", "403"}  # in, but a read-only model's admin refuses to add or change (test_admin.py)
    if entry == PUBLIC:
        return {"allowed", "login"}  # shown the way to a login page (where logging out ends): nothing refused
    if persona in allowed_roles(entry):
        return {"allowed"}
    if persona == "stranger":
        return {"login"} if browser else {"401"}
    return {"403", "login"} if browser else {"403"}  # Django admin sends non-staff to its login page


# --- Every route has a row, every method an entry ---------------------------------------------------------


def table_problems() -> list[str]:
    problems = []
    routes = list(all_routes())
    for route in routes:
        row = row_for(route)
        if row is None:
            problems.append(f"{route}: no row; {ADD_A_ROW}")
            continue
        methods = view_methods(route)
        if methods is None or route not in ROUTES:  # a function view declares no methods: its row names them
            continue
        for method in sorted(methods - set(row)):
            problems.append(f"{route}: {method} has no entry; add {method!r}: <who may> to its row")
        for method in sorted(set(row) - methods):
            problems.append(f"{route}: the view does not answer {method}; remove it from the row")
    for route in sorted(set(ROUTES) - set(routes)):
        problems.append(f"{route}: no such route any more; remove its row")
    return problems


def test_every_route_and_method_has_a_row_in_the_table():
    problems = table_problems()
    assert not problems, "\n".join(problems)


def test_dummy_paths_reach_their_own_route():
    # A dummy parameter must not land on another route ("embeddings/x" vs "embeddings/stats").
    from django.urls import resolve

    wrong = [route for route in all_routes() if resolve(fill(route)).route != route.replace("/^", "/")]
    assert not wrong


def test_prefix_rows_only_cover_django_admin():
    # Everything of ours has its own row: only admin's generated pages share one.
    assert set(PREFIX_ROWS) == {"admin/"}


# --- The matrix -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", list(all_routes()))
def test_each_persona_gets_what_the_table_says(db, people, route):
    row = row_for(route)
    assert row is not None, f"{route}: no row; {ADD_A_ROW}"
    missing = (view_methods(route) or set()) - set(row) if route in ROUTES else set()
    assert not missing, f"{route}: {', '.join(sorted(missing))} without an entry; add it to the route's row"
    browser = is_browser_route(route)
    mismatches = []
    for method, entry in sorted(row.items()):
        extra = HARMLESS.get((route, method), {})
        path = fill(route) + extra.get("query", "")
        for name in PERSONAS:
            response = send(client_for(people[name], browser), method, path, extra.get("data"), browser=browser)
            got, want = outcome(response), expected(entry, name, browser)
            if got not in want:
                mismatches.append(
                    f"{method} {path} as {name}: {response.status_code} ({got}), "
                    f"the table says {' or '.join(sorted(want))}"
                )
    assert not mismatches, "\n".join(mismatches)


# --- Owned objects: the owner and another user of the same role --------------------------------------------

TOKEN = "api/v1/users/<str:username>/token"
OWNER_CHECKS = {  # (route, method) -> the test below that checks it
    (TOKEN, "POST"): "test_a_token_is_its_owners",
    (TOKEN, "DELETE"): "test_a_token_is_its_owners",
    ("api/v1/feedback/", "GET"): "test_raters_list_only_their_own_feedback",
    ("api/v1/feedback/", "POST"): "test_a_judgement_is_its_raters",
    ("hobby/feedback", "POST"): "test_a_judgement_is_its_raters",
    ("feedback/", "POST"): "test_a_judgement_is_its_raters",
}


def test_every_owned_entry_has_an_owner_check():
    owned = {
        (route, method) for route, row in ROUTES.items() for method, entry in row.items() if isinstance(entry, Owned)
    }
    assert owned == set(OWNER_CHECKS), "an Owned entry needs an owner-vs-other test here, listed in OWNER_CHECKS"
    assert all(callable(globals().get(name)) for name in OWNER_CHECKS.values())


def token_of(persona: Persona) -> str | None:
    return Token.objects.filter(user=persona.user).values_list("key", flat=True).first()


@pytest.mark.parametrize("method", ["POST", "DELETE"])
@pytest.mark.parametrize("role", ROLES)
def test_a_token_is_its_owners(personas, role, method):
    owner, other = personas[role], personas[f"other_{role}"]
    path = f"/api/v1/users/{owner.username}/token"
    before = token_of(owner)
    response = send(other.client(), method, path)
    if role == OPERATOR:  # operators act on anyone's token
        assert response.status_code in (201, 204) and token_of(owner) != before
    else:  # another user's token looks like no user at all, and stays as it was
        assert response.status_code == 404 and token_of(owner) == before
    owner.token = token_of(owner)
    if owner.token is None:  # an operator just revoked it: issue one to act with
        owner.token = Token.objects.create(user=owner.user).key
    response = send(owner.client(), method, path)
    assert response.status_code in (201, 204)


@pytest.fixture
def target(db):
    from tests.hobbies.metrics_factories import started

    return {"target_type": "activity", "target_id": started(hobby_type="SKILL_PRACTICE").activity_id}


def rate(persona: Persona, target: dict, rating: int) -> None:
    from learning.feedback.ratings import feedback_submit

    feedback_submit(rater=persona.user, rating=rating, **target)


def test_raters_list_only_their_own_feedback(personas, target):
    rate(personas["rater"], target, 4)
    seen = {
        name: personas[name].client().get("/api/v1/feedback/").json()["count"]
        for name in ("rater", "other_rater", "operator", "viewer")
    }
    assert seen == {"rater": 1, "other_rater": 0, "operator": 1, "viewer": 1}


SUBMISSIONS = {  # route -> (path, body for a rating, browser)
    "api/v1/feedback/": ("/api/v1/feedback/", {}, False),
    "hobby/feedback": ("/hobby/feedback", {"feedback_type": "rating"}, False),
    "feedback/": ("/feedback/", {}, True),
}


@pytest.mark.parametrize("route", SUBMISSIONS)
def test_a_judgement_is_its_raters(personas, target, route):
    path, body, browser = SUBMISSIONS[route]
    owner, other = personas["rater"], personas["other_rater"]
    rate(owner, target, 4)

    def mine(persona):
        return (
            Feedback.objects.filter(rater=persona.user, target_id=target["target_id"])
            .values_list("rating", flat=True)
            .first()
        )

    response = send(client_for(other, browser), "POST", path, {**target, **body, "rating": 1}, browser=browser)
    assert response.status_code in (200, 201, 303), response.content[:300]
    assert (mine(owner), mine(other)) == (4, 1)  # the other rater's judgement is theirs; the owner's unchanged
    response = send(client_for(owner, browser), "POST", path, {**target, **body, "rating": 5}, browser=browser)
    assert response.status_code in (200, 303), response.content[:300]
    assert (mine(owner), mine(other)) == (5, 1)
