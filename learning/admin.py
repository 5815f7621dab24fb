"""Learning in admin: feedback with the raters' agreement, reward signals, reward model versions (train a new one
from feedback) and pattern weights. Feedback and signals change only through the service (which keeps the
running sums right), so they are read-only here."""

from django.contrib import admin, messages

from hobbies.admin import EngineRowAdmin, ReadOnlyAdmin
from learning import agreement, patterns, rewards
from learning.models import Feedback, PatternWeight, RewardModel, RewardScore, RewardSignal, TrainingDataset


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
    list_display = ["target_type", "target_id", "reward_score", "confidence", "feedback_count", "rating_count",
                    "vote_count", "calculated_at"]
    list_filter = ["target_type"]
    search_fields = ["target_id"]


@admin.register(RewardModel)
class RewardModelAdmin(EngineRowAdmin):
    list_display = ["name", "version", "status", "source", "validation_accuracy", "train_pairs", "train_points",
                    "created_at", "finished_at"]
    list_filter = ["status", "source", "name"]
    search_fields = ["name", "source_detail"]
    actions = ["train_from_feedback"]

    @admin.display(description="held-out pairwise accuracy")
    def validation_accuracy(self, row):
        return row.metrics.get("validation_accuracy")

    @admin.action(description="Train a new version from people's feedback (on the training queue)")
    def train_from_feedback(self, request, queryset):
        try:
            row = rewards.reward_model_train_request()
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

    list_display = ["pattern_type", "initial_weight", "current_weight", "total_samples", "approved_count",
                    "rejected_count", "edited_count", "reverted_count", "last_updated"]
    readonly_fields = ["current_weight", "total_samples", "approved_count", "rejected_count", "edited_count",
                       "reverted_count", "last_updated"]
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
