from django.contrib import admin
from django_celery_beat.models import ClockedSchedule, CrontabSchedule, IntervalSchedule, SolarSchedule

from workers.models import Machine, WorkerHeartbeat


class WorkerInline(admin.TabularInline):
    model = WorkerHeartbeat
    extra = 0
    can_delete = False
    readonly_fields = (
        "worker_name",
        "pid",
        "queues",
        "concurrency",
        "started_at",
        "last_beat_at",
        "stopped_at",
        "status",
    )
    fields = readonly_fields


@admin.register(Machine)
class MachineAdmin(admin.ModelAdmin):
    list_display = ["name", "hostname", "roles", "gpu_summary", "last_seen_at"]
    list_filter = [("last_seen_at", admin.DateFieldListFilter)]
    search_fields = ["name", "hostname"]
    readonly_fields = ["first_seen_at", "last_seen_at", "gpus"]
    inlines = [WorkerInline]

    @admin.display(description="GPUs")
    def gpu_summary(self, machine):
        return (
            ", ".join(f"{g['name']} ({g['memory_free_mib']}/{g['memory_total_mib']} MiB free)" for g in machine.gpus)
            or "none"
        )


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("alive", "alive"), ("stale", "stale"), ("stopped", "stopped")]

    def queryset(self, request, queryset):
        alive = WorkerHeartbeat.objects.alive()
        if self.value() == "alive":
            return queryset.filter(pk__in=alive)
        if self.value() == "stale":
            return queryset.filter(stopped_at__isnull=True).exclude(pk__in=alive)
        if self.value() == "stopped":
            return queryset.filter(stopped_at__isnull=False)
        return queryset


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["worker_name", "machine", "status", "pid", "concurrency", "last_beat_at", "beats"]
    list_filter = [StatusFilter, "machine"]
    search_fields = ["worker_name", "machine__name"]
    readonly_fields = ["started_at", "last_beat_at", "stopped_at", "beats"]


# django-celery-beat's schedule tables come without filters or search; operators find a schedule by the
# periodic tasks that use it.
BEAT_SCHEDULE_FILTERS = {
    IntervalSchedule: ["period"],
    CrontabSchedule: ["timezone"],
    SolarSchedule: ["event"],
    ClockedSchedule: [("clocked_time", admin.DateFieldListFilter)],
}
for _model, _filters in BEAT_SCHEDULE_FILTERS.items():
    _base = type(admin.site._registry[_model])
    admin.site.unregister(_model)
    admin.site.register(
        _model,
        type(
            _base.__name__,
            (_base,),
            {
                "list_filter": _filters,
                "search_fields": ["periodictask__name", "periodictask__task"],
            },
        ),
    )
