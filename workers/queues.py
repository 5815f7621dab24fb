"""Queue names: `<role>.<machine>`. A machine's worker consumes the queues of its MACHINE_ROLES."""

from __future__ import annotations

from core.env import ROLES, QueueRole

__all__ = ["ROLES", "QueueRole", "queue_name", "queues_for", "role_of_queue"]


def queue_name(role: str, machine: str) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    if not machine or "." in machine or "," in machine:
        raise ValueError(f"machine name {machine!r} must be non-empty, without dots or commas")
    return f"{role}.{machine}"


def queues_for(machine: str, roles: list[str]) -> list[str]:
    return [queue_name(role, machine) for role in roles]


def role_of_queue(queue: str) -> str:
    return queue.split(".", 1)[0]
