"""The originals' /hobby/feedback* routes and the seed plan's /hobby/reward/model and /hobby/quality/trends."""

from django.urls import path

from learning.api import legacy

urlpatterns = [
    path("feedback", legacy.LegacyFeedbackView.as_view(), name="legacy-feedback"),
    path("feedback/pending", legacy.LegacyPendingView.as_view(), name="legacy-feedback-pending"),
    # These answer in the originals' (and the seed plan's) shapes already: the /api/v1/feedback/ views.
    path("feedback/quality", legacy.LegacyQualityView.as_view(), name="legacy-feedback-quality"),
    path("feedback/stats", legacy.LegacyStatsView.as_view(), name="legacy-feedback-stats"),
    path("reward/model", legacy.LegacyRewardModelView.as_view(), name="legacy-reward-model"),
    path("quality/trends", legacy.LegacyTrendsView.as_view(), name="legacy-quality-trends"),
]
