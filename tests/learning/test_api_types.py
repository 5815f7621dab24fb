"""The learning routes refuse values of the wrong JSON type (the schema says string, number, boolean) instead of
converting them (DRF took 0 as "0" and false as 0.0), name the field, and change nothing."""

from __future__ import annotations

import pytest

from learning.models import Adapter, Feedback, RewardSignal, TrainingDataset, TrainingJob
from tests.learning.lora_factories import lora_dirs, registered, tiny, tiny_dir  # noqa: F401

pytestmark = pytest.mark.django_db


def assert_refused(response, field: str) -> None:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["code"] == "invalid" and field in error["details"] and field in error["message"]


def test_applying_an_adapter_named_by_a_number_is_refused_and_the_champion_stays(
    operator_client,
    tiny,
    tmp_path,
    lora_dirs,
):
    adapter = registered(tiny, tmp_path)
    assert_refused(operator_client.post("/hobby/lora/apply", {"adapter_id": 0}, format="json"), "adapter_id")
    assert Adapter.objects.get(pk=adapter.pk).alias == adapter.alias != "champion"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"validation_share": False}, "validation_share"),
        ({"days_back": "30"}, "days_back"),
        ({"seed": 1.5}, "seed"),
        ({"skill": 3}, "skill"),
    ],
)
def test_a_dataset_asked_for_with_wrong_types_is_refused_and_nothing_is_built(
    operator_client,
    lora_dirs,
    body,
    field,
):
    assert_refused(operator_client.post("/api/v1/learning/datasets/", body, format="json"), field)
    assert not TrainingDataset.objects.exists() and not TrainingJob.objects.exists()


@pytest.mark.parametrize(
    "path, extra, field",
    [
        ("/hobby/feedback", {"feedback_type": "rating", "user_id": 0}, "user_id"),
        ("/hobby/feedback", {"feedback_type": "rating", "helpful": 1}, "helpful"),
        ("/api/v1/feedback/", {"suggestion": 0}, "suggestion"),
        ("/api/v1/feedback/", {"rating": "4"}, "rating"),
        # PostgreSQL stores no NUL in JSON: it was a 500 there (the fuzz test found it), now a 400 everywhere.
        ("/hobby/feedback", {"feedback_type": "rating", "metadata": {"note": "a\x00b"}}, "metadata"),
        ("/api/v1/feedback/", {"metadata": {"k\x00": 1}}, "metadata"),
    ],
)
def test_feedback_with_wrong_types_is_refused_and_stores_nothing(personas, path, extra, field):
    from tests.hobbies.metrics_factories import finished, subagent

    activity = finished(hobby_type="SKILL_PRACTICE", agent=subagent("sa-1"), heldout=0.6)
    body = {"target_type": "activity", "target_id": activity.activity_id, "rating": 4, **extra}
    assert_refused(personas["rater"].client().post(path, body, format="json"), field)
    assert not Feedback.objects.exists() and not RewardSignal.objects.exists()
