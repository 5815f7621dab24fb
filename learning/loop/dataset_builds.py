"""Dataset builds asked for over the API: stored, answered 202, built by a training worker.

Building scores every candidate insight with the current reward model, which takes seconds to minutes: no request
waits on it. The DatasetBuild row is the truth. A worker claims it with a lease judged by the database's clock
and builds the dataset and marks the build done in one transaction, so a worker killed half-way leaves nothing and
the build, sent again by the resume sweep once the lease ends, happens once.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from core.clock import db_in, db_now
from core.heavy import worker_only
from core.services import error_event_record
from learning.loop.datasets import DatasetError, dataset_build
from learning.models import DatasetBuild
from workers.base import is_transient
from workers.sending import send_or_leave_for_sweep

# One transaction builds the whole dataset (nothing to renew half-way): the lease covers a long build, and a dead
# worker's build is taken again after it.
BUILD_LEASE = timedelta(minutes=30)
RESEND_AFTER = timedelta(minutes=5)  # a pending build whose message has not led to a claim by then is sent again


def build_request(**params) -> DatasetBuild:
    """Store the build and send it once the caller's transaction commits. params: dataset_build's arguments,
    already validated by the caller's serializer."""
    from learning.loop.jobs import training_machine

    build = DatasetBuild.objects.create(params=params, machine=training_machine())
    transaction.on_commit(lambda: build_send(build))
    return build


def build_send(build: DatasetBuild) -> None:
    """To the training queue of its machine; a broker that cannot take it now leaves it to the resume sweep."""
    from learning.tasks import dataset_build_task

    send_or_leave_for_sweep(
        dataset_build_task,
        row=build,
        role="training",
        machine=build.machine,
        kwargs={"build_pk": build.pk},
        what=f"dataset build {build.pk}",
    )


@worker_only
def build_execute(*, build_pk: int) -> DatasetBuild | None:
    """Build it, once; None when it is not this run's (done, failed, or another worker holds its lease)."""
    claimable = Q(status=DatasetBuild.Status.PENDING) | Q(status=DatasetBuild.Status.BUILDING, lease_until__lt=db_now())
    if not DatasetBuild.objects.filter(claimable, pk=build_pk).update(
        status=DatasetBuild.Status.BUILDING, lease_until=db_in(BUILD_LEASE), attempts=F("attempts") + 1
    ):
        return None
    build = DatasetBuild.objects.get(pk=build_pk)
    try:
        with transaction.atomic():
            dataset = dataset_build(**build.params)
            DatasetBuild.objects.filter(pk=build_pk).update(
                status=DatasetBuild.Status.COMPLETED, dataset=dataset, lease_until=None, finished_at=timezone.now()
            )
    except DatasetError as error:  # too little data, bad parameters: the build's outcome, said plainly
        _fail(build_pk, str(error))
    except Exception as error:
        if is_transient(error):  # give the lease back: the task's retry takes it at once
            DatasetBuild.objects.filter(pk=build_pk, status=DatasetBuild.Status.BUILDING).update(lease_until=db_now())
            raise
        _fail(build_pk, f"{type(error).__name__}: {error}")
        error_event_record(
            source="task",
            exception=error,
            task_name="dataset_build_task",
            message=f"dataset build {build_pk} failed: {error}",
        )
    return DatasetBuild.objects.select_related("dataset").get(pk=build_pk)


def _fail(build_pk: int, message: str) -> None:
    DatasetBuild.objects.filter(pk=build_pk).update(
        status=DatasetBuild.Status.FAILED, error=message[:4000], lease_until=None, finished_at=timezone.now()
    )


def builds_resume() -> list[int]:
    """The resume sweep: builds whose worker died (lease over) and pending ones whose message was lost, each sent
    at most once per RESEND_AFTER (no pile of messages while no training worker is up)."""
    from learning.loop.jobs import training_machine

    stuck = list(
        DatasetBuild.objects.filter(
            Q(status=DatasetBuild.Status.BUILDING, lease_until__lt=db_now())
            | Q(status=DatasetBuild.Status.PENDING, created_at__lt=db_in(-RESEND_AFTER)),
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
        "dataset_version": build.dataset.version if build.dataset_id else None,
        "error": build.error or None,
        "machine": build.machine,
        "attempts": build.attempts,
        "created_at": build.created_at.isoformat(),
        "finished_at": build.finished_at.isoformat() if build.finished_at else None,
    }
