"""The model host of this worker process, and the Placement rows that show what it holds.

One host per process, created on first use after the worker has forked (a Redis pool or a sweeper thread
must not cross fork). Local transformers models go through it; remote endpoints need no residency.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from contextlib import contextmanager
from datetime import UTC, datetime

from django.conf import settings
from django.db import DatabaseError, close_old_connections

from core.embedded_redis import pid_alive
from core.heavy import worker_only
from core.redis_clients import client_for
from models_suite.backends import Backend, BackendUnavailable
from models_suite.backends.remote_backend import RemoteBackend
from models_suite.host import (
    BudgetExceeded,
    DeviceLock,
    MemoryProbe,
    ModelHost,
    ModelSpec,
    UnknownModel,
    local_loader,
)
from models_suite.models import ModelArtifact, Placement
from models_suite.services.adapter_resolution import adapter_path
from models_suite.services.preload import model_use_record
from models_suite.services.registry import remote_api_key
from workers.results import refusal_for

logger = logging.getLogger(__name__)

IDLE_SWEEP_SECONDS = 30
USE_WRITE_INTERVAL_SECONDS = 10  # last_used_at is written at most this often per model: no write per request

_host: ModelHost | None = None
_host_pid: int | None = None
_host_guard = threading.Lock()


def _when(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


class PlacementListener:
    """Keeps Placement rows in step with the host. Database trouble is logged, never raised into the host."""

    def __init__(self) -> None:
        self._last_written: dict[str, float] = {}

    def on_loaded(self, info) -> None:
        base_name = info.base or info.name
        self._write(
            lambda: Placement.objects.update_or_create(
                machine=settings.MACHINE_NAME,
                pid=os.getpid(),
                name=info.name,
                defaults={
                    "model": ModelArtifact.objects.filter(name=base_name).first(),
                    "device": info.device,
                    "measured_bytes": info.measured_bytes,
                    "estimated_bytes": info.estimated_bytes,
                    "load_seconds": info.load_seconds,
                    "pinned": info.pinned,
                    "loaded_at": _when(info.loaded_at),
                    "last_used_at": _when(info.last_used),
                },
            )
        )

    def on_unloaded(self, name: str, reason: str) -> None:
        self._last_written.pop(name, None)
        self._write(
            lambda: Placement.objects.filter(machine=settings.MACHINE_NAME, pid=os.getpid(), name=name).delete()
        )

    def on_used(self, name: str) -> None:
        model_use_record(name)
        now = datetime.now(tz=UTC)
        if now.timestamp() - self._last_written.get(name, 0) < USE_WRITE_INTERVAL_SECONDS:
            return
        self._last_written[name] = now.timestamp()
        self._write(
            lambda: Placement.objects.filter(machine=settings.MACHINE_NAME, pid=os.getpid(), name=name).update(
                last_used_at=now
            )
        )

    @staticmethod
    def _write(action) -> None:
        if threading.current_thread() is not threading.main_thread():
            # The host's sweeper thread lives as long as the worker: refresh its own connection when stale.
            # (Never in the main thread: that would close a request's or a test's connection under it.)
            close_old_connections()
        try:
            action()
        except DatabaseError:
            logger.exception("placement bookkeeping failed")


def current_host() -> ModelHost:
    global _host, _host_pid
    with _host_guard:
        if _host is None or _host_pid != os.getpid():
            lock = DeviceLock(client_for(settings.CACHES["default"]["LOCATION"]), settings.MACHINE_NAME)
            _host = ModelHost(
                local_loader,
                device_lock=lock,
                listener=PlacementListener(),
                probe=MemoryProbe(budget_fraction=settings.MODEL_MEMORY_BUDGET_PERCENT / 100),
            )
            _host.start(interval=IDLE_SWEEP_SECONDS)
            _host_pid = os.getpid()
        return _host


def host_shutdown() -> None:
    """Unload everything (their Placement rows go with them): a process that is about to exit."""
    global _host
    with _host_guard:
        if _host is not None and _host_pid == os.getpid():
            _host.close()
        _host = None


def spec_for(artifact: ModelArtifact, *, pinned: bool = False) -> ModelSpec:
    return ModelSpec(
        name=artifact.name,
        path=artifact.path,
        estimated_bytes=artifact.estimated_memory_bytes,
        device="auto",
        keep_alive_seconds=settings.MODEL_KEEP_ALIVE_SECONDS,
        pinned=pinned,
    )


@contextmanager
def model_in_use(artifact: ModelArtifact, *, adapter: str = "", remote_timeout: float | None = None):
    """The artifact's backend for the duration of the block: resident in this process's host for local
    models (loaded on first use), a fresh client for remote ones. `adapter` is any reference adapter_path takes
    (an alias, an adapter id or a directory): every use of an adapter resolves it there. remote_timeout: a remote
    endpoint is called once with that timeout (the router's failover replaces the backend's retries)."""
    adapter = adapter_path(artifact, adapter)
    if artifact.kind == ModelArtifact.Kind.REMOTE:
        backend = _unhosted_backend(artifact, adapter=adapter, timeout=remote_timeout)
        try:
            yield backend
        finally:
            backend.close()
        return
    spec = spec_for(artifact)
    if adapter:
        # The adapter's name in the host: stable for one path on every process and machine.
        name = "adapter-" + hashlib.sha256(adapter.encode()).hexdigest()[:12]
        spec = ModelSpec.for_adapter(spec, name, adapter, keep_alive_seconds=settings.MODEL_KEEP_ALIVE_SECONDS)
    with current_host().acquire(spec) as backend:
        yield backend


@contextmanager
def model_named_in_use(name: str, *, remote_timeout: float | None = None):
    """model_in_use by name. A model resident in this process answers without reading the database: the
    gateway's hot path, where one query would cost as much as generating a short reply."""
    try:
        lease = current_host().acquire(name)
    except UnknownModel:
        with model_in_use(ModelArtifact.objects.get(name=name), remote_timeout=remote_timeout) as backend:
            yield backend
        return
    with lease as backend:
        yield backend


def _over_budget(exc: BudgetExceeded) -> dict:
    """An answer, not a failure: the operator asked for more than fits, and is told what is resident."""
    refusal = refusal_for(exc)
    assert refusal is not None  # BudgetExceeded is in WORKER_ERRORS' table
    return refusal


def _unhosted_backend(artifact: ModelArtifact, *, adapter: str = "", timeout: float | None = None) -> Backend:
    """A backend that needs no residency: a client of a remote endpoint (with timeout: called once)."""
    if adapter:
        raise BackendUnavailable(f"adapters attach to local transformers models only, not to {artifact.kind}")
    key = remote_api_key(artifact.api_key_env)
    if timeout is None:
        return RemoteBackend(
            artifact.base_url, artifact.remote_model, api_key=key, context_length=artifact.context_length
        )
    return RemoteBackend(
        artifact.base_url,
        artifact.remote_model,
        api_key=key,
        context_length=artifact.context_length,
        timeout=timeout,
        connect_timeout=min(timeout, 10.0),
        max_retries=0,
    )


@worker_only
def model_load(*, artifact: ModelArtifact, pin: bool = False) -> dict:
    host = current_host()
    try:
        with host.acquire(spec_for(artifact, pinned=pin)):
            pass
    except BudgetExceeded as exc:
        return _over_budget(exc)
    if pin:
        host.pin(artifact.name)
    return next(_describe(info) for info in host.resident() if info.name == artifact.name)


@worker_only
def model_swap(*, old_name: str, new: ModelArtifact) -> dict:
    """Hot swap in this process's host: the new model loads while the old one serves; requests for the old
    name go to the new model from then on, and the old one unloads after its last request."""
    try:
        return _describe(current_host().swap(old_name, spec_for(new)))
    except BudgetExceeded as exc:
        return _over_budget(exc)


def model_unload(*, name: str) -> bool:
    return current_host().unload(name)


def _describe(info) -> dict:
    return {
        "name": info.name,
        "device": info.device,
        "measured_bytes": info.measured_bytes,
        "load_seconds": info.load_seconds,
        "pinned": info.pinned,
    }


def placements_forget_dead(*, machine: str) -> int:
    """Rows of processes of this machine that are gone (a crashed or restarted worker)."""
    dead = [pk for pk, pid in Placement.objects.filter(machine=machine).values_list("pk", "pid") if not pid_alive(pid)]
    return Placement.objects.filter(pk__in=dead).delete()[0] if dead else 0
