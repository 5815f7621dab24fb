"""The learning loop's series in /metrics, read from the database at scrape time (every process and machine
sees the same figures, and a counter stays monotonic across restarts: its events are rows)."""

from __future__ import annotations

from django.db import DatabaseError
from django.db.models import Count
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily


class LearningCollector:
    def collect(self):
        from learning.models import Adapter, AdapterEvent, TrainingJob

        up = GaugeMetricFamily("autodidact_metrics_source_up", "Whether a metrics source could be read (1) or not (0)",
                               labels=["source"])
        try:
            rollbacks = AdapterEvent.objects.filter(kind=AdapterEvent.Kind.ROLLED_BACK).count()
            jobs = dict(TrainingJob.objects.values_list("status").annotate(n=Count("id")).order_by())
            champions = Adapter.objects.filter(alias=Adapter.Alias.CHAMPION).count()
        except DatabaseError:
            up.add_metric(["learning"], 0)
            yield up
            return
        yield CounterMetricFamily("adapter_rollbacks", "Champion adapters rolled back automatically or by hand "
                                  "after a regression", value=rollbacks)
        family = GaugeMetricFamily("autodidact_training_jobs", "LoRA training jobs by status", labels=["status"])
        for status in TrainingJob.Status.values:
            family.add_metric([status], jobs.get(status, 0))
        yield family
        yield GaugeMetricFamily("autodidact_adapter_champions", "Adapters serving as champion", value=champions)
        up.add_metric(["learning"], 1)
        yield up
