"""The originals' MemoryHub routes, same paths and JSON shapes (reference part 2a.8), on the same views as
/api/v1/memory/. Unlike the originals, /embedding/stats comes before /embedding/{id}, so it is reachable, and
every route needs a product token (there is no /auth/token handing them out)."""

from django.urls import path

from memoryhub.api import views

urlpatterns = [
    path("kv", views.KeyValueSetView.as_view(), name="legacy-kv-set"),
    path("kv/<str:namespace>", views.KeyValueListView.as_view(), name="legacy-kv-list"),
    path("kv/<str:namespace>/<path:key>", views.KeyValueView.as_view(), name="legacy-kv"),
    path("doc", views.DocumentListView.as_view(), name="legacy-doc-create"),
    path("doc/<str:namespace>", views.DocumentListView.as_view(), name="legacy-doc-list"),
    path("doc/<str:namespace>/<path:doc_id>", views.DocumentView.as_view(), name="legacy-doc"),
    path("embedding", views.EmbeddingCreateView.as_view(), name="legacy-embedding-create"),
    path("embedding/search", views.EmbeddingSearchView.as_view(), name="legacy-embedding-search"),
    path("embedding/stats", views.EmbeddingStatsView.as_view(), name="legacy-embedding-stats"),
    path("embedding/<str:embedding_id>", views.EmbeddingView.as_view(), name="legacy-embedding"),
    path("session", views.SessionCreateView.as_view(), name="legacy-session-create"),
    path("session/<str:namespace>/<path:session_id>", views.SessionView.as_view(), name="legacy-session"),
    path("context", views.ContextView.as_view(), name="legacy-context"),
]
