"""How much memory a device has and uses, and the share of it models may take (the budget).

CUDA: torch.cuda.mem_get_info(device), i.e. the whole GPU as the driver sees it (other processes included).
CPU: total = the machine's RAM, used = this process's resident set size (RSS).
"""

from __future__ import annotations

import ctypes
import gc
import logging
from dataclasses import dataclass

import psutil

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MemorySnapshot:
    device: str
    total: int
    used: int
    budget: int

    @property
    def headroom(self) -> int:
        return self.budget - self.used


class MemoryProbe:
    def __init__(self, budget_fraction: float = 0.8):
        if not 0.0 < budget_fraction <= 1.0:
            raise ValueError(f"budget_fraction must be in (0, 1], not {budget_fraction}")
        self.budget_fraction = budget_fraction

    @staticmethod
    def _is_cuda(device: str) -> bool:
        return device.startswith("cuda")

    def total_and_used(self, device: str) -> tuple[int, int]:
        if self._is_cuda(device):
            import torch  # heavy: torch/transformers load only when a model is used

            free, total = torch.cuda.mem_get_info(torch.device(device))
            return int(total), int(total - free)
        return int(psutil.virtual_memory().total), int(psutil.Process().memory_info().rss)

    def used(self, device: str) -> int:
        return self.total_and_used(device)[1]

    def snapshot(self, device: str) -> MemorySnapshot:
        total, used = self.total_and_used(device)
        return MemorySnapshot(device=device, total=total, used=used, budget=int(total * self.budget_fraction))

    def settle(self, device: str) -> None:
        """After unloading: hand freed memory back so that the next measurement sees it gone. CUDA: empty
        torch's cache; CPU: collect garbage and ask glibc to return freed heap pages (else RSS stays high)."""
        gc.collect()
        if self._is_cuda(device):
            import torch  # heavy: torch/transformers load only when a model is used

            with torch.cuda.device(torch.device(device)):
                torch.cuda.synchronize()
                torch.cuda.empty_cache()
            return
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):  # not glibc: RSS may lag, eviction then frees more than needed
            pass


def format_bytes(count: int) -> str:
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(value) < 1024 or unit == "GiB":
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{count} B"  # pragma: no cover
