"""The host's shared state and the steps every operation uses: resolving names through hot-swap routes,
retiring records out of routing, closing what nothing uses any more, telling the listener.
Methods ending in _locked run with self._cond held; the others must not."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace

from models_suite.host.records import UNKNOWN, Listener, Resident
from models_suite.host.spec import HostError, ModelSpec, UnknownModel

log = logging.getLogger(__name__)


class Bookkeeping:
    def __init__(self, *, probe, listener: Listener | None, clock: Callable[[], float]):
        self.probe, self.listener, self.clock = probe, listener, clock
        self._cond = threading.Condition(threading.Lock())  # the host lock: never held while loading or generating
        self._active: dict[str, Resident] = {}  # what new leases get, by name
        self._draining: set[Resident] = set()  # out of routing, closed when their last lease ends
        self._pins: set[str] = set()
        self._specs: dict[str, ModelSpec] = {}  # latest spec seen per name: acquire by name, reload after eviction
        self._routes: dict[str, str] = {}  # swapped-out name -> the name that answers for it now

    # --- names ------------------------------------------------------------------------------------------------
    def _touch_locked(self, record: Resident) -> None:
        record.last_used = self.clock()
        if record.base is not None:
            record.base.last_used = record.last_used

    def _resolve_locked(self, target: ModelSpec | str) -> ModelSpec:
        """Follow hot-swap routes; an adapter follows its base's routes too."""
        spec = target if isinstance(target, ModelSpec) else None
        name = target.name if isinstance(target, ModelSpec) else target
        if spec is not None:
            self._specs[name] = spec
        for _ in range(64):
            if name in self._routes:
                name = self._routes[name]
                spec = self._specs[name]
                continue
            if spec is None:
                spec = self._specs.get(name)
                if spec is None:
                    raise UnknownModel(f"{name!r} is neither resident nor known to this host")
            if spec.base is not None:
                base = self._resolve_locked(spec.base)
                if base.name != spec.base.name:
                    spec = spec.on_base(base)
                    name = spec.name
                    continue
                if base is not spec.base:
                    spec = replace(spec, base=base)
            return spec
        raise HostError(f"hot-swap routes loop around {name!r}")

    def _route_name_locked(self, name: str) -> str:
        for _ in range(64):
            if name not in self._routes:
                return name
            name = self._routes[name]
        raise HostError(f"hot-swap routes loop around {name!r}")

    # --- retiring and closing -----------------------------------------------------------------------------
    def _pinned_locked(self, record: Resident) -> bool:
        return not record.draining and record.name in self._pins

    def _protected_locked(self, record: Resident) -> bool:
        return (
            record.busy() > 0
            or record.swapping > 0
            or self._pinned_locked(record)
            or any(self._pinned_locked(child) for child in record.children)
        )

    def _retire_locked(self, record: Resident, reason: str, report: list) -> list[Resident]:
        """Out of routing (a base takes its adapters along); what is not in use can close at once."""
        retiring = ([c for c in record.children if not c.draining] if record.base is None else []) + [record]
        for r in retiring:
            name = r.name  # before `is r` below: mypy would widen r to the lookup's Optional type
            if self._active.get(name) is r:
                del self._active[name]
                report.append((name, reason))
            r.draining = True
            self._draining.add(r)
        return self._closable_locked(record)

    def _closable_locked(self, record: Resident) -> list[Resident]:
        closable = []
        for r in (record, record.base):
            if r is not None and r.draining and not r.closed and r.busy() == 0:
                r.closed = True
                closable.append(r)
                for child in r.children:  # they go with their base's backend
                    child.closed = True
        return closable

    def _close(self, records: list[Resident]) -> None:
        devices = set()
        for record in records:
            devices.add(record.device)
            try:
                if record.base is None:
                    record.backend.close()
                elif not record.base.closed:
                    record.base.backend.unload_adapter(record.adapter)
            except Exception:
                log.exception("closing %s failed", record.name)
            with self._cond:
                self._draining.discard(record)
                self._draining.difference_update(record.children if record.base is None else ())
                if record.base is not None:
                    base = record.base
                    base.children.discard(record)
                    base.attached.discard(record.adapter)
                    if base.selection == record.adapter:
                        base.selection = UNKNOWN  # its name may be reused: select again before use
                self._cond.notify_all()
        for device in devices:
            try:
                self.probe.settle(device)
            except Exception:
                log.exception("settling memory on %s failed", device)

    def _emit(self, method: str, *args) -> None:
        callback = getattr(self.listener, method, None) if self.listener is not None else None
        if callback is not None:
            try:
                callback(*args)
            except Exception:
                log.exception("model host listener %s%r failed", method, args)

    def _report(self, report: list[tuple[str, str]]) -> None:
        for name, reason in report:
            self._emit("on_unloaded", name, reason)
