"""Learning in admin: feedback with the raters' agreement, reward signals, reward model versions (train a new one
from feedback) and pattern weights. Feedback and signals change only through the service (which keeps the
running sums right), so they are read-only here."""

from django.contrib import admin, messages
from django.utils.html import format_html

from hobbies.admin import EngineRowAdmin, ReadOnlyAdmin
from learning.feedback import agreement, patterns, reward_models
from learning.loop import adapters, jobs
from learning.models import (
    ABComparison,
    Adapter,
    AdapterEvent,
    DatasetBuild,
    Feedback,
    LearningCycle,
    PatternWeight,
    RewardModel,
    RewardScore,
    RewardSignal,
    TrainingDataset,
    TrainingJob,
)


@admin.register(Feedback)
class FeedbackAdmin(EngineRowAdmin):
    list_display = ["rater", "target_type", "target_id", "rating", "helpful", "last_type", "updated_at"]
    list_filter = ["target_type", "rating", "helpful"]
    search_fields = ["target_id", "rater__username", "comment", "suggestion"]
    change_list_template = "admin/learning/feedback/change_list.html"

    def changelist_view(self, request, extra_context=None):
        # Agreement between raters sits above the list: it is the first thing to check about ratings.
        return super().changelist_view(request, {**(extra_context or {}), "agreement": agreement.agreement_report()})


@admin.register(RewardSignal)
class RewardSignalAdmin(ReadOnlyAdmin):
    list_display = [
        "target_type",
        "target_id",
        "reward_score",
        "confidence",
        "feedback_count",
        "rating_count",
        "vote_count",
        "calculated_at",
    ]
    list_filter = ["target_type"]
    search_fields = ["target_id"]


@admin.register(RewardModel)
class RewardModelAdmin(EngineRowAdmin):
    list_display = [
        "name",
        "version",
        "status",
        "source",
        "validation_accuracy",
        "train_pairs",
        "train_points",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "source", "name"]
    search_fields = ["name", "source_detail"]
    actions = ["train_from_feedback"]

    @admin.display(description="held-out pairwise accuracy")
    def validation_accuracy(self, row):
        return row.metrics.get("validation_accuracy")

    @admin.action(description="Train a new version from people's feedback (on the training queue)")
    def train_from_feedback(self, request, queryset):
        try:
            row = reward_models.reward_model_train_request()
        except Exception as error:  # too little feedback, or no worker for the training role
            messages.error(request, str(getattr(error, "detail", error)))
            return
        messages.success(request, f"Training {row}: it appears here when a training worker has finished it.")


@admin.register(RewardScore)
class RewardScoreAdmin(ReadOnlyAdmin):
    """Predictions kept for the rating queue; a new model version makes its own."""

    list_display = ["model", "target_type", "target_id", "mean", "std"]
    list_filter = ["model", "target_type"]
    search_fields = ["target_id"]


@admin.register(PatternWeight)
class PatternWeightAdmin(admin.ModelAdmin):
    """Only the initial weight is set by hand; the current weight is always recomputed from the feedback."""

    list_display = [
        "pattern_type",
        "initial_weight",
        "current_weight",
        "total_samples",
        "approved_count",
        "rejected_count",
        "edited_count",
        "reverted_count",
        "last_updated",
    ]
    readonly_fields = [
        "current_weight",
        "total_samples",
        "approved_count",
        "rejected_count",
        "edited_count",
        "reverted_count",
        "last_updated",
    ]
    search_fields = ["pattern_type"]
    list_filter = ["last_updated"]

    actions = ["recount"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        patterns.pattern_weight_update(pattern_type=obj.pattern_type)

    @admin.action(description="Recount from every rating (repairs the running counts; changes nothing if right)")
    def recount(self, request, queryset):
        for row in queryset:
            patterns.pattern_weight_update(pattern_type=row.pattern_type)
        self.message_user(request, f"Recounted {queryset.count()} pattern weights from their ratings.")


@admin.register(TrainingDataset)
class TrainingDatasetAdmin(ReadOnlyAdmin):
    list_display = ["version", "skill", "train_count", "validation_count", "created_at"]
    list_filter = ["skill", "created_at"]
    search_fields = ["skill"]


@admin.register(DatasetBuild)
class DatasetBuildAdmin(ReadOnlyAdmin):
    """Builds change only through the service (claims, leases)."""

    list_display = ["id", "status", "dataset", "machine", "attempts", "created_at", "finished_at"]
    list_filter = ["status", "machine"]
    search_fields = ["error", "machine"]


@admin.register(TrainingJob)
class TrainingJobAdmin(ReadOnlyAdmin):
    """Jobs change only through the service (claims, leases); operators watch them and may cancel."""

    list_display = [
        "job_id",
        "status",
        "progress_bar",
        "base_model",
        "hobby_type",
        "num_examples",
        "machine",
        "attempts",
        "created_at",
        "completed_at",
    ]
    list_filter = ["status", "base_model", "hobby_type", "machine"]
    search_fields = ["job_id", "error_message"]
    actions = ["cancel"]

    @admin.display(description="progress")
    def progress_bar(self, job):
        progress = job.progress
        eta = progress.get("eta_seconds")
        detail = (
            f"step {progress.get('step', 0)}/{progress.get('total_steps', '?')}, loss {progress.get('loss')}, "
            f"{progress.get('tokens_per_second')} tok/s" + (f", {eta:.0f} s left" if eta else "")
            if progress
            else job.get_status_display()
        )
        return format_html(
            '<progress max="100" value="{}" title="{}"></progress> {}%<br><small>{}</small>',
            round(job.fraction_done * 100),
            detail,
            round(job.fraction_done * 100),
            detail,
        )

    @admin.action(description="Cancel (a running job saves a checkpoint and stops at its next step)")
    def cancel(self, request, queryset):
        for job in queryset:
            try:
                jobs.job_cancel(job_id=job.job_id)
            except Exception as error:  # already finished: said per job
                messages.warning(request, str(getattr(error, "detail", error)))


@admin.register(Adapter)
class AdapterAdmin(ReadOnlyAdmin):
    list_display = [
        "adapter_name",
        "version",
        "base_model",
        "hobby_type",
        "status",
        "alias",
        "parent",
        "dataset",
        "created_at",
        "promoted_at",
    ]
    list_filter = ["status", "alias", "base_model", "hobby_type"]
    search_fields = ["adapter_id", "adapter_name", "sha256"]
    list_select_related = ["base_model", "parent", "dataset"]
    readonly_fields = ["lineage"]
    actions = ["activate", "archive"]

    @admin.display(description="lineage (parent first, back to the bare base)")
    def lineage(self, adapter):
        return " <- ".join([adapter.adapter_id, *adapters.adapter_lineage(adapter), "base"])

    @admin.action(
        description="Activate: make it the champion (checked against its seal; the old one is kept as previous)"
    )
    def activate(self, request, queryset):
        for adapter in queryset:
            try:
                adapters.adapter_activate(adapter_id=adapter.adapter_id)
            except Exception as error:  # corrupt or archived: said per adapter
                messages.error(request, str(getattr(error, "detail", error)))

    @admin.action(description="Archive")
    def archive(self, request, queryset):
        for adapter in queryset:
            adapters.adapter_archive(adapter_id=adapter.adapter_id)


@admin.register(ABComparison)
class ABComparisonAdmin(ReadOnlyAdmin):
    list_display = ["challenger", "champion", "target_suite", "promote", "reason", "created_at"]
    list_filter = ["promote", "target_suite"]
    search_fields = ["reason", "challenger__adapter_id"]


@admin.register(AdapterEvent)
class AdapterEventAdmin(ReadOnlyAdmin):
    list_display = ["adapter", "kind", "detail", "created_at"]
    list_filter = ["kind"]
    search_fields = ["adapter__adapter_id"]


@admin.register(LearningCycle)
class LearningCycleAdmin(ReadOnlyAdmin):
    list_display = ["pk", "status", "skill", "trigger", "champion_before", "training_job", "started_at", "finished_at"]
    list_filter = ["status", "trigger"]
    search_fields = ["skill", "error"]
