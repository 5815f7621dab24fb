"""Assignments run by real Celery workers on their sub-agent's machine: the whole lifecycle, the fallback,
cancelling, time limits, and a worker killed in the middle."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from hobbies import assignments as hobby_assignments
from hobbies.assignments import assignments_resume
from hobbies.models import Activity, Assignment, Attempt, HourlyRollup, Progress, SubAgent
from hobbies.services import subagent_register
from models_suite.services.registry import model_register
from tests.workers.processes import wait_for

pytestmark = pytest.mark.slow


_cloud = []


def slow_cloud_requests() -> list:
    return _cloud[0].requests


@pytest.fixture
def slow_cloud(cloud, monkeypatch):
    """A remote model that takes a while per item (a batch of 8 takes about 2 s): work to interrupt."""
    monkeypatch.setenv("CLOUD_KEY", "sk-test")
    cloud.delay_seconds = 0.25
    _cloud[:] = [cloud]
    return model_register(target=cloud.base_url, remote_model=cloud.model, api_key_env="CLOUD_KEY")


def finished(assignment_id: str, timeout: float = 120):
    return wait_for(
        lambda: Assignment.objects.filter(assignment_id=assignment_id).exclude(status__in=Assignment.ACTIVE).first(),
        timeout,
        what=f"assignment {assignment_id} to finish",
    )


def test_an_assignment_runs_on_its_machine_and_its_measured_results_reach_proficiency(start_worker, personas, tiny):
    start_worker("alpha", roles=["hobbies"])
    subagent_register(subagent_id="sa-1", capabilities=["*"], model=tiny, machine="alpha")

    answer = (
        personas["operator"]
        .client()
        .post(
            "/hobby/assign-to-subagent",
            {"subagent_id": "sa-1", "hobby_type": "skill_practice", "duration_minutes": 5},
            format="json",
        )
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["status"] == "assigned" and body["assignment"]["status"] == "pending"
    assert body["assignment"]["machine"] == "alpha" and body["assignment"]["fallback"] is False

    done = finished(body["assignment"]["assignment_id"])
    assert done.status == "completed" and done.started_at <= done.completed_at
    activity = Activity.objects.get(assignment=done)
    assert activity.status == "completed" and activity.attempts.count() == activity.planned_items == 32
    assert activity.heldout_score is not None and activity.duration_seconds > 0

    progress = Progress.objects.get(subagent__subagent_id="sa-1", hobby_type="SKILL_PRACTICE")
    assert progress.proficiency == pytest.approx(activity.heldout_score)  # measured, the first measurement
    assert progress.activities_completed == 1 and progress.success_rate == 1.0
    assert progress.time_invested_seconds == pytest.approx(activity.duration_seconds)
    wall = (activity.completed_at - activity.started_at).total_seconds()
    assert 0.8 * wall <= activity.duration_seconds <= wall  # the time really spent: practice, probe, all of it
    assert progress.insights_total == activity.insights.count() > 0
    assert done.result["success"] is True and done.result["activity_id"] == activity.activity_id
    # Its first measurement is where it stands, not a gain: nothing was measured before it.
    assert done.result["proficiency_gain"] is None and activity.improvement_delta is None
    rollup = HourlyRollup.objects.get(hobby_type="SKILL_PRACTICE")
    assert rollup.activities == rollup.completed == 1

    shown = personas["viewer"].client().get(f"/hobby/assignments/{done.assignment_id}").json()
    assert shown["status"] == "completed" and shown["result"]["insights"]
    stats = personas["viewer"].client().get("/hobby/subagents/stats").json()
    assert stats["total_completed_assignments"] == 1 and stats["total_active_assignments"] == 0


def test_a_sub_agent_whose_machine_has_no_worker_runs_here_recorded_as_a_fallback(
    start_worker, personas, tiny, settings
):
    start_worker(settings.MACHINE_NAME, roles=["hobbies"])
    subagent_register(subagent_id="far", capabilities=["PATTERN_RECOGNITION"], model=tiny, machine="nowhere")
    body = (
        personas["operator"]
        .client()
        .post(
            "/hobby/assign-to-subagent",
            {"subagent_id": "far", "hobby_type": "PATTERN_RECOGNITION", "duration_minutes": 2},
            format="json",
        )
        .json()
    )
    assert body["assignment"]["fallback"] is True and body["assignment"]["machine"] == settings.MACHINE_NAME
    done = finished(body["assignment"]["assignment_id"])
    assert done.status == "completed" and done.fallback


def test_cancelling_a_running_assignment_really_stops_its_work(start_worker, personas, slow_cloud):
    start_worker("alpha", roles=["hobbies"])
    subagent_register(subagent_id="slow", capabilities=["*"], model=slow_cloud, machine="alpha")
    operator = personas["operator"].client()
    made = operator.post(
        "/api/v1/hobbies/assignments/",
        {"subagent_id": "slow", "hobby_type": "SKILL_PRACTICE", "duration_minutes": 10},
        format="json",
    ).json()
    wait_for(
        lambda: Attempt.objects.filter(activity__assignment__assignment_id=made["assignment_id"]).exists(),
        60,
        what="the first batch",
    )
    cancelled = operator.post(f"/api/v1/hobbies/assignments/{made['assignment_id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"

    activity = wait_for(
        lambda: Activity.objects.filter(assignment__assignment_id=made["assignment_id"], status="cancelled").first(),
        60,
        what="the run to stop",
    )
    stopped_at, asked = activity.attempts.count(), len(slow_cloud_requests())
    assert stopped_at < activity.planned_items  # it stopped before the end
    time.sleep(3)  # longer than a batch takes
    assert activity.attempts.count() == stopped_at and len(slow_cloud_requests()) == asked  # and asked no more
    again = operator.post(f"/api/v1/hobbies/assignments/{made['assignment_id']}/cancel")
    assert again.status_code == 409
    progress = Progress.objects.get(subagent__subagent_id="slow")
    assert progress.activities_cancelled == 1 and progress.activities_completed == 0


def test_an_assignment_past_its_duration_times_out_and_counts_as_a_failure(start_worker, personas, slow_cloud):
    start_worker("alpha", roles=["hobbies"])
    subagent_register(subagent_id="slow", capabilities=["*"], model=slow_cloud, machine="alpha")
    made = (
        personas["operator"]
        .client()
        .post(
            "/api/v1/hobbies/assignments/",
            {"subagent_id": "slow", "hobby_type": "SKILL_PRACTICE", "duration_minutes": 0.1},
            format="json",
        )
        .json()
    )
    done = finished(made["assignment_id"])
    assert done.status == "timed_out" and done.result["success"] is False
    progress = Progress.objects.get(subagent__subagent_id="slow")
    assert progress.activities_failed == 1 and progress.success_rate == 0.0
    assert progress.time_invested_seconds < 6 + 3  # bounded by its 6 s, give or take the batch in flight


def test_a_worker_killed_mid_assignment_is_taken_over_and_the_assignment_completes_once(
    start_worker, personas, slow_cloud
):
    first = start_worker("alpha", roles=["hobbies"])
    subagent_register(subagent_id="slow", capabilities=["*"], model=slow_cloud, machine="alpha")
    made = (
        personas["operator"]
        .client()
        .post(
            "/api/v1/hobbies/assignments/",
            {"subagent_id": "slow", "hobby_type": "PATTERN_RECOGNITION", "duration_minutes": 10},
            format="json",
        )
        .json()
    )
    wait_for(
        lambda: Attempt.objects.filter(activity__assignment__assignment_id=made["assignment_id"]).exists(),
        60,
        what="the first batch",
    )
    first.kill()  # the whole worker, mid-assignment
    assignment = Assignment.objects.get(assignment_id=made["assignment_id"])
    before = Attempt.objects.filter(activity__assignment=assignment).count()
    assert assignment.status == "running" and 0 < before < 16

    start_worker("alpha", roles=["hobbies"])
    assert assignments_resume() == []  # its lease still runs: the first worker might be alive
    Assignment.objects.filter(pk=assignment.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert assignments_resume() == [assignment.pk]
    done = finished(made["assignment_id"])
    assert done.status == "completed"
    activity = Activity.objects.get(assignment=done)  # one activity, resumed
    item_ids = list(activity.attempts.values_list("item_id", flat=True))
    assert len(item_ids) == len(set(item_ids)) == activity.planned_items == 16  # each item once, none lost
    progress = Progress.objects.get(subagent__subagent_id="slow")
    assert progress.activities_completed == 1 and progress.measurements == 1  # integrated once


def test_a_run_presumed_dead_but_alive_stops_when_another_takes_over(start_worker, personas, slow_cloud):
    start_worker("alpha", roles=["hobbies"])
    subagent_register(subagent_id="slow", capabilities=["*"], model=slow_cloud, machine="alpha")
    made = (
        personas["operator"]
        .client()
        .post(
            "/api/v1/hobbies/assignments/",
            {"subagent_id": "slow", "hobby_type": "PATTERN_RECOGNITION", "duration_minutes": 10},
            format="json",
        )
        .json()
    )
    wait_for(
        lambda: Attempt.objects.filter(activity__assignment__assignment_id=made["assignment_id"]).exists(),
        60,
        what="the first batch",
    )
    _cloud[0].delay_seconds = 1.0  # alpha stalls (alive, but slow enough to be presumed dead) ...
    start_worker("beta", roles=["hobbies"])
    assignment = Assignment.objects.get(assignment_id=made["assignment_id"])
    first_claim = assignment.claim
    assert assignment.status == "running"
    alpha_lease = Assignment.objects.filter(pk=assignment.pk, claim=first_claim)
    alpha_lease.update(lease_until=timezone.now() - timedelta(seconds=1))
    SubAgent.objects.filter(pk=assignment.subagent_id).update(machine="beta")
    hobby_assignments._live = (0.0, [])  # beta started after this process last looked
    assert assignments_resume() == [assignment.pk]  # beta takes it over while alpha still runs it

    def beta_holds_it() -> bool:  # ... and a stalled run's renewals would come too late: undo them meanwhile
        alpha_lease.update(lease_until=timezone.now() - timedelta(seconds=1))
        return not Assignment.objects.filter(pk=assignment.pk, claim=first_claim).exists()

    wait_for(beta_holds_it, 60, interval=0.05, what="beta to take the assignment over")
    _cloud[0].delay_seconds = 0.25
    done = finished(made["assignment_id"])
    assert done.status == "completed" and done.claim != first_claim and done.machine == "beta"
    activity = Activity.objects.get(assignment=done)
    item_ids = list(activity.attempts.values_list("item_id", flat=True))
    assert len(item_ids) == len(set(item_ids)) == activity.planned_items  # each item once
    progress = Progress.objects.get(subagent__subagent_id="slow")
    assert progress.activities_completed == 1 and progress.measurements == 1  # finished once, by beta
