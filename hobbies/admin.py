from django.contrib import admin, messages
from rest_framework import exceptions

from hobbies import services
from hobbies.models import Activity, Assignment, Attempt, HobbyConfig, HobbyType, Insight, Pattern, SubAgent


@admin.register(HobbyType)
class HobbyTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "enabled", "learning_objective"]
    list_filter = ["enabled"]
    search_fields = ["name"]
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


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    fields = ["item_id", "skill", "prompt", "expected", "answer", "correct", "failure_kind"]
    readonly_fields = fields


class InsightInline(admin.TabularInline):
    model = Insight
    extra = 0
    can_delete = False
    fields = ["skill", "kind", "text", "share", "source"]
    readonly_fields = fields


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    """Written by practice only: what ran, and every graded attempt."""

    list_display = ["activity_id", "hobby_type", "subagent", "model_name", "split", "status", "score", "item_count",
                    "started_at"]
    list_filter = ["status", "hobby_type", "split", "model_name"]
    search_fields = ["activity_id", "subagent__subagent_id", "model_name", "error"]
    readonly_fields = [f.name for f in Activity._meta.fields]
    inlines = [InsightInline, AttemptInline]

    def has_add_permission(self, request):
        return False


@admin.register(Insight)
class InsightAdmin(admin.ModelAdmin):
    list_display = ["text", "skill", "kind", "share", "source", "created_at"]
    list_filter = ["activity__hobby_type", "kind", "source"]
    search_fields = ["text", "skill"]
    readonly_fields = ["activity", "skill", "kind", "text", "evidence", "share", "source", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Pattern)
class PatternAdmin(admin.ModelAdmin):
    list_display = ["description", "hobby_type", "skill", "kind", "activities", "attempts", "last_seen"]
    list_filter = ["hobby_type", "kind"]
    search_fields = ["description", "skill"]
    readonly_fields = [f.name for f in Pattern._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ["item_id", "skill", "correct", "failure_kind", "answer", "expected", "activity"]
    list_filter = ["correct", "failure_kind", "skill"]
    search_fields = ["item_id", "prompt", "answer", "activity__activity_id"]
    readonly_fields = [f.name for f in Attempt._meta.fields]

    def has_add_permission(self, request):
        return False
