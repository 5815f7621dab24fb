"""What GPUs this machine has, read from the NVIDIA driver's nvidia-smi.

nvidia-smi rather than torch: asking torch would create a CUDA context (hundreds of MiB of GPU memory) in
the worker's main process just to report memory that training needs.
"""

from __future__ import annotations

import shutil
import subprocess

QUERY = "index,name,memory.total,memory.free"


def gpu_inventory(timeout: float = 5.0) -> list[dict]:
    binary = shutil.which("nvidia-smi")
    if binary is None:
        return []
    try:
        out = subprocess.run(
            [binary, f"--query-gpu={QUERY}", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        ).stdout
    except (subprocess.SubprocessError, OSError):
        return []
    return parse_nvidia_smi(out)


def parse_nvidia_smi(text: str) -> list[dict]:
    gpus = []
    for line in text.strip().splitlines():
        parts = [part.strip() for part in line.split(",")]
        if len(parts) != 4:
            continue
        index, name, total, free = parts
        try:
            gpus.append(
                {
                    "index": int(index),
                    "name": name,
                    "memory_total_mib": int(float(total)),
                    "memory_free_mib": int(float(free)),
                }
            )
        except ValueError:
            continue
    return gpus
