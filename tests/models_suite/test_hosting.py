"""The model host inside the product: placements as rows, reuse across runs, crash clean-up."""

import os

import pytest

from models_suite.models import EvalRun, Placement
from models_suite.services.evaluation import eval_run_create, eval_run_execute
from models_suite.services.hosting import host_shutdown, placements_forget_dead
from models_suite.services.registry import model_register
from tests.models_suite.tiny_models import build_tiny_model
from tests.workers.processes import wait_for


def run_eval(artifact, django_capture_on_commit_callbacks, limit=4):
    with django_capture_on_commit_callbacks(execute=False):
        run = eval_run_create(model=artifact, suite="arithmetic", limit=limit)
    return eval_run_execute(eval_run_id=run.pk)


def test_a_local_model_is_loaded_once_shown_as_a_placement_and_reused(tiny, django_capture_on_commit_callbacks):
    assert run_eval(tiny, django_capture_on_commit_callbacks).status == "completed"
    placement = Placement.objects.get(name="tiny")
    assert placement.pid == os.getpid() and placement.device == "cpu" and placement.model == tiny
    assert placement.load_seconds > 0 and placement.estimated_bytes == tiny.estimated_memory_bytes

    assert run_eval(tiny, django_capture_on_commit_callbacks).status == "completed"
    again = Placement.objects.get(name="tiny")
    assert again.loaded_at == placement.loaded_at  # the second run found it resident

    host_shutdown()
    assert not Placement.objects.exists()


def test_placements_of_a_dead_process_are_forgotten(db, tiny):
    import subprocess
    import sys

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(gone.stdout)
    from django.utils import timezone

    Placement.objects.create(
        machine="m", pid=dead_pid, name="tiny", device="cpu", loaded_at=timezone.now(), last_used_at=timezone.now()
    )
    Placement.objects.create(
        machine="m", pid=os.getpid(), name="tiny", device="cpu", loaded_at=timezone.now(), last_used_at=timezone.now()
    )
    assert placements_forget_dead(machine="m") == 1
    assert list(Placement.objects.values_list("pid", flat=True)) == [os.getpid()]


def test_placements_are_listed_in_the_api(personas, tiny, django_capture_on_commit_callbacks):
    run_eval(tiny, django_capture_on_commit_callbacks)
    rows = personas["viewer"].client().get("/api/v1/placements/").json()["results"]
    assert [(row["name"], row["pid"]) for row in rows] == [("tiny", os.getpid())]


@pytest.mark.slow
def test_a_crashed_workers_models_are_forgotten_and_reloaded_on_next_use(start_worker, tiny):
    from models_suite.tasks import model_load_task

    tiny.machine = "alpha"
    tiny.save()
    first = start_worker("alpha", roles=["models"], heartbeat_seconds=1)
    assert model_load_task.apply_async(kwargs={"model_name": "tiny"}).get(timeout=60)["name"] == "tiny"
    placement = Placement.objects.get(name="tiny")
    assert placement.machine == "alpha" and placement.pid != os.getpid()  # held by the worker's process

    first.kill()  # no goodbye: its placement row stays behind...
    assert Placement.objects.filter(pk=placement.pk).exists()
    start_worker("alpha", roles=["models"], heartbeat_seconds=1)  # ...until the machine's next heartbeat
    wait_for(
        lambda: not Placement.objects.filter(pk=placement.pk).exists(),
        timeout=30,
        what="the dead worker's placement to be forgotten",
    )

    run = eval_run_create(model=tiny, suite="arithmetic", limit=2)  # loaded again, on demand
    done = wait_for(
        lambda: EvalRun.objects.filter(pk=run.pk, status__in=["completed", "failed"]).first(),
        timeout=60,
        what="the evaluation run",
    )
    assert done.status == "completed", done.error
    assert Placement.objects.get(name="tiny").pid not in {placement.pid, os.getpid()}


def test_a_load_over_the_memory_budget_is_a_409_naming_what_is_resident(tiny, settings):
    from models_suite.services.generation import generate

    host_shutdown()
    # 1 % of the machine: this process alone (torch, transformers, Django) already uses more.
    settings.MODEL_MEMORY_BUDGET_PERCENT = 1
    outcome = generate(model_name="tiny", request={"prompt": "Q:1+1=", "max_tokens": 2})
    assert outcome["error"]["status"] == 409 and outcome["error"]["code"] == "over_memory_budget"
    assert "tiny" in outcome["error"]["message"]
    assert not Placement.objects.exists()


def test_a_swap_routes_the_old_name_to_the_new_model_and_its_placement(
    tiny, tmp_path, django_capture_on_commit_callbacks
):
    from models_suite.backends import GenerationRequest
    from models_suite.services.hosting import current_host, model_load, model_swap

    # seed 1 answers differently from the fixture's seed 0 (random tiny models mostly repeat one character)
    other = model_register(target=str(build_tiny_model(tmp_path / "other", n_ctx=64, seed=1)), name="other")
    model_load(artifact=tiny)
    with current_host().acquire("tiny") as backend:
        before = backend.generate(GenerationRequest(prompt="Q:1+2=", max_tokens=8)).text
    assert model_swap(old_name="tiny", new=other)["name"] == "other"

    with current_host().acquire("tiny") as backend:  # the old name now reaches the new model
        swapped = backend.generate(GenerationRequest(prompt="Q:1+2=", max_tokens=8)).text
    with current_host().acquire("other") as backend:
        assert backend.generate(GenerationRequest(prompt="Q:1+2=", max_tokens=8)).text == swapped
    assert swapped != before  # two differently seeded models: the answer really changed hands
    assert list(Placement.objects.values_list("name", flat=True)) == ["other"]
