import json

from django.contrib import admin
from django.template.response import TemplateResponse

from memoryhub.models import Document, Embedding, IngestBatch, KeyValueNamespace, MemorySession
from memoryhub.services import kv

BROWSE_LIMIT = 200


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["doc_id", "namespace", "title", "updated_at"]
    list_filter = ["namespace"]
    search_fields = ["doc_id", "title", "content"]
    readonly_fields = ["content_hash", "created_at", "updated_at"]


@admin.register(Embedding)
class EmbeddingAdmin(admin.ModelAdmin):
    """Vectors are numbers nobody reads: they stay out of the pages."""

    list_display = ["embedding_id", "namespace", "category", "doc_id", "short_content", "created_at", "deleted_at"]
    list_filter = ["namespace", "category", ("deleted_at", admin.EmptyFieldListFilter)]
    search_fields = ["embedding_id", "content", "doc_id"]
    exclude = ["vector"]
    readonly_fields = ["embedding_id", "namespace", "content", "content_hash", "doc_id", "category", "metadata",
                       "created_at", "deleted_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("vector")

    def has_add_permission(self, request):
        return False  # texts are embedded through the API, which computes the vector

    @admin.display(description="content")
    def short_content(self, obj):
        return obj.content[:80]


@admin.register(MemorySession)
class MemorySessionAdmin(admin.ModelAdmin):
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
        namespaces = []
        for ns in kv.NAMESPACES.values():
            keys = kv.kv_list(namespace=ns.name, limit=BROWSE_LIMIT)
            namespaces.append({"name": ns.name, "prefix": ns.prefix, "store": ns.store, "count": len(keys),
                               "more": len(keys) >= BROWSE_LIMIT})
        context = {**self.admin_site.each_context(request), "namespaces": namespaces, "opts": self.model._meta,
                   "namespace": None, "entries": [], "pattern": request.GET.get("pattern") or "*"}
        chosen = request.GET.get("namespace")
        if chosen in kv.NAMESPACES:
            keys = kv.kv_list(namespace=chosen, pattern=context["pattern"], limit=BROWSE_LIMIT)
            context.update(namespace=chosen, truncated=len(keys) >= BROWSE_LIMIT, entries=[
                {"key": key, "value": json.dumps(kv.kv_get(namespace=chosen, key=key)["value"]),
                 "ttl": kv.kv_ttl(namespace=chosen, key=key)} for key in keys])
        return TemplateResponse(request, "admin/memoryhub/kv_browser.html", context)
