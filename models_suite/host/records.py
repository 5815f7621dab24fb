"""The host's bookkeeping: one record per resident model, the snapshot it publishes, leases, listeners."""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from models_suite.host.spec import ModelSpec

if TYPE_CHECKING:
    from models_suite.host.host import ModelHost

log = logging.getLogger(__name__)

_ids = itertools.count(1)
UNKNOWN = object()  # the adapter a base has active is not known (an adapter was detached): select before use


@dataclass(frozen=True)
class ResidentInfo:
    """What the Django side stores in a Placement row. Times from the host's clock (epoch seconds)."""

    name: str
    device: str
    path: str | None
    base: str | None  # for an adapter: the base it is attached to
    adapter: str | None  # for an adapter: its own name (the part after ':')
    measured_bytes: int  # what loading added on the device: RSS delta (CPU) or mem_get_info delta (CUDA)
    backend_bytes: int | None  # backend.memory_bytes() (weights), None when the backend cannot tell
    estimated_bytes: int
    loaded_at: float
    last_used: float
    load_seconds: float
    keep_alive_seconds: float | None
    pinned: bool
    in_flight: int  # leases now open on it (a base counts its adapters' leases too)
    draining: bool  # swapped out or unloaded while in use: no new leases, closed once in_flight is 0
    id: int  # distinguishes two loads of one name (a hot swap that keeps the name)


@dataclass(eq=False)
class Resident:
    spec: ModelSpec
    backend: Any
    device: str
    loaded_at: float
    load_seconds: float
    measured_bytes: int
    backend_bytes: int | None
    base: Resident | None = None  # adapters: the base record
    adapter: str | None = None  # adapters: the adapter's name inside the backend (unique per base)
    last_used: float = 0.0
    in_flight: int = 0
    draining: bool = False
    closed: bool = False
    swapping: int = 0  # a swap is loading this one's replacement: keep it
    children: set = field(default_factory=set)  # bases: adapter records attached (active or draining)
    attached: set = field(default_factory=set)  # bases: adapter names taken inside the backend
    # bases: which adapter the backend has selected, and how many leases rely on that selection
    selection: Any = None
    holders: int = 0
    switching: bool = False
    id: int = field(default_factory=lambda: next(_ids))

    @property
    def name(self) -> str:
        return self.spec.name

    def busy(self) -> int:
        return self.in_flight + sum(child.in_flight for child in self.children)

    def info(self, pinned: bool) -> ResidentInfo:
        return ResidentInfo(
            name=self.name,
            device=self.device,
            path=self.spec.path,
            base=self.base.name if self.base else None,
            adapter=self.spec.adapter_name,
            measured_bytes=self.measured_bytes,
            backend_bytes=self.backend_bytes,
            estimated_bytes=self.spec.estimated_bytes,
            loaded_at=self.loaded_at,
            last_used=self.last_used,
            load_seconds=self.load_seconds,
            keep_alive_seconds=self.spec.keep_alive_seconds,
            pinned=pinned,
            in_flight=self.busy(),
            draining=self.draining,
            id=self.id,
        )


class Listener(Protocol):
    """Every method is optional; each is called outside the host's lock, and an exception is only logged."""

    def on_loaded(self, resident: ResidentInfo) -> None: ...

    def on_unloaded(self, name: str, reason: str) -> None: ...

    def on_used(self, name: str) -> None: ...


class Lease:
    """One use of a resident model. `with host.acquire(spec) as backend:`; or keep the lease and call
    release() (idempotent). While open, the model is neither evicted nor unloaded, and for an adapter the
    base keeps that adapter selected. Keep it open until a stream() has been read to the end. A lease never
    released keeps its model resident for good (and, on a base, blocks leases wanting another adapter)."""

    def __init__(self, host: ModelHost, record: Resident):
        self._host, self._record, self._released = host, record, False
        self.name = record.name
        self.backend = record.backend
        self.adapter = record.spec.adapter_name
        self.resident_id = record.id

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._host._release(self._record)

    @property
    def released(self) -> bool:
        return self._released

    def __enter__(self):
        return self.backend

    def __exit__(self, *exc) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"<Lease {self.name}{' released' if self._released else ''}>"
