"""A rater reaches the forms and the feedback routes, and nothing that changes the system."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

FEEDBACK_READS = [
    "/hobby/feedback/pending",
    "/hobby/feedback/quality",
    "/hobby/feedback/stats",
    "/hobby/reward/model",
    "/hobby/quality/trends",
    "/api/v1/feedback/",
    "/api/v1/feedback/queue",
    "/api/v1/feedback/signals",
    "/api/v1/feedback/agreement",
    "/api/v1/feedback/reward-models",
    "/api/v1/feedback/patterns",
    "/api/v1/feedback/trends",
]
SYSTEM_WRITES = [
    ("post", "/api/v1/feedback/reward-models"),
    ("post", "/api/v1/feedback/patterns"),
    ("post", "/hobby/start"),
    ("post", "/hobby/stop"),
    ("patch", "/api/v1/hobbies/config"),
    ("post", "/hobby/distribute"),
    ("post", "/hobby/assign-to-subagent"),
]


@pytest.mark.parametrize("path", FEEDBACK_READS)
def test_raters_read_the_feedback_routes(personas, path):
    assert personas["rater"].client().get(path).status_code == 200


@pytest.mark.parametrize("method, path", SYSTEM_WRITES)
def test_raters_change_nothing_else(personas, method, path):
    response = getattr(personas["rater"].client(), method)(path, {}, format="json")
    assert response.status_code == 403, response.content


def test_agents_and_strangers_do_not_reach_feedback(personas, insight):
    body = {"target_type": "insight", "target_id": str(insight.pk), "rating": 4}
    assert personas["agent"].client().post("/api/v1/feedback/", body, format="json").status_code == 403
    assert personas["viewer"].client().post("/api/v1/feedback/", body, format="json").status_code == 403
    assert personas["stranger"].client().get("/hobby/feedback/pending").status_code == 401


def test_exports_are_not_for_raters(personas):
    assert personas["rater"].client().get("/api/v1/feedback/exports/sft").status_code == 403
    assert personas["viewer"].client().get("/api/v1/feedback/exports/sft").status_code == 200
