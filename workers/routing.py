"""Send each task to the queue of the machine where it must run.

The queue is `<task's role>.<machine>`. The machine comes from, in order: the task's own `machine_for`
(e.g. the sub-agent's machine), a `machine` keyword argument, this machine if a live worker here consumes
the role, another machine with a live worker for the role (heard from last first), and last this machine if
its MACHINE_ROLES include the role. An explicit `queue=` always wins.
"""

from __future__ import annotations

from django.conf import settings

from core.errors import ServiceUnavailable
from workers.queues import QueueRole, queue_name
from workers.selectors import machines_offering

DEFAULT_ROLE = QueueRole.CONTROL.value  # tasks we did not declare (Celery's own) run with the control plane


class NoMachineForRole(ServiceUnavailable):
    """No live machine can take work of a role, and this machine does not claim it: a 503 naming the role."""


def machine_for_task(task, role: str, args, kwargs) -> str:
    args, kwargs = args or (), kwargs or {}
    chooser = getattr(task, "machine_for", None)
    explicit = chooser(args, kwargs) if chooser else None
    explicit = explicit or kwargs.get("machine")
    if explicit:
        return explicit
    # A live worker decides, not configuration: with the default MACHINE_ROLES (all of them) the control
    # machine would otherwise keep training work it has no worker (or GPU) for.
    offering = machines_offering(role)
    if settings.MACHINE_NAME in offering:
        return settings.MACHINE_NAME
    if offering:
        return offering[0]
    if role in settings.MACHINE_ROLES:
        return settings.MACHINE_NAME  # our own worker is not up yet (the stack is starting): it waits in our queue
    raise NoMachineForRole(
        f"No live worker offers the {role!r} role: start a worker whose MACHINE_ROLES include {role!r}"
    )


def route_task(name, args, kwargs, options, task=None, **_):
    if options.get("queue"):
        return None
    role = getattr(task, "role", None) or DEFAULT_ROLE
    return {"queue": queue_name(role, machine_for_task(task, role, args, kwargs))}
