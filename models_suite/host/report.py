"""The message of BudgetExceeded: what was asked, the arithmetic, and what holds the memory."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from models_suite.host.memory import MemorySnapshot, format_bytes
from models_suite.host.records import Resident
from models_suite.host.spec import BudgetExceeded, ModelSpec


def budget_error(
    spec: ModelSpec,
    snapshot: MemorySnapshot,
    active: Iterable[Resident],
    draining: Iterable[Resident],
    pinned: Callable[[Resident], bool],
    protected: Callable[[Resident], bool],
) -> BudgetExceeded:
    active = sorted(active, key=lambda r: r.name)
    on_device = [r for r in active if r.device == spec.device]
    pinned_names = [r.name for r in on_device if pinned(r)]
    in_use = [r.name for r in on_device if r.busy() > 0 or r.swapping > 0]
    shown = []
    for r in on_device:
        notes = [f"{format_bytes(r.measured_bytes)}"]
        if pinned(r):
            notes.append("pinned")
        elif protected(r) and r.busy() == 0 and r.swapping == 0:
            notes.append("holds a pinned adapter")
        if r.busy() > 0:
            notes.append(f"in use by {r.busy()}")
        if r.swapping > 0:
            notes.append("being swapped out")
        shown.append(f"{r.name} ({', '.join(notes)})")
    leaving = sorted({r.name for r in draining if r.device == spec.device and not r.closed})
    share = snapshot.budget / snapshot.total if snapshot.total else 0.0
    if spec.estimated_bytes > snapshot.budget:
        why = (
            f"it needs about {format_bytes(spec.estimated_bytes)}, more than the whole budget of "
            f"{format_bytes(snapshot.budget)} ({share:.0%} of {format_bytes(snapshot.total)})"
        )
    else:
        why = (
            f"it needs about {format_bytes(spec.estimated_bytes)} on top of {format_bytes(snapshot.used)} in use, "
            f"over the budget of {format_bytes(snapshot.budget)} ({share:.0%} of {format_bytes(snapshot.total)}), "
            "and nothing left can be evicted"
        )
    message = (
        f"cannot load {spec.name!r} on {spec.device}: {why}. "
        f"Resident: {'; '.join(shown) or 'nothing'}. "
        f"Pinned: {', '.join(pinned_names) or 'none'}. In use: {', '.join(in_use) or 'none'}."
    )
    if leaving:
        message += f" Unloading once their requests end: {', '.join(leaving)}."
    return BudgetExceeded(
        message,
        name=spec.name,
        device=spec.device,
        needed=spec.estimated_bytes,
        used=snapshot.used,
        budget=snapshot.budget,
        resident=[r.name for r in on_device],
        pinned=pinned_names,
        in_use=in_use,
    )
