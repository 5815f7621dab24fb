"""/api/v1/memory/: the memory hub's resources."""

from django.urls import path

from memoryhub.api import views

app_name = "memoryhub"

urlpatterns = [
    path("kv/", views.KeyValueSetView.as_view(), name="kv-set"),
    path("kv/<str:namespace>/", views.KeyValueListView.as_view(), name="kv-list"),
    path("kv/<str:namespace>/<path:key>", views.KeyValueView.as_view(), name="kv"),
    path("documents/", views.DocumentListView.as_view(), name="documents"),
    path("documents/<str:namespace>/", views.DocumentListView.as_view(), name="documents-in"),
    path("documents/<str:namespace>/<path:doc_id>", views.DocumentView.as_view(), name="document"),
    path("embeddings/", views.EmbeddingCreateView.as_view(), name="embeddings"),
    path("embeddings/bulk", views.EmbeddingBulkView.as_view(), name="embeddings-bulk"),
    path("embeddings/batches/<int:batch_id>", views.IngestBatchView.as_view(), name="ingest-batch"),
    path("embeddings/search", views.EmbeddingSearchView.as_view(), name="embeddings-search"),
    path("embeddings/stats", views.EmbeddingStatsView.as_view(), name="embeddings-stats"),
    path("embeddings/rebuild-index", views.IndexRebuildView.as_view(), name="embeddings-rebuild-index"),
    path("embeddings/<str:embedding_id>", views.EmbeddingView.as_view(), name="embedding"),
    path("sessions/", views.SessionCreateView.as_view(), name="sessions"),
    path("sessions/<str:namespace>/<path:session_id>", views.SessionView.as_view(), name="session"),
    path("context", views.ContextView.as_view(), name="context"),
]
