"""The model suite's REST API: models and evaluation runs."""

import pytest

from models_suite.models import EvalRun, ModelArtifact


@pytest.fixture
def remote_model(db):
    return ModelArtifact.objects.create(
        name="cloud-large",
        kind="remote",
        base_url="http://127.0.0.1:9/v1",
        remote_model="cloud-large",
        context_length=4096,
    )


def test_anyone_with_a_role_to_read_lists_models(personas, remote_model):
    response = personas["viewer"].client().get("/api/v1/models/")
    assert response.status_code == 200 and response.json()["results"][0]["name"] == "cloud-large"
    assert personas["viewer"].client().get("/api/v1/models/cloud-large").json()["context_length"] == 4096
    assert personas["viewer"].client().get("/api/v1/models/nope").status_code == 404


def test_operators_start_evaluation_runs_and_the_work_is_queued(
    personas, remote_model, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = (
            personas["operator"]
            .client()
            .post("/api/v1/eval-runs/", {"model": "cloud-large", "suite": "arithmetic", "limit": 5}, format="json")
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending" and body["split"] == "heldout" and body["model"] == "cloud-large"
    assert len(callbacks) == 1  # sent to a models queue once the row is committed
    detail = personas["viewer"].client().get(f"/api/v1/eval-runs/{body['id']}").json()
    assert detail["results"] == [] and detail["limit"] == 5


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"model": "cloud-large", "suite": "cooking"}, "suite"),
        ({"model": "nope", "suite": "arithmetic"}, "model"),
        ({"model": "cloud-large", "suite": "arithmetic", "split": "test"}, "split"),
        ({"model": "cloud-large", "suite": "arithmetic", "limit": 0}, "limit"),
        ({"model": "cloud-large", "suite": "arithmetic", "temperature": 1}, "temperature"),
    ],
)
def test_bad_evaluation_requests_are_400_naming_the_field_and_change_nothing(personas, remote_model, payload, field):
    response = personas["operator"].client().post("/api/v1/eval-runs/", payload, format="json")
    assert response.status_code == 400 and field in response.json()["error"]["details"]
    assert not EvalRun.objects.exists()


def test_viewers_cannot_start_runs(personas, remote_model):
    response = (
        personas["viewer"]
        .client()
        .post("/api/v1/eval-runs/", {"model": "cloud-large", "suite": "arithmetic"}, format="json")
    )
    assert response.status_code == 403 and not EvalRun.objects.exists()
