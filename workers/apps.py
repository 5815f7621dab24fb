from django.apps import AppConfig


class WorkersConfig(AppConfig):
    name = "workers"
    verbose_name = "Workers: machines, heartbeats, schedules"

    def ready(self) -> None:
        from core.metrics import add_collector
        from workers.metrics import CeleryTaskCollector, QueueCollector

        add_collector(CeleryTaskCollector())
        add_collector(QueueCollector())
