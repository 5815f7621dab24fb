"""The model host: resident models per device, loaded lazily, evicted under a memory budget, unloaded when
idle, hot-swapped without dropping requests. Pure Python (torch, psutil, redis): nothing here imports Django;
the Django side wraps it through the listener callbacks.

    host = ModelHost(transformers_loader, probe=MemoryProbe(0.8),
                     device_lock=DeviceLock(redis_client, machine=MACHINE_NAME),
                     listener=PlacementListener())        # on_loaded / on_unloaded / on_used -> Placement rows
    host.start(interval=30)                               # idle sweeper (after the worker process forked)
    base = ModelSpec(name="builtin-base", path=artifact.path, estimated_bytes=artifact.estimated_memory_bytes,
                     device="auto")
    with host.acquire(ModelSpec.for_adapter(base, "arith", adapter_dir)) as backend:
        result = backend.generate(request)                # BudgetExceeded -> 409, DeviceBusy -> 503
    host.swap("builtin-base", ModelSpec(name="builtin-base", path=new_dir))
"""

from models_suite.host.host import ModelHost
from models_suite.host.loaders import llamacpp_loader, local_loader, transformers_loader
from models_suite.host.locks import DeviceLock, LocalDeviceLock
from models_suite.host.memory import MemoryProbe, MemorySnapshot
from models_suite.host.records import Lease, Listener, ResidentInfo
from models_suite.host.spec import (
    BudgetExceeded,
    DeviceBusy,
    HostError,
    ModelSpec,
    UnknownModel,
)

__all__ = [
    "BudgetExceeded",
    "DeviceBusy",
    "DeviceLock",
    "HostError",
    "Lease",
    "Listener",
    "LocalDeviceLock",
    "MemoryProbe",
    "MemorySnapshot",
    "ModelHost",
    "ModelSpec",
    "ResidentInfo",
    "UnknownModel",
    "llamacpp_loader",
    "local_loader",
    "transformers_loader",
]
