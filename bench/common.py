"""Shared set-up for benchmarks: Django on a scratch SQLite database, and side-by-side timing."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def django_on_scratch_database() -> None:
    os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="autodidact-bench-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def side_by_side(candidate: Callable[[], None], baseline: Callable[[], None], *, rounds: int = 7,
                 per_round: int = 200) -> tuple[float, float]:
    """Median seconds per call of each, alternating rounds so machine noise hits both alike."""
    timings: dict[str, list[float]] = {"candidate": [], "baseline": []}
    for _ in range(rounds):
        for name, fn in (("candidate", candidate), ("baseline", baseline)):
            start = time.perf_counter()
            for _ in range(per_round):
                fn()
            timings[name].append((time.perf_counter() - start) / per_round)
    return statistics.median(timings["candidate"]), statistics.median(timings["baseline"])
