"""LoRA training jobs: created from a request (checked there: a request with certainly too little data is refused
with the count and leaves nothing behind), their dataset built and trained by the training worker of a machine,
one job at a time, with progress written as it goes. The request answers at once: building a dataset scores
insights with the reward model, which is a worker's work.

A run claims its job with a conditional UPDATE and a token of its own, and renews a lease at every progress
report. A redelivered message finds the job taken and does nothing; a job whose worker was killed (its lease
expired) is sent again by the resume beat and continues from its last checkpoint (learning.training.lora resumes
to the very weights of an uninterrupted run), so it finishes exactly once. Cancelling is an UPDATE the run sees
at its next step: it saves a checkpoint and stops.
"""

from __future__ import annotations

import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from core.clock import db_in
from core.errors import Conflict, Invalid, NotFound
from core.heavy import worker_only
from core.leases import Claim, Lease, LeaseLost
from core.services import error_event_record
from hobbies.assignments import default_model
from hobbies.services import hobby_check
from learning.loop.adapters import adapter_register, adapter_verified
from learning.loop.datasets import DatasetError, TooFewExamples, candidates_at_most, dataset_build, dataset_parts
from learning.models import TrainingJob
from learning.tasks import training_job_run_task
from models_suite.models import ModelArtifact
from workers.base import is_transient
from workers.queues import QueueRole
from workers.routing import NoMachineForRole, machine_for_task
from workers.sending import send_or_leave_for_sweep

MIN_EXAMPLES = 10  # the originals' floor: fewer is not worth a training run
# How often the trainer asks whether to stop: a GPU step takes tens of ms, and a query each step is waste; a
# cancel is seen within this long, and always at the step after a progress report.
STOP_CHECK_SECONDS = 1.0
ORIGINAL_NAMES = {"r": "lora_r", "alpha": "lora_alpha", "dropout": "lora_dropout", "epochs": "num_epochs"}


def lease() -> timedelta:
    return timedelta(seconds=settings.TRAINING_JOB_LEASE_SECONDS)


# A job is held from preparing its data through evaluating its adapter; a cancel ends the hold (the run sees it at
# its next step and stops).
JOB_LEASE = Lease(
    model=TrainingJob,
    fresh=(TrainingJob.Status.PENDING,),
    held=tuple(TrainingJob.RUNNING),
    taken=TrainingJob.Status.PREPARING_DATA,
    duration=lease,
)


def trainable_model(name: str | None):
    """The base model to train on: a transformers directory of ours. Unknown names are 404 (the originals' default
    "base_model" and no name mean the hobby engine's default model)."""
    if not name or name == "base_model":
        try:
            artifact = default_model()
        except LookupError as error:
            raise NotFound(str(error)) from None
    else:
        artifact = ModelArtifact.objects.filter(name=name).first()
        if artifact is None:
            raise NotFound(f"No model named {name!r}: GET /api/v1/models/ lists them")
    if artifact.kind != ModelArtifact.Kind.HF or not artifact.path:
        raise Invalid(
            {
                "model_name": [
                    f"{artifact.name!r} is a {artifact.get_kind_display()}; LoRA trains transformers models only"
                ]
            }
        )
    return artifact


def training_config(values: dict | None):
    """LoraTrainConfig from a request's hyperparameters (the originals' names accepted), or a 400 naming each bad
    one."""
    # heavy: torch/transformers load only when a model is used
    from learning.training.lora import ConfigError, LoraTrainConfig

    ours = {
        next((k for k, v in ORIGINAL_NAMES.items() if v == name), name): value for name, value in (values or {}).items()
    }
    try:
        return LoraTrainConfig.from_dict(ours)
    except ConfigError as error:
        raise Invalid({name: [message] for name, message in error.errors.items()}) from None


def job_create(
    *,
    model_name: str | None = None,
    config: dict | None = None,
    days_back: int = 30,
    min_quality: float = 0.6,
    skill: str = "",
    hobby_type: str = "",
    replay_share: float = 0.2,
    seed: int = 0,
    dataset=None,
    send: bool = True,
    parent_adapter=None,
    recipe: dict | None = None,
) -> TrainingJob:
    """Validate, store the job and send it to a training worker (send=False: the caller runs it, as the learning
    cycle does). The worker builds its dataset as it starts, unless one is given. Every check comes before anything
    is written.
    parent_adapter: continue that adapter's weights instead of starting fresh; recipe: what chose this training
    (kept on the adapter's lineage)."""
    lora_config = training_config(config)
    if parent_adapter is not None:  # continuing keeps the parent's shape (train_lora does): say so on the job
        shape = {name: parent_adapter.metadata.get("config", {}).get(name) for name in ("r", "alpha", "dropout")}
        lora_config = replace(lora_config, **{name: value for name, value in shape.items() if value is not None})
    hobby_type = hobby_check(hobby_type) if hobby_type else ""
    artifact = trainable_model(model_name)
    build = {}
    if dataset is None:  # built by the worker (it scores insights with the reward model: too slow for a request)
        build = {
            "days_back": days_back,
            "min_quality": min_quality,
            "skill": skill,
            "replay_share": replay_share,
            "seed": seed,
        }
        refuse_too_little_data(days_back)
    job = TrainingJob.objects.create(
        job_id=f"job_{secrets.token_hex(4)}_{int(time.time())}",
        base_model=artifact,
        dataset=dataset,
        hobby_type=hobby_type,
        config=asdict(lora_config),
        num_examples=dataset.train_count if dataset else 0,
        machine=training_machine() if send else settings.MACHINE_NAME,
        parent_adapter=parent_adapter,
        metadata={
            "skill": dataset.skill if dataset else skill,
            "dataset_version": dataset.version if dataset else None,
            "recipe": recipe or {},
            **({"dataset_params": build} if build else {}),
        },
    )
    if send:
        transaction.on_commit(lambda: job_send(job))  # a worker must find the row when the message arrives
    return job


def refuse_too_little_data(days_back: int) -> None:
    """The originals' 400 under MIN_EXAMPLES, when even every candidate before filtering would be too few: certain
    without building anything. A window that passes this can still prove too thin once built: the job then fails
    saying so."""
    at_most = candidates_at_most(days_back=days_back)
    if at_most < MIN_EXAMPLES:
        error = TooFewExamples(at_most, MIN_EXAMPLES, {"candidates_at_most": at_most})
        raise Invalid({"detail": [str(error)], "num_examples": error.count, "data_stats": error.stats})


def training_machine() -> str:
    """A machine with a live training worker (this one first), or this one, to wait for its worker."""
    try:
        return machine_for_task(training_job_run_task, QueueRole.TRAINING, (), {})
    except NoMachineForRole:
        return settings.MACHINE_NAME


def job_send(job: TrainingJob) -> None:
    """To the training queue of its machine. A broker that cannot take it now is not fatal: the job is stored
    and the resume beat sends it again."""
    send_or_leave_for_sweep(
        training_job_run_task,
        row=job,
        role=QueueRole.TRAINING,
        machine=job.machine,
        kwargs={"job_pk": job.pk},
        what=f"training job {job.job_id}",
    )


def checkpoint_dir(job: TrainingJob) -> Path:
    return Path(settings.TRAINING_DIR) / job.job_id


@worker_only
def job_execute(*, job_pk: int, on_progress: Callable | None = None) -> TrainingJob | None:
    """Run a job to its end (completed, failed or cancelled); None when it was not ours to run. on_progress gets
    each learning.training.lora.TrainProgress too (the command line's bar)."""
    claim = JOB_LEASE.claim(job_pk, first={"started_at": timezone.now()})
    if claim is None:
        return None
    try:
        return _run(job_pk, claim, on_progress)
    except LeaseLost:
        return None
    except Exception as error:
        if is_transient(error):
            JOB_LEASE.release(claim)  # the retry takes it
            raise
        message = f"{type(error).__name__}: {error}"
        if JOB_LEASE.finish(
            claim, TrainingJob.Status.FAILED, error_message=message[:4000], completed_at=timezone.now()
        ):
            error_event_record(
                source="task",
                exception=error,
                task_name="training_job_run_task",
                message=f"training job {job_pk} failed: {message}",
            )
        return TrainingJob.objects.get(pk=job_pk)


def _run(job_pk: int, claim: Claim, on_progress: Callable | None) -> TrainingJob:
    # heavy: torch/transformers load only when a model is used
    from learning.training.lora import LoraTrainConfig, Stopped, train_lora

    job = TrainingJob.objects.select_related("dataset", "base_model", "parent_adapter").get(pk=job_pk)
    mine = JOB_LEASE.mine(claim)

    def stop_reason() -> str | None:
        return "cancelled" if JOB_LEASE.check(claim) == TrainingJob.Status.CANCELLED else None  # or LeaseLost

    last_check = [float("-inf")]

    def stop_reason_now_and_then() -> str | None:
        if time.monotonic() - last_check[0] < STOP_CHECK_SECONDS:
            return None
        last_check[0] = time.monotonic()
        return stop_reason()

    def progress(report) -> None:
        JOB_LEASE.renew(  # raises LeaseLost when another run has it; a cancel is seen at the next step
            claim,
            progress={
                "step": report.step,
                "total_steps": report.total_steps,
                "loss": round(report.loss, 5),
                "learning_rate": report.learning_rate,
                "tokens_per_second": round(report.tokens_per_second, 1),
                "elapsed_seconds": round(report.elapsed_seconds, 1),
                "eta_seconds": round(report.eta_seconds, 1),
            },
        )
        if on_progress:
            on_progress(report)
        last_check[0] = float("-inf")  # the step after a report asks (a cancel seen by the report's reader)

    if job.dataset is None:
        job.dataset = _dataset_for(job, claim)
        if job.dataset is None:
            return TrainingJob.objects.get(pk=job_pk)  # too little data (failed, saying so), or no longer ours
    train, validation = ([(e.prompt, e.completion, e.weight) for e in part] for part in dataset_parts(job.dataset))
    if not mine.filter(status=TrainingJob.Status.PREPARING_DATA).update(status=TrainingJob.Status.TRAINING):
        stop_reason()
        return TrainingJob.objects.get(pk=job_pk)
    out_dir = Path(settings.TRAINING_DIR) / job.job_id / "adapter"
    init_dir = None
    if job.parent_adapter is not None:  # continual learning: a damaged parent fails the job, never half-loads
        init_dir = adapter_verified(job.parent_adapter).path
    try:
        result = train_lora(
            base_dir=job.base_model.path,
            train=train,
            validation=validation,
            config=LoraTrainConfig(**job.config),
            out_dir=out_dir,
            checkpoint_dir=checkpoint_dir(job) / "checkpoints",
            progress=progress,
            should_stop=stop_reason_now_and_then,
            init_adapter_dir=init_dir,
        )
    except Stopped:
        return TrainingJob.objects.get(pk=job_pk)  # cancelled: the status says so already
    if not mine.filter(status=TrainingJob.Status.TRAINING).update(
        status=TrainingJob.Status.EVALUATING, lease_until=db_in(lease())
    ):
        stop_reason()
        return TrainingJob.objects.get(pk=job_pk)
    metrics = asdict(result)
    adapter = adapter_register(job=job, trained_dir=out_dir, metrics=metrics)
    mine.filter(status=TrainingJob.Status.EVALUATING).update(
        status=TrainingJob.Status.COMPLETED,
        completed_at=timezone.now(),
        lease_until=None,
        metrics=metrics,
        output_path=adapter.path,
    )
    shutil.rmtree(checkpoint_dir(job), ignore_errors=True)
    return TrainingJob.objects.get(pk=job_pk)


def _dataset_for(job: TrainingJob, claim: Claim):
    """Build the job's dataset from the parameters its request gave and attach it, in one transaction: a run killed
    half-way leaves no dataset behind, and the run that resumes builds it again. None when the data proved too
    thin (the job fails with the count) or the job is no longer this run's."""
    mine = JOB_LEASE.mine(claim).filter(status=TrainingJob.Status.PREPARING_DATA)
    params = job.metadata.get("dataset_params", {})
    try:
        with transaction.atomic():
            dataset = dataset_build(**params, min_examples=MIN_EXAMPLES)
            if not mine.update(
                dataset=dataset,
                num_examples=dataset.train_count,
                metadata={**job.metadata, "dataset_version": dataset.version},
            ):
                raise LeaseLost  # cancelled or taken over meanwhile: the dataset goes with the rollback
    except LeaseLost:
        return None
    except DatasetError as error:  # too thin, or bad parameters: the job's outcome, said plainly
        counts = {"data_stats": error.stats, "num_examples": error.count} if isinstance(error, TooFewExamples) else {}
        mine.update(
            status=TrainingJob.Status.FAILED,
            error_message=str(error),
            completed_at=timezone.now(),
            lease_until=None,
            metadata={**job.metadata, **counts},
        )
        return None
    return dataset


def job_get(*, job_id: str) -> TrainingJob:
    found = TrainingJob.objects.select_related("base_model", "dataset").filter(job_id=job_id).first()
    if found is None:
        raise NotFound(f"No training job {job_id!r}.")
    return found


def jobs_list(*, status: str | None = None, limit: int = 50) -> list[TrainingJob]:
    if status and status not in TrainingJob.Status.values:
        raise Invalid(
            {"status": [f"unknown status {status!r}; the statuses are {', '.join(TrainingJob.Status.values)}"]}
        )
    found = TrainingJob.objects.select_related("base_model", "dataset")
    return list((found.filter(status=status) if status else found)[:limit])


def job_cancel(*, job_id: str) -> TrainingJob:
    """Pending jobs never start; a training one saves a checkpoint and stops at its next step. 409 once it is
    evaluating (its adapter is being registered: it finishes) or over."""
    job = job_get(job_id=job_id)
    cancellable = [TrainingJob.Status.PENDING, TrainingJob.Status.PREPARING_DATA, TrainingJob.Status.TRAINING]
    if not TrainingJob.objects.filter(pk=job.pk, status__in=cancellable).update(
        status=TrainingJob.Status.CANCELLED, completed_at=timezone.now()
    ):
        job.refresh_from_db()
        raise Conflict(
            f"training job {job_id} is {job.status}: "
            + (
                "it is finishing and cannot be cancelled"
                if job.status in TrainingJob.ACTIVE
                else "it has already finished"
            )
        )
    job.refresh_from_db()
    return job


def jobs_resume() -> list[int]:
    """The resume beat's sweep: jobs whose run died (lease expired), and pending ones never sent or whose message
    was lost, are sent again, at most once per lease (a job queued behind a long run is not sent every minute).
    Returns their ids."""
    stuck = list(
        TrainingJob.objects.filter(
            JOB_LEASE.expired() | Q(status=TrainingJob.Status.PENDING, created_at__lt=db_in(-lease())),
            Q(sent_at__isnull=True) | Q(sent_at__lt=db_in(-lease())),
        )
    )
    for job in stuck:
        job.machine = training_machine()  # where a live worker is now
        TrainingJob.objects.filter(pk=job.pk).update(machine=job.machine)
        job_send(job)
    return [job.pk for job in stuck]


def job_shape(job: TrainingJob) -> dict:
    """The originals' job dict (docs/originals.md 1.8), with progress and our own fields beside it."""
    config = {ORIGINAL_NAMES.get(name, name): value for name, value in job.config.items()}
    config["model_name"] = job.base_model.name
    adapter = getattr(job, "adapter", None)
    dataset = job.dataset
    return {
        "job_id": job.job_id,
        "status": job.status,
        "config": config,
        "data_path": dataset.path if dataset else None,
        "output_path": job.output_path,
        "num_examples": job.num_examples,
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "completed_at": job.completed_at.isoformat() if job.completed_at else None,
        "error_message": job.error_message or None,
        "metrics": {**job.metrics, **job.progress},
        "metadata": job.metadata,
        "progress": {**job.progress, "fraction": round(job.fraction_done, 4)},
        "created_at": job.created_at.isoformat(),
        "machine": job.machine,
        "attempts": job.attempts,
        "dataset_version": dataset.version if dataset else None,
        "hobby_type": job.hobby_type,
        "adapter_id": adapter.adapter_id if adapter else None,
        "parent_adapter_id": job.parent_adapter.adapter_id if job.parent_adapter is not None else None,
        "data_stats": data_stats(dataset) if dataset else job.metadata.get("data_stats"),
    }


def data_stats(dataset) -> dict:
    """The originals' data_stats of a built dataset."""
    return {
        "total": dataset.train_count + dataset.validation_count,
        "train": dataset.train_count,
        "validation": dataset.validation_count,
        "by_skill": dataset.stats.get("by_skill", {}),
        "by_source": dataset.stats.get("by_source", {}),
    }


def jobs_by_status() -> dict[str, int]:
    counts = dict(TrainingJob.objects.values_list("status").annotate(n=Count("id")).order_by())
    return {status: counts.get(status, 0) for status in TrainingJob.Status.values}
