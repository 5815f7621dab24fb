"""/api/v1/feedback/: people's feedback and what is learned from it."""

from django.urls import path

from learning.api import views

app_name = "feedback"

urlpatterns = [
    path("", views.FeedbackListView.as_view(), name="list"),
    path("queue", views.FeedbackQueueView.as_view(), name="queue"),
    path("signals", views.SignalListView.as_view(), name="signals"),
    path("quality", views.QualityView.as_view(), name="quality"),
    path("stats", views.StatsView.as_view(), name="stats"),
    path("trends", views.TrendsView.as_view(), name="trends"),
    path("agreement", views.AgreementView.as_view(), name="agreement"),
    path("reward-models", views.RewardModelListView.as_view(), name="reward-models"),
    path("reward-models/<int:pk>", views.RewardModelView.as_view(), name="reward-model"),
    path("patterns", views.PatternWeightsView.as_view(), name="patterns"),
    path("exports/<str:kind>", views.ExportView.as_view(), name="export"),
]
