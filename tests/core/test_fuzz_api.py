"""The API fuzzed against its own OpenAPI schema: schemathesis, pinned and seeded, on the live server.

Every operation of /api/schema/ is called with generated requests, valid ones and ones the schema forbids
(schemathesis' coverage phase: each parameter's boundaries and wrong types; then Hypothesis examples), by an
operator, throttling raised so the budget never answers 429. Each answer must be no server error and a status,
content type and body the operation documents; every request the schema forbids must be refused with a 4xx.

Real objects stand behind the parameters that name one (a tiny model on machine alpha with alpha's models worker,
machine beta with its control worker, a sub-agent, an assignment, documents, keys, sessions, embeddings, an ingest
batch, an adapter, datasets, a training job, feedback, ...): each is drawn from a schemathesis dictionary of real
names most of the time (REAL_SHARE) and generated otherwise, so that routes are exercised, not answered 404; an
object an operation deleted is made again before the next request.

Nothing is excluded. What could harm the run is bounded by configuration instead: the token routes always name
another user (rotating or revoking the caller's own token would lock the run out); an evaluation asked for covers
one or two items; training jobs, dataset builds, reward-model training and hobby assignments are queued with no
worker for their queues, so nothing trains or practises.

Deterministic: a fixed seed, Hypothesis derandomized, no example database, no shrinking; a bounded number of
examples per operation (FUZZ_EXAMPLES, default 5: the suite's time; the coverage phase tries every boundary anyway). Run it alone:

    .venv/bin/python -m core.embedded_redis run -- .venv/bin/python -m pytest tests/core/test_fuzz_api.py -q

FUZZ_PATHS=<regex> fuzzes the matching paths only; FUZZ_VERBOSE=1 prints every request and its answer.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import httpx
import pytest
import redis
import schemathesis
from _pytest.nodeid import coerce_node_id
from _pytest.nodes import Node
from django.conf import settings as django_settings
from hypothesis.configuration import set_hypothesis_home_dir

# Hypothesis keeps a cache of constants it found in the code; under var/ (ignored), not a new .hypothesis/.
set_hypothesis_home_dir(django_settings.VAR_DIR / "hypothesis")

# schemathesis 4.32.5 names each operation's subtest by rewriting the running node's `_nodeid`, which pytest 9.2
# replaced with a structured `_id`: the old attribute, mapped onto the new one, until schemathesis follows.
if not hasattr(Node, "_nodeid"):
    Node._nodeid = property(lambda node: node.nodeid, lambda node, value: setattr(node, "_id", coerce_node_id(value)))

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

SEED = 20261204
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))  # fuzzing phase: Hypothesis examples per operation
REQUEST_TIMEOUT_SECONDS = 60

# Statuses that count as refusing a request the schema forbids: 413 (body over 1 MiB) is a refusal too.
REJECTION_STATUSES = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]

TINY_MODEL, MODELS_MACHINE, CONTROL_MACHINE = "tiny", "alpha", "beta"
SUBAGENT = "fuzz-agent"
TOKEN_TARGET = "other_viewer"  # whose token the token routes rotate and revoke: never the caller's own
NAMESPACE = "fuzz"
KV_NAMESPACE = "memory_client"  # key-value namespaces are a fixed set


@dataclass
class Tally:
    """What the run did, printed at its end: requests per operation, status codes, slowest requests."""

    requests: Counter = field(default_factory=Counter)
    phases: Counter = field(default_factory=Counter)
    answers: dict = field(default_factory=lambda: defaultdict(Counter))  # operation -> status -> count
    last_refusal: dict = field(default_factory=dict)  # operation -> the last 4xx message it answered
    statuses: Counter = field(default_factory=Counter)
    slowest: list = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def record(self, case, response, seconds: float) -> None:
        label = f"{case.method.upper()} {case.path}"
        self.answers[case.operation.label][response.status_code] += 1
        if 400 <= response.status_code < 500:
            self.last_refusal[case.operation.label] = response.text[:300]
        self.phases[case.meta.phase.name.value if case.meta is not None else "explicit"] += 1
        self.requests[label] += 1
        self.statuses[response.status_code] += 1
        self.slowest.append((seconds, label, response.status_code))
        self.slowest = sorted(self.slowest, reverse=True)[:10]

    def summary(self) -> str:
        lines = [
            f"fuzz: {len(self.answers)} operations, {sum(self.requests.values())} requests in "
            f"{time.monotonic() - self.started:.0f} s; by phase {dict(self.phases)}; "
            f"statuses {dict(sorted(self.statuses.items()))}"
        ]
        refused = sorted(label for label, statuses in self.answers.items() if all(code >= 400 for code in statuses))
        lines.append(f"  operations never answered below 400 ({len(refused)}):")
        lines += [f"    {label} {dict(self.answers[label])}, last: {self.last_refusal.get(label)}" for label in refused]
        lines += [f"  slow: {seconds:.2f} s {label} -> {status}" for seconds, label, status in self.slowest[:5]]
        return "\n".join(lines)


class World:
    """The objects the routes name, made once and made again after an operation deletes them."""

    def __init__(self, tmp_path, personas):
        self.tmp_path, self.personas = tmp_path, personas
        self.ids: dict[str, list] = defaultdict(list)
        self.changed = True  # an accepted write since the last refresh: something may need making again

    # --- made once ---------------------------------------------------------------------------------------------
    def build(self, start_worker):
        from core.services import error_event_record
        from hobbies.catalogue import CATALOGUE
        from hobbies.models import ConsensusRun, HobbyType
        from learning.models import RewardModel
        from models_suite.models import EvalRun
        from models_suite.services.registry import model_register
        from tests.hobbies.metrics_factories import finished
        from tests.learning.lora_factories import practised, registered
        from tests.models_suite.tiny_models import build_tiny_model

        # The type rows the data migrations made (a transactional test before this one may have flushed them).
        HobbyType.objects.bulk_create(
            [HobbyType(name=spec.name, enabled=spec.enabled_by_default) for spec in CATALOGUE.values()],
            ignore_conflicts=True,
        )
        tiny = model_register(
            target=str(build_tiny_model(self.tmp_path / "tiny", n_ctx=48, initializer_range=0.5)), name=TINY_MODEL
        )
        tiny.machine = MODELS_MACHINE
        tiny.save()
        start_worker(MODELS_MACHINE, roles=["models"])
        start_worker(CONTROL_MACHINE, roles=["control"])

        self.subagent()
        activity = finished(hobby_type="SKILL_PRACTICE", agent=self.subagent(), heldout=0.6)
        self.ids["activity_id"].append(activity.activity_id)
        practised(20)
        from learning.feedback.ratings import feedback_submit

        for rater in ("rater", "other_rater"):  # two ratings: enough for a reward model to be asked for
            feedback_submit(
                rater=self.personas[rater].user, target_type="activity", target_id=activity.activity_id, rating=4
            )
        self.ids["event_id"].append(
            error_event_record(source="request", message="fuzz fixture", route="/fuzz", status_code=500).pk
        )
        self.ids["eval_id"].append(
            EvalRun.objects.create(model=tiny, suite="arithmetic", split="heldout", limit=2, status="completed").pk
        )
        self.ids["reward_id"].append(
            RewardModel.objects.create(name="default", version=1, source="feedback", status="failed").pk
        )
        self.ids["consensus_id"].append(
            ConsensusRun.objects.create(hobby_type="SKILL_PRACTICE", seed=1, items_per_suite=2).pk
        )
        adapter = registered(tiny, self.tmp_path)
        self.ids["adapter_id"].append(adapter.adapter_id)
        self.ids["job_id"].append(adapter.training_job.job_id)
        from learning.loop import datasets

        self.ids["dataset_version"].append(datasets.dataset_build(validation_share=0.1).version)
        self.refresh()
        return self

    # --- made again before each request ------------------------------------------------------------------------
    def subagent(self):
        from hobbies.models import SubAgent
        from hobbies.services import subagent_register

        found = SubAgent.objects.filter(subagent_id=SUBAGENT, status=SubAgent.Status.ACTIVE).first()
        return found or subagent_register(subagent_id=SUBAGENT, capabilities=["*"], machine=MODELS_MACHINE)[0]

    def refresh(self):
        """Every object an operation may have deleted exists again (a few existence queries when none was)."""
        self.changed = False
        from core.services import role_user_ensure
        from hobbies.models import Assignment
        from memoryhub.models import Document, Embedding, IngestBatch, MemorySession
        from memoryhub.services import documents, embeddings, kv, sessions

        agent = self.subagent()
        if not Assignment.objects.filter(assignment_id="fuzz-assignment").exists():
            Assignment.objects.create(
                assignment_id="fuzz-assignment",
                subagent=agent,
                hobby_type="SKILL_PRACTICE",
                duration_minutes=1,
                machine=MODELS_MACHINE,
            )
        if not Document.objects.filter(namespace=NAMESPACE, doc_id="fuzz-doc").exists():
            documents.document_put(namespace=NAMESPACE, doc_id="fuzz-doc", content="The fuzz document.")
        if not kv.kv_list(namespace=KV_NAMESPACE, pattern="fuzz-key"):
            kv.kv_set(namespace=KV_NAMESPACE, key="fuzz-key", value={"fuzz": True})
        if not MemorySession.objects.filter(namespace=NAMESPACE, session_id="fuzz-session").exists():
            sessions.session_put(namespace=NAMESPACE, session_id="fuzz-session", data={"fuzz": True})
        if not Embedding.objects.filter(
            namespace=NAMESPACE, content="A fuzz memory.", deleted_at__isnull=True
        ).exists():
            [(row, _)] = embeddings.embeddings_add(namespace=NAMESPACE, items=[{"content": "A fuzz memory."}])
            self.embedding_id = row.embedding_id
        if not IngestBatch.objects.filter(namespace=NAMESPACE).exists():
            embeddings.ingest_batch_create(namespace=NAMESPACE, items=[{"content": "A batch memory."}])
        self.batch_id = IngestBatch.objects.filter(namespace=NAMESPACE).order_by("pk").first().pk
        role_user_ensure(username=TOKEN_TARGET, role="viewer")

    def dictionaries(self) -> dict:
        """The real values each bound parameter is drawn from (schemathesis dictionaries)."""
        from hobbies.catalogue import CATALOGUE

        values = {
            "models": [TINY_MODEL],
            "machines": [CONTROL_MACHINE, MODELS_MACHINE],
            "control_machines": [CONTROL_MACHINE],
            "subagents": [SUBAGENT],
            "hobby_types": sorted(CATALOGUE),
            "namespaces": [NAMESPACE],
            "kv_namespaces": [KV_NAMESPACE, "mc"],
            "doc_ids": ["fuzz-doc"],
            "keys": ["fuzz-key"],
            "sessions": ["fuzz-session"],
            "embeddings": [self.embedding_id],
            "batches": [self.batch_id],
            "assignments": ["fuzz-assignment"],
            "users": [TOKEN_TARGET],
            "activities": self.ids["activity_id"],
            "events": self.ids["event_id"],
            "evals": self.ids["eval_id"],
            "rewards": self.ids["reward_id"],
            "consensus": self.ids["consensus_id"],
            "adapters": self.ids["adapter_id"],
            "jobs": self.ids["job_id"],
            "datasets": self.ids["dataset_version"],
            "feedback_exports": ["sft", "preferences", "kto"],
            "dataset_exports": ["jsonl", "alpaca", "sharegpt"],
            "gateway_models": [TINY_MODEL, f"{TINY_MODEL}:champion"],
            "suites": ["arithmetic", "sorting"],
            "eval_limits": [1, 2],
            "target_types": ["activity"],
            "capabilities": ["*", *sorted(CATALOGUE)],
        }
        return {name: {"values": list(entries)} for name, entries in values.items()}


# Which dictionary each path parameter draws from, by the paths it appears in.
PATH_PARAMETERS = [
    # (path regex, parameter, dictionary)
    (r"^/api/v1/models/", "name", "models"),
    (r"^/api/v1/machines/[^/]+$", "name", "machines"),
    (r"^/api/v1/machines/.*/ping$", "name", "control_machines"),  # answered by beta's control worker
    (r"^/api/v1/hobbies/types/", "name", "hobby_types"),
    (r"subagents/", "subagent_id", "subagents"),
    (r"assignments/", "assignment_id", "assignments"),
    (r"activities/", "activity_id", "activities"),
    (r"^/api/v1/errors/", "id", "events"),
    (r"^/api/v1/eval-runs/", "id", "evals"),
    (r"reward-models/", "id", "rewards"),
    (r"consensus/", "run_id", "consensus"),
    (r"adapters/", "adapter_id", "adapters"),
    (r"jobs/", "job_id", "jobs"),
    (r"datasets/", "version", "datasets"),
    (r"datasets/.*/export/", "kind", "dataset_exports"),
    (r"feedback/exports/", "kind", "feedback_exports"),
    (r"^/(api/v1/memory/)?(doc|documents|session|sessions)/", "namespace", "namespaces"),
    (r"^/(api/v1/memory/)?kv/", "namespace", "kv_namespaces"),
    (r"(doc|documents)/", "doc_id", "doc_ids"),
    (r"kv/", "key", "keys"),
    (r"(session|sessions)/", "session_id", "sessions"),
    (r"(embedding|embeddings)/", "embedding_id", "embeddings"),
    (r"batches/", "batch_id", "batches"),
    # Always another user's: rotating or revoking the caller's own token would lock the rest of the run out.
    (r"^/api/v1/users/", "username", "users", 1.0),
]


# Other parameters drawn from dictionaries: (path regex, parameter as schemathesis names it, dictionary).
OTHER_PARAMETERS = [
    (r"^/hobby/lora/compare$", "query.adapter1", "adapters"),
    (r"^/hobby/lora/compare$", "query.adapter2", "adapters"),
    (r"^/v1/(chat/)?completions$", "body.model", "gateway_models"),
    (r"^/api/v1/eval-runs/$", "body.model", "models"),
    (r"^/api/v1/eval-runs/$", "body.suite", "suites"),
    # A valid run evaluates on alpha's models worker: one or two items, never a whole suite.
    (r"^/api/v1/eval-runs/$", "body.limit", "eval_limits", 1.0),
    (r"^/api/v1/models/.*/swap$", "body.to", "models"),
    (r"^/(api/v1/feedback/|hobby/feedback)$", "body.target_type", "target_types"),
    (r"^/(api/v1/feedback/|hobby/feedback)$", "body.target_id", "activities"),
    (r"^/(api/v1/hobbies/assignments/|hobby/assign-to-subagent)$", "body.subagent_id", "subagents"),
    (
        r"^/(api/v1/hobbies/assignments/|hobby/assign-to-subagent|api/v1/hobbies/consensus/)$",
        "body.hobby_type",
        "hobby_types",
    ),
    (r"^/(api/v1/hobbies/subagents/|hobby/subagents/register)$", "body.model", "models"),
    (r"^/(api/v1/hobbies/subagents/|hobby/subagents/register)$", "body.subagent_id", "subagents"),
    (r"^/(api/v1/hobbies/subagents/|hobby/subagents/register)$", "body.capabilities[*]", "capabilities"),
    (r"^/(api/v1/learning/jobs/|hobby/lora/train)$", "body.model_name", "models"),
    (r"^/hobby/lora/apply$", "body.adapter_id", "adapters"),
]
REAL_SHARE = 0.8  # how often a bound parameter is a real object's name; otherwise a generated value
# More examples where one real request takes several choices to reach: a generation by the tiny model, streamed.
MORE_EXAMPLES = {r"^/v1/(chat/)?completions$": 4 * EXAMPLES}


def operation_configs(paths) -> list[dict]:
    """One entry per path (schemathesis takes an operation's parameters from the first entry that matches it),
    binding each of its parameters that PATH_PARAMETERS or OTHER_PARAMETERS name to a dictionary."""
    configs = []
    for path in paths:
        bound = {}
        for path_regex, name, dictionary, *share in PATH_PARAMETERS:
            if f"{{{name}}}" in path and re.search(path_regex, path) and f"path.{name}" not in bound:
                bound[f"path.{name}"] = {"dictionary": dictionary, "probability": share[0] if share else REAL_SHARE}
        for path_regex, name, dictionary, *share in OTHER_PARAMETERS:
            if re.search(path_regex, path):
                bound[name] = {"dictionary": dictionary, "probability": share[0] if share else REAL_SHARE}
        more = [count for path_regex, count in MORE_EXAMPLES.items() if re.search(path_regex, path)]
        if bound or more:
            configs.append(
                {
                    "include-path": path,
                    "parameters": bound,
                    **({"generation": {"max-examples": more[0]}} if more else {}),
                }
            )
    return configs


def fuzz_config(world: World, base_url: str, token: str, paths) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "base-url": base_url,
            "headers": {"Authorization": f"Bearer {token}"},
            "request-timeout": REQUEST_TIMEOUT_SECONDS,
            "suppress-health-check": ["all"],
            "dictionaries": world.dictionaries(),
            "generation": {
                "mode": "all",
                "max-examples": EXAMPLES,
                "deterministic": True,
                "database": "none",
                "no-shrink": True,
            },
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": False},
            },
            "checks": {
                "enabled": False,
                "not_a_server_error": {"enabled": True},
                "status_code_conformance": {"enabled": True},
                "content_type_conformance": {"enabled": True},
                "response_schema_conformance": {"enabled": True},
                "negative_data_rejection": {"enabled": True, "expected-statuses": REJECTION_STATUSES},
            },
            "operations": operation_configs(paths),
        }
    )


TALLY = Tally()


@pytest.fixture
def fuzz_world(live_server, start_worker, personas, settings, tmp_path, request):
    settings.THROTTLE_RATE = "1000000/min"
    settings.TRAINING_DIR = tmp_path / "training"
    settings.ADAPTERS_DIR = tmp_path / "adapters"
    settings.DATASETS_DIR = tmp_path / "datasets"
    settings.MEMORY_INDEX_DIR = tmp_path / "indexes"
    from memoryhub.services.indexes import indexes_forget

    indexes_forget()
    for url in django_settings.MEMORY_REDIS_URLS.values():
        redis.Redis.from_url(url).flushdb()
    world = World(tmp_path, personas).build(start_worker)
    global TALLY
    TALLY = Tally()
    yield world
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("\n" + TALLY.summary())
    indexes_forget()
    from models_suite.services.hosting import host_shutdown

    host_shutdown()


@pytest.fixture
def fuzz_schema(fuzz_world, live_server, personas):
    token = personas["operator"].token
    document = httpx.get(
        f"{live_server.url}/api/schema/?format=json",
        headers={"Authorization": f"Bearer {token}"},
        timeout=REQUEST_TIMEOUT_SECONDS,
    )
    assert document.status_code == 200, document.text[:500]
    raw = document.json()
    return schemathesis.openapi.from_dict(raw, config=fuzz_config(fuzz_world, live_server.url, token, raw["paths"]))


schema = schemathesis.pytest.from_fixture("fuzz_schema")
if os.environ.get("FUZZ_PATHS"):  # a regex on the path, to fuzz some operations alone
    schema = schema.include(path_regex=os.environ["FUZZ_PATHS"])


@schema.parametrize()
def test_every_operation_honours_its_schema(case, fuzz_world):
    if fuzz_world.changed:
        fuzz_world.refresh()
    started = time.perf_counter()
    response = case.call(timeout=REQUEST_TIMEOUT_SECONDS)
    TALLY.record(case, response, time.perf_counter() - started)
    # Only a write that was accepted can have deleted something (a refused one changes nothing, which the
    # refusal tests check): refreshing after every request cost almost half the run.
    fuzz_world.changed = case.method.upper() not in ("GET", "HEAD", "OPTIONS") and response.status_code < 400
    if os.environ.get("FUZZ_VERBOSE"):
        print(
            case.operation.label,
            case.path_parameters,
            case.query,
            repr(case.body)[:300],
            "->",
            response.status_code,
            response.headers.get("content-type"),
            response.text[:200],
        )
    if response.status_code >= 500:
        print_recorded_failure()
    case.validate_response(response)


def print_recorded_failure() -> None:
    """A 5xx is recorded with its traceback (core.errors): shown beside the failure it explains."""
    from core.models import ErrorEvent

    event = ErrorEvent.objects.order_by("-pk").first()
    if event is not None:
        print(f"recorded {event.route} {event.status_code}: {event.exception_type}: {event.message}\n{event.traceback}")
