from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = "Learning: feedback, reward, adapters"

    def ready(self):
        from core.metrics import add_collector
        from learning.metrics import LearningCollector

        add_collector(LearningCollector())  # rollbacks, training jobs and champions in /metrics
