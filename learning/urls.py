"""/api/v1/learning/: datasets, training jobs, adapters, A/B comparisons, learning cycles."""

from django.urls import path

from learning.api import training

app_name = "learning"

urlpatterns = [
    path("datasets/", training.DatasetListView.as_view(), name="datasets"),
    path("datasets/<int:version>/", training.DatasetView.as_view(), name="dataset"),
    path("datasets/builds/<int:build_id>/", training.DatasetBuildView.as_view(), name="dataset-build"),
    path("datasets/<int:version>/export/<str:kind>/", training.DatasetExportView.as_view(), name="dataset-export"),
    path("jobs/", training.JobListView.as_view(), name="jobs"),
    path("jobs/<str:job_id>/", training.JobView.as_view(), name="job"),
    path("jobs/<str:job_id>/cancel/", training.JobCancelView.as_view(), name="job-cancel"),
    path("adapters/", training.AdapterListView.as_view(), name="adapters"),
    path("adapters/<str:adapter_id>/", training.AdapterView.as_view(), name="adapter"),
    path("adapters/<str:adapter_id>/activate/", training.AdapterActivateView.as_view(), name="adapter-activate"),
    path("adapters/<str:adapter_id>/archive/", training.AdapterArchiveView.as_view(), name="adapter-archive"),
    path("comparisons/", training.ComparisonListView.as_view(), name="comparisons"),
    path("cycles/", training.CycleListView.as_view(), name="cycles"),
    path("stats/", training.StatsView.as_view(), name="stats"),
]
