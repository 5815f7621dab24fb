import json

import redis
from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from core.errors import NotFound

# The knowledge graph's admin registers itself on import.
from memoryhub.admin_graph import json_object as _json_object
from memoryhub.models import (
    Document,
    Embedding,
    EmbeddingNamespace,
    IngestBatch,
    KeyValueNamespace,
    MemorySession,
)
from memoryhub.services import kv
from memoryhub.services.documents import document_delete, document_put
from memoryhub.services.embeddings import embedding_delete

BROWSE_LIMIT = 200


class DocumentForm(forms.ModelForm):
    """Refuses what document_put would refuse, so an operator's mistake is a form error and never a 500.
    The namespace's format is checked by the model field's validator (namespace_validator)."""

    class Meta:
        model = Document
        fields = ["namespace", "doc_id", "title", "content", "metadata"]

    def clean_content(self):
        content = self.cleaned_data.get("content")
        if not isinstance(content, str) or not content.strip():
            raise forms.ValidationError("Content must be non-empty text.", code="required")
        return content

    def clean_metadata(self):
        return _json_object(self.cleaned_data.get("metadata"), "Metadata")


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Writes go through the documents service: it hashes and embeds the content on save, and tombstones the
    document's embeddings on delete, which a plain model save or delete would skip."""

    form = DocumentForm
    list_display = ["doc_id", "namespace", "title", "updated_at"]
    list_filter = ["namespace"]
    search_fields = ["doc_id", "title", "content"]
    readonly_fields = ["content_hash", "created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        # The key names the document and its embeddings: changing it would be a new document, so it is fixed.
        fields = list(super().get_readonly_fields(request, obj))
        return ["namespace", "doc_id", *fields] if obj is not None else fields

    def save_model(self, request, obj, form, change):
        document, _ = document_put(
            namespace=obj.namespace, doc_id=obj.doc_id, title=obj.title, content=obj.content, metadata=obj.metadata
        )
        # Admin goes on with `obj` (its log entry, the redirect to the saved page): make it the stored row.
        obj.pk = document.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def delete_model(self, request, obj):
        try:
            document_delete(namespace=obj.namespace, doc_id=obj.doc_id)
        except NotFound:
            pass  # deleted meanwhile: what was asked is done

    def delete_queryset(self, request, queryset):
        for document in queryset:
            self.delete_model(request, document)


@admin.register(Embedding)
class EmbeddingAdmin(admin.ModelAdmin):
    """Vectors are numbers nobody reads: they stay out of the pages. Read-only but for deleting, which
    tombstones through the embeddings service (the search index drops the row) rather than removing it."""

    list_display = ["embedding_id", "namespace", "category", "doc_id", "short_content", "created_at", "deleted_at"]
    list_filter = ["namespace", "category", ("deleted_at", admin.EmptyFieldListFilter)]
    search_fields = ["embedding_id", "content", "doc_id"]
    exclude = ["vector"]
    readonly_fields = [
        "embedding_id",
        "namespace",
        "content",
        "content_hash",
        "doc_id",
        "category",
        "metadata",
        "created_at",
        "deleted_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("vector")

    def has_add_permission(self, request):
        return False  # texts are embedded through the API, which computes the vector

    def has_change_permission(self, request, obj=None):
        return False  # an edited text would no longer match its vector

    def delete_model(self, request, obj):
        if obj.deleted_at is not None:
            return  # already a tombstone; compaction removes it
        try:
            embedding_delete(embedding_id=obj.embedding_id)
        except NotFound:
            pass  # tombstoned meanwhile

    def delete_queryset(self, request, queryset):
        for embedding in queryset:
            self.delete_model(request, embedding)

    @admin.display(description="content")
    def short_content(self, obj):
        return obj.content[:80]


class MemorySessionForm(forms.ModelForm):
    class Meta:
        model = MemorySession
        fields = ["namespace", "session_id", "user_id", "data", "expires_at"]

    def clean_data(self):
        return _json_object(self.cleaned_data.get("data"), "Session data")


@admin.register(MemorySession)
class MemorySessionAdmin(admin.ModelAdmin):
    form = MemorySessionForm
    list_display = ["session_id", "namespace", "user_id", "expires_at", "updated_at"]
    list_filter = ["namespace"]
    search_fields = ["session_id", "user_id"]


@admin.register(IngestBatch)
class IngestBatchAdmin(admin.ModelAdmin):
    list_display = ["id", "namespace", "status", "added", "duplicates", "created_at", "finished_at"]
    list_filter = ["status", "namespace"]
    search_fields = ["namespace", "error"]
    readonly_fields = [f.name for f in IngestBatch._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(EmbeddingNamespace)
class EmbeddingNamespaceAdmin(admin.ModelAdmin):
    """Each namespace's change counter, written by the services (read-only here)."""

    list_display = ["name", "version"]
    list_filter = ["name"]
    search_fields = ["name"]
    readonly_fields = ["name", "version"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(KeyValueNamespace)
class KeyValueBrowser(admin.ModelAdmin):
    """Browse the Redis key-value memories, namespace by namespace (read-only)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # This page replaces Django's changelist, and with it the permission check that view makes.
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "namespaces": [],
            "opts": self.model._meta,
            "namespace": None,
            "entries": [],
            "pattern": request.GET.get("pattern") or "*",
            "redis_error": None,
            **(extra_context or {}),
        }
        try:
            self._browse(request, context)
        except redis.RedisError as exc:
            context["redis_error"] = f"Redis is unavailable: {exc}"
        return TemplateResponse(request, "admin/memoryhub/kv_browser.html", context)

    @staticmethod
    def _browse(request, context: dict) -> None:
        for ns in kv.NAMESPACES.values():
            keys = kv.kv_list(namespace=ns.name, limit=BROWSE_LIMIT)
            context["namespaces"].append(
                {
                    "name": ns.name,
                    "prefix": ns.prefix,
                    "store": ns.store,
                    "count": len(keys),
                    "more": len(keys) >= BROWSE_LIMIT,
                }
            )
        chosen = request.GET.get("namespace")
        if chosen in kv.NAMESPACES:
            keys = kv.kv_list(namespace=chosen, pattern=context["pattern"], limit=BROWSE_LIMIT)
            context.update(
                namespace=chosen,
                truncated=len(keys) >= BROWSE_LIMIT,
                entries=[
                    {
                        "key": key,
                        "value": json.dumps(kv.kv_get(namespace=chosen, key=key)["value"]),
                        "ttl": kv.kv_ttl(namespace=chosen, key=key),
                    }
                    for key in keys
                ],
            )
