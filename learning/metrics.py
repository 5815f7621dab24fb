"""The learning loop's series in /metrics, read from the database at scrape time (every process and machine
sees the same figures, and a counter stays monotonic across restarts: its events are rows)."""

from __future__ import annotations

from django.db import DatabaseError
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from learning.loop.jobs import jobs_by_status
from learning.models import Adapter, AdapterEvent


class LearningCollector:
    def collect(self):
        up = GaugeMetricFamily(
            "autodidact_metrics_source_up", "Whether a metrics source could be read (1) or not (0)", labels=["source"]
        )
        try:
            rollbacks = AdapterEvent.objects.filter(kind=AdapterEvent.Kind.ROLLED_BACK).count()
            jobs = jobs_by_status()
            champions = Adapter.objects.filter(alias=Adapter.Alias.CHAMPION).count()
        except DatabaseError:
            up.add_metric(["learning"], 0)
            yield up
            return
        yield CounterMetricFamily(
            "adapter_rollbacks",
            "Champion adapters rolled back automatically or by hand after a regression",
            value=rollbacks,
        )
        family = GaugeMetricFamily("autodidact_training_jobs", "LoRA training jobs by status", labels=["status"])
        for status, count in jobs.items():
            family.add_metric([status], count)
        yield family
        yield GaugeMetricFamily("autodidact_adapter_champions", "Adapters serving as champion", value=champions)
        up.add_metric(["learning"], 1)
        yield up
