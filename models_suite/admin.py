from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from core.errors import Invalid
from models_suite.models import BreakerTransition, EvalRun, ModelArtifact, Placement, Route, RouterModel, ServedRequest
from models_suite.services.routes import route_validate
from models_suite.services.routing import snapshot_forget


@admin.register(ModelArtifact)
class ModelArtifactAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "status",
        "architecture",
        "parameter_count",
        "context_length",
        "quantization",
        "estimated_memory_bytes",
        "builtin",
    ]
    list_filter = ["kind", "status", "builtin", "architecture"]
    search_fields = ["name", "path", "base_url", "remote_model", "sha256"]
    readonly_fields = [
        "kind",
        "architecture",
        "context_length",
        "parameter_count",
        "quantization",
        "size_bytes",
        "kv_cache_bytes",
        "estimated_memory_bytes",
        "sha256",
        "capabilities",
        "tokenizer",
        "metadata",
        "created_at",
        "updated_at",
    ]


@admin.register(EvalRun)
class EvalRunAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "model",
        "suite",
        "split",
        "status",
        "score",
        "correct_count",
        "item_count",
        "machine",
    ]
    list_filter = ["status", "suite", "split", "model", "machine"]
    search_fields = ["model__name", "suite", "adapter", "error"]
    readonly_fields = [f.name for f in EvalRun._meta.fields]


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    list_display = ["name", "machine", "device", "pid", "measured_bytes", "load_seconds", "pinned", "last_used_at"]
    list_filter = ["machine", "device", "pinned"]
    search_fields = ["name", "machine"]
    readonly_fields = [f.name for f in Placement._meta.fields]

    def has_add_permission(self, request):
        return False  # written by the model host as it loads and unloads


@admin.register(ServedRequest)
class ServedRequestAdmin(admin.ModelAdmin):
    """What the gateway served, read-only: the watch compares these around a promotion."""

    list_display = ["created_at", "model", "adapter_id", "route", "stream", "status", "latency_ms"]
    list_filter = ["route", "stream", "status", "model"]
    search_fields = ["model", "adapter_id"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in ServedRequest._meta.fields]

    def has_add_permission(self, request):
        return False  # written by the gateway, one row per request


class RouteForm(forms.ModelForm):
    class Meta:
        model = Route
        fields = ["name", "candidates", "policy", "enabled", "description"]

    def clean(self):
        data = super().clean()
        try:
            route_validate(
                name=data.get("name", ""),
                candidates=data.get("candidates"),
                policy=data.get("policy") or {},
                current=self.instance if self.instance.pk else None,
            )
        except Invalid as exc:  # the API's validation, shown on the fields it names
            raise ValidationError({f: ValidationError(m) for f, m in exc.details.items()}) from None
        return data


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    form = RouteForm
    list_display = ["name", "candidates", "enabled", "updated_at"]
    list_filter = ["enabled"]
    search_fields = ["name", "description"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        snapshot_forget()


@admin.register(RouterModel)
class RouterModelAdmin(admin.ModelAdmin):
    list_display = ["version", "attempt_count", "attempts_by_candidate", "trained_seconds", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["version"]
    readonly_fields = [f.name for f in RouterModel._meta.fields]
    exclude = ["weights"]


@admin.register(BreakerTransition)
class BreakerTransitionAdmin(admin.ModelAdmin):
    """Circuit breakers opening, probing and closing, per web process: an outage's history."""

    list_display = ["created_at", "candidate", "state", "error", "machine", "pid"]
    list_filter = ["state", "candidate", "machine"]
    search_fields = ["candidate", "error", "machine"]
    readonly_fields = [f.name for f in BreakerTransition._meta.fields]
