"""The originals' /hobby/ routes keep their paths, parameters and JSON shapes (docs/originals.md 1.3, 1.7, 1.12), and
the seed documents' curl examples work as written plus an Authorization header."""

import pytest

from hobbies.models import Assignment
from hobbies.practice import practice_run
from hobbies.services import subagent_register

ACTIVITY_KEYS = {
    "activity_id",
    "hobby_type",
    "started_at",
    "completed_at",
    "success",
    "description",
    "goal",
    "approach",
    "insights_gained",
    "skills_improved",
    "patterns_discovered",
    "performance_metrics",
    "difficulty_level",
    "engagement_score",
    "improvement_delta",
    "duration_seconds",
    "insights_count",
    "patterns_discovered_count",
}
ASSIGNMENT_KEYS = {
    "assignment_id",
    "subagent_id",
    "hobby_type",
    "duration_minutes",
    "assigned_at",
    "started_at",
    "completed_at",
    "status",
    "result",
    "error",
}


@pytest.fixture
def practised(tiny):
    subagent = subagent_register(subagent_id="local", capabilities=["*"], model=tiny)[0]
    return practice_run(
        hobby_type="SKILL_PRACTICE", artifact=tiny, subagent=subagent, items_per_suite=2, probe_per_suite=2, seed=11
    )


def test_activities_status_and_insights_answer_in_the_originals_shapes(personas, practised):
    viewer = personas["viewer"].client()
    [shown] = viewer.get("/hobby/activities?count=20").json()
    assert ACTIVITY_KEYS <= set(shown)
    assert shown["activity_id"] == practised.activity_id and shown["success"] is True
    assert shown["insights_count"] == len(shown["insights_gained"]) == practised.insights.count()
    assert shown["patterns_discovered_count"] == len(shown["patterns_discovered"])
    assert all(set(p) == {"pattern", "confidence", "actionable"} for p in shown["patterns_discovered"])
    # The first measurement: nothing before it to gain on, so neither a gain nor an improved skill.
    assert shown["improvement_delta"] is None and shown["skills_improved"] == []
    assert shown["difficulty_level"] == pytest.approx(1 - practised.score)  # measured, not the originals' 0.5
    assert viewer.get("/hobby/activities?count=0").status_code == 400
    assert viewer.get("/hobby/activities?count=101").status_code == 400

    status = viewer.get("/hobby/status").json()
    assert set(status) == {"enabled", "progress", "recent_activities"}
    assert status["recent_activities"][0]["activity_id"] == practised.activity_id
    assert status["progress"]["hobbies"]["SKILL_PRACTICE"]["activities_completed"] == 1

    insights = viewer.get("/hobby/insights?count=50").json()["insights"]
    # The originals' keys, plus what feedback needs: the insight's id, its kind and the learned confidence.
    assert insights and all(
        set(i) == {"timestamp", "hobby_type", "insight", "id", "kind", "confidence"} for i in insights
    )
    assert {i["insight"] for i in insights} == set(practised.insights.values_list("text", flat=True))
    assert viewer.get("/hobby/insights?count=501").status_code == 400


def test_the_seed_documents_sub_agent_examples_work_with_a_token(personas, db):
    operator = personas["operator"].client()
    registered = operator.post(
        "/hobby/subagents/register",
        {"subagent_id": "rc2-general", "capabilities": ["*"], "metadata": {"type": "general"}},
        format="json",
    )
    assert registered.status_code == 200 and registered.json()["status"] == "registered"
    operator.post(
        "/hobby/subagents/register",
        {
            "subagent_id": "rc2-coding",
            "capabilities": ["SKILL_PRACTICE", "CODE_ANALYSIS"],
            "metadata": {"type": "specialized", "focus": "coding"},
        },
        format="json",
    )

    distributed = operator.post("/hobby/distribute?num_assignments=5").json()
    assert distributed["status"] == "distributed" and distributed["count"] == 5
    assert all(ASSIGNMENT_KEYS <= set(a) for a in distributed["assignments"])

    stats = operator.get("/hobby/subagents/stats").json()
    assert stats["total_registered"] == 2 and stats["total_active_assignments"] == 5

    Assignment.objects.filter(pk=Assignment.objects.order_by("pk").first().pk).update(status="running")
    running = operator.get("/hobby/assignments?status=running").json()
    assert running["count"] == 1 and running["filter"] == "running"
    one = running["assignments"][0]["assignment_id"]
    assert operator.get(f"/hobby/assignments/{one}").json()["status"] == "running"
    assert operator.get("/hobby/assignments/abc123").status_code == 404
