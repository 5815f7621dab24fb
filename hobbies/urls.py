"""/api/v1/hobbies/: hobby types, configuration, sub-agents."""

from django.urls import path

from hobbies.api import views

app_name = "hobbies"

urlpatterns = [
    path("config", views.HobbyConfigView.as_view(), name="config"),
    path("types/", views.HobbyTypeListView.as_view(), name="types"),
    path("types/<str:name>", views.HobbyTypeView.as_view(), name="type"),
    path("subagents/", views.SubAgentListView.as_view(), name="subagents"),
    path("subagents/<str:subagent_id>", views.SubAgentView.as_view(), name="subagent"),
]
