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
