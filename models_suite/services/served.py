"""What the gateway served: one row per generation request (ServedRequest), and the window of them the watch
after a promotion reads."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from models_suite.models import ServedRequest

logger = logging.getLogger(__name__)

# Pruning is one indexed DELETE, run by one insert in this many rather than by each: the table stays bounded
# (GATEWAY_REQUESTS_KEEP_DAYS of traffic plus at most this many rows) and the hot path almost never pays for it.
PRUNE_EVERY = 1000
# A window's figures rest on its latest requests, at most this many: percentiles of ten thousand requests are
# as good as of a million, and reading them stays cheap however busy the gateway is.
WINDOW_MAX_REQUESTS = 10000


def served_request_record(
    *, model: str, adapter_id: str, route: str, stream: bool, status: int, latency_ms: float
) -> None:
    """Record one request. Never raises: bookkeeping must not fail an answer already given."""
    try:
        row = ServedRequest.objects.create(
            model=model,
            adapter_id=adapter_id,
            route=route,
            stream=stream,
            status=status,
            latency_ms=latency_ms,
            created_at=timezone.now(),
        )
        if row.pk % PRUNE_EVERY == 0:
            ServedRequest.objects.filter(
                created_at__lt=row.created_at - timedelta(days=settings.GATEWAY_REQUESTS_KEEP_DAYS)
            ).delete()
    except DatabaseError:
        logger.warning("could not record a served request of %s", model, exc_info=True)


def served_window(*, model: str, adapter_id: str, start: datetime, end: datetime) -> list[tuple[float, int]]:
    """(latency_ms, status) of the requests `model` with `adapter_id` ("" for the bare base) answered in
    [start, end), the latest WINDOW_MAX_REQUESTS of them."""
    return list(
        ServedRequest.objects.filter(model=model, adapter_id=adapter_id, created_at__gte=start, created_at__lt=end)
        .order_by("-created_at")
        .values_list("latency_ms", "status")[:WINDOW_MAX_REQUESTS]
    )
