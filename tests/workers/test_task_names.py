"""Names that fail loudly: every task names itself, so beat rows and messages in flight never depend on where its
function lives; queue roles and selection policies are enums, spelled once, whose values stay the stored strings."""

import ast
import json

import pytest
from django.conf import settings
from django_celery_beat.models import PeriodicTask

from core.env import BASE_DIR
from hobbies.choices import SelectionPolicy
from hobbies.models import HobbyConfig
from workers.queues import ROLES, QueueRole, queue_name

TASK_MODULES = [
    "hobbies/tasks.py",
    "learning/tasks.py",
    "memoryhub/tasks.py",
    "models_suite/tasks.py",
    "workers/tasks.py",
]
# The names tasks had when they became explicit: beat rows (PeriodicTask.task) and queued messages hold them, so
# none of them may disappear (a task may move: its name= stays).
NAMES_IN_USE = {
    "core.tasks.error_events_prune_task",
    "hobbies.tasks.assignment_run_task",
    "hobbies.tasks.assignments_resume_task",
    "hobbies.tasks.consensus_answer_task",
    "hobbies.tasks.scheduler_tick_task",
    "learning.tasks.adapters_watch_task",
    "learning.tasks.dataset_build_task",
    "learning.tasks.learning_cycle_task",
    "learning.tasks.reward_model_train_task",
    "learning.tasks.training_job_run_task",
    "learning.tasks.training_jobs_resume_task",
    "memoryhub.tasks.embeddings_compact_task",
    "memoryhub.tasks.ingest_batch_task",
    "memoryhub.tasks.ingest_batches_resume_task",
    "memoryhub.tasks.sessions_expire_task",
    "models_suite.tasks.eval_run_task",
    "models_suite.tasks.generate_task",
    "models_suite.tasks.model_load_task",
    "models_suite.tasks.model_swap_task",
    "models_suite.tasks.model_unload_task",
    "models_suite.tasks.models_preload_task",
    "workers.tasks.heartbeats_prune_task",
    "workers.tasks.ping_task",
}
TASK_DECORATORS = {"autodidact_task", "task", "shared_task"}


def _registered():
    from workers.celery import app

    app.loader.import_default_modules()
    return app


def _task_decorators(relative: str):
    """(function name, the decorator's name= literal or None) of every task decorator in the module."""
    tree = ast.parse((BASE_DIR / relative).read_text())
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            target = call.func if call else decorator
            called = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", None)
            if called in TASK_DECORATORS:
                names = [k.value for k in (call.keywords if call else []) if k.arg == "name"]
                literal = names[0].value if names and isinstance(names[0], ast.Constant) else None
                yield node.name, literal


@pytest.mark.parametrize("relative", TASK_MODULES)
def test_every_task_decorator_spells_its_name_as_a_literal(relative):
    decorated = list(_task_decorators(relative))
    assert decorated, f"{relative} declares no task"
    unnamed = [function for function, name in decorated if not name]
    assert not unnamed, f"{relative}: give {unnamed} an explicit name= (the name beat rows and messages hold)"


def test_every_registered_task_of_ours_is_declared_with_a_name_and_none_in_use_is_gone():
    app = _registered()
    ours = {name for name in app.tasks if not name.startswith(("celery.", "tests."))}  # tests' own tasks aside
    declared = {name for relative in TASK_MODULES for _, name in _task_decorators(relative)}
    assert ours == declared, f"registered but not named in a tasks module: {sorted(ours - declared)}"
    assert NAMES_IN_USE <= ours, f"tasks that beat rows or queued messages may name are gone: {NAMES_IN_USE - ours}"


def test_a_task_without_a_name_or_with_an_unknown_role_is_refused_at_import():
    from workers.base import autodidact_task

    with pytest.raises(TypeError, match="name"):
        autodidact_task(role=QueueRole.CONTROL)
    with pytest.raises(ValueError, match="cooking"):
        autodidact_task(name="tests.never_registered", role="cooking")


def test_every_beat_row_the_migrations_made_and_every_beat_schedule_entry_names_a_registered_task(db):
    app = _registered()
    rows = list(PeriodicTask.objects.exclude(task__startswith="celery."))
    assert rows, "the migrations make default schedules"
    for row in rows:
        assert row.task in app.tasks, f"beat row {row.name!r} names {row.task}, which is not a registered task"
    for entry, schedule in (app.conf.beat_schedule or {}).items():
        assert schedule["task"] in app.tasks, f"beat_schedule {entry!r} names an unregistered task"


def test_tasks_carry_their_role_as_the_plain_string_and_their_role_s_time_limit():
    app = _registered()
    for name in NAMES_IN_USE:
        task = app.tasks[name]
        assert type(task.role) is str and task.role in ROLES
        assert task.time_limit == settings.CELERY_ROLE_TIME_LIMITS[task.role]


def test_queue_roles_are_the_strings_queues_and_machine_roles_always_held():
    assert ROLES == ("control", "hobbies", "models", "training", "memory") == tuple(QueueRole)
    assert set(settings.CELERY_ROLE_TIME_LIMITS) == set(QueueRole)
    assert queue_name(QueueRole.HOBBIES, "gpu1") == queue_name("hobbies", "gpu1") == "hobbies.gpu1"
    assert json.dumps([QueueRole.MODELS]) == '["models"]'


def test_selection_policies_are_the_strings_stored_and_answered(db):
    assert list(SelectionPolicy.values) == ["weakness", "reward"]
    field = HobbyConfig._meta.get_field("selection_policy")
    assert field.choices == SelectionPolicy.choices and field.default == "weakness"
    stored = HobbyConfig.objects.get_or_create(pk=1)[0]
    stored.selection_policy = SelectionPolicy.REWARD
    stored.save()
    assert HobbyConfig.objects.values_list("selection_policy", flat=True).get(pk=1) == "reward"
    assert json.dumps({"selection_policy": SelectionPolicy.REWARD}) == '{"selection_policy": "reward"}'
