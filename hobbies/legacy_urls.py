"""The originals' /hobby/ routes (docs/originals.md 1.12): same paths, parameters and JSON shapes."""

from django.urls import path

from hobbies.api import legacy, metrics, views, work

urlpatterns = [
    path("status", legacy.LegacyStatusView.as_view(), name="legacy-hobby-status"),
    path("activities", legacy.LegacyActivitiesView.as_view(), name="legacy-hobby-activities"),
    path("insights", legacy.LegacyInsightsView.as_view(), name="legacy-hobby-insights"),
    path("start", legacy.LegacyStartView.as_view(), name="legacy-hobby-start"),
    path("stop", legacy.LegacyStopView.as_view(), name="legacy-hobby-stop"),
    # /config and /hobby-types answer in the originals' shapes already: the same views as /api/v1/hobbies/.
    path("config", views.HobbyConfigView.as_view(), name="legacy-hobby-config"),
    path("hobby-types", views.HobbyTypeListView.as_view(), name="legacy-hobby-types"),
    path("assign-to-subagent", legacy.LegacyAssignView.as_view(), name="legacy-hobby-assign"),
    path("assignments", work.AssignmentListView.as_view(http_method_names=["get"]), name="legacy-assignments"),
    path("assignments/<str:assignment_id>", work.AssignmentView.as_view(), name="legacy-assignment"),
    path("distribute", work.DistributeView.as_view(), name="legacy-distribute"),
    path("interaction", work.InteractionView.as_view(), name="legacy-interaction"),
    # Metrics (docs/originals.md 1.6); the dashboard page is for people, the JSON /dashboard for programs.
    path("progress", metrics.ProgressView.as_view(), name="legacy-hobby-progress"),
    path("metrics/summary", metrics.MetricsSummaryView.as_view(), name="legacy-hobby-metrics-summary"),
    path("metrics/prometheus", metrics.PrometheusView.as_view(), name="legacy-hobby-metrics-prometheus"),
    path("dashboard", metrics.DashboardView.as_view(), name="legacy-hobby-dashboard"),
    path("dashboard/page", metrics.DashboardPageView.as_view(), name="hobby-dashboard-page"),
    path("subagents/register", legacy.LegacyRegisterView.as_view(), name="legacy-subagent-register"),
    path("subagents/stats", legacy.LegacyStatsView.as_view(), name="legacy-subagent-stats"),
    path("subagents/<str:subagent_id>", legacy.LegacyUnregisterView.as_view(), name="legacy-subagent"),
]
