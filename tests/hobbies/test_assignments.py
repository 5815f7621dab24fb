"""Assignments and distribution through the API: bad input, capacity (also under parallel requests on a real
server), and the weakest enabled types going to the least-loaded capable sub-agents."""

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from django.db import connection

from hobbies.distribution import auto_distribute
from hobbies.models import Assignment, HobbyType, Progress
from hobbies.services import subagent_register


@pytest.fixture
def operator(personas):
    return personas["operator"].client()


def assign(client, **body):
    return client.post(
        "/hobby/assign-to-subagent",
        {"subagent_id": "sa", "hobby_type": "SKILL_PRACTICE", "duration_minutes": 5, **body},
        format="json",
    )


def test_bad_assignments_get_a_4xx_naming_the_problem_and_change_nothing(operator, db):
    subagent_register(subagent_id="sa", capabilities=["SKILL_PRACTICE"])
    unknown = assign(operator, hobby_type="juggling")
    assert unknown.status_code == 400
    message = unknown.json()["error"]["message"]
    assert "SKILL_PRACTICE" in message and "CREATIVE_PROBLEM_SOLVING" in message  # the valid ones, listed
    for duration in (0.05, 61, "long"):
        answer = assign(operator, duration_minutes=duration)
        assert answer.status_code == 400 and "duration_minutes" in answer.json()["error"]["message"]
    disabled = assign(operator, hobby_type="CODE_ANALYSIS")  # off by default, as in the originals
    assert disabled.status_code == 400 and "CODE_ANALYSIS is disabled" in disabled.json()["error"]["message"]
    HobbyType.objects.filter(name="TOOL_MASTERY").update(enabled=True)
    incapable = assign(operator, hobby_type="TOOL_MASTERY")
    assert incapable.status_code == 400 and "cannot practise TOOL_MASTERY" in incapable.json()["error"]["message"]
    assert assign(operator, subagent_id="nobody").status_code == 404
    assert operator.get("/hobby/assignments/nope").status_code == 404
    assert operator.get("/hobby/assignments?status=sleeping").status_code == 400
    assert operator.post("/hobby/distribute?num_assignments=11").status_code == 400
    assert not Assignment.objects.exists()


def test_nothing_is_assigned_while_hobbies_are_switched_off(operator, db, settings):
    subagent_register(subagent_id="sa", capabilities=["*"])
    settings.HOBBY_CONFIG_OVERRIDES = {"enabled": False}  # AUTONOMOUS_HOBBY_ENABLED=false
    off = assign(operator)
    assert off.status_code == 409 and "switched off" in off.json()["error"]["message"]
    assert operator.post("/hobby/distribute?num_assignments=3").status_code == 409
    assert not Assignment.objects.exists()


def test_a_sub_agent_takes_no_more_than_its_capacity(operator, db):
    subagent_register(subagent_id="sa", capabilities=["*"], max_concurrent_assignments=2)
    assert [assign(operator).status_code for _ in range(3)] == [200, 200, 409]
    listed = operator.get("/hobby/assignments?status=pending").json()
    assert listed["count"] == 2 and listed["filter"] == "pending"
    assert {a["subagent_id"] for a in listed["assignments"]} == {"sa"}


def test_agents_and_viewers_cannot_assign(personas, db):
    subagent_register(subagent_id="sa", capabilities=["*"])
    assert assign(personas["viewer"].client()).status_code == 403
    assert assign(personas["rater"].client()).status_code == 403
    assert personas["stranger"].client().get("/hobby/assignments").status_code == 401


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite serialises writers")
def test_parallel_requests_never_exceed_capacity(live_server, personas, flush_redis):
    subagent_register(subagent_id="sa", capabilities=["*"], max_concurrent_assignments=3)
    headers = {"Authorization": f"Token {personas['operator'].token}"}

    def one(_):
        return httpx.post(
            f"{live_server.url}/hobby/assign-to-subagent",
            headers=headers,
            timeout=30,
            json={"subagent_id": "sa", "hobby_type": "SKILL_PRACTICE", "duration_minutes": 1},
        ).status_code

    with ThreadPoolExecutor(12) as pool:
        codes = list(pool.map(one, range(24)))
    assert codes.count(200) == 3 and codes.count(409) == 21
    assert Assignment.objects.filter(subagent__subagent_id="sa").count() == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite serialises writers")
def test_parallel_distribute_calls_never_exceed_capacity(live_server, personas, flush_redis):
    for name in ("a", "b"):
        subagent_register(subagent_id=name, capabilities=["*"], max_concurrent_assignments=2)
    headers = {"Authorization": f"Token {personas['operator'].token}"}

    def one(_):
        return httpx.post(f"{live_server.url}/hobby/distribute?num_assignments=3", headers=headers, timeout=30).json()[
            "count"
        ]

    with ThreadPoolExecutor(8) as pool:
        made = sum(pool.map(one, range(8)))
    assert made == Assignment.objects.count() == 4  # two sub-agents, two each
    for name in ("a", "b"):
        assert Assignment.objects.filter(subagent__subagent_id=name).count() == 2


def test_distribution_gives_the_weakest_enabled_types_to_the_least_loaded_capable(operator, db):
    busy = subagent_register(subagent_id="busy", capabilities=["*"])[0]
    subagent_register(subagent_id="idle", capabilities=["*"])
    subagent_register(subagent_id="narrow", capabilities=["SKILL_PRACTICE"])
    Progress.objects.create(subagent=busy, hobby_type="SKILL_PRACTICE", proficiency=0.9, measurements=1)
    Progress.objects.create(subagent=busy, hobby_type="PATTERN_RECOGNITION", proficiency=0.1, measurements=1)
    Progress.objects.create(subagent=busy, hobby_type="BENCHMARK_RUNNING", proficiency=0.5, measurements=1)
    HobbyType.objects.exclude(name__in=["SKILL_PRACTICE", "PATTERN_RECOGNITION", "BENCHMARK_RUNNING"]).update(
        enabled=False
    )
    assign(operator, subagent_id="busy")  # busy has one running already

    body = operator.post("/hobby/distribute?num_assignments=2").json()
    assert body["status"] == "distributed" and body["count"] == 2
    made = [(a["hobby_type"], a["subagent_id"]) for a in body["assignments"]]
    # weakest first: PATTERN_RECOGNITION (0.1), then BENCHMARK_RUNNING (0.5); least loaded: idle, then narrow
    # cannot take either, so the next least loaded capable one.
    assert made[0] == ("PATTERN_RECOGNITION", "idle")
    assert made[1] == ("BENCHMARK_RUNNING", "busy")  # one each now: the first registered
    assert all(a["origin"] == "distribute" and a["duration_minutes"] == 10.0 for a in body["assignments"])


def test_distribution_skips_disabled_types_and_types_nobody_can_take(db):
    subagent_register(subagent_id="narrow", capabilities=["TOOL_MASTERY", "CODE_ANALYSIS"])
    HobbyType.objects.update(enabled=False)
    HobbyType.objects.filter(name__in=["SKILL_PRACTICE", "TOOL_MASTERY"]).update(enabled=True)
    made = auto_distribute(num_assignments=8)
    assert [(a.hobby_type, a.subagent.subagent_id) for a in made] == [("TOOL_MASTERY", "narrow")]


def test_distribution_without_sub_agents_assigns_nothing(db):
    assert auto_distribute(num_assignments=3) == []


def test_the_resume_sweep_sends_lost_messages_again_and_closes_cancelled_runs_that_died(operator, db, flush_redis):
    from datetime import timedelta

    from django.utils import timezone

    from hobbies.assignments import assignments_resume
    from hobbies.models import Activity

    subagent_register(subagent_id="sa", capabilities=["*"])
    # Its message was never sent (no commit in this test): as if its process died between the commit and the send,
    # with the row stamped sent.
    lost = assign(operator).json()["assignment"]
    assert assignments_resume() == []  # too fresh: its send may still be under way
    Assignment.objects.filter(assignment_id=lost["assignment_id"]).update(
        assigned_at=timezone.now() - timedelta(minutes=2)
    )
    assert assignments_resume() == []  # stamped sent a moment ago: not yet
    Assignment.objects.filter(assignment_id=lost["assignment_id"]).update(
        assigned_at=timezone.now() - timedelta(minutes=6), sent_at=timezone.now() - timedelta(minutes=6)
    )
    assert assignments_resume() == [Assignment.objects.get(assignment_id=lost["assignment_id"]).pk]
    assert Assignment.objects.get(assignment_id=lost["assignment_id"]).sent_at is not None
    assert assignments_resume() == []  # sent: not again before a lease has passed

    assign(operator)
    dead = Assignment.objects.order_by("-pk").first()  # cancelled after its run's worker died
    Assignment.objects.filter(pk=dead.pk).update(status="cancelled", sent_at=timezone.now())
    activity = Activity.objects.create(
        activity_id="a1",
        hobby_type="SKILL_PRACTICE",
        subagent=dead.subagent,
        model_name="m",
        assignment=dead,
        planned_items=8,
    )
    assignments_resume()
    activity.refresh_from_db()
    assert activity.status == "cancelled" and activity.completed_at is not None
    assert dead.subagent.progress.get().activities_cancelled == 1
