import os

from django.conf import settings

from core import services as core_services
from workers import services
from workers.base import autodidact_task
from workers.queues import QueueRole
from workers.signals import queue_of


@autodidact_task(name="workers.tasks.ping_task", role=QueueRole.CONTROL, bind=True)
def ping_task(self, machine: str | None = None) -> dict:
    """Answers where it ran: lets an operator (and the tests) check a machine's routing end to end."""
    return {
        "machine": settings.MACHINE_NAME,
        "queue": queue_of(self.request),
        "pid": os.getpid(),
        "worker": self.request.hostname,
    }


@autodidact_task(name="workers.tasks.heartbeats_prune_task", role=QueueRole.CONTROL)
def heartbeats_prune_task(older_than_days: int = 7) -> int:
    return services.heartbeats_prune(older_than_days=older_than_days)


# Core's maintenance task lives here, with the task machinery: core sits below workers and imports none of it. Its
# name is the one beat rows were created with.
@autodidact_task(name="core.tasks.error_events_prune_task", role=QueueRole.CONTROL)
def error_events_prune_task(older_than_days: int | None = None) -> int:
    return core_services.error_events_prune(older_than_days=older_than_days)
