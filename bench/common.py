"""Shared set-up for benchmarks: Django on a scratch database (SQLite, or PostgreSQL when BENCH_DATABASE_URL
names a server), and side-by-side timing."""

from __future__ import annotations

import atexit
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


def django_on_scratch_postgres(url: str) -> None:
    """A database created on that server for this run, dropped at the end."""
    import psycopg

    name = f"autodidact_bench_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = url.rpartition("/")
    os.environ.update(DATABASE_URL=f"{base}/{name}", VAR_DIR=tempfile.mkdtemp(prefix="autodidact-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)

    def drop():
        from django.db import connections

        connections.close_all()
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')

    atexit.register(drop)


def django_on_bench_database() -> None:
    """BENCH_DATABASE_URL=postgres://user@host:port/db: a scratch database on that server; else scratch SQLite."""
    if os.environ.get("BENCH_DATABASE_URL"):
        django_on_scratch_postgres(os.environ["BENCH_DATABASE_URL"])
    else:
        django_on_scratch_database()


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
