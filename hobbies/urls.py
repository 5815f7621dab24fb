"""/api/v1/hobbies/: hobby types, configuration, sub-agents, activities, assignments, distribution, consensus,
the scheduler and user interactions."""

from django.urls import path

from hobbies.api import metrics, views, work

app_name = "hobbies"

urlpatterns = [
    path("config", views.HobbyConfigView.as_view(), name="config"),
    path("types/", views.HobbyTypeListView.as_view(), name="types"),
    path("types/<str:name>", views.HobbyTypeView.as_view(), name="type"),
    path("subagents/", views.SubAgentListView.as_view(), name="subagents"),
    path("subagents/<str:subagent_id>", views.SubAgentView.as_view(), name="subagent"),
    path("subagents/<str:subagent_id>/heartbeat", views.SubAgentHeartbeatView.as_view(), name="subagent-heartbeat"),
    path("activities/", work.ActivityListView.as_view(), name="activities"),
    path("activities/<str:activity_id>", work.ActivityView.as_view(), name="activity"),
    path("assignments/", work.AssignmentListView.as_view(), name="assignments"),
    path("assignments/<str:assignment_id>", work.AssignmentView.as_view(), name="assignment"),
    path("assignments/<str:assignment_id>/cancel", work.AssignmentCancelView.as_view(), name="assignment-cancel"),
    path("distribute", work.DistributeView.as_view(), name="distribute"),
    path("consensus/", work.ConsensusListView.as_view(), name="consensus-runs"),
    path("consensus/<int:run_id>", work.ConsensusView.as_view(), name="consensus-run"),
    path("interactions", work.InteractionView.as_view(), name="interactions"),
    path("scheduler", work.SchedulerView.as_view(), name="scheduler"),
    path("progress", work.ProgressListView.as_view(), name="progress"),
    path("metrics/summary", metrics.MetricsSummaryView.as_view(), name="metrics-summary"),
    path("metrics/prometheus", metrics.PrometheusView.as_view(), name="metrics-prometheus"),
    path("dashboard", metrics.DashboardView.as_view(), name="dashboard"),
]
