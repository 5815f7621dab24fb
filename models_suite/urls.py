from django.urls import path

from models_suite.api import views

urlpatterns = [
    path("models/", views.ModelListView.as_view(), name="model-list"),
    path("models/<slug:name>", views.ModelDetailView.as_view(), name="model-detail"),
    path("placements/", views.PlacementListView.as_view(), name="placement-list"),
    path("eval-runs/", views.EvalRunListView.as_view(), name="evalrun-list"),
    path("eval-runs/<int:pk>", views.EvalRunDetailView.as_view(), name="evalrun-detail"),
]
