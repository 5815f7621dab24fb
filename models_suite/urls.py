from django.urls import path

from models_suite.api import views

urlpatterns = [
    path("models/", views.ModelListView.as_view(), name="model-list"),
    path("models/<slug:name>", views.ModelDetailView.as_view(), name="model-detail"),
    path("models/<slug:name>/load", views.ModelActionView.as_view(model_action="load"), name="model-load"),
    path("models/<slug:name>/unload", views.ModelActionView.as_view(model_action="unload"), name="model-unload"),
    path("models/<slug:name>/swap", views.ModelActionView.as_view(model_action="swap"), name="model-swap"),
    path("placements/", views.PlacementListView.as_view(), name="placement-list"),
    path("eval-runs/", views.EvalRunListView.as_view(), name="evalrun-list"),
    path("eval-runs/<int:pk>", views.EvalRunDetailView.as_view(), name="evalrun-detail"),
]
