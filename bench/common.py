"""Shared set-up for benchmarks: Django on a scratch database (SQLite, or PostgreSQL when BENCH_DATABASE_URL
names a server), side-by-side timing, and each benchmark's goals (Goal) and figures (report)."""

from __future__ import annotations

import atexit
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT_DIR))


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


def built_model_dir() -> str:
    """The built-in model of this checkout's var/ (built when missing), as `make run` and `make demo` use it."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "core.settings"}
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT_DIR, env=env, check=True)
    subprocess.run(
        [python, "manage.py", "bootstrap_model", "--if-missing"],
        cwd=ROOT_DIR,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return _printed_by_product(
        "from models_suite.services.builtin import builtin_model_dir; print(builtin_model_dir())"
    )


def _printed_by_product(code: str) -> str:
    """The last line `code` prints, run with Django set up on this checkout's own database (not a scratch one)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "core.settings"}
    found = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=ROOT_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    lines = found.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def served_champion_dir() -> str:
    """The LoRA directory of the champion this checkout's product serves for the built-in model (what a route's
    `<model>:champion` answers with; `make demo` leaves one), or "" when it has none."""
    return _printed_by_product(
        "from learning.loop.adapters import champion; from models_suite.models import ModelArtifact; "
        "from models_suite.services.builtin import BUILTIN_NAME; "
        "model = ModelArtifact.objects.filter(name=BUILTIN_NAME).first(); "
        "served = champion(model) if model else None; print(served.path if served else '')"
    )


def gateway_processes() -> tuple[str, int, list[subprocess.Popen]]:
    """(an agent's token, the port, the processes): gunicorn (one process, 8 threads) and a models worker of machine
    "bench" on this scratch database, as production runs them; the caller waits until they answer and stops them."""
    from django.conf import settings

    from core.embedded_redis import free_loopback_port
    from core.services import role_user_ensure
    from core.stack import web_argv
    from workers.management.commands.worker import worker_argv

    token = role_user_ensure(username="bench-agent", role="agent").token
    port = free_loopback_port()
    env = {
        **os.environ,
        "MACHINE_NAME": "bench",
        "MACHINE_ROLES": "models",
        "VAR_DIR": str(settings.VAR_DIR),
        "THROTTLE_RATE": "100000/min",
    }
    web = web_argv(host="127.0.0.1", port=port, workers=1, threads=8, access_log=False)
    return (
        token,
        port,
        [
            subprocess.Popen(worker_argv(roles=["models"], machine="bench", loglevel="WARNING"), cwd=ROOT_DIR, env=env),
            subprocess.Popen(web, cwd=ROOT_DIR, env=env),
        ],
    )


def wait_until(ready: Callable[[], bool], *, what: str, timeout: float = 120.0) -> None:
    """Until ready() is true (an error while it comes up counts as not yet), or exit naming what did not come."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if ready():
                return
        except Exception:  # noqa: BLE001 - a server still starting refuses or resets connections
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} did not come up")
        time.sleep(0.5)


def side_by_side(
    candidate: Callable[[], None], baseline: Callable[[], None], *, rounds: int = 7, per_round: int = 200
) -> tuple[float, float]:
    """Median seconds per call of each, alternating rounds so machine noise hits both alike."""
    timings: dict[str, list[float]] = {"candidate": [], "baseline": []}
    for _ in range(rounds):
        for name, fn in (("candidate", candidate), ("baseline", baseline)):
            start = time.perf_counter()
            for _ in range(per_round):
                fn()
            timings[name].append((time.perf_counter() - start) / per_round)
    return statistics.median(timings["candidate"]), statistics.median(timings["baseline"])


# Goals. Each bench_*.py declares, near its top, GOALS = (Goal(...), ...): every figure it reports, with the bound
# that figure must meet and where that bound is stated. bench/run.py reads GOALS from the file's source (never
# importing it), so the arguments must be literals. A Goal with neither bound is a figure with no goal: reported,
# never failing.

FIGURES_ENV = "BENCH_FIGURES"  # set by bench/run.py: the file report() appends the figures to, one JSON a line


@dataclass(frozen=True)
class Goal:
    """A figure a benchmark reports and the bound it must meet: at_least, at_most, both (a band) or neither."""

    figure: str  # its name in report(), an identifier: "ratio", "p95_ms"
    at_least: float | None = None
    at_most: float | None = None
    source: str = ""  # where the goal is stated (the issue and item), or why there is none

    def describe(self) -> str:
        if self.at_least is not None and self.at_most is not None:
            return f"{self.at_least:g} to {self.at_most:g}"
        if self.at_least is not None:
            return f">= {self.at_least:g}"
        if self.at_most is not None:
            return f"<= {self.at_most:g}"
        return "none"

    def verdict(self, value: float) -> str:
        """'met', 'missed' (NaN meets no bound), or 'no goal'."""
        if self.at_least is None and self.at_most is None:
            return "no goal"
        ok = (self.at_least is None or value >= self.at_least) and (self.at_most is None or value <= self.at_most)
        return "met" if ok else "missed"


def figure_text(value: float) -> str:
    """Four significant digits (0.9661, 1.068, 458.3), whole numbers from 10,000 up (12346, not 1.235e+04)."""
    return f"{value:.0f}" if math.isfinite(value) and abs(value) >= 10_000 else f"{value:.4g}"


def report(goals: tuple[Goal, ...], sentence: str, **figures: float) -> None:
    """The benchmark's closing sentence, then one line per figure against its goal ("ratio 0.966: goal >= 0.8,
    met"), so a run alone reads the same as in the runner's table. Under bench/run.py the figures are also
    appended to the file $BENCH_FIGURES names, which is where the runner takes them from (never from the text)."""
    declared = {goal.figure: goal for goal in goals}
    undeclared = sorted(set(figures) - set(declared))
    if undeclared:
        raise ValueError(f"figures {undeclared} are not in GOALS ({sorted(declared)})")
    print(sentence)
    for name, value in figures.items():
        goal = declared[name]
        judged = (
            "no goal, reported only"
            if goal.verdict(value) == "no goal"
            else f"goal {goal.describe()}, {goal.verdict(value)}"
        )
        print(f"{name} {figure_text(value)}: {judged}")
    sys.stdout.flush()
    if os.environ.get(FIGURES_ENV):
        with open(os.environ[FIGURES_ENV], "a") as out:
            for name, value in figures.items():
                out.write(json.dumps({"figure": name, "value": float(value)}) + "\n")
