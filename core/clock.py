"""One clock for leases: the database server's.

A lease is written by the worker that holds it and judged by another process (the resume beat, a second worker)
on another machine. Each machine's own clock would put the skew between the two straight into the judgement: a
worker whose clock runs ten minutes fast writes a lease that outlives it by ten minutes; one that runs slow sees
live leases as expired and takes work from a run that is alive. Writing and comparing leases with the database's
NOW() in the same statement makes every machine agree, whatever its clock says.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import DateTimeField, ExpressionWrapper
from django.db.models.functions import Now


def db_now() -> Now:
    """The database server's current time, evaluated inside the query that uses it."""
    return Now()


def db_in(delta: timedelta) -> ExpressionWrapper:
    """The database server's time `delta` from now (negative: ago), evaluated inside the query."""
    return ExpressionWrapper(Now() + delta, output_field=DateTimeField())
