"""The originals' /hobby/ routes built so far (reference 1.12): same paths and JSON shapes."""

from django.urls import path

from hobbies.api import legacy, views

urlpatterns = [
    # /config and /hobby-types answer in the originals' shapes already: the same views as /api/v1/hobbies/.
    path("config", views.HobbyConfigView.as_view(), name="legacy-hobby-config"),
    path("hobby-types", views.HobbyTypeListView.as_view(), name="legacy-hobby-types"),
    path("subagents/register", legacy.LegacyRegisterView.as_view(), name="legacy-subagent-register"),
    path("subagents/stats", legacy.LegacyStatsView.as_view(), name="legacy-subagent-stats"),
    path("subagents/<str:subagent_id>", legacy.LegacyUnregisterView.as_view(), name="legacy-subagent"),
]
