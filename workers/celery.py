"""The Celery app. Configuration comes from Django settings (CELERY_*), tasks from each app's tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")

app = Celery("autodidact")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Heartbeats, task metrics and the error bus hook into the worker through signals and a bootstep.
import workers.signals  # noqa: E402,F401
