from django.contrib import admin, messages
from rest_framework import exceptions

from hobbies import services
from hobbies.models import Assignment, HobbyConfig, HobbyType, SubAgent


@admin.register(HobbyType)
class HobbyTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "enabled", "learning_objective"]
    list_filter = ["enabled"]
    search_fields = ["name", "description"]
    readonly_fields = ["name", "description", "learning_objective", "suites"]

    def has_add_permission(self, request):
        return False  # the eight types are the originals'

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Through the service: a type whose practice is not built cannot be enabled, here either.
        try:
            services.hobby_type_set_enabled(name=obj.name, enabled=obj.enabled)
        except exceptions.ValidationError as exc:
            messages.error(request, " ".join(str(m) for errors in exc.detail.values() for m in errors))


@admin.register(HobbyConfig)
class HobbyConfigAdmin(admin.ModelAdmin):
    """Stored settings; an environment variable of the originals' (see the README) overrides its field."""

    list_display = ["__str__", "enabled", "interval_minutes", "idle_threshold_minutes", "max_hobby_duration_minutes",
                    "variety_factor", "updated_at"]
    list_filter = ["enabled", "focus_on_weaknesses"]
    search_fields = ["id"]

    def has_add_permission(self, request):
        return not HobbyConfig.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SubAgent)
class SubAgentAdmin(admin.ModelAdmin):
    list_display = ["subagent_id", "status", "machine", "model", "max_concurrent_assignments", "registered_at",
                    "last_heartbeat_at"]
    list_filter = ["status", "machine"]
    search_fields = ["subagent_id", "machine"]
    readonly_fields = ["registered_at", "last_heartbeat_at"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["assignment_id", "hobby_type", "subagent", "status", "assigned_at", "completed_at", "fallback"]
    list_filter = ["status", "hobby_type", "fallback"]
    search_fields = ["assignment_id", "subagent__subagent_id", "error"]
    readonly_fields = [f.name for f in Assignment._meta.fields]

    def has_add_permission(self, request):
        return False
