"""Real Celery workers consuming real Redis queues: routing, heartbeats, failures, crashes, metrics."""

import json
import os
import time
from datetime import timedelta

import pytest
import redis
import time_machine
from django.conf import settings
from django.utils import timezone

from core.health import readiness
from core.models import ErrorEvent
from tests.workers import tasks_for_tests
from tests.workers.processes import wait_for
from workers import broker, clock, metrics
from workers.models import Machine, WorkerHeartbeat
from workers.tasks import ping_task

pytestmark = pytest.mark.slow


def task_counts() -> dict[tuple, int]:
    raw = redis.Redis.from_url(settings.METRICS_REDIS_URL).hgetall(metrics.TASKS_KEY)
    return {tuple(json.loads(field)): int(value) for field, value in raw.items()}


def wait_for_counts(expected: dict[tuple, int]) -> dict[tuple, int]:
    """A result is stored a moment before the worker counts the task (task_postrun): wait for the count."""
    wait_for(lambda: all(task_counts().get(k, 0) >= v for k, v in expected.items()), what=f"counts {expected}")
    return task_counts()


def test_a_task_sent_for_a_machine_runs_only_on_that_machine(start_worker, personas):
    alpha, beta = start_worker("alpha"), start_worker("beta")

    answers = [ping_task.apply_async(kwargs={"machine": m}) for m in ["alpha", "beta", "alpha", "beta", "alpha"]]
    ran_on = [a.get(timeout=30)["worker"] for a in answers]

    assert ran_on == [alpha.worker_name, beta.worker_name, alpha.worker_name, beta.worker_name, alpha.worker_name]
    counts = wait_for_counts(
        {
            ("workers.tasks.ping_task", "control.alpha", "success"): 3,
            ("workers.tasks.ping_task", "control.beta", "success"): 2,
        }
    )
    assert counts[("workers.tasks.ping_task", "control.alpha", "success")] == 3
    assert counts[("workers.tasks.ping_task", "control.beta", "success")] == 2
    assert not any(queue.endswith("gamma") for _, queue, _ in counts)  # no task ran for a machine we never named


def test_a_task_for_a_machine_without_a_worker_waits_in_that_machines_queue(start_worker):
    start_worker("alpha")
    waiting = ping_task.apply_async(kwargs={"machine": "gamma"})
    ping_task.apply_async(kwargs={"machine": "alpha"}).get(timeout=30)  # alpha is up and consuming

    assert broker.waiting(["control.gamma"])["control.gamma"][0] == 1
    assert waiting.state == "PENDING"


def test_operators_ping_a_machine_through_the_api(start_worker, personas):
    start_worker("alpha")
    response = personas["operator"].client().post("/api/v1/machines/alpha/ping", {"wait_seconds": 30}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["result"]["machine"] == "alpha"
    assert response.json()["queue"] == "control.alpha"


def test_a_worker_registers_its_machine_and_beats_then_goes_stale_when_killed(start_worker):
    worker = start_worker("alpha", roles=["control", "memory"], heartbeat_seconds=1)

    row = WorkerHeartbeat.objects.get(worker_name=worker.worker_name)
    assert row.pid == worker.process.pid
    assert sorted(row.queues) == ["control.alpha", "memory.alpha"]
    assert Machine.objects.get(name="alpha").roles == ["control", "memory"]
    wait_for(lambda: WorkerHeartbeat.objects.get(pk=row.pk).beats >= 3, what="three heartbeats")
    assert readiness()["workers"]["ok"]

    worker.kill()
    last = WorkerHeartbeat.objects.get(pk=row.pk).last_beat_at
    time.sleep(2.5)  # two beat intervals: a live worker would have beaten twice by now
    row.refresh_from_db()
    assert row.last_beat_at == last and row.stopped_at is None

    with time_machine.travel(timezone.now() + timedelta(seconds=settings.WORKER_STALE_SECONDS + 1)):
        assert row.status == "stale"
        assert not WorkerHeartbeat.objects.alive().exists()
        assert not readiness()["workers"]["ok"]


def test_a_clean_shutdown_marks_the_worker_stopped(start_worker):
    worker = start_worker("alpha")
    worker.stop()
    row = WorkerHeartbeat.objects.get(worker_name=worker.worker_name)
    assert row.stopped_at is not None and row.status == "stopped"


def test_a_failed_task_is_recorded_on_the_error_bus_and_counted(start_worker):
    start_worker("alpha")
    result = tasks_for_tests.failing_task.apply_async(kwargs={"message": "the disk is full", "machine": "alpha"})
    with pytest.raises(Exception, match="the disk is full"):
        result.get(timeout=30)

    event = wait_for(lambda: ErrorEvent.objects.filter(source="task").first(), what="the error event")
    assert event.task_name == "tests.workers.tasks_for_tests.failing_task"
    assert event.task_id == result.id
    assert event.exception_type == "PermanentProblem"
    assert event.machine == "alpha"
    assert "PermanentProblem" in event.traceback
    # A permanent error is not retried: exactly one failure.
    key = ("tests.workers.tasks_for_tests.failing_task", "control.alpha", "failure")
    assert wait_for_counts({key: 1})[("tests.workers.tasks_for_tests.failing_task", "control.alpha", "failure")] == 1


def test_a_task_whose_process_is_killed_is_requeued_and_finished_once(start_worker, tmp_path):
    start_worker("alpha")
    marker = tmp_path / "died-once"
    result = tasks_for_tests.die_once_task.apply_async(kwargs={"marker_path": str(marker), "machine": "alpha"})

    assert isinstance(result.get(timeout=60), int)
    success = ("tests.workers.tasks_for_tests.die_once_task", "control.alpha", "success")
    counts = wait_for_counts({success: 1})
    assert counts[success] == 1
    assert counts[("tests.workers.tasks_for_tests.die_once_task", "control.alpha", "worker_lost")] == 1
    lost = ErrorEvent.objects.get(source="worker")
    assert lost.exception_type == "WorkerLostError" and "re-queued" in lost.message


def test_queue_depth_and_the_age_of_the_oldest_message_are_reported_by_one_clock(start_worker):
    start_worker("alpha")  # registers its machine, so its queues are known
    clock.forget()
    # gamma never registered (a typo, a box never started): its queue still shows, from the broker. Its messages
    # come from machines whose clocks are an hour slow and an hour fast: the age must not care.
    for skew in (-3600, 3600):
        with time_machine.travel(time.time() + skew):
            ping_task.apply_async(kwargs={"machine": "gamma"})
            clock.forget()  # each its own process, measuring the Redis clock afresh
    time.sleep(2)

    with time_machine.travel(time.time() - 86400):  # nor the scraper's own clock
        families = {f.name: f for f in metrics.QueueCollector().collect()}
    depth = {s.labels["queue"]: s.value for s in families["autodidact_celery_queue_depth"].samples}
    age = {s.labels["queue"]: s.value for s in families["autodidact_celery_queue_oldest_message_age_seconds"].samples}
    assert depth["control.gamma"] == 2 and depth["control.alpha"] == 0
    assert 2 <= age["control.gamma"] < 10 and age["control.alpha"] == 0


def test_a_senders_clock_reads_the_redis_servers_whatever_its_own_says():
    clock.forget()
    server = clock.server_time(redis.Redis.from_url(settings.METRICS_REDIS_URL))
    with time_machine.travel(time.time() + 3 * 3600, tick=False):  # its own wall clock three hours fast
        assert time.time() - server > 3 * 3600 - 5
        assert abs(clock.redis_now() - server) < 1
    assert abs(clock.redis_now() - clock.server_time(redis.Redis.from_url(settings.METRICS_REDIS_URL))) < 0.1


def test_ready_is_503_while_redis_is_down_and_200_when_it_returns(transactional_db, private_redis, settings, client):
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": private_redis.url}}
    settings.CELERY_BROKER_URL = private_redis.url
    machine = Machine.objects.create(name="alpha", roles=["control"])
    WorkerHeartbeat.objects.create(worker_name="w@alpha", machine=machine, pid=os.getpid(), queues=["control.alpha"])
    assert client.get("/health/ready").status_code == 200

    private_redis.stop()
    down = client.get("/health/ready")
    assert down.status_code == 503
    body = down.json()["error"]
    assert body["code"] == "not_ready" and "redis" in body["message"] and "broker" in body["message"]
    assert body["details"]["checks"]["database"]["ok"]
    assert not ErrorEvent.objects.exists()  # an outage is reported by the probe, not recorded per probe

    private_redis.start()
    assert client.get("/health/ready").status_code == 200
    assert client.get("/health").status_code == 200


def test_a_task_past_its_hard_time_limit_is_killed_counted_and_recorded(start_worker):
    start_worker("alpha")
    result = tasks_for_tests.stubborn_task.apply_async(
        kwargs={"seconds": 60, "machine": "alpha"}, soft_time_limit=1, time_limit=2
    )
    with pytest.raises(Exception, match="TimeLimitExceeded"):
        result.get(timeout=30)

    timeout = ("tests.workers.tasks_for_tests.stubborn_task", "control.alpha", "timeout")
    wait_for_counts({timeout: 1})
    # The worker handles one task at a time: once a later ping is counted, everything about the killed
    # task has been recorded, so the exact counts below would see any double counting.
    ping_task.apply_async(kwargs={"machine": "alpha"}).get(timeout=30)
    counts = wait_for_counts({("workers.tasks.ping_task", "control.alpha", "success"): 1})
    assert {k: v for k, v in counts.items() if k[0].endswith("stubborn_task")} == {timeout: 1}
    event = ErrorEvent.objects.get()
    assert event.exception_type == "TimeLimitExceeded" and event.task_id == result.id
    assert "Hard time limit" in event.message


def test_a_transient_error_is_retried_and_the_task_then_succeeds(start_worker, tmp_path):
    start_worker("alpha")
    result = tasks_for_tests.flaky_task.apply_async(kwargs={"marker_path": str(tmp_path / "m"), "machine": "alpha"})
    assert result.get(timeout=30) == "done"
    name = "tests.workers.tasks_for_tests.flaky_task"
    counts = wait_for_counts({(name, "control.alpha", "success"): 1})
    assert counts[(name, "control.alpha", "retry")] == 1
    assert not ErrorEvent.objects.exists()  # a retried blip is not an error


def test_tasks_reuse_their_database_connection(start_worker):
    start_worker("alpha")
    sessions = {
        tasks_for_tests.database_session_task.apply_async(kwargs={"machine": "alpha"}).get(timeout=30) for _ in range(4)
    }
    # one connection for all four: Celery would otherwise open a new one per task (settings.CELERY_DB_REUSE_MAX)
    assert len(sessions) == 1
