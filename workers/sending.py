"""Sending the message for work whose database row is the truth (assignments, training jobs, dataset builds)."""

from __future__ import annotations

import logging

from django.db import models

from core.clock import db_now
from workers.queues import QueueRole, queue_name

logger = logging.getLogger(__name__)


def send_or_leave_for_sweep(
    task, *, row: models.Model, role: QueueRole, machine: str, kwargs: dict, what: str, stamped: bool = False
) -> bool:
    """Send `task` to the `role` queue of `machine` and stamp the row's sent_at (the database's clock). A broker
    that cannot take it now is not the caller's failure: the row is stored, and its resume sweep sends it again
    (claims make a second message harmless). Returns whether it was sent.

    stamped: the row was written with sent_at already, in the transaction that created it (one write fewer per
    message on a hot path); a failed send clears it, so the sweep sends it at its next pass. A process that dies
    between the commit and the send leaves it stamped: the sweep then sends it once the stamp is a lease old."""
    try:
        task.apply_async(kwargs=kwargs, queue=queue_name(role, machine))
    except Exception:  # kombu and redis raise many kinds; every one means "not sent"
        logger.exception("%s could not be sent; the resume sweep will send it", what)
        if stamped:
            type(row)._default_manager.filter(pk=row.pk).update(sent_at=None)
        return False
    if not stamped:
        type(row)._default_manager.filter(pk=row.pk).update(sent_at=db_now())
    return True
