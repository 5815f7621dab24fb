"""/metrics: django-prometheus' request metrics plus figures read from shared stores at scrape time.

Figures that many processes and machines produce (Celery task counts, queue depths, errors) are kept in
Redis or the database and read when Prometheus scrapes, so every scrape sees the whole cluster, whichever
web process answers it.
"""

from __future__ import annotations

import os

from django.db import DatabaseError
from django.db.models import Count
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
_extra_collectors: list = []


def add_collector(collector) -> None:
    if not any(type(c) is type(collector) for c in _extra_collectors):
        _extra_collectors.append(collector)


class ErrorEventCollector:
    def collect(self):
        from core.models import ErrorEvent

        family = CounterMetricFamily(
            "autodidact_error_events", "Errors recorded on the error bus, by source", labels=["source"]
        )
        up = GaugeMetricFamily("autodidact_metrics_source_up", "Whether a metrics source could be read (1) or not (0)",
                               labels=["source"])
        try:
            counts = dict(ErrorEvent.objects.values_list("source").annotate(n=Count("id")).order_by())
        except DatabaseError:
            up.add_metric(["database"], 0)
        else:
            for source in ErrorEvent.Source.values:
                family.add_metric([source], counts.get(source, 0))
            up.add_metric(["database"], 1)
            yield family
        yield up


class _Exposition:
    """Several collectors seen as one registry by generate_latest.

    Families of the same name from different collectors (autodidact_metrics_source_up) are merged, since
    the text format allows each name once.
    """

    def __init__(self, *sources):
        self.sources = sources

    def collect(self):
        families: dict[str, object] = {}
        for source in self.sources:
            for family in source.collect():
                if family.name in families:
                    families[family.name].samples.extend(family.samples)
                else:
                    families[family.name] = family
        return list(families.values())


def render_metrics() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Several gunicorn processes: merge the per-process request metrics they write to files.
        base = CollectorRegistry()
        multiprocess.MultiProcessCollector(base)
    else:
        base = REGISTRY
    return generate_latest(_Exposition(base, *_extra_collectors))
