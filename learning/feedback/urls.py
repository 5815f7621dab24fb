"""Feedback's routes: the API under /api/v1/feedback/ (namespace "feedback") and the rating forms for people under
/feedback/ (namespace "feedback_pages"), both mounted by core.urls."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from learning.api import views
from learning.feedback import pages

api_urlpatterns = [
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

page_urlpatterns = [
    path("", pages.rate_page, name="rate"),
    path(
        "login",
        auth_views.LoginView.as_view(
            template_name="learning/login.html",
            redirect_authenticated_user=True,
            next_page=reverse_lazy("feedback_pages:rate"),
        ),
        name="login",
    ),
    path("logout", auth_views.LogoutView.as_view(next_page=reverse_lazy("feedback_pages:login")), name="logout"),
]
