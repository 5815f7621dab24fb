"""Evaluation runs: every item answered, graded and stored; run on a real worker's models queue."""

import pytest

from models_suite.evaluation import fingerprint, get_suite
from models_suite.models import EvalRun
from models_suite.services.evaluation import EvaluationError, eval_run_create, eval_run_execute
from models_suite.services.registry import model_register


@pytest.fixture
def knows_half(cloud, monkeypatch):
    """A remote model that knows the answers of exactly the even-numbered held-out arithmetic items."""
    monkeypatch.setenv("CLOUD_KEY", "sk-test")
    items = get_suite("arithmetic").items("heldout", limit=20)
    cloud.answers = {item.prompt: item.answer + "\nrambling on" for item in items[::2]}
    return model_register(target=cloud.base_url, remote_model=cloud.model, api_key_env="CLOUD_KEY")


def test_a_run_grades_every_item_and_scores_what_the_model_knows(db, knows_half, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # run it here, not through a worker
        run = eval_run_create(model=knows_half, suite="arithmetic", limit=20)
    run = eval_run_execute(eval_run_id=run.pk)

    assert run.status == "completed" and run.item_count == 20 and run.correct_count == 10
    assert run.score == pytest.approx(0.5)
    assert run.results[0]["correct"] and run.results[0]["answer"].startswith(run.results[0]["expected"])
    assert not run.results[1]["correct"] and "expected" in run.results[1]["detail"].lower()
    assert set(run.scores_by_skill) <= {"addition-2-digit", "subtraction-2-digit"}
    assert run.suite_fingerprint == fingerprint(get_suite("arithmetic").items("heldout", limit=20))


def test_held_out_items_are_the_same_every_run(db, knows_half, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        first = eval_run_create(model=knows_half, suite="arithmetic", limit=20)
        second = eval_run_create(model=knows_half, suite="arithmetic", limit=20)
    first, second = eval_run_execute(eval_run_id=first.pk), eval_run_execute(eval_run_id=second.pk)
    assert [r["id"] for r in first.results] == [r["id"] for r in second.results]
    assert first.suite_fingerprint == second.suite_fingerprint and first.score == second.score


def test_a_run_is_executed_once_even_if_its_message_comes_twice(
    db, cloud, knows_half, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        run = eval_run_create(model=knows_half, suite="arithmetic", limit=4)
    eval_run_execute(eval_run_id=run.pk)
    asked = len(cloud.requests)
    again = eval_run_execute(eval_run_id=run.pk)
    assert again.status == "completed" and again.item_count == 4
    assert len(cloud.requests) == asked  # the second delivery found the run taken and asked nothing


def test_an_unreachable_model_fails_the_run_with_the_reason(db, cloud, knows_half, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        run = eval_run_create(model=knows_half, suite="arithmetic", limit=4)
    cloud.close()
    run = eval_run_execute(eval_run_id=run.pk)
    assert run.status == "failed" and "unreachable" in run.error


@pytest.mark.parametrize("suite, split, message", [("cooking", "heldout", "cooking"), ("arithmetic", "test", "split")])
def test_bad_requests_are_refused_before_anything_runs(db, knows_half, suite, split, message):
    with pytest.raises(EvaluationError, match=message):
        eval_run_create(model=knows_half, suite=suite, split=split)
    assert not EvalRun.objects.exists()


@pytest.mark.slow
def test_a_run_is_carried_out_by_a_worker_on_the_models_queue(start_worker, knows_half):
    start_worker("alpha", roles=["models"])
    run = eval_run_create(model=knows_half, suite="arithmetic", limit=10)  # committed: the worker picks it up
    from tests.workers.processes import wait_for

    done = wait_for(
        lambda: EvalRun.objects.filter(pk=run.pk, status__in=["completed", "failed"]).first(),
        timeout=60,
        what="the evaluation run",
    )
    assert done.status == "completed", done.error
    assert done.machine == "alpha" and done.correct_count == 5
