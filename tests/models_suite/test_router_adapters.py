"""The learned router learns adapters apart from their base model: evaluation runs and practice with a registered
adapter are graded evidence for "<model>:<adapter id>", never for the bare model, and a route's
"<model>:champion" is decided on with the graded answers of the adapter the alias names now (a promotion moves
it). This is what lets a route keep the learning loop's champion local for what it does well."""

from __future__ import annotations

from collections import Counter

import pytest
from django.conf import settings

from hobbies.models import Activity
from hobbies.practice import practise
from learning.loop.adapters import adapter_promote
from models_suite.evaluation.fresh import heldout_prefix
from models_suite.evaluation.suites import get_suite
from models_suite.models import EvalRun, ModelArtifact
from models_suite.services.breakers import breakers_reset
from models_suite.services.registry import model_register_remote
from models_suite.services.router_training import graded_attempts, router_train
from models_suite.services.routing import snapshot_forget
from tests.hobbies.metrics_factories import finished
from tests.learning.lora_factories import lora_dirs, registered, tiny, tiny_dir  # noqa: F401
from workers.models import Machine, WorkerHeartbeat

pytestmark = pytest.mark.django_db

ITEMS = 60  # a fifth is held out by prompt: each candidate keeps well over the 20 attempts it needs


@pytest.fixture(autouse=True)
def _fresh_router(lora_dirs):
    snapshot_forget()
    breakers_reset()
    yield
    snapshot_forget()
    breakers_reset()


def graded_run(model: ModelArtifact, adapter: str, *, right: bool) -> EvalRun:
    items = get_suite("arithmetic").items("heldout", limit=ITEMS)
    return EvalRun.objects.create(
        model=model,
        adapter=adapter,
        suite="arithmetic",
        split="heldout",
        limit=ITEMS,
        status=EvalRun.Status.COMPLETED,
        results=[{"id": item.id, "correct": right} for item in items],
    )


def test_evaluation_runs_of_a_registered_adapter_are_its_own_evidence_and_a_stray_directorys_are_left_out(
    tiny, tmp_path
):
    adapter = adapter_promote(registered(tiny, tmp_path, seed=1))
    graded_run(tiny, "", right=False)
    graded_run(tiny, adapter.path, right=True)  # what the A/B and the learning cycle's measurements pass
    graded_run(tiny, str(tmp_path / "an-operators-own-adapter"), right=True)  # no candidate is named after it
    attempts = [a for a in graded_attempts() if a.candidate.startswith("tiny-lora")]
    assert Counter(a.candidate for a in attempts) == {"tiny-lora": ITEMS, f"tiny-lora:{adapter.adapter_id}": ITEMS}
    assert all(a.correct for a in attempts if a.candidate != "tiny-lora")
    assert not any(a.correct for a in attempts if a.candidate == "tiny-lora")  # the bare model's own answers


def test_practice_records_the_adapter_that_answered_and_its_attempts_are_learned_under_its_id(tiny, tmp_path):
    champion = adapter_promote(registered(tiny, tmp_path, seed=1))
    options = {"hobby_type": "SKILL_PRACTICE", "artifact": tiny, "suites": ("sequences",), "probe_per_suite": 0}
    with_champion = practise(adapter="champion", items_per_suite=3, **options)  # the alias, resolved to its id
    bare = practise(adapter="", items_per_suite=2, **options)
    assert with_champion.status == bare.status == "completed", (with_champion.error, bare.error)
    stored = dict(Activity.objects.values_list("activity_id", "adapter"))
    assert stored == {with_champion.activity.activity_id: champion.adapter_id, bare.activity.activity_id: ""}
    stray = finished(hobby_type="SKILL_PRACTICE")  # answered by a directory nobody registered
    Activity.objects.filter(pk=stray.pk).update(model_name="tiny-lora", adapter=str(tmp_path / "own"))
    counts = Counter(a.candidate for a in graded_attempts() if a.candidate.startswith("tiny-lora"))
    assert counts == {f"tiny-lora:{champion.adapter_id}": 3, "tiny-lora": 2}


def test_a_routes_champion_is_decided_on_with_its_adapters_answers_and_follows_a_promotion(
    personas, tiny, tmp_path, cloud, monkeypatch
):
    monkeypatch.setenv("CLOUD_KEY", cloud.api_key)
    remote = model_register_remote(
        base_url=cloud.base_url, remote_model="cloud-large", api_key_env="CLOUD_KEY", context_length=8192
    )
    machine = Machine.objects.create(name=settings.MACHINE_NAME, roles=["models"])
    WorkerHeartbeat.objects.create(worker_name="w@m", machine=machine, pid=1, queues=[f"models.{machine.name}"])
    good = adapter_promote(registered(tiny, tmp_path, seed=1))
    poor = registered(tiny, tmp_path, seed=2)
    graded_run(tiny, good.path, right=True)
    graded_run(tiny, poor.path, right=False)
    graded_run(tiny, "", right=False)
    graded_run(remote, "", right=True)
    version = router_train(force=True)
    assert set(version.attempts_by_candidate) == {
        f"tiny-lora:{good.adapter_id}",
        f"tiny-lora:{poor.adapter_id}",
        "tiny-lora",
        "cloud-large",
    }
    client = personas["operator"].client()
    created = client.post(
        "/api/v1/router/routes/", {"name": "auto", "candidates": ["tiny-lora:champion", remote.name]}, format="json"
    )
    assert created.status_code == 201, created.json()

    def decide() -> dict:
        response = client.post("/api/v1/router/decide", {"model": "auto", "prompt": "2+3="}, format="json")
        assert response.status_code == 200, response.json()
        return response.json()

    kept = decide()  # the champion answers as well as the remote model: the cheaper one keeps it
    assert (kept["candidate"], kept["step"]) == ("tiny-lora:champion", "learned"), kept["reason"]
    assert "tiny-lora:champion 0.9" in kept["reason"]
    adapter_promote(poor)
    snapshot_forget()  # what the next snapshot (every few seconds) reads
    sent = decide()  # the alias now names an adapter that was always wrong
    assert (sent["candidate"], sent["step"]) == ("cloud-large", "learned"), sent["reason"]
    assert "tiny-lora:champion 0.0" in sent["reason"]


def test_a_run_past_the_split_is_evidence_for_every_item_it_measured(tiny):
    # The learning loop measures past the held-out split (learning.loop.comparisons.measured_count): those items'
    # prompts are found again from the held-out stream, not dropped for lying past the split.
    stream = heldout_prefix(get_suite("arithmetic"), 260)
    EvalRun.objects.create(
        model=tiny,
        suite="arithmetic",
        split="heldout",
        limit=260,
        status=EvalRun.Status.COMPLETED,
        results=[{"id": item.id, "correct": True} for item in stream],
    )
    prompts = [a.prompt for a in graded_attempts() if a.candidate == tiny.name]
    assert prompts == [item.prompt for item in stream]
