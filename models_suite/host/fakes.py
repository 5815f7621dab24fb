"""Stand-ins for tests (here and on the Django side): a backend whose memory is a number, a probe that adds
those numbers up, and a loader that records what it loaded. Budget arithmetic without real models."""

from __future__ import annotations

import threading

from models_suite.backends.base import BackendError, GenerationRequest, GenerationResult
from models_suite.host.memory import MemorySnapshot
from models_suite.host.spec import ModelSpec


class FakeMemory:
    """What fake backends hold, per device."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.held: dict[tuple[str, object], int] = {}  # (device, owner) -> bytes

    def add(self, device: str, owner: object, size: int) -> None:
        with self._lock:
            self.held[(device, owner)] = self.held.get((device, owner), 0) + size

    def remove(self, device: str, owner: object) -> None:
        with self._lock:
            self.held.pop((device, owner), None)

    def used(self, device: str) -> int:
        with self._lock:
            return sum(size for (d, _), size in self.held.items() if d == device)


class FakeProbe:
    def __init__(self, memory: FakeMemory, total: int = 1000, budget_fraction: float = 0.8, baseline: int = 0):
        self.memory, self.total, self.budget_fraction, self.baseline = memory, total, budget_fraction, baseline

    def used(self, device: str) -> int:
        return self.baseline + self.memory.used(device)

    def snapshot(self, device: str) -> MemorySnapshot:
        return MemorySnapshot(
            device=device, total=self.total, used=self.used(device), budget=int(self.total * self.budget_fraction)
        )

    def settle(self, device: str) -> None:
        pass


class FakeBackend:
    """Answers "<model>[+<adapter>]". `gate` (an Event), when set on the backend, holds generate() until set."""

    context_length = 64

    def __init__(self, spec: ModelSpec, memory: FakeMemory, size: int):
        self.spec, self.memory, self.size = spec, memory, size
        self.adapters: dict[str, str] = {}
        self.active_adapter: str | None = None
        self.gate: threading.Event | None = None
        self.started = threading.Event()
        self.closed = False
        self.lock = threading.Lock()
        memory.add(spec.device, self, size)

    def load_adapter(self, name: str, path: str) -> None:
        with self.lock:
            self.adapters[name] = path
            self.memory.add(self.spec.device, (self, name), int(self.spec.loader_args.get("adapter_size", 10)))

    def use_adapter(self, name: str | None) -> None:
        with self.lock:
            if name is not None and name not in self.adapters:
                raise BackendError(f"adapter {name!r} is not attached")
            self.active_adapter = name

    def unload_adapter(self, name: str) -> None:
        with self.lock:
            self.adapters.pop(name, None)
            self.memory.remove(self.spec.device, (self, name))
            if self.active_adapter == name:
                self.active_adapter = None

    def generate(self, request: GenerationRequest) -> GenerationResult:
        if self.closed:
            raise BackendError(f"{self.spec.name} was closed")
        answer = self.spec.name + (f"+{self.active_adapter}" if self.active_adapter else "")
        self.started.set()
        if self.gate is not None:
            self.gate.wait(10)
        if self.closed:
            raise BackendError(f"{self.spec.name} was closed mid-generation")
        return GenerationResult(text=answer, prompt_tokens=1, completion_tokens=1, finish_reason="stop", seconds=0.0)

    def memory_bytes(self) -> int:
        return self.size

    def close(self) -> None:
        self.closed = True
        for name in list(self.adapters):
            self.memory.remove(self.spec.device, (self, name))
        self.memory.remove(self.spec.device, self)


class FakeLoader:
    """loader(spec): a FakeBackend of loader_args['size'] (default: spec.estimated_bytes) bytes; records each
    load in `loaded`. `fail` (a set of names) makes those loads raise."""

    def __init__(self, memory: FakeMemory):
        self.memory = memory
        self.loaded: list[str] = []
        self.backends: dict[str, FakeBackend] = {}
        self.fail: set[str] = set()

    def __call__(self, spec: ModelSpec) -> FakeBackend:
        if spec.name in self.fail:
            raise BackendError(f"cannot load {spec.name}")
        self.loaded.append(spec.name)
        backend = FakeBackend(spec, self.memory, int(spec.loader_args.get("size", spec.estimated_bytes)))
        self.backends[spec.name] = backend
        return backend
