from django.urls import path

from models_suite.api import router, views

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

router_urlpatterns = [
    path("router/routes/", router.RouteListView.as_view(), name="route-list"),
    path("router/routes/<slug:name>", router.RouteDetailView.as_view(), name="route-detail"),
    path("router/decide", router.DecideView.as_view(), name="router-decide"),
    path("router/breakers/", router.BreakerListView.as_view(), name="router-breakers"),
    path("router/models/", router.RouterModelListView.as_view(), name="router-model-list"),
]
urlpatterns += router_urlpatterns
