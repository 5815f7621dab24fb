"""The originals' /hobby/feedback* and /hobby/lora/* routes, and the seed plan's /hobby/reward/model and
/hobby/quality/trends."""

from django.urls import path

from learning.api import legacy, legacy_lora

urlpatterns = [
    path("feedback", legacy.LegacyFeedbackView.as_view(), name="legacy-feedback"),
    path("feedback/pending", legacy.LegacyPendingView.as_view(), name="legacy-feedback-pending"),
    # These answer in the originals' (and the seed plan's) shapes already: the /api/v1/feedback/ views.
    path("feedback/quality", legacy.LegacyQualityView.as_view(), name="legacy-feedback-quality"),
    path("feedback/stats", legacy.LegacyStatsView.as_view(), name="legacy-feedback-stats"),
    path("reward/model", legacy.LegacyRewardModelView.as_view(), name="legacy-reward-model"),
    path("quality/trends", legacy.LegacyTrendsView.as_view(), name="legacy-quality-trends"),
    path("lora/train", legacy_lora.LegacyTrainView.as_view(), name="legacy-lora-train"),
    path("lora/jobs", legacy_lora.LegacyJobListView.as_view(), name="legacy-lora-jobs"),
    path("lora/jobs/<str:job_id>", legacy_lora.LegacyJobView.as_view(), name="legacy-lora-job"),
    path("lora/status", legacy_lora.LegacyStatusView.as_view(), name="legacy-lora-status"),
    path("lora/adapters", legacy_lora.LegacyAdapterListView.as_view(), name="legacy-lora-adapters"),
    path(
        "lora/adapters/<str:adapter_id>/activate", legacy_lora.LegacyActivateView.as_view(), name="legacy-lora-activate"
    ),
    path("lora/adapters/<str:adapter_id>/archive", legacy_lora.LegacyArchiveView.as_view(), name="legacy-lora-archive"),
    path("lora/apply", legacy_lora.LegacyApplyView.as_view(), name="legacy-lora-apply"),
    path("lora/compare", legacy_lora.LegacyCompareView.as_view(), name="legacy-lora-compare"),
    path("lora/stats", legacy_lora.LegacyStatsView.as_view(), name="legacy-lora-stats"),
]
