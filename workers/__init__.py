"""Celery: the app, queues and routing, machines and their workers' heartbeats."""

from workers.celery import app as celery_app

__all__ = ["celery_app"]
