"""Which workers a machine runs: the models role apart, in one process (threads), so models stay with their host;
training apart, one job at a time."""

import pytest
from django.core.management.base import CommandError

from workers.management.commands.worker import worker_argv, worker_role_groups


def test_the_models_and_training_roles_get_a_worker_of_their_own():
    assert worker_role_groups(["control", "hobbies", "models", "training", "memory"]) == [
        ["control", "hobbies", "memory"],
        ["models"],
        ["training"],
    ]
    assert worker_role_groups(["models"]) == [["models"]]
    assert worker_role_groups(["hobbies"]) == [["hobbies"]]


def test_a_models_worker_has_one_process_of_threads_and_a_name_of_its_own(settings):
    settings.MACHINE_NAME = "gpu1"
    settings.MODELS_WORKER_THREADS = 3
    argv = worker_argv(roles=["models"], concurrency=8)
    assert argv[argv.index("--pool") + 1] == "threads"  # one process: one model host for all its tasks
    assert argv[argv.index("--concurrency") + 1] == "3"
    assert argv[argv.index("--queues") + 1] == "models.gpu1"
    assert argv[argv.index("--hostname") + 1] == "models@gpu1"
    others = worker_argv(roles=["control", "hobbies"], concurrency=2)
    assert "--pool" not in others and others[others.index("--concurrency") + 1] == "2"  # prefork: time limits
    assert others[others.index("--hostname") + 1] == "control-hobbies@gpu1"


def test_a_training_worker_runs_one_job_at_a_time_whatever_it_is_asked():
    argv = worker_argv(roles=["training"], concurrency=4)
    assert "--pool" not in argv and argv[argv.index("--concurrency") + 1] == "1"  # prefork: time limits hold


@pytest.mark.parametrize("roles", [["hobbies", "models"], ["training", "control"], ["models", "training"]])
def test_mixing_a_role_that_runs_apart_with_others_in_one_worker_is_refused(roles):
    with pytest.raises(CommandError, match="worker of its own"):
        worker_argv(roles=roles)
