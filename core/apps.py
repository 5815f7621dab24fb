import sys

from django.apps import AppConfig
from django.core.signals import got_request_exception

from core import metrics


def _record_unhandled(sender, request=None, **kwargs):
    # Exceptions raised outside views (in middleware) never reach our middleware's process_exception.
    if request is not None:
        from core.middleware import record_request_failure  # Django: models are not ready before apps load

        record_request_failure(request, exception=sys.exc_info()[1])


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core: errors and access"

    def ready(self) -> None:
        metrics.add_collector(metrics.ErrorEventCollector())
        got_request_exception.connect(_record_unhandled, dispatch_uid="autodidact-record-unhandled")
