from django.apps import AppConfig
from django.contrib import admin

from core.metrics import add_collector


class HobbiesConfig(AppConfig):
    name = "hobbies"
    verbose_name = "Hobbies: practice, sub-agents, proficiency"

    def ready(self) -> None:
        from hobbies import graph_sources  # Django: models are not ready before apps load
        from hobbies.graded import practice_attempts  # Django: models are not ready before apps load
        from hobbies.metrics import HobbyMetricsCollector  # Django: models are not ready before apps load
        from memoryhub.services.graph_build import graph_source_register  # (the same)
        from models_suite.services.router_training import graded_attempts_source_register  # (the same)

        add_collector(HobbyMetricsCollector())  # the hobby series in /metrics too
        graded_attempts_source_register(practice_attempts)  # the learned router learns from practice too
        for name, read in graph_sources.SOURCES.items():  # what hobbies knows joins the knowledge graph
            graph_source_register(name, read)
        # The admin index links the hobby dashboard, unless another app has its own index already.
        if admin.site.index_template is None:
            admin.site.index_template = "hobbies/admin_index.html"
