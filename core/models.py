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


class ErrorEventTotal(models.Model):
    """How many error events each source has recorded, ever: what /metrics' autodidact_error_events_total says.

    Incremented in the transaction that records the event, and never decremented: pruning old ErrorEvent rows
    (ERROR_EVENT_RETENTION_DAYS) must not make a Prometheus counter go down, which rate() would read as a
    reset. Kept in the database, not in a process, so it survives restarts and adds up every web process and
    worker that records errors.
    """

    source = models.CharField(max_length=16, primary_key=True, choices=ErrorEvent.Source.choices)
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["source"]

    def __str__(self) -> str:
        return f"{self.source}: {self.count}"


class LeasedWork(models.Model):
    """The columns core.leases holds a piece of work by: which run holds it, until when, and how many runs have
    claimed it (more than one: a dead run's work was taken over)."""

    claim = models.CharField(max_length=32, blank=True, help_text="The run that holds it: only it renews or ends it")
    lease_until = models.DateTimeField(
        null=True, blank=True, help_text="While held: renewed as it goes; past it, the run is taken over"
    )
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Runs that claimed it (more than 1: taken over)")

    class Meta:
        abstract = True
