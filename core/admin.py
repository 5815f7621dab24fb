from django.contrib import admin

from core.models import ErrorEvent, ErrorEventTotal


@admin.register(ErrorEvent)
class ErrorEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "source", "machine", "where", "exception_type", "short_message"]
    list_filter = ["source", "machine", "exception_type", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["message", "route", "task_name", "task_id", "exception_type", "traceback"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in ErrorEvent._meta.fields]

    @admin.display(description="route or task")
    def where(self, event):
        return event.route or event.task_name

    @admin.display(description="message")
    def short_message(self, event):
        return event.message[:120]

    def has_add_permission(self, request):
        return False  # events are recorded by the product, never typed in


@admin.register(ErrorEventTotal)
class ErrorEventTotalAdmin(admin.ModelAdmin):
    """Every event each source ever recorded (pruning keeps these): /metrics' autodidact_error_events_total."""

    list_display = ["source", "count"]
    list_filter = ["source"]
    search_fields = ["source"]

    def has_add_permission(self, request):
        return False  # counted by error_event_record, never typed in

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a counter only goes up
