"""Sending the message for work whose database row is the truth (assignments, training jobs, dataset builds)."""

from __future__ import annotations

import logging

from django.db import models

from core.clock import db_now
from workers.queues import queue_name

logger = logging.getLogger(__name__)


def send_or_leave_for_sweep(task, *, row: models.Model, role: str, machine: str, kwargs: dict, what: str) -> bool:
    """Send `task` to the `role` queue of `machine` and stamp the row's sent_at (the database's clock). A broker
    that cannot take it now is not the caller's failure: the row is stored, and its resume sweep sends it again
    (claims make a second message harmless). Returns whether it was sent."""
    try:
        task.apply_async(kwargs=kwargs, queue=queue_name(role, machine))
    except Exception:  # kombu and redis raise many kinds; every one means "not sent"
        logger.exception("%s could not be sent; the resume sweep will send it", what)
        return False
    type(row).objects.filter(pk=row.pk).update(sent_at=db_now())
    return True
