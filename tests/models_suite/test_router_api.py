"""The router's REST API: routes (operators define, viewers read), the dry-run decision, breakers and the
learned router's versions."""

from __future__ import annotations

import pytest
from django.conf import settings

from models_suite.evaluation.suites import get_suite
from models_suite.models import EvalRun, ModelArtifact, Route, RouterModel
from models_suite.routing.decision import Policy
from models_suite.services.breakers import breaker_for, breakers_reset
from models_suite.services.registry import model_register_remote
from models_suite.services.routing import snapshot_forget
from workers.models import Machine, WorkerHeartbeat

ROUTES = "/api/v1/router/routes/"
DECIDE = "/api/v1/router/decide"
DECISION_KEYS = {"candidate", "backend", "complexity", "reason", "step", "alternatives"}


@pytest.fixture(autouse=True)
def _fresh_router():
    # The routing snapshot is cached per process and breakers live in it: each test starts from neither.
    snapshot_forget()
    breakers_reset()
    yield
    snapshot_forget()
    breakers_reset()


@pytest.fixture
def remote(db, cloud, monkeypatch):
    """The fake cloud's model, registered as a real operator would (the endpoint is asked for its models)."""
    monkeypatch.setenv("CLOUD_KEY", cloud.api_key)
    return model_register_remote(
        base_url=cloud.base_url, remote_model="cloud-large", api_key_env="CLOUD_KEY", context_length=8192
    )


@pytest.fixture
def models_worker(db):
    """A live worker consuming this machine's models queue: the local model's machine can run it."""
    machine = Machine.objects.create(name=settings.MACHINE_NAME, roles=["models"])
    return WorkerHeartbeat.objects.create(
        worker_name=f"w@{machine.name}", machine=machine, pid=1, queues=[f"models.{machine.name}"]
    )


@pytest.fixture
def route(tiny, remote):
    """The route "auto": the tiny local model (context 64, a character per token) first, the cloud model last."""
    return Route.objects.create(name="auto", candidates=[tiny.name, remote.name])


def _decide(client, **body):
    return client.post(DECIDE, {"model": "auto", **body}, format="json")


# --- Routes: CRUD and who may do it --------------------------------------------------------------------------------


def test_viewers_list_routes_but_may_not_create_one(personas, tiny, remote):
    Route.objects.create(name="auto", candidates=["tiny"])
    viewer = personas["viewer"].client()
    listed = viewer.get(ROUTES)
    assert listed.status_code == 200 and [r["name"] for r in listed.json()] == ["auto"]
    refused = viewer.post(ROUTES, {"name": "other", "candidates": ["tiny"]}, format="json")
    assert refused.status_code == 403 and not Route.objects.filter(name="other").exists()


def test_operators_create_read_replace_and_delete_a_route(personas, tiny, remote):
    operator = personas["operator"].client()
    body = {
        "name": "auto",
        "candidates": ["tiny", "cloud-large"],
        "policy": {"heavy_at": 0.5, "failure_threshold": 5},
        "enabled": True,
        "description": "cheap first",
    }
    created = operator.post(ROUTES, body, format="json")
    assert created.status_code == 201, created.json()
    assert {k: created.json()[k] for k in body} == body and "created_at" in created.json()
    assert Route.objects.get(name="auto").policy == {"heavy_at": 0.5, "failure_threshold": 5}

    read = personas["viewer"].client().get(f"{ROUTES}auto")
    assert read.status_code == 200 and read.json()["candidates"] == ["tiny", "cloud-large"]

    replaced = operator.put(
        f"{ROUTES}auto", {"name": "auto", "candidates": ["cloud-large"], "enabled": False}, format="json"
    )
    assert replaced.status_code == 200, replaced.json()
    stored = Route.objects.get(name="auto")
    assert (stored.candidates, stored.policy, stored.enabled, stored.description) == (["cloud-large"], {}, False, "")

    assert operator.delete(f"{ROUTES}auto").status_code == 204
    assert not Route.objects.exists()


def test_an_unknown_route_is_404_for_read_replace_and_delete(personas, tiny):
    operator = personas["operator"].client()
    assert operator.get(f"{ROUTES}nope").status_code == 404
    assert operator.put(f"{ROUTES}nope", {"name": "nope", "candidates": ["tiny"]}, format="json").status_code == 404
    assert operator.delete(f"{ROUTES}nope").status_code == 404
    assert not Route.objects.exists()


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"candidates": ["tiny", "gpt-17"]}, "candidates", "'gpt-17' is not a registered model"),
        ({"candidates": []}, "candidates", "non-empty list"),
        ({"candidates": ["tiny", "tiny"]}, "candidates", "listed twice"),
        ({"name": "tiny"}, "name", "registered model's name"),
        ({"policy": {"heavy_at_": 0.5}}, "policy", "unknown key 'heavy_at_'"),
        ({"policy": {"heavy_at": 2}}, "policy", "heavy_at must be a number from 0.0 to 1.0"),
        ({"policy": {"failure_threshold": 2.5}}, "policy", "failure_threshold must be a whole number"),
        ({"candidates": ["tiny", "cloud-large:my-lora"]}, "candidates", "adapters attach to local models only"),
    ],
)
def test_an_invalid_route_is_400_naming_the_field_and_writes_nothing(personas, tiny, remote, change, field, words):
    body = {"name": "auto", "candidates": ["tiny", "cloud-large"], **change}
    response = personas["operator"].client().post(ROUTES, body, format="json")
    assert response.status_code == 400, response.json()
    details = response.json()["error"]["details"]
    assert set(details) == {field} and any(words in message for message in details[field]), details
    assert not Route.objects.exists()


def test_an_invalid_replacement_leaves_the_stored_route_as_it_was(personas, route):
    response = (
        personas["operator"]
        .client()
        .put(f"{ROUTES}auto", {"name": "auto", "candidates": ["tiny", "nope"]}, format="json")
    )
    assert response.status_code == 400 and "candidates" in response.json()["error"]["details"]
    assert Route.objects.get(name="auto").candidates == ["tiny", "cloud-large"]


# --- The dry-run decision ------------------------------------------------------------------------------------------


def test_a_greeting_stays_on_the_cheap_local_model(personas, route, models_worker):
    response = _decide(personas["agent"].client(), messages=[{"role": "user", "content": "hi there!"}])
    assert response.status_code == 200, response.json()
    decision = response.json()
    assert set(decision) == DECISION_KEYS
    assert (decision["candidate"], decision["backend"], decision["step"]) == ("tiny", "local", "content")
    assert decision["alternatives"] == [{"candidate": "cloud-large", "backend": "remote", "state": "usable"}]


def test_an_explicit_heavy_task_type_goes_to_the_remote_model_by_rule(personas, route, models_worker):
    response = _decide(personas["viewer"].client(), prompt="hi", metadata={"task_type": "code_generation"})
    assert response.status_code == 200, response.json()
    decision = response.json()
    assert (decision["candidate"], decision["backend"], decision["step"]) == ("cloud-large", "remote", "rule")
    assert decision["complexity"] == 0.9 and "code_generation" in decision["reason"]
    assert decision["alternatives"] == [{"candidate": "tiny", "backend": "local", "state": "usable"}]


def test_a_light_task_type_goes_to_the_cheapest(personas, route, models_worker):
    decision = _decide(personas["agent"].client(), prompt="hello", metadata={"task_type": "greeting"}).json()
    assert (decision["candidate"], decision["step"], decision["complexity"]) == ("tiny", "rule", 0.1)


def test_a_request_longer_than_the_local_context_never_goes_local(personas, route, models_worker):
    # 80 characters is 80 tokens for a character tokenizer: more than tiny's context of 64, even for a greeting.
    for metadata in ({}, {"task_type": "greeting"}):
        response = _decide(personas["agent"].client(), prompt="hello " * 14, metadata=metadata)
        assert response.status_code == 200, response.json()
        decision = response.json()
        assert (decision["candidate"], decision["backend"]) == ("cloud-large", "remote")
        [local] = decision["alternatives"]
        assert local["candidate"] == "tiny" and "its context is 64" in local["state"]


def test_an_open_breaker_takes_its_candidate_out_of_the_decision(personas, route, models_worker):
    for _ in range(3):
        breaker_for("tiny", Policy()).failure("connection refused")
    decision = _decide(personas["agent"].client(), prompt="hi").json()
    assert decision["candidate"] == "cloud-large"
    assert "circuit breaker open" in decision["alternatives"][0]["state"]


def test_with_no_live_worker_no_candidate_is_usable_and_the_503_says_why_for_each(personas, route):
    response = _decide(personas["agent"].client(), prompt="hi")
    assert response.status_code == 503, response.json()
    error = response.json()["error"]
    assert error["code"] == "no_usable_candidate"
    states = {s["candidate"]: s["state"] for s in error["details"]["candidates"]}
    assert states == {
        "tiny": f"no live models worker on {settings.MACHINE_NAME}",
        "cloud-large": "no live models worker to call it",
    }
    assert "tiny" in error["message"] and "cloud-large" in error["message"]


def test_a_stale_heartbeat_is_no_live_worker(personas, route, models_worker):
    from datetime import timedelta

    from django.utils import timezone

    WorkerHeartbeat.objects.update(last_beat_at=timezone.now() - timedelta(days=1))
    assert _decide(personas["agent"].client(), prompt="hi").status_code == 503


def test_an_unknown_route_is_404_and_a_disabled_one_409(personas, route, models_worker):
    agent = personas["agent"].client()
    assert agent.post(DECIDE, {"model": "nope", "prompt": "hi"}, format="json").status_code == 404
    # A model's own name is not a route either: the gateway sends it straight to that model.
    assert agent.post(DECIDE, {"model": "tiny", "prompt": "hi"}, format="json").status_code == 404
    Route.objects.filter(name="auto").update(enabled=False)
    snapshot_forget()
    assert _decide(agent, prompt="hi").status_code == 409


def test_a_disabled_route_says_so_in_its_409(personas, route, models_worker):
    Route.objects.filter(name="auto").update(enabled=False)
    error = _decide(personas["agent"].client(), prompt="hi").json()["error"]
    assert error["code"] == "route_disabled" and "'auto' is disabled" in error["message"]


def test_a_task_type_the_route_adds_in_any_spelling_is_used_by_rule(personas, tiny, remote, models_worker):
    policy = {"task_complexity": {"Deep Research": 0.95}}
    body = {"name": "auto", "candidates": ["tiny", "cloud-large"], "policy": policy}
    assert personas["operator"].client().post(ROUTES, body, format="json").status_code == 201
    decision = _decide(personas["agent"].client(), prompt="hi", metadata={"task_type": "deep research"}).json()
    assert (decision["candidate"], decision["step"], decision["complexity"]) == ("cloud-large", "rule", 0.95)


@pytest.mark.parametrize(
    "body",
    [
        {"prompt": "hi", "messages": [{"role": "user", "content": "hi"}]},
        {},
        {"messages": [{"role": "user", "content": ["not", "text"]}]},
    ],
)
def test_a_request_needs_messages_or_a_prompt_not_both(personas, route, models_worker, body):
    response = _decide(personas["agent"].client(), **body)
    assert response.status_code == 400 and "messages" in response.json()["error"]["details"]


def test_who_may_ask_for_a_decision(personas, route, models_worker):
    for role in ("viewer", "agent", "operator"):
        assert _decide(personas[role].client(), prompt="hi").status_code == 200, role
    assert _decide(personas["stranger"].client(), prompt="hi").status_code in (401, 403)


def test_a_saved_route_is_decided_on_at_once(personas, tiny, remote, models_worker):
    # Saving through the API forgets the cached snapshot: no 2-second wait before the route exists.
    operator = personas["operator"].client()
    assert _decide(operator, prompt="hi").status_code == 404
    assert operator.post(ROUTES, {"name": "auto", "candidates": ["cloud-large"]}, format="json").status_code == 201
    assert _decide(operator, prompt="hi").json()["candidate"] == "cloud-large"
    assert operator.delete(f"{ROUTES}auto").status_code == 204
    assert _decide(operator, prompt="hi").status_code == 404


# --- Breakers ------------------------------------------------------------------------------------------------------


def test_breakers_list_this_process_breakers_and_an_opened_one_says_open(personas, route, models_worker):
    viewer = personas["viewer"].client()
    assert viewer.get("/api/v1/router/breakers/").json() == []
    for _ in range(3):
        breaker_for("cloud-large", Policy()).failure("503 from the cloud")
    response = viewer.get("/api/v1/router/breakers/")
    assert response.status_code == 200
    [entry] = response.json()
    assert entry["candidate"] == "cloud-large" and entry["state"] == "open"
    assert entry["consecutive_failures"] == 3 and entry["last_error"] == "503 from the cloud"
    assert 0 < entry["seconds_until_probe"] <= 30 and entry["found_by"] == "this process"


def test_an_outage_another_process_published_shows_as_adopted(personas, route, models_worker):
    from models_suite.services import breakers

    breakers._shared().set(
        breakers.SHARED_KEY.format("cloud-large"), '{"error": "refused", "by": "web-9 pid 9"}', px=20_000
    )
    snapshot_forget()  # the next snapshot reads the shared breakers
    decision = _decide(personas["agent"].client(), prompt="hi").json()
    assert decision["candidate"] == "tiny"
    listed = personas["viewer"].client().get("/api/v1/router/breakers/").json()
    [entry] = [e for e in listed if e["candidate"] == "cloud-large"]
    assert entry["state"] == "open"
    assert entry["found_by"] == "another process" and "found by web-9 pid 9" in entry["last_error"]


# --- The learned router's versions ---------------------------------------------------------------------------------

ITEMS = 60  # a fifth is held out by prompt: each model keeps well over the 20 attempts a model needs


def _graded_run(model: ModelArtifact, right_every: int) -> EvalRun:
    items = get_suite("arithmetic").items("heldout", limit=ITEMS)
    results = [{"id": item.id, "correct": index % right_every == 0} for index, item in enumerate(items)]
    return EvalRun.objects.create(
        model=model, suite="arithmetic", split="heldout", limit=ITEMS, status="completed", adapter="", results=results
    )


def test_training_with_no_graded_attempts_is_409(personas, tiny, remote):
    response = personas["operator"].client().post("/api/v1/router/models/")
    assert response.status_code == 409 and response.json()["error"]["code"] == "too_few_attempts"
    assert not RouterModel.objects.exists()


def test_training_needs_two_graded_models(personas, tiny, remote):
    _graded_run(tiny, right_every=3)
    response = personas["operator"].client().post("/api/v1/router/models/")
    assert response.status_code == 409 and response.json()["error"]["code"] == "too_few_attempts"


def test_operators_train_a_version_from_evaluation_runs_and_anyone_reads_it(personas, tiny, remote):
    _graded_run(tiny, right_every=3)
    _graded_run(remote, right_every=1)  # always right
    assert personas["viewer"].client().post("/api/v1/router/models/").status_code == 403

    response = personas["operator"].client().post("/api/v1/router/models/")
    assert response.status_code == 201, response.json()
    version = response.json()
    assert version["version"] == 1 and version["attempt_count"] == 2 * ITEMS
    trained, held = version["attempts_by_candidate"], version["evaluation"]
    assert set(trained) == set(held) == {"tiny", "cloud-large"}
    # Each attempt is either trained on or held out to measure the version, never both.
    assert all(20 <= trained[name] < ITEMS and trained[name] + held[name]["attempts"] == ITEMS for name in trained)
    assert held["cloud-large"]["right_rate"] == 1.0 and 0 < held["tiny"]["right_rate"] < 1

    listed = personas["viewer"].client().get("/api/v1/router/models/").json()
    assert [v["version"] for v in listed] == [1]
    assert listed[0]["attempts_by_candidate"] == version["attempts_by_candidate"]

    again = personas["operator"].client().post("/api/v1/router/models/")
    assert again.status_code == 201 and again.json()["version"] == 2
    assert [v["version"] for v in personas["viewer"].client().get("/api/v1/router/models/").json()] == [2, 1]
