"""Learning's tasks. Thin: the logic is in the services."""

from __future__ import annotations

from learning.loop.comparisons import champions_to_watch, watch_check
from workers.base import autodidact_task
from workers.queues import QueueRole


@autodidact_task(
    name="learning.tasks.reward_model_train_task",
    role=QueueRole.TRAINING,
    ignore_result=True,  # the RewardModel row is the truth
)
def reward_model_train_task(model_pk: int) -> None:
    """Idempotent: the version is claimed pending -> training, so a redelivered message does nothing."""
    # cycle: learning.feedback.reward_models imports this module
    from learning.feedback.reward_models import reward_model_train_from_feedback

    reward_model_train_from_feedback(model_pk=model_pk)


@autodidact_task(
    name="learning.tasks.training_job_run_task",
    role=QueueRole.TRAINING,
    ignore_result=True,  # the TrainingJob row is the truth
)
def training_job_run_task(job_pk: int) -> None:
    """Idempotent: the job is claimed with a token, so a redelivered message does nothing; a killed worker's job
    is claimed again once its lease expires and resumes from its checkpoint."""
    from learning.loop.jobs import job_execute  # cycle: learning.loop.jobs imports this module

    job_execute(job_pk=job_pk)


@autodidact_task(
    name="learning.tasks.dataset_build_task",
    role=QueueRole.TRAINING,
    ignore_result=True,  # the DatasetBuild row is the truth
)
def dataset_build_task(build_pk: int) -> None:
    """Idempotent: the build is claimed with a lease, so a redelivered message does nothing."""
    from learning.loop.dataset_builds import build_execute  # cycle: learning.loop.dataset_builds imports this module

    build_execute(build_pk=build_pk)


@autodidact_task(name="learning.tasks.training_jobs_resume_task", role=QueueRole.CONTROL, ignore_result=True)
def training_jobs_resume_task() -> list[int]:
    """Training jobs and dataset builds whose worker died or whose message was lost, sent again."""
    from learning.loop.dataset_builds import builds_resume  # cycle: learning.loop.dataset_builds imports this module
    from learning.loop.jobs import jobs_resume  # cycle: learning.loop.jobs imports this module

    builds_resume()
    return jobs_resume()


@autodidact_task(
    name="learning.tasks.learning_cycle_task",
    role=QueueRole.TRAINING,
    idempotent=False,
    ignore_result=True,  # the LearningCycle row records each step
)
def learning_cycle_task() -> None:
    """The nightly cycle. Not retried: a failed cycle is recorded (and on the error bus); the next night tries
    again."""
    from learning.loop.cycle import cycle_run  # cycle: learning.loop.cycle imports this module (via loop.jobs)

    cycle_run(trigger="schedule")


@autodidact_task(name="learning.tasks.adapters_watch_task", role=QueueRole.TRAINING, ignore_result=True)
def adapters_watch_task() -> list[str]:
    """Measures champions promoted since their last watch against their baselines; rolls regressions back."""
    return [
        f"{adapter.adapter_id}: {'; '.join(outcome.regressions)}"
        for adapter in champions_to_watch()
        if (outcome := watch_check(adapter)).regressions
    ]
