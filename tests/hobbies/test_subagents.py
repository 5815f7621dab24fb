"""The sub-agent registry: the seed documents' curl examples, counts derived from assignments, roles."""

import pytest
from django.conf import settings

from hobbies.models import Assignment, SubAgent


@pytest.fixture
def agent(personas):
    return personas["agent"].client()


def test_the_seed_documents_examples_work_with_a_token(agent):
    general = agent.post(
        "/hobby/subagents/register",
        {"subagent_id": "rc2-general", "capabilities": ["*"], "metadata": {"type": "general"}},
        format="json",
    )
    assert general.status_code == 200 and general.json()["status"] == "registered"
    assert general.json()["subagent_id"] == "rc2-general"
    coding = agent.post(
        "/hobby/subagents/register",
        {
            "subagent_id": "rc2-coding",
            "capabilities": ["SKILL_PRACTICE", "CODE_ANALYSIS"],
            "metadata": {"type": "specialized", "focus": "coding"},
        },
        format="json",
    )
    assert coding.status_code == 200
    stats = agent.get("/hobby/subagents/stats").json()
    assert stats["total_registered"] == 2 and stats["total_active_assignments"] == 0
    entry = stats["subagents"][0]
    assert {
        k: entry[k]
        for k in (
            "subagent_id",
            "capabilities",
            "metadata",
            "active_assignments",
            "completed_assignments",
            "failed_assignments",
        )
    } == {
        "subagent_id": "rc2-general",
        "capabilities": ["*"],
        "metadata": {"type": "general"},
        "active_assignments": 0,
        "completed_assignments": 0,
        "failed_assignments": 0,
    }
    # Registered without a model or machine: the default model, on this machine.
    assert entry["model"] is None and entry["machine"] == settings.MACHINE_NAME


def test_the_original_codes_query_parameter_works_too(agent):
    response = agent.post(
        "/hobby/subagents/register?subagent_id=rc2-q", {"capabilities": ["tool_mastery"]}, format="json"
    )
    assert response.status_code == 200
    assert SubAgent.objects.get(subagent_id="rc2-q").capabilities == ["TOOL_MASTERY"]


def test_counts_come_from_assignments_and_cannot_leak(agent):
    agent.post("/api/v1/hobbies/subagents/", {"subagent_id": "a1", "capabilities": ["*"]}, format="json")
    subagent = SubAgent.objects.get(subagent_id="a1")
    for index, status in enumerate(["running", "pending", "completed", "failed", "timed_out", "cancelled"]):
        Assignment.objects.create(
            assignment_id=f"x{index}", subagent=subagent, hobby_type="SKILL_PRACTICE", duration_minutes=1, status=status
        )
    body = agent.get("/api/v1/hobbies/subagents/a1").json()
    assert (body["active_assignments"], body["completed_assignments"], body["failed_assignments"]) == (2, 1, 2)


def test_unregistering_keeps_history_and_takes_it_off_the_list(agent):
    agent.post("/hobby/subagents/register", {"subagent_id": "gone", "capabilities": ["*"]}, format="json")
    response = agent.delete("/hobby/subagents/gone")
    assert response.json() == {
        "status": "unregistered",
        "subagent_id": "gone",
        "message": "Unregistered sub-agent gone",
    }
    assert agent.get("/hobby/subagents/stats").json()["total_registered"] == 0
    assert agent.delete("/hobby/subagents/gone").status_code == 404
    assert agent.get("/api/v1/hobbies/subagents/gone").status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({"subagent_id": "x", "capabilities": ["COOKING"]}, "hobby_type"),
        ({"subagent_id": "x", "capabilities": []}, "capabilities"),
        ({"capabilities": ["*"]}, "subagent_id"),
        ({"subagent_id": "x", "capabilities": ["*"], "model": "nope"}, "model"),
    ],
)
def test_bad_registrations_are_400s_and_change_nothing(agent, body, field):
    response = agent.post("/hobby/subagents/register", body, format="json")
    assert response.status_code == 400 and field in response.json()["error"]["message"]
    assert not SubAgent.objects.exists()


def test_roles(personas):
    assert personas["viewer"].client().get("/hobby/subagents/stats").status_code == 200
    assert (
        personas["viewer"]
        .client()
        .post("/hobby/subagents/register", {"subagent_id": "v", "capabilities": ["*"]}, format="json")
        .status_code
        == 403
    )
    assert personas["rater"].client().get("/hobby/subagents/stats").status_code == 403


def test_a_sub_agent_reports_its_heartbeat(agent, personas):
    agent.post("/hobby/subagents/register", {"subagent_id": "beating", "capabilities": ["*"]}, format="json")
    beat = agent.post("/api/v1/hobbies/subagents/beating/heartbeat")
    assert beat.status_code == 200
    shown = agent.get("/api/v1/hobbies/subagents/beating").json()
    assert shown["last_heartbeat_at"] == beat.json()["last_heartbeat_at"]
    assert agent.post("/api/v1/hobbies/subagents/nobody/heartbeat").status_code == 404
    assert personas["viewer"].client().post("/api/v1/hobbies/subagents/beating/heartbeat").status_code == 403


def test_re_registering_changes_only_what_it_gives_and_unregistering_cancels_work(agent, personas, tiny):
    operator = personas["operator"].client()
    operator.post(
        "/api/v1/hobbies/subagents/",
        {"subagent_id": "kept", "capabilities": ["*"], "model": "tiny", "max_concurrent_assignments": 2},
        format="json",
    )
    again = agent.post(
        "/hobby/subagents/register", {"subagent_id": "kept", "capabilities": ["SKILL_PRACTICE"]}, format="json"
    )  # the agent restarts and re-registers the originals' way
    assert again.status_code == 200
    shown = agent.get("/api/v1/hobbies/subagents/kept").json()
    assert shown["model"] == "tiny" and shown["max_concurrent_assignments"] == 2  # the operator's choices stay
    assert shown["capabilities"] == ["SKILL_PRACTICE"]

    operator.post("/hobby/assign-to-subagent", {"subagent_id": "kept", "hobby_type": "SKILL_PRACTICE"}, format="json")
    assert agent.delete("/hobby/subagents/kept").status_code == 200
    assert set(Assignment.objects.filter(subagent__subagent_id="kept").values_list("status", flat=True)) == {
        "cancelled"
    }
