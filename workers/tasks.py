import os

from django.conf import settings

from workers import services
from workers.base import autodidact_task
from workers.signals import queue_of


@autodidact_task(role="control", bind=True)
def ping_task(self, machine: str | None = None) -> dict:
    """Answers where it ran: lets an operator (and the tests) check a machine's routing end to end."""
    return {
        "machine": settings.MACHINE_NAME,
        "queue": queue_of(self.request),
        "pid": os.getpid(),
        "worker": self.request.hostname,
    }


@autodidact_task(role="control")
def heartbeats_prune_task(older_than_days: int = 7) -> int:
    return services.heartbeats_prune(older_than_days=older_than_days)
