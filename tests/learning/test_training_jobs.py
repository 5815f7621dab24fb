"""LoRA training jobs, service level: created from graded practice (or refused, leaving nothing), trained once on a
tiny model with progress written, their adapter registered as the challenger; cancelled before or while they run;
swept again by the resume beat when their run died; and, with a real training worker killed mid-run, resumed from
the checkpoint to finish exactly once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import torch
from django.test import TestCase
from django.utils import timezone

from core.errors import Conflict, Invalid, NotFound
from core.models import ErrorEvent
from learning.loop import adapters, datasets, jobs
from learning.loop.adapters import files_sha256
from learning.models import Adapter, TrainingDataset, TrainingJob
from learning.tasks import training_job_run_task
from models_suite.models import ModelArtifact
from tests.learning.lora_factories import QUICK, dirs_empty, lora_dirs, practised, tiny, tiny_dir  # noqa: F401
from tests.workers.processes import wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _dirs(lora_dirs):
    return lora_dirs


@pytest.fixture
def sent(monkeypatch):
    """What job_send handed to the broker: (kwargs, queue) per message."""
    messages = []
    monkeypatch.setattr(training_job_run_task, "apply_async", lambda kwargs, queue: messages.append((kwargs, queue)))
    return messages


def make(**overrides) -> TrainingJob:
    """job_create, and its message sent as at the end of the request's transaction (sent on commit)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = jobs.job_create(**{"model_name": "tiny-lora", "config": dict(QUICK), **overrides})
    job.refresh_from_db()
    return job


def test_a_job_is_built_from_graded_practice_stored_and_sent(tiny, sent, settings):
    practised(30)
    job = make(config={**QUICK, "lora_r": 16, "num_epochs": 2}, hobby_type="SKILL_PRACTICE", days_back=7)
    # Stored and sent without a dataset: the worker builds it as the job starts (a request answers at once)
    assert (job.status, job.base_model, job.dataset, job.attempts) == ("pending", tiny, None, 0)
    assert not TrainingDataset.objects.exists() and job.num_examples == 0
    assert job.metadata["dataset_params"] == {
        "days_back": 7,
        "min_quality": 0.6,
        "skill": "",
        "replay_share": 0.2,
        "seed": 0,
    }
    assert job.config["r"] == 16 and job.config["epochs"] == 2 and job.config["max_steps"] == 20
    assert job.machine == settings.MACHINE_NAME  # no live training worker: ours, to wait for one
    assert sent == [({"job_pk": job.pk}, f"training.{settings.MACHINE_NAME}")]

    shape = jobs.job_shape(job)
    assert shape["config"]["lora_r"] == 16 and shape["config"]["num_epochs"] == 2  # the originals' names
    assert shape["config"]["model_name"] == "tiny-lora" and shape["data_path"] is None
    assert shape["progress"]["fraction"] == 0 and shape["adapter_id"] is None and shape["dataset_version"] is None
    assert [j.pk for j in jobs.jobs_list(status="pending")] == [job.pk] and jobs.jobs_list(status="failed") == []
    with pytest.raises(Invalid) as bad:
        jobs.jobs_list(status="bogus")
    assert "status" in bad.value.details


def test_a_broker_that_cannot_take_the_job_leaves_it_stored_for_the_resume_beat(tiny, monkeypatch):
    practised(12)

    def refuse(**_):
        raise ConnectionError("broker down")

    monkeypatch.setattr(training_job_run_task, "apply_async", refuse)
    job = make()
    assert TrainingJob.objects.get(pk=job.pk).status == "pending"


def test_bad_requests_are_refused_by_name_and_leave_nothing(tiny, sent, settings):
    practised(30)
    with pytest.raises(Invalid) as bad:
        make(config={"r": 0, "warp_speed": 9, "learning_rate": 1})
    assert set(bad.value.details) == {"r", "warp_speed", "learning_rate"}
    with pytest.raises(NotFound, match="nobody"):
        make(model_name="nobody")
    ModelArtifact.objects.create(name="far-away", kind="remote", base_url="http://127.0.0.1:9/v1", remote_model="m")
    with pytest.raises(Invalid) as remote:
        make(model_name="far-away")
    assert "model_name" in remote.value.details
    assert not TrainingDataset.objects.exists() and not TrainingJob.objects.exists() and dirs_empty(settings)
    assert sent == []


def test_data_that_proves_too_thin_once_built_fails_the_job_with_the_count(tiny, sent, settings):
    practised(12)  # enough candidates for the request's check...
    job = make(min_quality=1.0)  # ...none good enough once built
    failed = jobs.job_execute(job_pk=job.pk)
    assert failed.status == "failed" and "Only 0 training examples" in failed.error_message
    assert failed.metadata["num_examples"] == 0 and failed.metadata["data_stats"]["low_quality"] == 12
    assert failed.lease_until is None and failed.dataset is None and not TrainingDataset.objects.exists()
    assert jobs.job_shape(failed)["data_stats"]["low_quality"] == 12
    assert not ErrorEvent.objects.exists()  # the data's state, not a fault of the product
    assert jobs.job_execute(job_pk=job.pk) is None  # a redelivered message: already over


def test_too_few_examples_is_a_400_with_the_count_and_nothing_written(tiny, sent, settings):
    practised(7)
    with pytest.raises(Invalid) as few:
        make()
    assert str(few.value.details["num_examples"]) == "7" and "at least 10" in str(few.value.details["detail"])
    assert not TrainingDataset.objects.exists() and not TrainingJob.objects.exists()
    assert dirs_empty(settings) and sent == []


def test_a_job_trains_once_writing_progress_and_its_adapter_becomes_the_challenger(tiny, sent, settings):
    practised(30)
    job = make()
    seen = []

    def watch(report):  # what the database says while the run goes on
        row = TrainingJob.objects.get(pk=job.pk)
        seen.append((report.step, row.status, row.progress["step"], row.progress["total_steps"]))
        assert row.lease_until > timezone.now()

    done = jobs.job_execute(job_pk=job.pk, on_progress=watch)
    dataset = TrainingDataset.objects.get()  # built by the run, from the request's parameters
    assert done.dataset == dataset and done.num_examples == dataset.train_count == 27
    assert dataset.validation_count == 3 and done.metadata["dataset_version"] == dataset.version
    assert jobs.job_shape(done)["data_stats"] == {
        "total": 30,
        "train": 27,
        "validation": 3,
        "by_skill": {"sort-digits": 30},
        "by_source": {"attempt": 30},
    }
    assert seen == [(step, "training", step, 20) for step in (5, 10, 15, 20)]
    assert done.status == "completed" and done.attempts == 1 and done.lease_until is None
    assert done.metrics["steps"] == 20 and done.metrics["resumed_from_step"] == 0 and done.fraction_done == 1.0

    adapter = Adapter.objects.get(training_job=done)
    assert (adapter.alias, adapter.status, adapter.version, adapter.base_model) == ("challenger", "testing", 1, tiny)
    assert Path(adapter.path) == Path(settings.ADAPTERS_DIR) / "tiny-lora" / "all" / "v1"
    assert adapter.sha256 == files_sha256(Path(adapter.path)) and len(adapter.sha256) == 64
    assert adapter.metrics == done.metrics and done.output_path == adapter.path
    assert adapter.adapter_name == f"hobby_lora_{done.job_id}" and adapter.metadata["dataset_version"] == 1
    assert not jobs.checkpoint_dir(done).exists()  # finished: nothing left to resume
    shape = jobs.job_shape(done)
    assert shape["adapter_id"] == adapter.adapter_id and shape["progress"]["fraction"] == 1.0

    assert jobs.job_execute(job_pk=job.pk) is None  # a redelivered message: already done
    again = TrainingJob.objects.get(pk=job.pk)
    assert again.attempts == 1 and again.completed_at == done.completed_at and Adapter.objects.count() == 1


def test_a_job_continuing_a_parent_starts_from_its_weights_and_records_the_lineage(tiny, sent, operator_client):
    practised(30)
    parent = jobs.job_execute(job_pk=make().pk).adapter
    job = jobs.job_create(
        model_name="tiny-lora",
        config={**QUICK, "max_steps": 5, "r": parent.metadata["config"]["r"] * 2},
        send=False,
        parent_adapter=parent,
        recipe={"skill_why": "forced (--skill)"},
    )
    assert job.config["r"] == parent.metadata["config"]["r"]  # continuing keeps the parent's rank, and says so
    done = jobs.job_execute(job_pk=job.pk)
    child = done.adapter
    assert child.parent == parent and child.dataset == done.dataset is not None
    assert child.recipe == {"skill_why": "forced (--skill)", "lora": job.config}
    info = (Path(child.path) / "training_info.json").read_text()
    assert str(Path(parent.path)) in info  # trained on top of the parent's files, checked against its seal

    shown = operator_client.get(f"/api/v1/learning/adapters/{child.adapter_id}/").json()
    assert shown["parent_adapter_id"] == parent.adapter_id and shown["lineage"] == [parent.adapter_id]
    assert shown["recipe"]["lora"]["max_steps"] == 5 and shown["dataset_version"] == done.dataset.version
    assert jobs.job_shape(TrainingJob.objects.get(pk=job.pk))["parent_adapter_id"] == parent.adapter_id

    (Path(parent.path) / "adapter_model.safetensors").write_bytes(b"damaged")
    broken = jobs.job_create(model_name="tiny-lora", config=dict(QUICK), send=False, parent_adapter=parent)
    failed = jobs.job_execute(job_pk=broken.pk)
    assert failed.status == "failed" and "refused" in failed.error_message  # never trained on a damaged parent


def test_a_message_delivered_while_another_run_holds_the_lease_does_nothing(tiny, sent):
    practised(12)
    job = make()
    TrainingJob.objects.filter(pk=job.pk).update(
        status="training", claim="theirs", attempts=1, lease_until=timezone.now() + timedelta(minutes=5)
    )
    assert jobs.job_execute(job_pk=job.pk) is None
    row = TrainingJob.objects.get(pk=job.pk)
    assert (row.status, row.claim, row.attempts, row.progress) == ("training", "theirs", 1, {})


def test_a_cancelled_pending_job_never_starts(tiny, sent, settings):
    practised(12)
    job = make()
    cancelled = jobs.job_cancel(job_id=job.job_id)
    assert cancelled.status == "cancelled" and cancelled.completed_at is not None
    assert jobs.job_execute(job_pk=job.pk) is None
    row = TrainingJob.objects.get(pk=job.pk)
    assert row.attempts == 0 and row.started_at is None and not Adapter.objects.exists()
    assert not jobs.checkpoint_dir(row).exists()


def test_the_trainer_asks_whether_to_stop_once_a_second_and_after_each_report_not_every_step(tiny, sent, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    practised(30)
    job = make(config={**QUICK, "max_steps": 20, "logging_steps": 5, "save_steps": 50})
    monkeypatch.setattr(jobs, "STOP_CHECK_SECONDS", 3600.0)  # so that only the reports let it ask again
    with CaptureQueriesContext(connection) as queries:
        done = jobs.job_execute(job_pk=job.pk)
    assert done.status == "completed" and done.progress["step"] == 20
    stop_query = 'SELECT "learning_trainingjob"."status" AS "status", "learning_trainingjob"."claim"'
    asked = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(stop_query)]
    assert 1 <= len(asked) <= 1 + 20 // 5  # the first step, and the step after each of the 4 reports


def test_a_running_job_cancelled_stops_at_its_next_step_leaving_a_checkpoint(tiny, sent):
    practised(30)
    job = make(config={**QUICK, "save_steps": 50})  # no periodic checkpoint before the stop
    steps = []

    def cancel_at_first_report(report):
        steps.append(report.step)
        if len(steps) == 1:
            jobs.job_cancel(job_id=job.job_id)

    stopped = jobs.job_execute(job_pk=job.pk, on_progress=cancel_at_first_report)
    assert stopped.status == "cancelled" and steps == [5] and stopped.progress["step"] == 5
    assert not Adapter.objects.exists() and stopped.output_path == ""
    checkpoint = jobs.checkpoint_dir(stopped) / "checkpoints" / "checkpoint.pt"
    assert torch.load(checkpoint, map_location="cpu", weights_only=False)["step"] == 5
    with pytest.raises(Conflict, match="already finished"):
        jobs.job_cancel(job_id=job.job_id)


def test_a_cancel_arriving_while_the_adapter_is_registered_leaves_no_orphan_challenger(
    tiny,
    sent,
    monkeypatch,
):
    practised(30)
    job = make()
    register = adapters.adapter_register

    def cancelled_meanwhile(**kwargs):  # the operator's cancel lands between training and registration
        try:
            jobs.job_cancel(job_id=job.job_id)
        except Conflict:  # refusing a cancel this late is a fine answer too
            pass
        return register(**kwargs)

    monkeypatch.setattr(jobs, "adapter_register", cancelled_meanwhile)
    ended = jobs.job_execute(job_pk=job.pk)
    made = Adapter.objects.filter(training_job=job).first()
    # Either it finished (the cancel came too late) or it was cancelled and serves nothing: never a cancelled
    # job whose adapter is under test, with no metrics or output path on the job.
    assert (ended.status, made is not None) in {("completed", True), ("cancelled", False)}, (ended.status, made)


@pytest.mark.parametrize("status", ["completed", "failed", "cancelled"])
def test_cancelling_a_finished_job_is_a_conflict(tiny, sent, status):
    practised(12)
    job = make()
    TrainingJob.objects.filter(pk=job.pk).update(status=status)
    with pytest.raises(Conflict) as conflict:
        jobs.job_cancel(job_id=job.job_id)
    assert conflict.value.status == 409 and TrainingJob.objects.get(pk=job.pk).status == status
    with pytest.raises(NotFound):
        jobs.job_cancel(job_id="job_nobody")


def test_a_permanent_failure_fails_the_row_and_records_an_error_event(tiny, sent):
    practised(12)
    job = make(dataset=datasets.dataset_build(min_examples=10))
    with open(Path(job.dataset.path) / "train.jsonl", "a") as train:  # the sealed data was changed
        train.write("{}\n")
    failed = jobs.job_execute(job_pk=job.pk)
    assert failed.status == "failed" and "sha256" in failed.error_message and failed.lease_until is None
    event = ErrorEvent.objects.get()
    assert "sha256" in event.message
    assert event.source in ErrorEvent.Source.values, f"{event.source!r} is no ErrorEvent source"


def test_the_resume_sweep_sends_dead_runs_and_lost_messages_only(tiny, sent):
    practised(12)
    first = make()
    now = timezone.now()
    dead, alive, fresh, lost, done, cancelled, queued = [first] + [make(dataset=first.dataset) for _ in range(6)]
    long_ago = now - timedelta(hours=1)
    for job, values in (
        (dead, {"status": "training", "lease_until": now - timedelta(seconds=1), "sent_at": long_ago}),
        (alive, {"status": "evaluating", "lease_until": now + timedelta(minutes=5)}),
        (lost, {"created_at": long_ago, "sent_at": long_ago}),
        (queued, {"created_at": long_ago}),  # waits behind a long run, sent a moment ago: left
        (done, {"status": "completed", "lease_until": now - timedelta(hours=1)}),
        (cancelled, {"status": "cancelled", "lease_until": now - timedelta(hours=1)}),
    ):
        TrainingJob.objects.filter(pk=job.pk).update(**values)
    sent.clear()
    assert sorted(jobs.jobs_resume()) == sorted([dead.pk, lost.pk])
    assert sorted(kwargs["job_pk"] for kwargs, _ in sent) == sorted([dead.pk, lost.pk])
    assert fresh.pk not in [kwargs["job_pk"] for kwargs, _ in sent]


@pytest.mark.slow
def test_a_training_worker_killed_mid_run_is_resumed_from_its_checkpoint_and_finishes_once(
    start_worker, tiny, settings
):
    env = {name: str(getattr(settings, name)) for name in ("TRAINING_DIR", "ADAPTERS_DIR", "DATASETS_DIR")}
    first = start_worker("trainer", roles=["training"], env=env)
    practised(30)
    job = make(config={**QUICK, "max_steps": 150, "save_steps": 10})
    assert job.machine == "trainer"
    wait_for(
        lambda: TrainingJob.objects.get(pk=job.pk).progress.get("step", 0) >= 10,
        timeout=120,
        what="the first checkpoint",
    )
    first.kill()  # the whole worker, mid-run, no goodbye
    row = TrainingJob.objects.get(pk=job.pk)
    assert row.status == "training" and row.attempts == 1 and row.lease_until > timezone.now()
    assert row.progress["step"] < 150
    assert jobs.jobs_resume() == []  # its lease still runs: that worker might be alive

    start_worker("trainer", roles=["training"], env=env)
    TrainingJob.objects.filter(pk=job.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1), sent_at=timezone.now() - timedelta(hours=1)
    )
    assert jobs.jobs_resume() == [job.pk]
    done = wait_for(
        lambda: TrainingJob.objects.filter(pk=job.pk).exclude(status__in=TrainingJob.ACTIVE).first(),
        timeout=180,
        what="the resumed run",
    )
    assert done.status == "completed", done.error_message
    assert done.attempts == 2 and done.metrics["steps"] == 150
    assert 0 < done.metrics["resumed_from_step"] < 150 and done.metrics["resumed_from_step"] % 10 == 0
    assert Adapter.objects.filter(training_job=done).count() == 1 == Adapter.objects.count()
    assert Adapter.objects.get().alias == "challenger" and not jobs.checkpoint_dir(done).exists()
