"""The memory hub's rows: documents, embeddings (the vectors' truth), sessions, and bulk ingest batches.

Key-value memories live in Redis (memoryhub.services.kv); everything here is the database's.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

from core.models import LeasedWork

NAMESPACE_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
namespace_validator = RegexValidator(
    NAMESPACE_PATTERN,
    "A namespace is 1-64 lowercase letters, digits, '_', '.' or '-', starting with a letter or digit.",
)


def namespace_field(default: str) -> models.CharField:
    return models.CharField(max_length=64, default=default, validators=[namespace_validator], db_index=True)


class Document(models.Model):
    namespace = namespace_field("knowledge_base")
    doc_id = models.CharField(max_length=255)
    title = models.CharField(max_length=500, blank=True)
    content = models.TextField()
    metadata = models.JSONField(default=dict, blank=True)
    content_hash = models.CharField(max_length=64, help_text="sha256 of the content")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["namespace", "doc_id"], name="document_unique_per_namespace")]
        ordering = ["namespace", "doc_id"]

    def __str__(self) -> str:
        return f"{self.namespace}/{self.doc_id}"


class Embedding(models.Model):
    """One embedded text. The vector (float32, L2-normalised) is the truth the search index is rebuilt from;
    a delete only sets deleted_at (a tombstone) until compaction removes the row."""

    embedding_id = models.CharField(
        max_length=100, unique=True, help_text="The originals' id: '{namespace}:{sha256(content)[:16]}'"
    )
    namespace = namespace_field("unified_memory_reasoning")
    content = models.TextField()
    content_hash = models.CharField(max_length=64)
    doc_id = models.CharField(max_length=255, blank=True, help_text="The document it embeds, if any")
    category = models.CharField(max_length=100, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    vector = models.BinaryField(help_text="float32 little-endian, L2-normalised")
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["namespace", "content_hash"], name="embedding_content_unique_per_namespace")
        ]
        ordering = ["id"]

    def __str__(self) -> str:
        return self.embedding_id


class EmbeddingNamespace(models.Model):
    """A namespace's change counter. Every write to its embeddings (insert, revival, tombstone, removal) bumps
    it in the writer's transaction, so an index tells in one read whether it has seen every change."""

    name = models.CharField(max_length=64, unique=True, validators=[namespace_validator])
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"


class MemorySession(models.Model):
    namespace = namespace_field("session_memory")
    session_id = models.CharField(max_length=255)
    user_id = models.CharField(max_length=255, blank=True)
    data = models.JSONField(default=dict, blank=True)
    expires_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["namespace", "session_id"], name="session_unique_per_namespace")]
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.namespace}/{self.session_id}"


class IngestBatch(LeasedWork):
    """A bulk load, stored before it is acknowledged so that nothing accepted is lost: the memory worker
    embeds it; a redelivered batch is embedded again and deduplicated by content hash."""

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        COMPLETED = "completed"
        FAILED = "failed"

    namespace = namespace_field("unified_memory_reasoning")
    items = models.JSONField(help_text="[{content, doc_id?, category?, metadata?}]")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    added = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    chunks_done = models.PositiveIntegerField(default=0, help_text="Chunks committed; a rerun resumes after them")
    progressed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "ingest batches"

    def __str__(self) -> str:
        return f"batch {self.pk} ({self.namespace}, {len(self.items)} items, {self.status})"


class KeyValueNamespace(models.Model):
    """No table: gives the admin a "Key-value memories" entry, whose page browses Redis per namespace."""

    class Meta:
        managed = False
        default_permissions = ("view",)
        verbose_name = "key-value memory"
        verbose_name_plural = "key-value memories"


# --- The knowledge graph's truth: nodes, edges, their history and the builder's cursors ---------------------------


class GraphNode(models.Model):
    """One thing the product knows: a concept, or one of its own rows (a skill, an insight, a document, ...).

    `key` is "<kind>:<name>", the node's identity in every engine; for concepts `name` is the normalised name
    (memoryhub.graph.names.normalise), so two nodes never share a normalised name. A merged node stays, pointing at
    the node it was merged into, so that old keys still resolve and the merge can be read back."""

    key = models.CharField(max_length=400, unique=True)
    kind = models.CharField(max_length=30, db_index=True)
    name = models.CharField(max_length=360, db_index=True, help_text="Normalised name (concepts) or the row's id")
    label = models.CharField(max_length=400, help_text="How it is shown")
    aliases = models.JSONField(default=list, blank=True, help_text="Surface forms seen for it")
    properties = models.JSONField(default=dict, blank=True)
    signature = models.BinaryField(null=True, blank=True, help_text="MinHash of the name's character 3-grams")
    vector = models.BinaryField(null=True, blank=True, help_text="MiniLM embedding of the label (concepts)")
    mentions = models.PositiveIntegerField(default=0, help_text="Documents, memories and insights naming it")
    community = models.IntegerField(null=True, blank=True, db_index=True)
    community_label = models.CharField(max_length=200, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_nodes"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class GraphEdge(models.Model):
    """A typed, weighted fact between two nodes, with the ids it rests on (`evidence`) and when it held: a fact
    that changes (a sub-agent's level in a skill) is closed (`valid_to`) and a new one opened, never overwritten.
    At most one current edge per (source, target, relation)."""

    source = models.ForeignKey(GraphNode, on_delete=models.CASCADE, related_name="edges_out")
    target = models.ForeignKey(GraphNode, on_delete=models.CASCADE, related_name="edges_in")
    relation = models.CharField(max_length=40)
    weight = models.FloatField(default=1.0)
    evidence = models.JSONField(default=list, blank=True, help_text='["insight:12", "document:kb/d1", ...]')
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target", "relation"],
                condition=models.Q(valid_to__isnull=True),
                name="graph_edge_one_current",
            )
        ]
        # Paths walk current edges from either end: both covering orders, current edges only.
        indexes = [
            models.Index(fields=["source", "target"], condition=models.Q(valid_to__isnull=True), name="graph_edge_out"),
            models.Index(fields=["target", "source"], condition=models.Q(valid_to__isnull=True), name="graph_edge_in"),
        ]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.source.key} -{self.relation}-> {self.target.key}"


class GraphChange(models.Model):
    """History of what operators did to nodes: merges and splits, with what moved."""

    class Action(models.TextChoices):
        MERGE = "merge"
        SPLIT = "split"

    action = models.CharField(max_length=10, choices=Action.choices)
    node = models.ForeignKey(GraphNode, on_delete=models.CASCADE, related_name="changes")
    other = models.ForeignKey(GraphNode, null=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.CharField(max_length=150, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.action} {self.node.key} / {self.other.key if self.other else '-'}"


class GraphCursor(models.Model):
    """How far the incremental build has read one source (the last row id folded into the graph)."""

    source = models.CharField(max_length=60, unique=True)
    position = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.source} at {self.position}"
