"""What the host is asked to hold (ModelSpec) and the errors it answers with. Pure Python: no Django."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

DEFAULT_KEEP_ALIVE_SECONDS = 300.0
ADAPTER_SEPARATOR = ":"


class HostError(Exception):
    """The model host cannot do what was asked; the message says why."""


class UnknownModel(HostError, KeyError):
    """A name that is neither resident nor known from an earlier spec."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0]) if self.args else ""


class DeviceBusy(HostError):
    """Another process held the device lock for longer than the lock's blocking timeout."""


class BudgetExceeded(HostError):
    """Loading would go over the memory budget, and nothing more can be evicted (the API answers 409)."""

    def __init__(
        self,
        message: str,
        *,
        name: str,
        device: str,
        needed: int,
        used: int,
        budget: int,
        resident: list[str],
        pinned: list[str],
        in_use: list[str],
    ):
        super().__init__(message)
        self.name, self.device, self.needed, self.used, self.budget = name, device, needed, used, budget
        self.resident, self.pinned, self.in_use = resident, pinned, in_use


def normalize_device(device: str) -> str:
    """'auto' -> 'cuda:0' or 'cpu'; 'cuda' -> 'cuda:0', so that one GPU has one lock and one budget."""
    device = (device or "cpu").strip().lower()
    if device == "auto":
        import torch  # heavy: torch/transformers load only when a model is used

        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda":
        return "cuda:0"
    if device != "cpu" and not (device.startswith("cuda:") and device[5:].isdigit()):
        raise ValueError(f"device must be 'cpu', 'cuda', 'cuda:N' or 'auto', not {device!r}")
    return device


@dataclass(frozen=True)
class ModelSpec:
    """One model the host may load.

    A base model: `name` (no ':'), `path` (a directory, or whatever the loader understands) and/or
    `loader_args`. An adapter: name "base:adapter", `base` the base's spec and `path` the adapter directory;
    build it with `ModelSpec.for_adapter`. `estimated_bytes` is what loading is expected to add on the device
    (0: unknown, only the memory already in use is checked).
    """

    name: str
    path: str | None = None
    loader_args: Mapping[str, Any] = field(default_factory=dict)
    estimated_bytes: int = 0
    device: str = "cpu"
    keep_alive_seconds: float | None = DEFAULT_KEEP_ALIVE_SECONDS  # None: never unloaded for idleness
    pinned: bool = False
    base: ModelSpec | None = None

    def __post_init__(self):
        if not self.name or self.name != self.name.strip():
            raise ValueError(f"a model name must be non-empty without surrounding spaces, not {self.name!r}")
        if self.estimated_bytes < 0:
            raise ValueError("estimated_bytes cannot be negative")
        if self.path is not None:
            object.__setattr__(self, "path", str(self.path))
        if self.base is None:
            if ADAPTER_SEPARATOR in self.name:
                raise ValueError(
                    f"{self.name!r} looks like 'base:adapter' but names no base spec; use ModelSpec.for_adapter"
                )
            object.__setattr__(self, "device", normalize_device(self.device))
        else:
            if self.base.base is not None:
                raise ValueError("an adapter's base must be a base model, not another adapter")
            base_name, sep, adapter = self.name.partition(ADAPTER_SEPARATOR)
            if not sep or base_name != self.base.name or not adapter or ADAPTER_SEPARATOR in adapter:
                raise ValueError(f"an adapter is named '{self.base.name}:<adapter>', not {self.name!r}")
            if self.path is None:
                raise ValueError(f"adapter {self.name!r} needs the path of its adapter directory")
            object.__setattr__(self, "device", self.base.device)

    @classmethod
    def for_adapter(
        cls,
        base: ModelSpec,
        adapter: str,
        path: str,
        *,
        estimated_bytes: int = 0,
        keep_alive_seconds: float | None = DEFAULT_KEEP_ALIVE_SECONDS,
        pinned: bool = False,
    ) -> ModelSpec:
        return cls(
            name=f"{base.name}{ADAPTER_SEPARATOR}{adapter}",
            path=str(path),
            estimated_bytes=estimated_bytes,
            keep_alive_seconds=keep_alive_seconds,
            pinned=pinned,
            base=base,
        )

    @property
    def is_adapter(self) -> bool:
        return self.base is not None

    @property
    def adapter_name(self) -> str | None:
        return self.name.partition(ADAPTER_SEPARATOR)[2] if self.base is not None else None

    def on_base(self, base: ModelSpec) -> ModelSpec:
        """This adapter moved onto another base (after the base was swapped)."""
        return replace(self, name=f"{base.name}{ADAPTER_SEPARATOR}{self.adapter_name}", base=base)
