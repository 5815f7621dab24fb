"""The model host: which models are resident on this machine's devices, loaded lazily, evicted under a
memory budget, unloaded when idle, swapped without dropping requests. Pure Python (no Django): the Django
side keeps its Placement rows through the listener and exposes the host through its Celery tasks and API.

Locking: one host lock (self._cond) guards the bookkeeping and is never held while loading, unloading or
generating. Loading and evicting for a load run under the device lock only (a Redis lock per machine and
device), so two processes never load onto one device at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from models_suite.host.bookkeeping import Bookkeeping
from models_suite.host.locks import LocalDeviceLock
from models_suite.host.memory import MemoryProbe
from models_suite.host.records import UNKNOWN, Lease, Listener, Resident, ResidentInfo
from models_suite.host.report import budget_error
from models_suite.host.spec import HostError, ModelSpec, UnknownModel

log = logging.getLogger(__name__)


class _Pending:
    """A load in progress: other threads asking for the same name wait for it instead of loading twice."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.error: BaseException | None = None


class ModelHost(Bookkeeping):
    """See the module docstring. `loader(spec) -> backend` runs under the device lock; `probe` measures
    devices (default MemoryProbe(0.8)); `device_lock` has hold(device) (DeviceLock for Redis, default a
    LocalDeviceLock for one process); `listener` gets on_loaded / on_unloaded / on_used; `clock` gives
    epoch seconds for loaded_at / last_used / keep-alive."""

    def __init__(
        self,
        loader: Callable[[ModelSpec], Any],
        *,
        probe: MemoryProbe | None = None,
        device_lock=None,
        listener: Listener | None = None,
        clock: Callable[[], float] = time.time,
    ):
        super().__init__(probe=probe if probe is not None else MemoryProbe(), listener=listener, clock=clock)
        self._loader = loader
        self.device_lock = device_lock if device_lock is not None else LocalDeviceLock()
        self._loading: dict[str, _Pending] = {}
        self._swap_lock = threading.Lock()
        self._sweeper: threading.Thread | None = None
        self._stop = threading.Event()

    # --- leases ---------------------------------------------------------------------------------------------
    def acquire(self, spec: ModelSpec | str) -> Lease:
        """The resident backend for `spec` (loaded now if absent; adapters as 'base:adapter' on their base),
        held until the lease is released. Raises BudgetExceeded, DeviceBusy, UnknownModel or the loader's
        error. Do not nest leases on one base with different adapters in one thread: the second waits for
        the first."""
        with self._cond:
            spec = self._resolve_locked(spec)
        record = self._ensure(spec)
        try:
            self._enter_gate(record)
        except BaseException:
            self._release(record, gate=False)
            raise
        with self._cond:
            self._touch_locked(record)
        self._emit("on_used", record.name)
        if record.base is not None:
            self._emit("on_used", record.base.name)
        return Lease(self, record)

    def _release(self, record: Resident, gate: bool = True) -> None:
        with self._cond:
            if gate:
                (record.base or record).holders -= 1
            record.in_flight -= 1
            self._touch_locked(record)
            closable = self._closable_locked(record)
            self._cond.notify_all()
        self._close(closable)

    def _enter_gate(self, record: Resident) -> None:
        """Leases on one base share it only while they want the same adapter selected (None: the bare base);
        a lease wanting another waits until the base has no holders, then selects its own."""
        base, wanted = record.base or record, record.adapter
        with self._cond:
            while not (base.holders == 0 or (base.selection == wanted and not base.switching)):
                self._cond.wait()
            base.holders += 1
            if base.selection is not UNKNOWN and base.selection == wanted:
                return
            base.selection, base.switching = wanted, True
        try:
            base.backend.use_adapter(wanted)
        except BaseException:
            with self._cond:
                base.selection, base.switching = UNKNOWN, False
                base.holders -= 1
                self._cond.notify_all()
            raise
        with self._cond:
            base.switching = False
            self._cond.notify_all()

    # --- loading ----------------------------------------------------------------------------------------------
    def _ensure(self, spec: ModelSpec) -> Resident:
        """The active record for spec.name with one more in-flight count, loading it if needed."""
        while True:
            with self._cond:
                record = self._active.get(spec.name)
                if record is not None:
                    record.in_flight += 1
                    return record
                pending = self._loading.get(spec.name)
                mine = pending is None
                if pending is None:
                    pending = self._loading[spec.name] = _Pending()
            if not mine:
                pending.done.wait()
                if pending.error is not None:
                    raise pending.error
                continue
            try:
                record = self._load(spec)
            except BaseException as exc:
                with self._cond:
                    del self._loading[spec.name]
                    pending.error = exc
                    pending.done.set()
                raise
            with self._cond:
                installed, closable = self._install_locked(record)
                if installed:
                    record.in_flight += 1
                    info = record.info(self._pinned_locked(record))
                del self._loading[spec.name]
                pending.done.set()
            self._close(closable)
            if installed:
                self._emit("on_loaded", info)
                return record
            # Raced with a swap (the name or the base was replaced meanwhile): take what is there now.

    def _load(self, spec: ModelSpec) -> Resident:
        """A new record, not yet routable. An adapter's base is loaded first and stays held (one in-flight
        count) until the adapter is installed."""
        if spec.base is None:
            with self.device_lock.hold(spec.device):
                self._make_room(spec)
                before = self.probe.used(spec.device)
                started = time.perf_counter()
                backend = self._loader(spec)
                seconds = time.perf_counter() - started
                after = self.probe.used(spec.device)
            now = self.clock()
            return Resident(
                spec=spec,
                backend=backend,
                device=spec.device,
                loaded_at=now,
                last_used=now,
                load_seconds=seconds,
                measured_bytes=max(0, after - before),
                backend_bytes=_backend_bytes(backend),
            )
        base = self._ensure(spec.base)
        try:
            with self._cond:
                name, counter = spec.adapter_name, 1
                while name in base.attached:  # the old one of a same-name swap may still be attached
                    counter += 1
                    name = f"{spec.adapter_name}__{counter}"
                base.attached.add(name)
            try:
                with self.device_lock.hold(spec.device):
                    self._make_room(spec)
                    before, weights = self.probe.used(spec.device), _backend_bytes(base.backend)
                    started = time.perf_counter()
                    base.backend.load_adapter(name, spec.path)
                    seconds = time.perf_counter() - started
                    after, weights_after = self.probe.used(spec.device), _backend_bytes(base.backend)
            except BaseException:
                with self._cond:
                    base.attached.discard(name)
                raise
        except BaseException:
            self._release(base, gate=False)
            raise
        now = self.clock()
        return Resident(
            spec=spec,
            backend=base.backend,
            device=spec.device,
            loaded_at=now,
            last_used=now,
            load_seconds=seconds,
            measured_bytes=max(0, after - before),
            backend_bytes=None if weights is None or weights_after is None else weights_after - weights,
            base=base,
            adapter=name,
        )

    def _install_locked(self, record: Resident) -> tuple[bool, list[Resident]]:
        """Make a loaded record routable; for an adapter, drop the hold on its base. False (and the record
        discarded) when a swap replaced the name or the base meanwhile."""
        base = record.base
        if base is not None:
            base.children.add(record)
            base.in_flight -= 1
        if record.name in self._active or (base is not None and base.draining):
            record.draining = True
            self._draining.add(record)
            closable = self._closable_locked(record)
            self._cond.notify_all()
            return False, closable
        self._active[record.name] = record
        if record.spec.pinned:
            self._pins.add(record.name)
        self._cond.notify_all()
        return True, []

    def _make_room(self, spec: ModelSpec) -> None:
        """Under the device lock: evict least-recently-used residents (not pinned, not in use) until
        used + estimate fits the budget, re-measuring after each; BudgetExceeded when nothing is left."""
        while True:
            snapshot = self.probe.snapshot(spec.device)
            if snapshot.used + spec.estimated_bytes <= snapshot.budget:
                return
            with self._cond:
                victims = (
                    []
                    if spec.estimated_bytes > snapshot.budget
                    else sorted(
                        (r for r in self._active.values() if r.device == spec.device and not self._protected_locked(r)),
                        key=lambda r: r.last_used,
                    )
                )
                if not victims:
                    raise budget_error(
                        spec,
                        snapshot,
                        self._active.values(),
                        self._draining,
                        self._pinned_locked,
                        self._protected_locked,
                    )
                report: list[tuple[str, str]] = []
                closable = self._retire_locked(victims[0], "evicted", report)
            self._report(report)
            self._close(closable)

    def pin(self, name: str) -> None:
        """Never evicted nor idle-unloaded (explicit unload still works). Applies to a later load too."""
        with self._cond:
            self._pins.add(self._route_name_locked(name))

    def unpin(self, name: str) -> None:
        with self._cond:
            self._pins.discard(self._route_name_locked(name))

    def unload(self, name: str, reason: str = "unloaded") -> bool:
        """Unload now (True), or, while leases are open, stop routing to it and unload when they end (False).
        A base takes its adapters along. Unpins it. UnknownModel when it is not resident."""
        with self._cond:
            name = self._route_name_locked(name)
            record = self._active.get(name)
            if record is None:
                raise UnknownModel(f"{name!r} is not resident")
            self._pins.discard(name)
            report: list[tuple[str, str]] = []
            closable = self._retire_locked(record, reason, report)
        self._report(report)
        self._close(closable)
        return record.closed

    def unload_idle(self, now: float | None = None) -> list[str]:
        """Unload what has not been used for its keep-alive and is neither pinned nor in use. Returns names."""
        with self._cond:
            now = self.clock() if now is None else now
            report: list[tuple[str, str]] = []
            closable: list[Resident] = []
            for record in sorted(self._active.values(), key=lambda r: r.base is None):  # adapters first
                if self._active.get(record.name) is record and self._idle_locked(record, now):
                    closable += self._retire_locked(record, "idle", report)
        self._report(report)
        self._close(closable)
        return [name for name, _ in report]

    def _idle_locked(self, record: Resident, now: float) -> bool:
        keep = record.spec.keep_alive_seconds
        if keep is None or self._protected_locked(record) or now - record.last_used < keep:
            return False
        return all(self._idle_locked(child, now) for child in record.children if not child.draining)

    def swap(self, old_name: str, new_spec: ModelSpec) -> ResidentInfo:
        """Hot swap: load new_spec (the old one keeps serving meanwhile), route new leases for old_name to it,
        and unload the old one once its open leases end. new_spec may keep the old name (new weights)."""
        with self._swap_lock:
            with self._cond:
                target = self._route_name_locked(old_name)
                if new_spec.base is not None and new_spec.base.name == target:
                    raise HostError(f"cannot swap {target!r} for one of its own adapters")
                old = self._active.get(target)
                if old is not None:
                    old.swapping += 1
            try:
                while True:
                    with self._cond:
                        spec = new_spec
                        if spec.base is not None:  # onto the base that answers now
                            base = self._resolve_locked(spec.base)
                            spec = spec.on_base(base) if base.name != spec.base.name else replace(spec, base=base)
                    record = self._load(spec)
                    with self._cond:
                        report: list[tuple[str, str]] = []
                        closable: list[Resident] = []
                        if record.base is None or not record.base.draining:  # else install discards it: retry
                            for displaced in {id(r): r for r in (old, self._active.get(record.name)) if r}.values():
                                if self._active.get(displaced.name) is displaced:
                                    closable += self._retire_locked(displaced, "swapped", report)
                        installed, more = self._install_locked(record)
                        closable += more
                        if installed:
                            self._specs[record.name] = record.spec
                            self._routes.pop(record.name, None)
                            if target != record.name:
                                self._routes[target] = record.name
                                if target in self._pins:
                                    self._pins.add(record.name)
                            info = record.info(self._pinned_locked(record))
                    self._report(report)
                    if installed:
                        self._emit("on_loaded", info)
                    self._close(closable)
                    if installed:
                        return info
            finally:
                if old is not None:
                    with self._cond:
                        old.swapping -= 1

    def resident(self) -> list[ResidentInfo]:
        """Every model holding memory here: routable ones, then draining ones (draining=True)."""
        with self._cond:
            records = sorted(self._active.values(), key=lambda r: r.name) + sorted(
                (r for r in self._draining if not r.closed), key=lambda r: (r.name, r.id)
            )
            return [r.info(self._pinned_locked(r)) for r in records]

    def routes(self) -> dict[str, str]:
        with self._cond:
            return dict(self._routes)

    # --- background idle sweeper ------------------------------------------------------------------------------
    def start(self, interval: float = 30.0) -> None:
        """Call unload_idle() every `interval` seconds in a daemon thread (idempotent)."""
        if self._sweeper is not None and self._sweeper.is_alive():
            return
        self._stop = stop = threading.Event()

        def sweep():
            while not stop.wait(interval):
                try:
                    self.unload_idle()
                except Exception:
                    log.exception("idle unload failed")

        self._sweeper = threading.Thread(target=sweep, name="model-host-idle", daemon=True)
        self._sweeper.start()

    def stop(self) -> None:
        self._stop.set()
        if self._sweeper is not None:
            self._sweeper.join()
            self._sweeper = None

    def close(self) -> None:
        """Stop the sweeper and unload everything (what is in use goes when its leases end)."""
        self.stop()
        with self._cond:
            names = [r.name for r in self._active.values() if r.base is None]
        for name in names:
            try:
                self.unload(name, reason="closed")
            except UnknownModel:
                pass


def _backend_bytes(backend) -> int | None:
    measure = getattr(backend, "memory_bytes", None)
    if measure is None:
        return None
    try:
        return int(measure())
    except Exception:  # noqa: BLE001 - a figure for the listing; a backend that cannot tell says None
        return None
