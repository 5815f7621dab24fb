from celery.signals import worker_process_shutdown
from django.apps import AppConfig


class ModelsSuiteConfig(AppConfig):
    name = "models_suite"
    verbose_name = "Model suite"

    def ready(self) -> None:
        from workers.services import machine_heartbeat  # Django: models are not ready before apps load

        machine_heartbeat.connect(_forget_dead_placements, dispatch_uid="models-suite-placements")
        worker_process_shutdown.connect(_unload_models, dispatch_uid="models-suite-unload", weak=False)


def _forget_dead_placements(sender, machine: str, **kwargs) -> None:
    from models_suite.services.hosting import placements_forget_dead  # Django: models are not ready before apps load

    placements_forget_dead(machine=machine)


def _unload_models(**kwargs) -> None:
    from models_suite.services.hosting import host_shutdown  # Django: models are not ready before apps load

    host_shutdown()
