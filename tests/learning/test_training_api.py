"""/api/v1/learning/ and the originals' /hobby/lora/* routes: their shapes, who may use them, and bad requests
refused by name leaving nothing behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from hobbies.models import Activity
from learning.loop import dataset_builds
from learning.loop.adapters import adapter_promote
from learning.models import ABComparison, Adapter, LearningCycle, TrainingDataset, TrainingJob
from learning.tasks import dataset_build_task, training_job_run_task
from tests.learning.lora_factories import (  # noqa: F401
    QUICK,
    dirs_empty,
    lora_dirs,
    practised,
    registered,
    tiny,
    tiny_dir,
)

pytestmark = pytest.mark.django_db

READS = [
    "/api/v1/learning/datasets/",
    "/api/v1/learning/jobs/",
    "/api/v1/learning/adapters/",
    "/api/v1/learning/comparisons/",
    "/api/v1/learning/cycles/",
    "/api/v1/learning/stats/",
    "/hobby/lora/jobs",
    "/hobby/lora/status",
    "/hobby/lora/adapters",
    "/hobby/lora/stats",
]
WRITES = [
    "/api/v1/learning/jobs/",
    "/api/v1/learning/datasets/",
    "/api/v1/learning/jobs/job_x/cancel/",
    "/api/v1/learning/adapters/adapter_x/activate/",
    "/api/v1/learning/adapters/adapter_x/archive/",
    "/hobby/lora/train",
    "/hobby/lora/apply",
    "/hobby/lora/adapters/adapter_x/activate",
    "/hobby/lora/adapters/adapter_x/archive",
]
TRAIN_ROUTES = ["/api/v1/learning/jobs/", "/hobby/lora/train"]


@pytest.fixture(autouse=True)
def _dirs(lora_dirs):
    return lora_dirs


@pytest.fixture(autouse=True)
def sent(monkeypatch):
    messages = []
    monkeypatch.setattr(training_job_run_task, "apply_async", lambda kwargs, queue: messages.append(kwargs))
    return messages


def nothing_created(settings) -> bool:
    return not TrainingDataset.objects.exists() and not TrainingJob.objects.exists() and dirs_empty(settings)


@pytest.mark.parametrize("path", READS)
def test_viewers_read_raters_and_strangers_do_not(personas, path):
    assert personas["viewer"].client().get(path).status_code == 200
    assert personas["rater"].client().get(path).status_code == 403
    assert personas["agent"].client().get(path).status_code == 403
    assert personas["stranger"].client().get(path).status_code == 401


@pytest.mark.parametrize("path", WRITES)
def test_only_operators_change_anything(personas, tiny, settings, path):
    practised(30)
    for name in ("viewer", "rater", "agent"):
        response = (
            personas[name].client().post(path, {"model_name": "tiny-lora", "adapter_id": "adapter_x"}, format="json")
        )
        assert response.status_code == 403, (name, response.content)
    assert nothing_created(settings)


def test_a_job_posted_is_accepted_listed_shown_and_cancelled(
    operator_client,
    tiny,
    sent,
    django_capture_on_commit_callbacks,
):
    practised(30)
    with django_capture_on_commit_callbacks(execute=True):  # sent once the request's transaction commits
        answer = operator_client.post(
            "/api/v1/learning/jobs/",
            {
                "model_name": "tiny-lora",
                "num_epochs": 2,
                "learning_rate": 0.001,
                "hobby_type": "SKILL_PRACTICE",
                "config": {"max_steps": 20, "lora_r": 16},
            },
            format="json",
        )
    assert answer.status_code == 202, answer.content
    job = answer.json()
    # Answered before any dataset exists: the worker builds it as the job starts
    assert job["status"] == "pending" and job["num_examples"] == 0 and job["hobby_type"] == "SKILL_PRACTICE"
    assert job["dataset_version"] is None and job["data_path"] is None and job["data_stats"] is None
    assert not TrainingDataset.objects.exists()
    assert job["config"]["num_epochs"] == 2 and job["config"]["learning_rate"] == 0.001
    assert job["config"]["lora_r"] == 16 and job["config"]["max_steps"] == 20
    assert job["config"]["model_name"] == "tiny-lora"
    assert sent == [{"job_pk": TrainingJob.objects.get().pk}]

    listed = operator_client.get("/api/v1/learning/jobs/").json()
    assert listed["count"] == 1 and listed["jobs"][0]["job_id"] == job["job_id"]
    assert operator_client.get(f"/api/v1/learning/jobs/{job['job_id']}/").json() == job
    assert operator_client.get(f"/hobby/lora/jobs/{job['job_id']}").json() == job
    cancelled = operator_client.post(f"/api/v1/learning/jobs/{job['job_id']}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = operator_client.post(f"/api/v1/learning/jobs/{job['job_id']}/cancel/")
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    assert operator_client.get("/api/v1/learning/jobs/job_nobody/").status_code == 404
    assert operator_client.get("/hobby/lora/jobs/job_nobody").status_code == 404


def test_the_originals_train_route_answers_their_shape(operator_client, tiny):
    practised(30)
    answer = operator_client.post(
        "/hobby/lora/train",
        {"model_name": "tiny-lora", "days_back": 7, "min_quality": 0.6, "num_epochs": 1},
        format="json",
    )
    assert answer.status_code == 202, answer.content
    body = answer.json()
    assert set(body) == {"status", "job", "data_stats", "message"} and body["status"] == "started"
    assert body["data_stats"] is None and body["job"]["job_id"] in body["message"]  # built by the worker
    assert body["job"]["config"]["num_epochs"] == 1 and body["job"]["status"] == "pending"

    assert operator_client.get("/hobby/lora/jobs").json() == {"jobs": [body["job"]], "count": 1}
    assert operator_client.get("/hobby/lora/jobs?status=failed").json() == {"jobs": [], "count": 0}
    bad = operator_client.get("/hobby/lora/jobs?status=bogus")
    assert bad.status_code == 400 and "status" in bad.json()["error"]["details"]
    status = operator_client.get("/hobby/lora/status").json()
    assert status["training"] is True and status["count"] == 1 and status["latest_job"] is None
    stats = operator_client.get("/hobby/lora/stats").json()
    assert stats["training_jobs"]["total"] == 1 and stats["training_jobs"]["by_status"]["pending"] == 1
    assert set(stats["training_jobs"]["by_status"]) == set(TrainingJob.Status.values)
    assert {"total", "active", "archived", "active_adapter_id"} <= set(stats["adapters"])
    assert operator_client.get("/api/v1/learning/stats/").json() == stats


@pytest.mark.parametrize("route", TRAIN_ROUTES)
@pytest.mark.parametrize(
    "body, field",
    [
        ({"learning_rate": 1}, "learning_rate"),
        ({"learning_rate": 1e-7}, "learning_rate"),
        ({"num_epochs": 0}, "num_epochs"),
        ({"num_epochs": 11}, "num_epochs"),
        ({"days_back": 0}, "days_back"),
        ({"days_back": 366}, "days_back"),
        ({"min_quality": 2}, "min_quality"),
        ({"config": {"r": 0}}, "r"),
        ({"config": {"warp_speed": 9}}, "warp_speed"),
        ({"config": {"dropout": "lots"}}, "dropout"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_creates_nothing(
    operator_client,
    tiny,
    settings,
    sent,
    route,
    body,
    field,
):
    practised(30)
    response = operator_client.post(route, {"model_name": "tiny-lora", **body}, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["details"] and field in error["message"]
    assert nothing_created(settings) and sent == []


@pytest.mark.parametrize("route", TRAIN_ROUTES)
def test_a_misspelt_field_is_refused_not_silently_dropped(operator_client, tiny, settings, route):
    practised(30)
    response = operator_client.post(route, {"model_name": "tiny-lora", "num_epoch": 1}, format="json")
    assert response.status_code == 400, response.content
    assert "num_epoch" in response.json()["error"]["details"] and nothing_created(settings)


def test_the_hobby_type_is_checked_and_made_canonical(operator_client, tiny, settings):
    practised(30)
    for bad in ("NO_SUCH_HOBBY", "../../outside"):  # the adapter's folder is named after it
        response = operator_client.post(
            "/api/v1/learning/jobs/", {"model_name": "tiny-lora", "hobby_type": bad}, format="json"
        )
        assert response.status_code == 400 and "hobby_type" in response.json()["error"]["details"], bad
        assert nothing_created(settings)
    made = operator_client.post(
        "/api/v1/learning/jobs/", {"model_name": "tiny-lora", "hobby_type": "skill_practice"}, format="json"
    )
    assert made.status_code == 202 and made.json()["hobby_type"] == "SKILL_PRACTICE"  # what champion() looks up


@pytest.mark.parametrize("route", TRAIN_ROUTES)
def test_an_unknown_model_is_a_404_and_too_little_data_a_400_with_the_count(
    operator_client,
    tiny,
    settings,
    route,
):
    practised(30)
    missing = operator_client.post(route, {"model_name": "no-such-model"}, format="json")
    assert missing.status_code == 404 and "no-such-model" in missing.json()["error"]["message"]
    assert nothing_created(settings)
    Activity.objects.all().delete()
    practised(7)
    few = operator_client.post(route, {"model_name": "tiny-lora"}, format="json")
    assert few.status_code == 400, few.content
    error = few.json()["error"]
    assert "Only 7 training examples" in error["message"]
    assert error["details"]["num_examples"] == 7  # a number, as the count it is
    assert nothing_created(settings)


def test_adapters_are_listed_activated_applied_and_archived(operator_client, tiny, tmp_path):
    a, b = registered(tiny, tmp_path, seed=1), registered(tiny, tmp_path, seed=2)
    listed = operator_client.get("/hobby/lora/adapters").json()
    assert listed["count"] == 2 and listed["active_adapter_id"] is None
    assert {row["adapter_id"] for row in listed["adapters"]} == {a.adapter_id, b.adapter_id}
    assert operator_client.get(f"/api/v1/learning/adapters/{b.adapter_id}/").json()["alias"] == "challenger"

    activated = operator_client.post(f"/hobby/lora/adapters/{b.adapter_id}/activate")
    assert activated.status_code == 200, activated.content
    assert {"status": "activated", "adapter_id": b.adapter_id}.items() <= activated.json().items()
    assert "message" in activated.json()
    assert operator_client.get("/hobby/lora/adapters").json()["active_adapter_id"] == b.adapter_id
    applied = operator_client.post("/hobby/lora/apply", {"adapter_id": a.adapter_id}, format="json")
    assert applied.status_code == 200 and applied.json()["status"] == "applied"
    assert [Adapter.objects.get(pk=row.pk).alias for row in (a, b)] == ["champion", "previous"]
    assert operator_client.post("/hobby/lora/apply", {}, format="json").json()["error"]["details"].keys() == {
        "adapter_id"
    }
    assert (
        operator_client.post("/hobby/lora/apply", {"adapter_id": a.adapter_id, "x": 1}, format="json").status_code
        == 400
    )

    archived = operator_client.post(f"/api/v1/learning/adapters/{b.adapter_id}/archive/")
    assert archived.status_code == 200 and archived.json()["status"] == "archived"
    assert operator_client.get("/hobby/lora/adapters?status=archived").json()["count"] == 1
    assert operator_client.get("/hobby/lora/adapters?status=bogus").status_code == 400
    for route in ("/hobby/lora/adapters/adapter_nobody/activate", "/api/v1/learning/adapters/adapter_nobody/archive/"):
        assert operator_client.post(route).status_code == 404
    stats = operator_client.get("/hobby/lora/stats").json()["adapters"]
    assert (stats["total"], stats["archived"], stats["active_adapter_id"]) == (2, 1, a.adapter_id)


def test_a_damaged_adapter_is_a_409_and_the_champion_stays(operator_client, tiny, tmp_path):
    serving = adapter_promote(registered(tiny, tmp_path, seed=1))
    damaged = registered(tiny, tmp_path, seed=2)
    weights = Path(damaged.path) / "adapter_model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-1] + b"\0")
    response = operator_client.post(f"/api/v1/learning/adapters/{damaged.adapter_id}/activate/")
    assert response.status_code == 409 and "refused" in response.json()["error"]["message"]
    assert operator_client.get("/hobby/lora/adapters").json()["active_adapter_id"] == serving.adapter_id


def test_compare_answers_the_latest_measured_ab_in_the_originals_shape(operator_client, tiny, tmp_path):
    assert operator_client.get("/hobby/lora/compare").status_code == 404
    a, b = registered(tiny, tmp_path, seed=1), registered(tiny, tmp_path, seed=2)
    c = registered(tiny, tmp_path, seed=3)
    ABComparison.objects.create(
        challenger=b,
        champion=a,
        target_suite="arithmetic",
        promote=True,
        reason="arithmetic +5 points",
        suites=[
            {"suite": "arithmetic", "items": 100, "difference": 5.0},
            {"suite": "sorting", "items": 50, "difference": -2.0},
        ],
    )
    body = operator_client.get("/hobby/lora/compare").json()
    assert body["adapter_1"] == {"adapter_id": a.adapter_id, "adapter_name": a.adapter_name, "metrics": a.metrics}
    assert body["adapter_2"]["adapter_id"] == b.adapter_id
    assert body["comparison"]["accuracy_diff"] == pytest.approx(0.0267)  # (500 - 100) / 150 points
    assert body["comparison"]["loss_diff"] == pytest.approx(1.0)  # 3.0 - 2.0
    assert body["comparison"]["recommendation"].startswith("promote adapter_2")
    both = operator_client.get(f"/hobby/lora/compare?adapter1={b.adapter_id}&adapter2={a.adapter_id}")
    assert both.json() == body
    assert operator_client.get(f"/hobby/lora/compare?adapter1={a.adapter_id}").status_code == 400
    assert (
        operator_client.get(f"/hobby/lora/compare?adapter1={a.adapter_id}&adapter2={c.adapter_id}").status_code == 404
    )
    listed = operator_client.get("/api/v1/learning/comparisons/").json()["comparisons"]
    assert [(row["challenger"], row["champion"], row["promote"]) for row in listed] == [
        (b.adapter_id, a.adapter_id, True)
    ]


def test_datasets_and_cycles_routes(operator_client, settings, monkeypatch, django_capture_on_commit_callbacks):
    practised(20)
    sent = []
    monkeypatch.setattr(dataset_build_task, "apply_async", lambda kwargs, queue: sent.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        accepted = operator_client.post("/api/v1/learning/datasets/", {"validation_share": 0.1}, format="json")
    assert accepted.status_code == 202, accepted.content  # answered at once: a training worker builds it
    build = accepted.json()
    assert build["status"] == "pending" and build["dataset_version"] is None and not TrainingDataset.objects.exists()
    assert build["params"]["validation_share"] == 0.1 and sent == [{"build_pk": build["build_id"]}]

    done = dataset_builds.build_execute(build_pk=build["build_id"])  # what the worker runs
    assert done.status == "completed" and dataset_builds.build_execute(build_pk=build["build_id"]) is None  # once
    shown = operator_client.get(f"/api/v1/learning/datasets/builds/{build['build_id']}/").json()
    assert shown["status"] == "completed" and shown["dataset_version"] == 1 and shown["attempts"] == 1
    built = operator_client.get("/api/v1/learning/datasets/1/")
    assert built.json()["version"] == 1 and built.json()["train_count"] == 18
    assert operator_client.get("/api/v1/learning/datasets/").json()["count"] == 1
    assert operator_client.get("/api/v1/learning/datasets/builds/999/").status_code == 404
    exported = operator_client.get("/api/v1/learning/datasets/1/export/alpaca/")
    assert exported.status_code == 200 and len(b"".join(exported.streaming_content).splitlines()) == 18
    assert operator_client.get("/api/v1/learning/datasets/1/export/csv/").status_code == 404
    assert operator_client.get("/api/v1/learning/datasets/9/").status_code == 404
    refused = operator_client.post("/api/v1/learning/datasets/", {"days_back": 0}, format="json")
    assert refused.status_code == 400 and "days_back" in refused.json()["error"]["details"]

    LearningCycle.objects.create(status="skipped", skill="addition", trigger="schedule")
    cycles = operator_client.get("/api/v1/learning/cycles/").json()["cycles"]
    assert [(c["status"], c["skill"], c["training_job"]) for c in cycles] == [("skipped", "addition", None)]
