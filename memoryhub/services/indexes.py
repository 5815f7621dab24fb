"""This process's vector index of each namespace, loaded from MEMORY_INDEX_DIR and kept in step with the
database, which is the truth.

Whether an index is current is one read: every write to a namespace's embeddings bumps its version
(EmbeddingNamespace) in the same transaction. An index behind the database's version catches up
incrementally: the vectors of rows it lacks are read and added, rows no longer live are removed.
A missing or unreadable file means a rebuild from the database. Files are written when an index was built
from scratch, or once changes have waited SAVE_AFTER_SECONDS: saving 100,000 vectors takes about half a second
(bench_memory_search), too long for every add. A process that dies with changes unsaved leaves a stale file,
which the next one catches up the same way.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from memoryhub import embedder
from memoryhub.models import Embedding, EmbeddingNamespace
from memoryhub.services.namespaces import namespace_check
from memoryhub.vector_index import VectorIndex

logger = logging.getLogger(__name__)

SAVE_AFTER_SECONDS = 30
READ_CHUNK = 5000


@dataclass
class _Held:
    index: VectorIndex
    version: int
    saved_at: float
    unsaved: int = 0


_held: dict[str, _Held] = {}
_guard = threading.Lock()


def _live(namespace: str):
    return Embedding.objects.filter(namespace=namespace, deleted_at__isnull=True)


def version_of(namespace: str) -> int:
    return EmbeddingNamespace.objects.filter(name=namespace).values_list("version", flat=True).first() or 0


def namespace_bump(namespace: str) -> int:
    """Count one change to the namespace's embeddings; call it inside the writer's transaction. Returns the
    new version. The row lock it takes orders writers, so versions follow commits."""
    if not EmbeddingNamespace.objects.filter(name=namespace).update(version=F("version") + 1):
        try:
            with transaction.atomic():
                EmbeddingNamespace.objects.create(name=namespace, version=1)
        except IntegrityError:  # created by a concurrent writer a moment ago
            EmbeddingNamespace.objects.filter(name=namespace).update(version=F("version") + 1)
    return version_of(namespace)


def _path(namespace: str):
    # Checked here too: a namespace becomes a file name, and must never name a path outside the directory.
    return settings.MEMORY_INDEX_DIR / f"{namespace_check(namespace)}.usearch"


def index_for(namespace: str) -> VectorIndex:
    """The namespace's index, up to date with the database as of this call. A namespace that never had an
    embedding gets an empty index, neither kept nor written."""
    namespace_check(namespace)
    version = version_of(namespace)
    if version == 0:
        return VectorIndex(embedder.DIMENSIONS, exact_below=settings.EMBEDDING_EXACT_BELOW)
    with _guard:
        held = _held.get(namespace)
        if held is None:
            loaded = VectorIndex.load(_path(namespace), dim=embedder.DIMENSIONS)
            if loaded is None or not isinstance(loaded[1].get("version"), int):
                return _rebuild_locked(namespace, version).index
            held = _held[namespace] = _Held(loaded[0], loaded[1]["version"], saved_at=time.monotonic())
        if held.version != version:
            _catch_up_locked(namespace, held, version)
        return held.index


def _add_rows(index: VectorIndex, rows) -> int:
    keys, vectors = [], []
    for key, raw in rows:
        keys.append(key)
        vectors.append(embedder.from_bytes(bytes(raw)))
    if keys:
        index.add(np.asarray(keys, dtype=np.int64), np.vstack(vectors))
    return len(keys)


def _catch_up_locked(namespace: str, held: _Held, version: int) -> None:
    live = set(_live(namespace).values_list("id", flat=True))
    have = set(held.index.keys().tolist())
    missing, gone = sorted(live - have), sorted(have - live)
    for start in range(0, len(missing), READ_CHUNK):
        _add_rows(
            held.index, Embedding.objects.filter(pk__in=missing[start : start + READ_CHUNK]).values_list("id", "vector")
        )
    if gone:
        held.index.remove(gone)
    held.version = version
    held.unsaved += len(missing) + len(gone)
    logger.info("caught the %s index up with the database: %d added, %d removed", namespace, len(missing), len(gone))
    _save_if_due_locked(namespace, held)


def _rebuild_locked(namespace: str, version: int) -> _Held:
    index = VectorIndex(embedder.DIMENSIONS, exact_below=settings.EMBEDDING_EXACT_BELOW)
    rows = _live(namespace).values_list("id", "vector").iterator(chunk_size=READ_CHUNK)
    count = _add_rows(index, rows)
    held = _held[namespace] = _Held(index, version, saved_at=time.monotonic(), unsaved=count)
    _save_if_due_locked(namespace, held, force=True)
    logger.info("rebuilt the %s index from the database: %d vectors", namespace, count)
    return held


def _save_if_due_locked(namespace: str, held: _Held, *, force: bool = False) -> None:
    if not (force or (held.unsaved and time.monotonic() - held.saved_at >= SAVE_AFTER_SECONDS)):
        return
    settings.MEMORY_INDEX_DIR.mkdir(parents=True, exist_ok=True)
    held.index.save(_path(namespace), watermark={"version": held.version})
    held.saved_at, held.unsaved = time.monotonic(), 0


def index_changed(
    namespace: str, version: int, *, added: Sequence[Embedding] = (), removed: Sequence[int] = ()
) -> None:
    """This process committed these changes as `version`: apply them to its index if it holds one and had
    seen every version before it. Otherwise someone else wrote in between, and the next search catches up."""
    with _guard:
        held = _held.get(namespace)
        if held is None or held.version != version - 1:
            return
        _add_rows(held.index, [(row.pk, row.vector) for row in added])
        if removed:
            held.index.remove(list(removed))
        held.version = version
        held.unsaved += len(added) + len(removed)
        _save_if_due_locked(namespace, held)


def index_rebuild(*, namespace: str) -> int:
    """Build the namespace's index from the database and save it (after a compaction, or on demand)."""
    namespace_check(namespace)
    with _guard:
        return len(_rebuild_locked(namespace, version_of(namespace)).index)


def indexes_save() -> list[str]:
    """Write every index with unsaved changes: run at process exit (a clean stop of a worker or a web
    process), so that the next process starts from a current file."""
    with _guard:
        pending = [name for name, held in _held.items() if held.unsaved]
        for name in pending:
            _save_if_due_locked(name, _held[name], force=True)
    return pending


def indexes_forget() -> None:
    """Drop what this process holds (tests; a process that points at another database)."""
    with _guard:
        _held.clear()


def index_states() -> dict:
    with _guard:
        return {
            name: {
                "vectors": len(held.index),
                "kind": "hnsw" if held.index.uses_hnsw else "exact",
                "unsaved_changes": held.unsaved,
            }
            for name, held in _held.items()
        }


atexit.register(indexes_save)
