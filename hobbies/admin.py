from django.contrib import admin, messages

from core.errors import Conflict, Invalid
from hobbies import assignments, services
from hobbies.models import (
    Activity,
    AgentInteraction,
    Assignment,
    Attempt,
    ConsensusAnswer,
    ConsensusItem,
    ConsensusRun,
    HobbyConfig,
    HobbyType,
    HourlyRollup,
    Insight,
    Pattern,
    Progress,
    SubAgent,
)


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
        except Invalid as exc:
            messages.error(request, " ".join(str(m) for errors in exc.details.values() for m in errors))


@admin.register(HobbyConfig)
class HobbyConfigAdmin(admin.ModelAdmin):
    """Stored settings; an environment variable of the originals' (see the README) overrides its field."""

    list_display = [
        "__str__",
        "enabled",
        "running",
        "interval_minutes",
        "idle_threshold_minutes",
        "max_hobby_duration_minutes",
        "variety_factor",
        "default_model",
        "updated_at",
    ]
    readonly_fields = ["last_tick_at", "updated_at"]
    list_filter = ["enabled", "focus_on_weaknesses"]
    search_fields = ["id"]

    def has_add_permission(self, request):
        return not HobbyConfig.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SubAgent)
class SubAgentAdmin(admin.ModelAdmin):
    list_display = [
        "subagent_id",
        "status",
        "machine",
        "model",
        "max_concurrent_assignments",
        "registered_at",
        "last_heartbeat_at",
    ]
    list_filter = ["status", "machine"]
    search_fields = ["subagent_id", "machine"]
    readonly_fields = ["registered_at", "last_heartbeat_at"]


NOT_MEASURED = "not measured"


def measured(value: float | None) -> float | str:
    """An empty measured figure says so: never measured is not 0, and admin's "-" reads like a missing value."""
    return NOT_MEASURED if value is None else round(value, 4)


class EngineRowAdmin(admin.ModelAdmin):
    """Rows the engine writes and people read: nothing is added by hand, every field is read-only.

    `measured_fields` are figures empty until something measured them: the row's page shows each through the
    admin's `<field>_shown` method, which says "not measured" where it is empty."""

    measured_fields: tuple[str, ...] = ()

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        meta = self.model._meta
        return [
            f"{name}_shown" if name in self.measured_fields else name
            for name in [f.name for f in meta.fields] + [f.name for f in meta.many_to_many]
        ]

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or ()), *self.measured_fields]


@admin.register(Assignment)
class AssignmentAdmin(EngineRowAdmin):
    list_display = [
        "assignment_id",
        "hobby_type",
        "subagent",
        "status",
        "machine",
        "fallback",
        "origin",
        "assigned_at",
        "completed_at",
    ]
    list_filter = ["status", "hobby_type", "fallback", "origin"]
    search_fields = ["assignment_id", "subagent__subagent_id", "error"]
    actions = ["cancel"]

    @admin.action(description="Cancel the selected assignments (running work stops before its next batch)")
    def cancel(self, request, queryset):
        done = 0
        for assignment in queryset.filter(status__in=Assignment.ACTIVE):
            try:
                assignments.assignment_cancel(assignment_id=assignment.assignment_id)
                done += 1
            except Conflict:
                pass  # it finished meanwhile
        messages.info(request, f"Cancelled {done} assignments.")


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    fields = ("item_id", "skill", "prompt", "expected", "answer", "correct", "failure_kind")
    readonly_fields = fields


class InsightInline(admin.TabularInline):
    model = Insight
    extra = 0
    can_delete = False
    fields = ("skill", "kind", "text", "share", "source")
    readonly_fields = fields


@admin.register(Activity)
class ActivityAdmin(EngineRowAdmin):
    """Written by practice only: what ran, and every graded attempt."""

    list_display = [
        "activity_id",
        "hobby_type",
        "subagent",
        "model_name",
        "adapter",
        "split",
        "status",
        "score",
        "item_count",
        "heldout_score_shown",
        "improvement_delta_shown",
        "started_at",
    ]
    list_filter = ["status", "hobby_type", "split", "model_name"]
    search_fields = ["activity_id", "subagent__subagent_id", "model_name", "error"]
    inlines = [InsightInline, AttemptInline]
    measured_fields = ("heldout_score", "improvement_delta")

    @admin.display(description="held-out score")
    def heldout_score_shown(self, obj):
        return measured(obj.heldout_score)

    @admin.display(description="improvement delta")
    def improvement_delta_shown(self, obj):
        # empty where nothing was measured before it: its first held-out score is not a gain
        return measured(obj.improvement_delta)


@admin.register(Insight)
class InsightAdmin(EngineRowAdmin):
    list_display = ["text", "skill", "kind", "share", "source", "created_at"]
    list_filter = ["activity__hobby_type", "kind", "source"]
    search_fields = ["text", "skill"]


@admin.register(Pattern)
class PatternAdmin(EngineRowAdmin):
    list_display = ["description", "hobby_type", "skill", "kind", "activities", "attempts", "last_seen"]
    list_filter = ["hobby_type", "kind"]
    search_fields = ["description", "skill"]


@admin.register(Attempt)
class AttemptAdmin(EngineRowAdmin):
    list_display = ["item_id", "skill", "correct", "failure_kind", "answer", "expected", "activity"]
    list_filter = ["correct", "failure_kind", "skill"]
    search_fields = ["item_id", "prompt", "answer", "activity__activity_id"]


class ReadOnlyAdmin(EngineRowAdmin):
    """Rows no one edits or deletes, not even their view's form."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # history and counters only grow (Prometheus counters are read from these rows)


@admin.register(Progress)
class ProgressAdmin(ReadOnlyAdmin):
    list_display = [
        "subagent",
        "hobby_type",
        "proficiency_shown",
        "measurements",
        "success_rate",
        "activities_completed",
        "activities_failed",
        "activities_cancelled",
        "time_invested_seconds",
        "improvement_rate_shown",
        "last_activity",
    ]
    list_filter = ["hobby_type"]
    search_fields = ["subagent__subagent_id"]
    measured_fields = ("proficiency", "improvement_rate")

    @admin.display(description="proficiency", ordering="proficiency")
    def proficiency_shown(self, obj):
        return measured(obj.proficiency)

    @admin.display(description="improvement rate", ordering="improvement_rate")
    def improvement_rate_shown(self, obj):
        return measured(obj.improvement_rate)  # a trend needs two measurements


@admin.register(HourlyRollup)
class HourlyRollupAdmin(ReadOnlyAdmin):
    list_display = ["hour", "hobby_type", "activities", "completed", "failed", "cancelled", "seconds", "insights"]
    list_filter = ["hobby_type"]
    search_fields = ["hobby_type"]
    date_hierarchy = "hour"


@admin.register(AgentInteraction)
class AgentInteractionAdmin(ReadOnlyAdmin):
    list_display = ["agent_id", "last_interaction_at"]
    list_filter = ["last_interaction_at"]
    search_fields = ["agent_id"]


class ConsensusItemInline(admin.TabularInline):
    model = ConsensusItem
    extra = 0
    can_delete = False
    fields = ("item_id", "answer", "agreeing", "confidence", "needs_review", "correct")
    readonly_fields = fields


@admin.register(ConsensusRun)
class ConsensusRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "hobby_type", "status", "agreement", "flagged", "created_at", "completed_at"]
    list_filter = ["status", "hobby_type"]
    search_fields = ["id"]
    inlines = [ConsensusItemInline]


@admin.register(ConsensusAnswer)
class ConsensusAnswerAdmin(ReadOnlyAdmin):
    list_display = ["run", "subagent", "item_id", "answer", "correct"]
    list_filter = ["correct"]
    search_fields = ["item_id", "subagent__subagent_id"]


@admin.register(ConsensusItem)
class ConsensusItemAdmin(ReadOnlyAdmin):
    list_display = ["run", "item_id", "answer", "agreeing", "confidence", "needs_review", "correct"]
    list_filter = ["confidence", "needs_review"]
    search_fields = ["item_id", "prompt"]
