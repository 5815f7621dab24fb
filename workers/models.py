from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class Machine(models.Model):
    """A host that runs workers: what it offers (roles) and, if it has them, its GPUs."""

    name = models.CharField(max_length=100, unique=True)
    hostname = models.CharField(max_length=255, blank=True)
    roles = models.JSONField(default=list, help_text="Roles its workers consume, e.g. ['hobbies', 'training']")
    gpus = models.JSONField(
        default=list, blank=True, help_text="Per GPU: index, name, total and free memory in MiB, at the last beat"
    )
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkerHeartbeatQuerySet(models.QuerySet):
    def alive(self, within_seconds: int | None = None):
        seconds = settings.WORKER_STALE_SECONDS if within_seconds is None else within_seconds
        return self.filter(stopped_at__isnull=True, last_beat_at__gte=timezone.now() - timedelta(seconds=seconds))


class WorkerHeartbeat(models.Model):
    """One Celery worker process, by node name: updated every WORKER_HEARTBEAT_SECONDS while it runs."""

    worker_name = models.CharField(max_length=255, unique=True, help_text="Celery node name, e.g. autodidact@gpu1")
    machine = models.ForeignKey(Machine, on_delete=models.CASCADE, related_name="workers")
    pid = models.PositiveIntegerField()
    queues = models.JSONField(default=list)
    concurrency = models.PositiveSmallIntegerField(default=1)
    started_at = models.DateTimeField(default=timezone.now)
    last_beat_at = models.DateTimeField(default=timezone.now, db_index=True)
    stopped_at = models.DateTimeField(null=True, blank=True, help_text="Set on a clean shutdown")
    beats = models.PositiveBigIntegerField(default=0)

    objects = WorkerHeartbeatQuerySet.as_manager()

    class Meta:
        ordering = ["machine__name", "worker_name"]

    def __str__(self) -> str:
        return self.worker_name

    @property
    def status(self) -> str:
        if self.stopped_at is not None:
            return "stopped"
        stale_before = timezone.now() - timedelta(seconds=settings.WORKER_STALE_SECONDS)
        return "alive" if self.last_beat_at >= stale_before else "stale"
