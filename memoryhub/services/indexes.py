"""This process's vector index of each namespace, loaded from MEMORY_INDEX_DIR and kept in step with the
database, which is the truth.

An index whose watermark (the namespace's live row count and highest id) differs from the database's
catches up incrementally: the vectors of rows it lacks are read and added, rows no longer live are removed.
A missing or unreadable file means a rebuild from the database. Files are written when an index was built
from scratch, or once changes have waited SAVE_AFTER_SECONDS: saving 100,000 vectors takes about half a second
(bench_memory_search), too long for every add. A process that dies with changes unsaved leaves a stale file,
which the next one catches up the same way.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db.models import Count, Max

from memoryhub import embedder
from memoryhub.models import Embedding
from memoryhub.vector_index import VectorIndex

logger = logging.getLogger(__name__)

SAVE_AFTER_SECONDS = 30
READ_CHUNK = 5000


@dataclass
class _Held:
    index: VectorIndex
    watermark: dict
    saved_at: float
    unsaved: int = 0


_held: dict[str, _Held] = {}
_guard = threading.Lock()


def _live(namespace: str):
    return Embedding.objects.filter(namespace=namespace, deleted_at__isnull=True)


def watermark_of(namespace: str) -> dict:
    stats = _live(namespace).aggregate(count=Count("id"), max_id=Max("id"))
    return {"count": stats["count"], "max_id": stats["max_id"] or 0}


def _path(namespace: str):
    return settings.MEMORY_INDEX_DIR / f"{namespace}.usearch"


def index_for(namespace: str) -> VectorIndex:
    """The namespace's index, up to date with the database as of this call."""
    watermark = watermark_of(namespace)
    with _guard:
        held = _held.get(namespace)
        if held is None:
            loaded = VectorIndex.load(_path(namespace), dim=embedder.DIMENSIONS)
            if loaded is None:
                return _rebuild_locked(namespace, watermark).index
            held = _held[namespace] = _Held(loaded[0], loaded[1], saved_at=time.monotonic())
        if held.watermark != watermark:
            _catch_up_locked(namespace, held, watermark)
        return held.index


def _add_rows(index: VectorIndex, rows) -> int:
    keys, vectors = [], []
    for key, raw in rows:
        keys.append(key)
        vectors.append(embedder.from_bytes(bytes(raw)))
    if keys:
        index.add(np.asarray(keys, dtype=np.int64), np.vstack(vectors))
    return len(keys)


def _catch_up_locked(namespace: str, held: _Held, watermark: dict) -> None:
    live = set(_live(namespace).values_list("id", flat=True))
    have = set(held.index.keys().tolist())
    missing, gone = sorted(live - have), sorted(have - live)
    for start in range(0, len(missing), READ_CHUNK):
        _add_rows(held.index, Embedding.objects.filter(pk__in=missing[start:start + READ_CHUNK])
                  .values_list("id", "vector"))
    if gone:
        held.index.remove(gone)
    held.watermark = watermark
    held.unsaved += len(missing) + len(gone)
    logger.info("caught the %s index up with the database: %d added, %d removed", namespace, len(missing),
                len(gone))
    _save_if_due_locked(namespace, held)


def _rebuild_locked(namespace: str, watermark: dict) -> _Held:
    index = VectorIndex(embedder.DIMENSIONS, exact_below=settings.EMBEDDING_EXACT_BELOW)
    rows = _live(namespace).values_list("id", "vector").iterator(chunk_size=READ_CHUNK)
    count = _add_rows(index, rows)
    held = _held[namespace] = _Held(index, watermark, saved_at=time.monotonic(), unsaved=count)
    _save_if_due_locked(namespace, held, force=True)
    logger.info("rebuilt the %s index from the database: %d vectors", namespace, count)
    return held


def _save_if_due_locked(namespace: str, held: _Held, *, force: bool = False) -> None:
    if not (force or (held.unsaved and time.monotonic() - held.saved_at >= SAVE_AFTER_SECONDS)):
        return
    settings.MEMORY_INDEX_DIR.mkdir(parents=True, exist_ok=True)
    held.index.save(_path(namespace), watermark=held.watermark)
    held.saved_at, held.unsaved = time.monotonic(), 0


def index_added(namespace: str, rows: list[Embedding]) -> None:
    """This process stored these rows: add them to its index if it holds one (else the next search loads
    or builds it). The watermark moves by what we know we added; anything another process added since
    shows up as a difference, caught up on the next search."""
    if not rows:
        return
    with _guard:
        held = _held.get(namespace)
        if held is None:
            return
        fresh = [row for row in rows if row.pk not in held.index]
        _add_rows(held.index, [(row.pk, row.vector) for row in fresh])
        held.watermark = {"count": held.watermark["count"] + len(fresh),
                          "max_id": max([held.watermark["max_id"], *(row.pk for row in fresh)])}
        held.unsaved += len(fresh)
        _save_if_due_locked(namespace, held)


def index_removed(namespace: str, key: int) -> None:
    with _guard:
        held = _held.get(namespace)
        if held is not None and key in held.index:
            held.index.remove([key])
            held.watermark = {**held.watermark, "count": held.watermark["count"] - 1}
            held.unsaved += 1


def index_rebuild(*, namespace: str) -> int:
    """Build the namespace's index from the database and save it (after a compaction, or on demand)."""
    with _guard:
        return len(_rebuild_locked(namespace, watermark_of(namespace)).index)


def indexes_save() -> list[str]:
    """Write every index with unsaved changes (a worker shutting down; compaction)."""
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
        return {name: {"vectors": len(held.index), "kind": "hnsw" if held.index.uses_hnsw else "exact",
                       "unsaved_changes": held.unsaved} for name, held in _held.items()}
