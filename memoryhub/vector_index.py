"""Approximate nearest-neighbour index of the memory hub: one per namespace, cosine similarity, int keys.

Pure (no Django). The database holds the truth (every embedding, by row id); this index serves searches,
is persisted under a directory, and is rebuilt from the database when its file is missing, corrupt or stale.
The caller decides staleness from the `watermark` it saves with the index (e.g. row count and max id).

Small namespaces are searched exhaustively (usearch's `exact=True`): below a few thousand vectors that costs
about as much as walking the graph, and recall is perfect. From `exact_below` vectors on, searches walk the
HNSW graph. Vectors always live in one usearch index (the graph is kept up to date from the first vector),
so crossing the threshold needs no rebuild and `exact_search` scans the very same vectors.

File format (one file, so index and watermark are replaced together, atomically):
    8 bytes magic, 8 bytes header length, 8 bytes payload length (little-endian),
    header (UTF-8 JSON: format, dim, HNSW parameters, count, CRC-32 of the payload, watermark),
    payload (usearch's own serialisation).
The lengths catch truncation, the CRC catches corruption, before usearch is handed a single byte.
"""

from __future__ import annotations

import json
import logging
import os
import struct
import tempfile
import threading
import zlib
from pathlib import Path

import numpy as np
from usearch.index import Index

logger = logging.getLogger(__name__)

MAGIC = b"MHVIDX\x00\x01"
FORMAT = 1
_PREAMBLE = struct.Struct("<8sQQ")

# HNSW parameters, measured with bench/bench_memory_search.py (100,000 vectors built around real MiniLM
# embeddings, 500 held-out real sentence embeddings as queries, 2 cores; recall@10 against exact search):
# - connectivity 16 (usearch's default, the paper's M): 24 and 32 gained about half a point of recall at
#   expansion_search 128 (0.993-0.995 against 0.986-0.989), less than a wider search buys, for up to twice
#   the graph's links (~8 % more memory next to 384 float32 per vector) and slower builds.
# - expansion_add 64 (usearch's default is 128): builds in ~9-10 s instead of ~21 s per 100,000 vectors, and
#   a rebuild from the database (missing or stale file) pays exactly that. The default's better graph is worth
#   ~1 point of recall, which a wider search buys back for a fraction of a millisecond.
# - expansion_search 128: recall@10 ~0.99 at a p95 of ~0.5 ms. 64 gave 0.97 (0.3 ms), too close to the 0.95
#   goal for data harder than the benchmark's; 192 gave 0.997 for ~0.7 ms. The latency goal (20 ms) is far off.
# usearch keeps max(expansion_search, k) candidates, so a large k still gets k results (checked: k=300 with
# expansion_search=16 returns 300).
CONNECTIVITY = 16
EXPANSION_ADD = 64
EXPANSION_SEARCH = 128

# Below this many vectors in one call, usearch is told to use one thread: starting a pool costs more than it
# saves, and a web request adding one memory should not fan out over every core.
_PARALLEL_ADD_FROM = 256


class VectorIndex:
    """Cosine-similarity search over L2-normalised float32 vectors with int keys (the database row ids).

    HNSW (usearch) when large; exact (brute force) below `exact_below` vectors, where it is as fast and has
    perfect recall.

    Thread safety: every method takes `self._lock`. usearch's bindings release the GIL while they add or
    search (measured: another Python thread keeps running), so searches on different namespaces run in
    parallel. Calls on one usearch index must not overlap, though: the native index keeps per-thread scratch
    slots picked by a call-local thread number, so two Python threads searching at once would share slot 0
    (recent bindings add a mutex of their own for that; we do not rely on which version is installed). Our
    lock also makes "replace" (remove, then add) and save's snapshot atomic with respect to a search. A search
    takes well under a millisecond, so serialising searches on one namespace costs little.
    """

    def __init__(
        self,
        dim: int = 384,
        *,
        exact_below: int = 2048,
        connectivity: int = CONNECTIVITY,
        expansion_add: int = EXPANSION_ADD,
        expansion_search: int = EXPANSION_SEARCH,
    ):
        if dim <= 0:
            raise ValueError(f"dim must be positive, got {dim}")
        self.dim = int(dim)
        self.exact_below = int(exact_below)
        self._lock = threading.Lock()
        self._index = Index(
            ndim=self.dim,
            metric="cos",
            dtype="f32",
            connectivity=int(connectivity),
            expansion_add=int(expansion_add),
            expansion_search=int(expansion_search),
        )

    # -- parameters ---------------------------------------------------------------------------------------------

    @property
    def connectivity(self) -> int:
        return self._index.connectivity

    @property
    def expansion_add(self) -> int:
        return self._index.expansion_add

    @property
    def expansion_search(self) -> int:
        return self._index.expansion_search

    @expansion_search.setter
    def expansion_search(self, value: int) -> None:
        with self._lock:
            # usearch defines this setter after another property's, which mypy reads as no setter at all.
            self._index.expansion_search = int(value)  # type: ignore[misc]

    @property
    def uses_hnsw(self) -> bool:
        """Whether `search` walks the graph now (True) or scans every vector (False)."""
        with self._lock:
            return len(self._index) >= self.exact_below

    # -- contents -----------------------------------------------------------------------------------------------

    def add(self, keys, vectors) -> None:
        """Insert vectors under `keys`; re-adding a key replaces its vector (the last one wins within a call).

        Everything is validated before the index is touched, so a bad argument changes nothing.
        """
        keys = _as_keys(keys)
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim == 1 and len(keys) == 1:
            vectors = vectors.reshape(1, -1)
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise ValueError(f"vectors must have shape (n, {self.dim}), got {vectors.shape}")
        if vectors.shape[0] != len(keys):
            raise ValueError(f"{len(keys)} keys for {vectors.shape[0]} vectors")
        if len(keys) == 0:
            return
        if not np.isfinite(vectors).all():
            raise ValueError("vectors must be finite (no NaN or infinity)")
        # Duplicate keys in one call: keep the last occurrence, as if they had been added one after another.
        unique_from_end, positions = np.unique(keys[::-1], return_index=True)
        if len(unique_from_end) != len(keys):
            keep = np.sort(len(keys) - 1 - positions)
            keys, vectors = keys[keep], vectors[keep]
        vectors = np.ascontiguousarray(vectors)
        threads = 0 if len(keys) >= _PARALLEL_ADD_FROM else 1
        with self._lock:
            present = np.atleast_1d(self._index.contains(keys))
            if present.any():
                # usearch refuses duplicate keys; a replace is a remove (a tombstone, whose slot usearch reuses)
                # followed by an add.
                self._index.remove(keys[present])
            self._index.add(keys, vectors, threads=threads)

    def remove(self, keys) -> None:
        """Forget `keys`; keys not present are ignored."""
        keys = _as_keys(keys)
        if len(keys) == 0:
            return
        with self._lock:
            self._index.remove(keys)

    def __len__(self) -> int:
        with self._lock:
            return len(self._index)

    def __contains__(self, key) -> bool:
        key = _as_key_or_none(key)
        if key is None:
            return False
        with self._lock:
            return bool(self._index.contains(key))

    def keys(self) -> np.ndarray:
        """Every key in the index (uint64, in no particular order): for diffing against the database."""
        with self._lock:
            if len(self._index) == 0:
                return np.zeros(0, dtype=np.uint64)
            return np.asarray(self._index.keys[:], dtype=np.uint64)

    def get(self, key) -> np.ndarray | None:
        """The stored vector of `key` (a copy), or None."""
        key = _as_key_or_none(key)
        if key is None:
            return None
        with self._lock:
            vector = self._index.get(key)
        return None if vector is None else np.array(vector, dtype=np.float32)

    # -- search -------------------------------------------------------------------------------------------------

    def search(self, query, k: int) -> list[tuple[int, float]]:
        """(key, cosine similarity), best first, at most k; never a removed key."""
        return self._search(query, k, exact=None)

    def exact_search(self, query, k) -> list[tuple[int, float]]:
        """Always brute force over the same vectors: the reference for recall checks."""
        return self._search(query, k, exact=True)

    def _search(self, query, k, *, exact: bool | None) -> list[tuple[int, float]]:
        query = np.asarray(query, dtype=np.float32)
        if query.ndim == 2 and query.shape[0] == 1:
            query = query[0]
        if query.shape != (self.dim,):
            raise ValueError(f"query must have shape ({self.dim},), got {query.shape}")
        query = np.ascontiguousarray(query)
        k = int(k)
        if k <= 0:
            return []
        with self._lock:
            size = len(self._index)
            if size == 0:
                return []
            wanted = min(k, size)
            scan = exact if exact is not None else size < self.exact_below
            # One thread: a single query is one task, and a pool per call would only add start-up cost.
            matches = self._index.search(query, wanted, exact=scan, threads=1)
            if len(matches.keys) < wanted and not scan:
                # The graph may come back short, e.g. after many removals left few live nodes near the query.
                matches = self._index.search(query, wanted, exact=True, threads=1)
        keys = matches.keys.tolist()
        distances = matches.distances.tolist()
        # usearch's cosine distance is 1 - cosine similarity.
        return [(int(key), 1.0 - float(distance)) for key, distance in zip(keys, distances)]

    # -- persistence --------------------------------------------------------------------------------------------

    def save(self, path: Path, *, watermark: dict) -> None:
        """Write the index and `watermark` to `path`, atomically: a temp file in the same directory, fsync,
        then os.replace. A failure leaves the previous file as it was (and no temp file behind)."""
        path = Path(path)
        watermark_json = json.loads(json.dumps(watermark))  # fails here, before any file is touched
        with self._lock:
            payload = self._index.save()  # a snapshot: the disk write below needs no lock
            assert payload is not None  # an index without a path saves to bytes
            count = len(self._index)
            header = {
                "format": FORMAT,
                "dim": self.dim,
                "exact_below": self.exact_below,
                "connectivity": self._index.connectivity,
                "expansion_add": self._index.expansion_add,
                "expansion_search": self._index.expansion_search,
                "count": count,
                "payload_crc32": zlib.crc32(payload),
                "watermark": watermark_json,
            }
        header_bytes = json.dumps(header, sort_keys=True).encode("utf-8")
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(_PREAMBLE.pack(MAGIC, len(header_bytes), len(payload)))
                file.write(header_bytes)
                file.write(payload)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temp_name, path)
        except BaseException:
            try:
                os.unlink(temp_name)
            except FileNotFoundError:
                pass
            raise
        _fsync_directory(path.parent)

    @classmethod
    def load(cls, path: Path, *, dim: int | None = None) -> tuple[VectorIndex, dict] | None:
        """(index, watermark), or None when the file is missing, truncated or corrupt (logged as a warning),
        or, when `dim` is given, holds vectors of another dimension. Never raises for a bad file."""
        path = Path(path)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            logger.warning("vector index %s unreadable, to be rebuilt: %s", path, error)
            return None
        try:
            return cls._from_bytes(raw, dim)
        except Exception as error:  # a bad file is a cache miss: the caller rebuilds from the database
            logger.warning("vector index %s unusable, to be rebuilt: %s", path, error)
            return None

    @classmethod
    def _from_bytes(cls, raw: bytes, dim: int | None) -> tuple[VectorIndex, dict]:
        if len(raw) < _PREAMBLE.size:
            raise ValueError(f"truncated: {len(raw)} bytes")
        magic, header_length, payload_length = _PREAMBLE.unpack_from(raw)
        if magic != MAGIC:
            raise ValueError("not a memory hub vector index")
        if len(raw) != _PREAMBLE.size + header_length + payload_length:
            raise ValueError(
                f"truncated or padded: {len(raw)} bytes, header says {_PREAMBLE.size + header_length + payload_length}"
            )
        header = json.loads(raw[_PREAMBLE.size : _PREAMBLE.size + header_length].decode("utf-8"))
        if header.get("format") != FORMAT:
            raise ValueError(f"format {header.get('format')!r}, expected {FORMAT}")
        payload = memoryview(raw)[_PREAMBLE.size + header_length :]
        if zlib.crc32(payload) != header["payload_crc32"]:
            raise ValueError("payload checksum mismatch")
        if dim is not None and header["dim"] != dim:
            raise ValueError(f"dimension {header['dim']}, expected {dim}")
        index = cls(
            header["dim"],
            exact_below=header["exact_below"],
            connectivity=header["connectivity"],
            expansion_add=header["expansion_add"],
            expansion_search=header["expansion_search"],
        )
        index._index.load(payload)
        if len(index._index) != header["count"] or index._index.ndim != header["dim"]:
            raise ValueError(
                f"loaded {len(index._index)} vectors of {index._index.ndim} dimensions, header says "
                f"{header['count']} of {header['dim']}"
            )
        watermark = header["watermark"]
        if not isinstance(watermark, dict):
            raise ValueError("watermark is not an object")
        return index, watermark


def _as_keys(keys) -> np.ndarray:
    """Keys as a 1-d uint64 array; refuses negatives and non-integers (a row id is neither)."""
    array = np.atleast_1d(np.asarray(keys))
    if array.ndim != 1:
        raise ValueError(f"keys must be one-dimensional, got shape {array.shape}")
    if array.size == 0:
        return np.zeros(0, dtype=np.uint64)
    if array.dtype == object:
        if not all(isinstance(key, (int, np.integer)) and not isinstance(key, bool) for key in array):
            raise TypeError("keys must be integers")
        if any(key < 0 or key >= 2**64 for key in array):
            raise ValueError("keys must be non-negative 64-bit integers")
        return np.array([int(key) for key in array], dtype=np.uint64)
    if array.dtype == np.bool_ or not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"keys must be integers, got {array.dtype}")
    if np.issubdtype(array.dtype, np.signedinteger) and (array < 0).any():
        raise ValueError("keys must be non-negative")
    return array.astype(np.uint64)


def _as_key_or_none(key) -> int | None:
    if isinstance(key, bool) or not isinstance(key, (int, np.integer)):
        return None
    key = int(key)
    return key if 0 <= key < 2**64 else None


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; best effort (not every platform lets a directory be opened).
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
