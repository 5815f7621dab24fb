"""Django admin for the knowledge graph: nodes (with a duplicate-candidates page and a merge action), edges, and
the history of operators' merges and splits (a split undoes a merge). Imported by memoryhub.admin."""

import json
import math
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from core.errors import AppError, Invalid
from memoryhub.models import GraphChange, GraphCursor, GraphEdge, GraphNode
from memoryhub.services import graph_admin
from memoryhub.services.graph_build import mentions_count

CANDIDATES_LIMIT = 100


def json_object(value, field_name: str) -> dict:
    """A JSON field's value, refused unless it is an object: the services and clients read these as dicts."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise forms.ValidationError(
            f"{field_name} must be a JSON object ({{...}}), not a {type(value).__name__}.", code="not_an_object"
        )
    return value


# --- The knowledge graph: nodes, edges and operators' merges and splits -------------------------------------------


def _actor(request) -> str:
    return request.user.get_username()


def _said(error: AppError) -> str:
    # Invalid's message is worded for API clients ("The request is invalid: field: ..."): here, its reasons alone.
    if isinstance(error, Invalid):
        return " ".join(str(reason) for reasons in error.details.values() for reason in reasons)
    return error.message


def _json_list_of_text(value, field_name: str) -> list:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise forms.ValidationError(f'{field_name} must be a JSON list of texts (["...", ...]).', code="not_a_list")
    return value


class NullFilter(admin.SimpleListFilter):
    """A yes/no filter on whether `field` is null, in the operators' words: [(value, label, is null)]."""

    field = ""
    options: list[tuple[str, str, bool]] = []

    def lookups(self, request, model_admin):
        return [(value, label) for value, label, _ in self.options]

    def queryset(self, request, queryset):
        for value, _, null in self.options:
            if self.value() == value:
                return queryset.filter(**{f"{self.field}__isnull": null})
        return queryset


class MergedFilter(NullFilter):
    title = parameter_name = "merged"
    field, options = "merged_into", [("no", "live", True), ("yes", "merged into another", False)]


class CurrentFilter(NullFilter):
    title = parameter_name = "current"
    field, options = "valid_to", [("yes", "current", True), ("no", "closed (history)", False)]


# A node's page: key, kind and name are its identity; counts, community and merges are computed (read-only).
NODE_FIELDS = (
    *("key", "kind", "name", "label", "aliases", "properties", "mentions", "community", "community_label"),
    *("merged_into", "links", "signature_shown", "vector_shown", "created_at", "updated_at"),
)


class GraphNodeForm(forms.ModelForm):
    """What an operator may correct by hand: how a node is shown and what is known of it. Its key, name and
    links come from the builder and from merges."""

    class Meta:
        model = GraphNode
        fields = ["label", "aliases", "properties", "community_label"]

    def clean_label(self):
        label = self.cleaned_data.get("label")
        if not isinstance(label, str) or not label.strip():
            raise forms.ValidationError("The label must be non-empty text.", code="required")
        return label.strip()

    def clean_aliases(self):
        return _json_list_of_text(self.cleaned_data.get("aliases"), "Aliases")

    def clean_properties(self):
        return json_object(self.cleaned_data.get("properties"), "Properties")


class NodePairForm(forms.Form):
    """The candidates page's merge button. Any node is accepted here: node_merge says why a pair cannot merge."""

    into = forms.ModelChoiceField(queryset=GraphNode.objects.all())
    merged = forms.ModelChoiceField(queryset=GraphNode.objects.all())


@admin.register(GraphNode)
class GraphNodeAdmin(admin.ModelAdmin):
    """Nodes come from the builder; operators correct labels and aliases, and merge duplicates (undone by a split on
    the change it records). No adding or deleting: the builder recreates what its sources name, and a deleted
    survivor would bring back its merged nodes without their edges."""

    form = GraphNodeForm
    change_list_template = "admin/memoryhub/graphnode/change_list.html"
    list_display = ["key", "kind", "label", "mentions", "community", "merged_into"]
    list_filter = ["kind", MergedFilter]
    search_fields = ["key", "name", "label", "aliases"]
    list_select_related = ["merged_into"]
    fields = NODE_FIELDS
    readonly_fields = [field for field in NODE_FIELDS if field not in GraphNodeForm.Meta.fields]
    actions = ["merge_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("vector", "signature")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="edges and history")
    def links(self, node):
        # Links rather than inlines: a well-known concept has thousands of edges.
        edges = reverse("admin:memoryhub_graphedge_changelist")
        changes = reverse("admin:memoryhub_graphchange_changelist")
        nodes = reverse("admin:memoryhub_graphnode_changelist")
        links = [
            (f"{edges}?source__id__exact={node.pk}", f"{node.edges_out.count()} outgoing"),
            (f"{edges}?target__id__exact={node.pk}", f"{node.edges_in.count()} incoming"),
            (f"{changes}?{urlencode({'q': node.key})}", "merges and splits"),
            (f"{nodes}?merged_into__id__exact={node.pk}", f"{node.merged_nodes.count()} merged into it"),
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    @admin.display(description="signature")
    def signature_shown(self, node):
        return f"MinHash, {len(node.signature) // 8} values" if node.signature else "-"

    @admin.display(description="vector")
    def vector_shown(self, node):
        return f"MiniLM, {len(node.vector) // 4} dimensions" if node.vector else "-"

    @admin.action(description="Merge the selected nodes into the first one (most mentioned)")
    def merge_selected(self, request, queryset):
        nodes = list(queryset.order_by("-mentions", "key"))
        if len(nodes) < 2:
            messages.warning(request, "Select two nodes or more: the others merge into the most mentioned one.")
            return
        into, done = nodes[0], []
        for node in nodes[1:]:
            try:
                graph_admin.node_merge(into=into, merged=node, actor=_actor(request))
            except AppError as error:
                messages.error(request, f"{node.key} not merged: {_said(error)}")
            else:
                done.append(node.key)
        if done:
            messages.success(request, f"Merged {', '.join(done)} into {into.key}.")

    def get_urls(self):
        view = self.admin_site.admin_view(self.candidates_view)
        return [path("candidates/", view, name="memoryhub_graphnode_candidates"), *super().get_urls()]

    def candidates_view(self, request):
        """Pairs of concepts that are probably one, each with a merge button (a POST through admin's CSRF check)."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = NodePairForm(request.POST)
            if not form.is_valid():
                problems = "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())
                messages.error(request, f"Not merged: {problems}")
                return HttpResponseRedirect(request.path)
            into, merged = form.cleaned_data["into"], form.cleaned_data["merged"]
            try:
                change = graph_admin.node_merge(into=into, merged=merged, actor=_actor(request))
            except AppError as error:
                messages.error(request, f"Not merged: {_said(error)}")
            else:
                messages.success(request, f"Merged {merged.key} into {into.key} (change #{change.pk}).")
            return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Duplicate candidates",
            "candidates": graph_admin.duplicate_candidates_find(kind="concept", limit=CANDIDATES_LIMIT),
            "limit": CANDIDATES_LIMIT,
        }
        return TemplateResponse(request, "admin/memoryhub/graph_candidates.html", context)


class GraphEdgeForm(forms.ModelForm):
    """Refuses what the graph's invariants refuse (self-loops, edges to merged nodes, two current edges for one
    fact) as form errors rather than a database error."""

    class Meta:
        model = GraphEdge
        fields = ["source", "relation", "target", "weight", "evidence", "valid_from", "valid_to"]

    def clean_weight(self):
        weight = self.cleaned_data.get("weight")
        if weight is None or not math.isfinite(weight) or weight < 0:
            raise forms.ValidationError("The weight is a finite number, 0 or more.", code="invalid")
        return weight

    def clean_evidence(self):
        return _json_list_of_text(self.cleaned_data.get("evidence"), "Evidence")

    def clean(self):
        data = super().clean()
        source, target, relation = data.get("source"), data.get("target"), data.get("relation")
        if source is not None and source == target:
            self.add_error("target", "An edge joins two different nodes.")
        for field in ("source", "target"):
            node = data.get(field)
            if node is not None and node.merged_into_id:
                self.add_error(field, f"{node.key} was merged into {node.merged_into}: use that node.")
        valid_from, valid_to = data.get("valid_from"), data.get("valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            self.add_error("valid_to", "A fact cannot end before it starts.")
        if source and target and relation and valid_to is None and not self.errors:
            twins = GraphEdge.objects.filter(source=source, target=target, relation=relation, valid_to__isnull=True)
            if twins.exclude(pk=self.instance.pk).exists():
                self.add_error("relation", "This fact already has a current edge: change that one, or close it first.")
        return data


@admin.register(GraphEdge)
class GraphEdgeAdmin(admin.ModelAdmin):
    """Edges are facts with a history: a wrong one is closed (valid_to), never deleted."""

    form = GraphEdgeForm
    list_display = ["id", "source", "relation", "target", "weight", "valid_from", "valid_to", "evidence_shown"]
    list_filter = ["relation", CurrentFilter]
    search_fields = ["source__key", "target__key", "relation"]
    list_select_related = ["source", "target"]
    raw_id_fields = ["source", "target"]
    readonly_fields = ["created_at", "updated_at"]

    def get_changeform_initial_data(self, request):
        return {"valid_from": timezone.now(), **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A concept's mentions are its current mentions edges counted: an edge added, moved or closed here counts.
        targets = {obj.target_id, *([form.initial["target"]] if form.initial.get("target") else [])}
        mentions_count(targets)
        GraphNode.objects.filter(pk__in=targets).update(updated_at=timezone.now())  # the engines' sync reads it

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="evidence")
    def evidence_shown(self, edge):
        evidence = list(edge.evidence or [])
        more = f" (+{len(evidence) - 3})" if len(evidence) > 3 else ""
        return ", ".join(evidence[:3]) + more


@admin.register(GraphChange)
class GraphChangeAdmin(admin.ModelAdmin):
    """The history of merges and splits (read-only): a merge is undone by splitting it, which records a split."""

    list_display = ["id", "created_at", "action", "node", "other", "actor", "summary"]
    list_filter = ["action"]
    search_fields = ["node__key", "other__key", "actor"]
    list_select_related = ["node", "other"]
    fields = readonly_fields = ("action", "node", "other", "actor", "created_at", "details_shown")
    actions = ["split"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="what it did")
    def summary(self, change):
        details = change.details or {}
        if change.action == GraphChange.Action.SPLIT:
            return f"undid merge #{details.get('merge')}: {len(details.get('edges_moved_back', []))} edges back"
        return (
            f"{len(details.get('edges_moved', []))} edges moved, {len(details.get('edges_folded', {}))} folded, "
            f"{len(details.get('edges_closed', []))} closed, {len(details.get('aliases_added', []))} aliases added"
        )

    @admin.display(description="details")
    def details_shown(self, change):
        return format_html("<pre>{}</pre>", json.dumps(change.details, indent=2, sort_keys=True))

    @admin.action(description="Split (undo this merge)")
    def split(self, request, queryset):
        # Newest first: a later merge that changed the same edges has to be undone before an earlier one.
        for change in queryset.select_related("node", "other").order_by("-pk"):
            try:
                split = graph_admin.node_split(change=change, actor=_actor(request))
            except AppError as error:
                messages.error(request, f"Change #{change.pk} not split: {_said(error)}")
            else:
                messages.success(request, f"Split change #{change.pk}: {split.other} is its own node again.")


@admin.register(GraphCursor)
class GraphCursorAdmin(admin.ModelAdmin):
    """How far the incremental build (and the Neo4j sync) have read each source. Editable on purpose: setting a
    position back to 0 folds that source in again (idempotent), which is how an operator rebuilds one source."""

    list_display = ["source", "position", "updated_at"]
    list_filter = ["source"]
    search_fields = ["source"]
    readonly_fields = ["source", "updated_at"]

    def has_add_permission(self, request):
        return False
