"""The schema describes every /api/v1 answer's body, and the routes answer what it describes.

A body documented as a bare object ({"type": "object"}) tells a client nothing: every /api/v1 operation's 2xx JSON
answer must name its fields (or be a list of described items). And so that the description cannot drift from the
code, representative routes of every app are called for real and their answers validated against the schema,
strictly: a field the schema does not list fails too.
"""

from __future__ import annotations

import copy
import json

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker

from tests.hobbies.conftest import _hobby_types  # noqa: F401  (autouse: the type rows a transactional flush removes)
from tests.learning.lora_factories import lora_dirs, registered, tiny, tiny_dir  # noqa: F401  (fixtures)
from tests.memoryhub.conftest import index_dir, memory_redis  # noqa: F401  (fixtures)

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
# Bodies that are not JSON objects by nature: a stream of events, Prometheus text, JSON Lines.
NON_JSON_OK = {"text/event-stream", "text/plain", "application/jsonl"}


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    """The schema as served (JSON), generated once for the module."""
    with django_db_blocker.unblock():
        generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


# --- every answer is described ------------------------------------------------------------------------------------
def resolved(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rpartition("/")[2]]
    return node


def described(schema: dict, node: dict | None) -> bool:
    """Whether a body's schema says what is in it: named properties, a map of described values, a list of
    described items, a scalar, or a choice among described ones."""
    if not node:
        return False
    node = resolved(schema, node)
    for combined in ("allOf", "oneOf", "anyOf"):
        if combined in node:
            return all(described(schema, part) for part in node[combined])
    if node.get("type") == "array":
        return described(schema, node.get("items"))
    if node.get("type") in {"string", "integer", "number", "boolean"}:
        return True
    if node.get("properties"):
        return True
    values = node.get("additionalProperties")
    return isinstance(values, dict) and described(schema, values)


def undescribed_answers(schema: dict, prefix: str = "/api/v1/") -> list[str]:
    found = []
    for path, item in schema["paths"].items():
        if not path.startswith(prefix):
            continue
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            for status, response in operation["responses"].items():
                if not status.startswith("2") or status == "204":
                    continue
                content = response.get("content") or {}
                where = f"{method.upper()} {path} {status}"
                if "application/json" in content:
                    if not described(schema, content["application/json"].get("schema")):
                        found.append(f"{where}: {json.dumps(content['application/json'].get('schema'))}")
                elif not set(content) & NON_JSON_OK:
                    found.append(f"{where}: no body documented ({sorted(content) or 'no content'})")
    return found


def test_every_api_v1_answer_describes_its_body(schema):
    operations = [(p, m) for p, item in schema["paths"].items() if p.startswith("/api/v1/") for m in item]
    assert len(operations) >= 90, "the walk found too few /api/v1 operations to be checking them"
    bare = undescribed_answers(schema)
    assert not bare, (
        "These /api/v1 answers document no fields: give each an output serializer (or inline_serializer) in "
        "extend_schema(responses=...):\n  " + "\n  ".join(bare)
    )


@pytest.mark.parametrize(
    "node, expected",
    [
        ({"type": "object"}, False),
        ({"type": "object", "additionalProperties": {}}, False),
        ({"type": "array", "items": {"type": "object"}}, False),
        (None, False),
        ({"type": "object", "properties": {"id": {"type": "integer"}}}, True),
        ({"type": "object", "additionalProperties": {"type": "integer"}}, True),
        ({"type": "array", "items": {"$ref": "#/components/schemas/Error"}}, True),
        ({"oneOf": [{"type": "boolean"}, {"type": "object"}]}, False),
    ],
)
def test_the_check_tells_a_bare_object_from_a_described_one(schema, node, expected):
    # Guard: a check that passed everything would let every bare body through.
    assert described(schema, node) is expected


# --- what the routes answer is what the schema says -----------------------------------------------------------------
def closed(node):
    """The schema with every object that lists its properties closed to others: additionalProperties false."""
    if isinstance(node, list):
        return [closed(part) for part in node]
    if not isinstance(node, dict):
        return node
    node = {key: closed(value) for key, value in node.items()}
    if "properties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    # Spectacular documents a blank-or-URL field as oneOf [{maxLength: 0}, {format: uri}]; '' passes both where
    # the uri format goes unchecked (as here, without rfc3987), so oneOf would refuse it. anyOf is what is meant.
    if "oneOf" in node:
        node["anyOf"] = node.pop("oneOf")
    # A nullable nested serializer is {allOf: [$ref], nullable: true}: null, or what the reference describes (the
    # validator would apply the referenced object's type to null too).
    if "allOf" in node and node.pop("nullable", False):
        node = {"anyOf": [node, {"enum": [None]}]}
    return node


@pytest.fixture(scope="module")
def strict_components(schema) -> dict:
    return closed(copy.deepcopy(schema["components"]))


@pytest.fixture
def answers_as_documented(schema, strict_components):
    """check(response, path, method): the response's status is documented for the operation, and its JSON body
    validates against that status's schema, with no field the schema does not list."""

    def check(response, path: str, method: str):
        responses = schema["paths"][path][method]["responses"]
        status = str(response.status_code)
        assert status in responses, f"{method.upper()} {path} answered {status}: {response.content[:500]!r}"
        documented = responses[status]["content"]["application/json"]["schema"]
        root = {**closed(documented), "components": strict_components}
        validator = OAS30ReadValidator(root, format_checker=oas30_format_checker)
        body = response.json()
        errors = [
            f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}" for e in validator.iter_errors(body)
        ]
        assert not errors, f"{method.upper()} {path} {status} does not match its schema:\n  " + "\n  ".join(errors)
        return body

    return check


class Answered:
    """A response as the check reads it: a status and a JSON body."""

    def __init__(self, status_code: int, body):
        self.status_code, self.body, self.content = status_code, body, json.dumps(body).encode()

    def json(self):
        return self.body


@pytest.mark.parametrize(
    "body",
    [
        {"status": "ok", "machine": "m1", "extra": 1},  # a field the schema does not list
        {"status": "ok", "machine": 7},  # a wrong type
        {"status": "ok"},  # a required field missing
    ],
)
def test_the_check_refuses_a_body_unlike_its_schema(answers_as_documented, body):
    # Guard: a check that passed everything would let the documentation drift unseen.
    with pytest.raises(AssertionError, match="does not match its schema"):
        answers_as_documented(Answered(200, body), "/health", "get")
    answers_as_documented(Answered(200, {"status": "ok", "machine": "m1"}), "/health", "get")


def test_core_answers_as_documented(personas, answers_as_documented):
    client = personas["operator"].client()
    answers_as_documented(client.get("/api/v1/"), "/api/v1/", "get")
    answers_as_documented(client.get("/api/v1/me"), "/api/v1/me", "get")


def test_workers_answer_as_documented(personas, answers_as_documented):
    from workers.models import Machine

    Machine.objects.create(name="schema-machine", roles=["control"])
    client = personas["operator"].client()
    answers_as_documented(client.get("/api/v1/machines/"), "/api/v1/machines/", "get")
    # wait_seconds 0: the ping is only published to the machine's queue, so no worker is needed.
    ping = client.post("/api/v1/machines/schema-machine/ping", {"wait_seconds": 0}, format="json")
    assert ping.status_code == 202
    answers_as_documented(ping, "/api/v1/machines/{name}/ping", "post")


def test_models_answer_as_documented(personas, answers_as_documented, tiny):
    client = personas["operator"].client()
    answers_as_documented(client.get(f"/api/v1/models/{tiny.name}"), "/api/v1/models/{name}", "get")
    queued = client.post(f"/api/v1/models/{tiny.name}/unload", {"wait_seconds": 0}, format="json")
    assert queued.status_code == 202
    answers_as_documented(queued, "/api/v1/models/{name}/unload", "post")


def test_hobbies_answer_as_documented(personas, answers_as_documented):
    from hobbies.models import Assignment, ConsensusItem, ConsensusRun, SubAgent
    from tests.hobbies.metrics_factories import finished, started

    client = personas["operator"].client()
    registration = {"subagent_id": "schema-agent", "capabilities": ["*"], "machine": "m1", "metadata": {"a": 1}}
    created = client.post("/api/v1/hobbies/subagents/", registration, format="json")
    assert created.status_code == 201
    answers_as_documented(created, "/api/v1/hobbies/subagents/", "post")
    agent = SubAgent.objects.get(subagent_id="schema-agent")
    running = Assignment.objects.create(
        assignment_id="schema-assignment",
        subagent=agent,
        hobby_type="SKILL_PRACTICE",
        duration_minutes=1,
        machine="m1",
        status=Assignment.Status.RUNNING,
    )
    activity = finished(hobby_type="SKILL_PRACTICE", agent=agent, heldout=0.6, assignment=running)
    started(hobby_type="SKILL_PRACTICE", agent=agent, description="still practising")  # a current activity
    run = ConsensusRun.objects.create(hobby_type="SKILL_PRACTICE", seed=1, items_per_suite=1)
    run.subagents.add(agent)
    ConsensusItem.objects.create(
        run=run, item_id="arithmetic/heldout/0", prompt="1+1=", answer="2", agreeing=1, confidence="low"
    )

    reads = {
        "/api/v1/hobbies/config": "/api/v1/hobbies/config",
        "/api/v1/hobbies/types/": "/api/v1/hobbies/types/",
        "/api/v1/hobbies/subagents/": "/api/v1/hobbies/subagents/",
        "/api/v1/hobbies/subagents/schema-agent": "/api/v1/hobbies/subagents/{subagent_id}",
        "/api/v1/hobbies/activities/": "/api/v1/hobbies/activities/",
        f"/api/v1/hobbies/activities/{activity.activity_id}": "/api/v1/hobbies/activities/{activity_id}",
        "/api/v1/hobbies/assignments/": "/api/v1/hobbies/assignments/",
        "/api/v1/hobbies/assignments/schema-assignment": "/api/v1/hobbies/assignments/{assignment_id}",
        f"/api/v1/hobbies/consensus/{run.pk}": "/api/v1/hobbies/consensus/{run_id}",
        "/api/v1/hobbies/scheduler": "/api/v1/hobbies/scheduler",
        "/api/v1/hobbies/progress": "/api/v1/hobbies/progress",
        "/api/v1/hobbies/metrics/summary": "/api/v1/hobbies/metrics/summary",
        "/api/v1/hobbies/dashboard": "/api/v1/hobbies/dashboard",
        "/hobby/status": "/hobby/status",
    }
    for url, path in reads.items():
        answers_as_documented(client.get(url), path, "get")
    body = answers_as_documented(
        client.get("/api/v1/hobbies/assignments/schema-assignment"),
        "/api/v1/hobbies/assignments/{assignment_id}",
        "get",
    )
    assert body["result"]["activity_id"] == activity.activity_id  # a finished one: its result described too
    answers_as_documented(
        client.patch("/api/v1/hobbies/config", {"variety_factor": 0.4}, format="json"),
        "/api/v1/hobbies/config",
        "patch",
    )
    answers_as_documented(
        client.put("/api/v1/hobbies/scheduler", {"running": False}, format="json"), "/api/v1/hobbies/scheduler", "put"
    )
    answers_as_documented(
        client.post("/api/v1/hobbies/interactions", {"agent_id": "schema-agent"}, format="json"),
        "/api/v1/hobbies/interactions",
        "post",
    )
    answers_as_documented(
        client.post("/api/v1/hobbies/subagents/schema-agent/heartbeat"),
        "/api/v1/hobbies/subagents/{subagent_id}/heartbeat",
        "post",
    )


def test_learning_answers_as_documented(personas, answers_as_documented, tiny, lora_dirs, tmp_path):
    from tests.hobbies.metrics_factories import finished, subagent

    activity = finished(hobby_type="SKILL_PRACTICE", agent=subagent("sa-schema"), heldout=0.6)
    for rater in ("rater", "other_rater"):
        rating = {"target_type": "activity", "target_id": activity.activity_id, "rating": 4, "comment": "clear"}
        recorded = personas[rater].client().post("/api/v1/feedback/", rating, format="json")
        assert recorded.status_code == 201
        answers_as_documented(recorded, "/api/v1/feedback/", "post")
    adapter = registered(tiny, tmp_path)
    client = personas["operator"].client()
    reads = {
        "/api/v1/feedback/": "/api/v1/feedback/",
        "/api/v1/feedback/queue": "/api/v1/feedback/queue",
        "/api/v1/feedback/signals": "/api/v1/feedback/signals",
        "/api/v1/feedback/quality": "/api/v1/feedback/quality",
        "/api/v1/feedback/stats": "/api/v1/feedback/stats",
        "/api/v1/feedback/trends": "/api/v1/feedback/trends",
        "/api/v1/feedback/agreement": "/api/v1/feedback/agreement",
        "/api/v1/feedback/reward-models": "/api/v1/feedback/reward-models",
        "/api/v1/feedback/patterns": "/api/v1/feedback/patterns",
        "/api/v1/learning/datasets/": "/api/v1/learning/datasets/",
        "/api/v1/learning/jobs/": "/api/v1/learning/jobs/",
        f"/api/v1/learning/jobs/{adapter.training_job.job_id}/": "/api/v1/learning/jobs/{job_id}/",
        "/api/v1/learning/adapters/": "/api/v1/learning/adapters/",
        f"/api/v1/learning/adapters/{adapter.adapter_id}/": "/api/v1/learning/adapters/{adapter_id}/",
        "/api/v1/learning/stats/": "/api/v1/learning/stats/",
    }
    for url, path in reads.items():
        answers_as_documented(client.get(url), path, "get")
    answers_as_documented(client.post("/api/v1/feedback/patterns"), "/api/v1/feedback/patterns", "post")
    queued = client.post("/api/v1/feedback/reward-models")
    assert queued.status_code == 202  # two ratings: enough to ask for one (no worker trains it here)
    answers_as_documented(queued, "/api/v1/feedback/reward-models", "post")
    answers_as_documented(
        client.post(f"/api/v1/learning/adapters/{adapter.adapter_id}/archive/"),
        "/api/v1/learning/adapters/{adapter_id}/archive/",
        "post",
    )


def test_memory_hub_answers_as_documented(personas, answers_as_documented, memory_redis, index_dir):
    client = personas["agent"].client()
    stored = client.post("/api/v1/memory/kv/", {"key": "k1", "value": {"n": 1}, "expire": 60}, format="json")
    assert stored.status_code == 201
    answers_as_documented(stored, "/api/v1/memory/kv/", "post")
    answers_as_documented(
        client.get("/api/v1/memory/kv/memory_client/k1"), "/api/v1/memory/kv/{namespace}/{key}", "get"
    )
    answers_as_documented(client.get("/api/v1/memory/kv/memory_client/"), "/api/v1/memory/kv/{namespace}/", "get")
    answers_as_documented(
        client.delete("/api/v1/memory/kv/memory_client/k1"), "/api/v1/memory/kv/{namespace}/{key}", "delete"
    )
    document = {"doc_id": "d1", "title": "Notes", "content": "Sorting puts things in order.", "metadata": {"a": 1}}
    answers_as_documented(
        client.post("/api/v1/memory/documents/", document, format="json"), "/api/v1/memory/documents/", "post"
    )
    answers_as_documented(client.get("/api/v1/memory/documents/", {"limit": 1}), "/api/v1/memory/documents/", "get")
    memory = {"content": "The user prefers short answers.", "category": "preference"}
    answers_as_documented(
        client.post("/api/v1/memory/embeddings/", memory, format="json"), "/api/v1/memory/embeddings/", "post"
    )
    answers_as_documented(
        client.post("/api/v1/memory/embeddings/search", {"query": "short answers"}, format="json"),
        "/api/v1/memory/embeddings/search",
        "post",
    )
    answers_as_documented(client.get("/api/v1/memory/embeddings/stats"), "/api/v1/memory/embeddings/stats", "get")
    session = {"session_id": "s1", "user_id": "schema-agent", "data": {"entries": ["asked about sorting"]}}
    answers_as_documented(
        client.post("/api/v1/memory/sessions/", session, format="json"), "/api/v1/memory/sessions/", "post"
    )
    answers_as_documented(
        client.post("/api/v1/memory/context", {"agent": "schema-agent", "query": "sorting"}, format="json"),
        "/api/v1/memory/context",
        "post",
    )


def test_knowledge_graph_answers_as_documented(personas, answers_as_documented, memory_redis, index_dir):
    from memoryhub.services.documents import document_put
    from memoryhub.services.graph_build import graph_update

    document_put(namespace="kb", doc_id="keller", content="Maria Keller is an engineer at Brightwater Analytics.")
    document_put(namespace="kb", doc_id="hq", title="Brightwater Analytics", content="It is based in Tallinn.")
    graph_update()
    client, operator = personas["viewer"].client(), personas["operator"].client()
    answers_as_documented(
        client.post(
            "/api/v1/memory/context",
            {"agent": "a", "query": "Where is Maria Keller's employer based?", "graph": True},
            format="json",
        ),
        "/api/v1/memory/context",
        "post",
    )
    for url, route in [
        ("/api/v1/graph/", "/api/v1/graph/"),
        ("/api/v1/graph/stats", "/api/v1/graph/stats"),
        ("/api/v1/graph/concepts/Maria Keller", "/api/v1/graph/concepts/{concept}"),
        ("/api/v1/graph/path?from=maria keller&to=tallinn", "/api/v1/graph/path"),
        ("/api/v1/graph/path?from=maria keller&to=tallinn&weighted=1", "/api/v1/graph/path"),
        ("/api/v1/graph/path?from=maria keller&to=kb/hq&max_hops=1", "/api/v1/graph/path"),  # none found
        ("/api/v1/graph/visualize", "/api/v1/graph/visualize"),
        ("/api/v1/graph/search?q=bright", "/api/v1/graph/search"),
        ("/api/v1/graph/similar?concept=tallinn", "/api/v1/graph/similar"),
    ]:
        answers_as_documented(client.get(url), route, "get")
    query = {"query": {"match": {"kind": "concept"}, "traverse": [{"relation": "mentions", "direction": "in"}]}}
    answers_as_documented(client.post("/api/v1/graph/query", query, format="json"), "/api/v1/graph/query", "post")
    answers_as_documented(operator.post("/api/v1/graph/communities"), "/api/v1/graph/communities", "post")
    answers_as_documented(client.get("/api/v1/graph/communities"), "/api/v1/graph/communities", "get")
    answers_as_documented(operator.post("/api/v1/graph/build"), "/api/v1/graph/build", "post")
