from django.urls import path

from workers.api import views

urlpatterns = [
    path("machines/", views.MachineListView.as_view(), name="machine-list"),
    path("machines/<str:name>", views.MachineDetailView.as_view(), name="machine-detail"),
    path("machines/<str:name>/ping", views.MachinePingView.as_view(), name="machine-ping"),
    path("workers/", views.WorkerListView.as_view(), name="workerheartbeat-list"),
]
