"""Reads of the workers app."""

from __future__ import annotations

from django.db.models import Max

from workers.models import Machine, WorkerHeartbeat
from workers.queues import queue_name


def machines_offering(role: str) -> list[str]:
    """Machines with a live worker consuming this role's queue, most recently heard from first."""
    rows = (
        WorkerHeartbeat.objects.alive()
        .values("machine__name", "queues")
        .annotate(last=Max("last_beat_at"))
        .order_by("-last")
    )
    names: list[str] = []
    for row in rows:
        name = row["machine__name"]
        if queue_name(role, name) in row["queues"] and name not in names:
            names.append(name)
    return names


def known_queues() -> list[str]:
    """Every queue a registered machine's workers consume."""
    queues: set[str] = set()
    for roles, name in Machine.objects.values_list("roles", "name"):
        queues.update(queue_name(role, name) for role in roles)
    return sorted(queues)
