from django.apps import AppConfig

from core.metrics import add_collector
from workers.metrics import CeleryTaskCollector, QueueCollector


class WorkersConfig(AppConfig):
    name = "workers"
    verbose_name = "Workers: machines, heartbeats, schedules"

    def ready(self) -> None:
        add_collector(CeleryTaskCollector())
        add_collector(QueueCollector())
