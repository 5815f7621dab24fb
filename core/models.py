from django.db import models


class ErrorEvent(models.Model):
    """One failure somewhere in the product: the error bus operators read in admin and /metrics counts.

    Written for every failed Celery task and every 5xx response, with enough to debug it without the logs.
    """

    class Source(models.TextChoices):
        REQUEST = "request", "HTTP request"
        TASK = "task", "Celery task"
        WORKER = "worker", "Worker process"
        SERVICE = "service", "Service"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    source = models.CharField(max_length=16, choices=Source.choices, db_index=True)
    machine = models.CharField(max_length=255, db_index=True)
    route = models.CharField(max_length=500, blank=True, help_text="HTTP method and path, for requests")
    task_name = models.CharField(max_length=255, blank=True, db_index=True)
    task_id = models.CharField(max_length=255, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    exception_type = models.CharField(max_length=255, blank=True, db_index=True)
    message = models.TextField(blank=True)
    traceback = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["source", "-created_at"])]

    def __str__(self) -> str:
        where = self.route or self.task_name or self.source
        return f"{self.exception_type or 'error'} in {where} on {self.machine}"
