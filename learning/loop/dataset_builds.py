"""Dataset builds asked for over the API: stored, answered 202, built by a training worker.

Building scores every candidate insight with the current reward model, which takes seconds to minutes: no request
waits on it. The DatasetBuild row is the truth. A worker claims it with a lease judged by the database's clock
and builds the dataset and marks the build done in one transaction, so a worker killed half-way leaves nothing and
the build, sent again by the resume sweep once the lease ends, happens once.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.clock import db_in
from core.heavy import worker_only
from core.leases import Claim, Lease, LeaseLost
from core.services import error_event_record
from learning.loop.datasets import DatasetError, dataset_build
from learning.loop.jobs import training_machine
from learning.models import DatasetBuild
from learning.tasks import dataset_build_task
from workers.base import is_transient
from workers.queues import QueueRole
from workers.sending import send_or_leave_for_sweep

# One transaction builds the whole dataset (nothing to renew half-way): the lease covers a long build, and a dead
# worker's build is taken again after it.
BUILD_LEASE = timedelta(minutes=30)
RESEND_AFTER = timedelta(minutes=5)  # a pending build whose message has not led to a claim by then is sent again
BUILD = Lease(
    model=DatasetBuild,
    fresh=(DatasetBuild.Status.PENDING,),
    held=(DatasetBuild.Status.BUILDING,),
    taken=DatasetBuild.Status.BUILDING,
    duration=BUILD_LEASE,
)


def build_request(**params) -> DatasetBuild:
    """Store the build and send it once the caller's transaction commits. params: dataset_build's arguments,
    already validated by the caller's serializer."""
    build = DatasetBuild.objects.create(params=params, machine=training_machine())
    transaction.on_commit(lambda: build_send(build))
    return build


def build_send(build: DatasetBuild) -> None:
    """To the training queue of its machine; a broker that cannot take it now leaves it to the resume sweep."""
    send_or_leave_for_sweep(
        dataset_build_task,
        row=build,
        role=QueueRole.TRAINING,
        machine=build.machine,
        kwargs={"build_pk": build.pk},
        what=f"dataset build {build.pk}",
    )


@worker_only
def build_execute(*, build_pk: int) -> DatasetBuild | None:
    """Build it, once; None when it is not this run's (done, failed, or another worker holds its lease)."""
    claim = BUILD.claim(build_pk, returning=["params"])
    if claim is None:
        return None
    try:
        with transaction.atomic():
            dataset = dataset_build(**claim.values["params"])
            if not BUILD.finish(claim, DatasetBuild.Status.COMPLETED, dataset=dataset, finished_at=timezone.now()):
                raise LeaseLost  # taken over meanwhile: the dataset goes with the rollback
    except LeaseLost:
        return None
    except DatasetError as error:  # too little data, bad parameters: the build's outcome, said plainly
        _fail(claim, str(error))
    except Exception as error:
        if is_transient(error):  # give the lease back: the task's retry takes it at once
            BUILD.release(claim)
            raise
        _fail(claim, f"{type(error).__name__}: {error}")
        error_event_record(
            source="task",
            exception=error,
            task_name="dataset_build_task",
            message=f"dataset build {build_pk} failed: {error}",
        )
    return DatasetBuild.objects.select_related("dataset").get(pk=build_pk)


def _fail(claim: Claim, message: str) -> None:
    BUILD.finish(claim, DatasetBuild.Status.FAILED, error=message[:4000], finished_at=timezone.now())


def builds_resume() -> list[int]:
    """The resume sweep: builds whose worker died (lease over) and pending ones whose message was lost, each sent
    at most once per RESEND_AFTER (no pile of messages while no training worker is up)."""
    stuck = list(
        DatasetBuild.objects.filter(
            BUILD.expired() | Q(status=DatasetBuild.Status.PENDING, created_at__lt=db_in(-RESEND_AFTER)),
            Q(sent_at__isnull=True) | Q(sent_at__lt=db_in(-RESEND_AFTER)),
        )
    )  # at most once per RESEND_AFTER
    for build in stuck:
        build.machine = training_machine()
        DatasetBuild.objects.filter(pk=build.pk).update(machine=build.machine)
        build_send(build)
    return [build.pk for build in stuck]


def build_shape(build: DatasetBuild) -> dict:
    return {
        "build_id": build.pk,
        "status": build.status,
        "params": build.params,
        "dataset_version": build.dataset.version if build.dataset is not None else None,
        "error": build.error or None,
        "machine": build.machine,
        "attempts": build.attempts,
        "created_at": build.created_at.isoformat(),
        "finished_at": build.finished_at.isoformat() if build.finished_at else None,
    }
