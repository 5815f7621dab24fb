"""Writes of the workers app: machines and worker heartbeats."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.dispatch import Signal
from django.utils import timezone

from workers.models import Machine, WorkerHeartbeat
from workers.queues import role_of_queue

# Sent on every worker heartbeat, in the worker's heartbeat thread, with the machine's name: apps hook
# their per-machine housekeeping here (the model suite forgets placements of dead processes).
machine_heartbeat = Signal()


@transaction.atomic
def worker_register(
    *,
    worker_name: str,
    machine_name: str,
    hostname: str,
    roles: list[str],
    queues: list[str],
    pid: int,
    concurrency: int,
    gpus: list[dict],
) -> WorkerHeartbeat:
    """A worker (re)starts: its machine is recorded with what it offers, and its heartbeat row is reset."""
    now = timezone.now()
    machine, created = Machine.objects.get_or_create(
        name=machine_name, defaults={"hostname": hostname, "roles": sorted(roles), "gpus": gpus, "last_seen_at": now}
    )
    if not created:
        # Several workers may serve one machine with different roles: the machine offers their union.
        machine.roles = sorted(set(roles) | _roles_of_other_live_workers(machine, worker_name))
        machine.hostname, machine.gpus, machine.last_seen_at = hostname, gpus, now
        machine.save(update_fields=["roles", "hostname", "gpus", "last_seen_at"])
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        worker_name=worker_name,
        defaults={
            "machine": machine,
            "pid": pid,
            "queues": queues,
            "concurrency": concurrency,
            "started_at": now,
            "last_beat_at": now,
            "stopped_at": None,
            "beats": 1,
        },
    )
    return heartbeat


def _roles_of_other_live_workers(machine: Machine, worker_name: str) -> set[str]:
    others = WorkerHeartbeat.objects.alive().filter(machine=machine).exclude(worker_name=worker_name)
    return {role_of_queue(queue) for queues in others.values_list("queues", flat=True) for queue in queues}


def worker_beat(*, worker_name: str, gpus: list[dict] | None = None) -> bool:
    """One heartbeat. False when the row is gone (an operator deleted it): the caller registers again."""
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_name=worker_name).update(
        last_beat_at=now, beats=F("beats") + 1, stopped_at=None
    )
    if updated:
        fields = {"last_seen_at": now} if gpus is None else {"last_seen_at": now, "gpus": gpus}
        Machine.objects.filter(workers__worker_name=worker_name).update(**fields)
        machine_heartbeat.send(sender=WorkerHeartbeat, machine=settings.MACHINE_NAME)
    return bool(updated)


def worker_stop(*, worker_name: str) -> None:
    WorkerHeartbeat.objects.filter(worker_name=worker_name).update(stopped_at=timezone.now())


def heartbeats_prune(*, older_than_days: int = 7) -> int:
    """Forget workers that stopped, or went silent, more than N days ago."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = WorkerHeartbeat.objects.filter(Q(stopped_at__lt=cutoff) | Q(last_beat_at__lt=cutoff)).delete()
    return deleted
