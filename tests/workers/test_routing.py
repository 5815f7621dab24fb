"""Queue names and the router, without a worker: which queue would each task go to, and why."""

from datetime import timedelta

import httpx
import pytest
from django.db import OperationalError
from django.utils import timezone

from tests.workers import tasks_for_tests
from workers.base import is_transient
from workers.models import Machine, WorkerHeartbeat
from workers.queues import queue_name, queues_for, role_of_queue
from workers.routing import NoMachineForRole, route_task
from workers.tasks import ping_task


def route(task, kwargs=None, options=None):
    return route_task(task.name, (), kwargs or {}, options or {}, task=task)


def test_queue_names_are_role_dot_machine():
    assert queue_name("hobbies", "gpu1") == "hobbies.gpu1"
    assert queues_for("m", ["control", "memory"]) == ["control.m", "memory.m"]
    assert role_of_queue("training.gpu1") == "training"


@pytest.mark.parametrize("role, machine", [("cooking", "m"), ("control", ""), ("control", "a.b")])
def test_it_refuses_unknown_roles_and_machine_names_that_would_break_queue_names(role, machine):
    with pytest.raises(ValueError):
        queue_name(role, machine)


def test_an_explicit_queue_wins():
    assert route(ping_task, {"machine": "alpha"}, {"queue": "control.beta"}) is None


def test_the_machine_keyword_picks_the_machine():
    assert route(ping_task, {"machine": "alpha"}) == {"queue": "control.alpha"}


def test_a_task_of_a_role_this_machine_offers_runs_here_when_its_worker_is_not_up_yet(db, settings):
    settings.MACHINE_NAME, settings.MACHINE_ROLES = "here", ["control"]
    assert route(tasks_for_tests.sleepy_task) == {"queue": "control.here"}


def test_a_live_worker_elsewhere_wins_over_a_role_this_machine_only_claims(db, settings):
    # The default MACHINE_ROLES claims every role; training must still go where a training worker runs.
    settings.MACHINE_NAME, settings.MACHINE_ROLES = "control-box", ["control", "training"]
    _live_worker("gpu1", ["training.gpu1"], seconds_ago=3)
    assert route(TrainingTask) == {"queue": "training.gpu1"}
    _live_worker("control-box", ["training.control-box"], seconds_ago=10)
    assert route(TrainingTask) == {"queue": "training.control-box"}  # ours when ours is live too


class TrainingTask:
    name, role, machine_for = "t", "training", None


def _live_worker(machine: str, queues: list[str], seconds_ago: int) -> None:
    beat = timezone.now() - timedelta(seconds=seconds_ago)
    host = Machine.objects.create(name=machine, roles=[role_of_queue(q) for q in queues])
    WorkerHeartbeat.objects.create(worker_name=f"w@{machine}", machine=host, pid=1, queues=queues, last_beat_at=beat)


def test_otherwise_the_most_recently_heard_machine_offering_the_role_is_chosen(db, settings):
    settings.MACHINE_NAME, settings.MACHINE_ROLES = "web", ["hobbies"]
    _live_worker("older", ["control.older"], seconds_ago=20)
    _live_worker("newer", ["control.newer"], seconds_ago=2)
    _live_worker("dead", ["control.dead"], seconds_ago=600)
    _live_worker("wrong-role", ["memory.wrong-role"], seconds_ago=1)
    assert route(ping_task) == {"queue": "control.newer"}


def test_with_no_live_machine_for_the_role_sending_fails_clearly(db, settings):
    settings.MACHINE_NAME, settings.MACHINE_ROLES = "web", ["hobbies"]
    with pytest.raises(NoMachineForRole, match="No live worker offers the 'control' role"):
        route(ping_task)


def test_a_task_can_choose_its_machine_from_its_arguments():
    class Task:
        name, role = "t", "training"
        machine_for = staticmethod(lambda args, kwargs: f"gpu-{kwargs['job_id']}")

    assert route(Task, {"job_id": 7}) == {"queue": "training.gpu-7"}


def test_tasks_declare_reliability_per_role(settings):
    assert ping_task.acks_late and ping_task.reject_on_worker_lost
    assert ping_task.time_limit == settings.CELERY_ROLE_TIME_LIMITS["control"]
    assert 0 < ping_task.soft_time_limit < ping_task.time_limit
    longest = max(settings.CELERY_ROLE_TIME_LIMITS.values())
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > longest


@pytest.mark.parametrize(
    "exc, transient",
    [
        (ConnectionError("reset"), True),
        (TimeoutError(), True),
        (OperationalError("database is locked"), True),
        (OperationalError("could not connect to server: Connection refused"), True),
        (OperationalError("no such table: hobbies_activity"), False),
        (httpx.UnsupportedProtocol("ftp://"), False),
        (httpx.ConnectError("refused"), True),
        (ValueError("bad data"), False),
        (KeyError("x"), False),
    ],
)
def test_only_transient_errors_are_retried(exc, transient):
    # A bug or bad data must fail at once, not five times over several minutes.
    assert is_transient(exc) is transient
