"""/metrics: django-prometheus' request metrics plus figures read from shared stores at scrape time.

Figures that many processes and machines produce (Celery task counts, queue depths, errors) are kept in
Redis or the database and read when Prometheus scrapes, so every scrape sees the whole cluster, whichever
web process answers it. Figures only web processes produce (request metrics, the throttle's store errors)
are prometheus_client metrics, merged across gunicorn's workers through PROMETHEUS_MULTIPROC_DIR.
"""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError
from prometheus_client import REGISTRY, CollectorRegistry, Counter, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
_extra_collectors: list = []


def add_collector(collector) -> None:
    if not any(type(c) is type(collector) for c in _extra_collectors):
        _extra_collectors.append(collector)


class ErrorEventCollector:
    """autodidact_error_events_total: the running totals the error bus keeps as it records (ErrorEventTotal),
    not a count of ErrorEvent rows, which the daily prune deletes: a counter must never go down."""

    def collect(self):
        from core.models import ErrorEvent, ErrorEventTotal  # Django: models are not ready before apps load

        family = CounterMetricFamily(
            "autodidact_error_events", "Errors recorded on the error bus, by source", labels=["source"]
        )
        up = GaugeMetricFamily(
            "autodidact_metrics_source_up", "Whether a metrics source could be read (1) or not (0)", labels=["source"]
        )
        try:
            totals = dict(ErrorEventTotal.objects.values_list("source", "count"))
        except DatabaseError:
            up.add_metric(["database"], 0)
        else:
            for source in sorted(set(ErrorEvent.Source.values) | set(totals)):
                family.add_metric([source], totals.get(source, 0))
            up.add_metric(["database"], 1)
            yield family
        yield up


# Requests the throttle let through unthrottled because its store (Redis) could not be reached. In-process,
# like django-prometheus' request metrics: with PROMETHEUS_MULTIPROC_DIR set (gunicorn's several workers, see
# runstack) prometheus_client keeps it in per-process files that render_metrics merges, so one scrape sums
# every web process. It restarts from 0 with its process, which Prometheus' rate() and increase() expect.
THROTTLE_STORE_ERRORS = Counter(
    "autodidact_throttle_store_errors",
    "Requests let through unthrottled because the throttle's store (Redis) was unreachable, by throttle scope",
    ["scope"],
)


class _Exposition:
    """Several collectors seen as one registry by generate_latest.

    Families of the same name from different collectors (autodidact_metrics_source_up) are merged, since
    the text format allows each name once.
    """

    def __init__(self, *sources):
        self.sources = sources

    def collect(self) -> list[Metric]:
        families: dict[str, Metric] = {}
        for source in self.sources:
            for family in source.collect():
                if family.name in families:
                    families[family.name].samples.extend(family.samples)
                else:
                    families[family.name] = family
        return list(families.values())


def render_metrics() -> bytes:
    if settings.PROMETHEUS_MULTIPROC_DIR:
        # Several gunicorn processes: merge the per-process request metrics they write to files.
        base = CollectorRegistry()
        multiprocess.MultiProcessCollector(base, path=settings.PROMETHEUS_MULTIPROC_DIR)
    else:
        base = REGISTRY
    return generate_latest(_Exposition(base, *_extra_collectors))
