"""`make bench` checks its goals: bench/run.py against small fake benchmarks in a scratch folder (met, missed, no
goal, crashed, silent), and every real benchmark's GOALS read the way the runner reads them (nothing real runs)."""

from __future__ import annotations

import ast
import importlib.util
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"

HEADER = f"""import sys
sys.path.insert(0, {str(BENCH)!r})
from common import Goal, report
"""

FAKES = {
    "good": 'GOALS = (Goal("ratio", at_least=0.9, source="a test"),)\nreport(GOALS, "good ratio: 1.00", ratio=1.0)',
    "slow": 'GOALS = (Goal("p95_ms", at_most=10),)\nreport(GOALS, "slow p95: 25 ms", p95_ms=25.0)',
    "unbound": 'GOALS = (Goal("ratio"),)\nreport(GOALS, "unbound ratio: 3.50", ratio=3.5)',
    "two": (
        'GOALS = (Goal("recall", at_least=0.95), Goal("memory_ratio", at_least=0.8, at_most=1.2))\n'
        'report(GOALS, "two: recall 0.99, memory 1.30", recall=0.99, memory_ratio=1.3)'
    ),
    "crash": ('GOALS = (Goal("ratio", at_least=0.9),)\nprint("about to fail")\nraise SystemExit(3)'),
    "crash_after": (
        'GOALS = (Goal("ratio", at_least=0.9),)\nreport(GOALS, "ratio: 1.00", ratio=1.0)\n'
        'raise RuntimeError("cleanup failed")'
    ),
    "silent": 'GOALS = (Goal("ratio", at_least=0.9),)\nprint("finished without a figure")',
    "typo": 'GOALS = (Goal("ratio", at_least=0.9),)\nreport(GOALS, "speed: 2.00", speed=2.0)',
}


@pytest.fixture
def fakes(tmp_path):
    for name, body in FAKES.items():
        (tmp_path / f"bench_{name}.py").write_text(HEADER + body + "\n")
    (tmp_path / "helper.py").write_text("raise SystemExit('not a benchmark: never run')\n")
    return tmp_path


def run(folder: Path, *names: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--dir", str(folder), *names],
        capture_output=True,
        text=True,
        timeout=120,
    )


def table(stdout: str) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(benchmark, figure) -> (value, goal, result), from the table the runner prints at the end."""
    lines = stdout.splitlines()
    start = max(i for i, line in enumerate(lines) if re.match(r"benchmark\s+figure\s+value\s+goal\s+result$", line))
    assert set(lines[start + 1]) <= {"-", " "}
    rows = {}
    for line in lines[start + 2 :]:
        if not line.strip():
            break
        benchmark, figure, value, goal, result = re.split(r"\s{2,}", line)
        rows[(benchmark, figure)] = (value, goal, result)
    return rows


def test_goals_met_and_figures_without_a_goal_pass(fakes):
    done = run(fakes, "good", "unbound")
    assert done.returncode == 0, done.stdout + done.stderr
    assert table(done.stdout) == {
        ("good", "ratio"): ("1", ">= 0.9", "met"),
        ("unbound", "ratio"): ("3.5", "none", "no goal"),
    }
    assert "good ratio: 1.00\nratio 1: goal >= 0.9, met\n" in done.stdout  # the benchmark's own last lines
    assert "2 figures: 1 met, 0 missed, 1 without a goal" in done.stdout


def test_a_missed_goal_fails_the_run(fakes):
    done = run(fakes, "good", "slow", "two")
    assert done.returncode == 1
    assert table(done.stdout) == {
        ("good", "ratio"): ("1", ">= 0.9", "met"),
        ("slow", "p95_ms"): ("25", "<= 10", "missed"),
        ("two", "recall"): ("0.99", ">= 0.95", "met"),
        ("two", "memory_ratio"): ("1.3", "0.8 to 1.2", "missed"),
    }
    assert "FAILED: slow p95_ms missed, two memory_ratio missed" in done.stdout


def test_a_crash_fails_the_run_and_keeps_its_goals_row(fakes):
    done = run(fakes, "crash", "crash_after", "good")
    assert done.returncode == 1
    assert "about to fail" in done.stdout and "RuntimeError: cleanup failed" in done.stderr
    assert table(done.stdout) == {
        ("crash", "ratio"): ("-", ">= 0.9", "crashed (exit 3)"),
        ("crash_after", "ratio"): ("1", ">= 0.9", "crashed (exit 1)"),
        ("good", "ratio"): ("1", ">= 0.9", "met"),
    }
    assert "3 benchmarks (2 crashed)" in done.stdout


def test_a_benchmark_that_reports_no_figure_fails_the_run(fakes):
    done = run(fakes, "silent")
    assert done.returncode == 1
    assert table(done.stdout) == {("silent", "ratio"): ("-", ">= 0.9", "no figure")}


def test_a_figure_not_declared_in_goals_is_refused(fakes):
    done = run(fakes, "typo")
    assert done.returncode == 1
    assert "figures ['speed'] are not in GOALS (['ratio'])" in done.stderr
    assert table(done.stdout) == {("typo", "ratio"): ("-", ">= 0.9", "crashed (exit 1)")}


def test_without_names_every_bench_file_of_the_folder_runs_in_order(fakes):
    done = run(fakes)
    assert done.returncode == 1
    assert re.findall(r"^== (\w+)$", done.stdout, re.M) == sorted(FAKES)
    assert "not a benchmark" not in done.stdout + done.stderr
    assert len(table(done.stdout)) == len(FAKES) + 1  # "two" declares two figures


def test_an_unknown_name_is_a_clear_error_and_runs_nothing(fakes):
    done = run(fakes, "good", "nope")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "no benchmark nope; there are crash, crash_after, good, silent, slow, two, typo, unbound"
    )
    assert "== good" not in done.stdout


@pytest.mark.parametrize(
    "declaration, message",
    [
        ('print("no goals")', "GOALS must be assigned once at module level, found 0"),
        ("GOALS = ()", "GOALS must be a non-empty tuple of Goal(...)"),
        ('LIMIT = 0.9\nGOALS = (Goal("ratio", at_least=LIMIT),)', "Goal takes literals only"),
        ('GOALS = (Goal("ratio"), Goal("ratio", at_most=1))', "a figure is declared twice in GOALS"),
        ('GOALS = (Goal("ratio", at_leats=0.9),)', "unexpected keyword argument 'at_leats'"),
    ],
)
def test_a_goal_declaration_the_runner_cannot_read_stops_it_before_anything_runs(fakes, declaration, message):
    (fakes / "bench_broken.py").write_text(HEADER + declaration + "\n")
    done = run(fakes, "good", "broken")
    assert done.returncode == 2
    assert "cannot read the goals: bench_broken.py" in done.stderr and message in done.stderr
    assert "== good" not in done.stdout


def test_goal_verdicts_and_how_figures_are_written():
    common = load("common")
    at_least, at_most, band, none = (
        common.Goal("x", at_least=0.95),
        common.Goal("x", at_most=10),
        common.Goal("x", at_least=0.8, at_most=1.2),
        common.Goal("x"),
    )
    assert [at_least.verdict(v) for v in (0.95, 0.949, 2)] == ["met", "missed", "met"]
    assert [at_most.verdict(v) for v in (10, 10.01, -1)] == ["met", "missed", "met"]
    assert [band.verdict(v) for v in (0.79, 0.8, 1.2, 1.21)] == ["missed", "met", "met", "missed"]
    assert [goal.verdict(math.nan) for goal in (at_least, at_most, band, none)] == ["missed"] * 3 + ["no goal"]
    assert none.verdict(math.inf) == "no goal"
    assert [common.figure_text(v) for v in (0.96614, 1.0678, 458.31, 12345.6, math.inf, math.nan)] == [
        "0.9661",
        "1.068",
        "458.3",
        "12346",
        "inf",
        "nan",
    ]


def test_every_real_benchmark_declares_its_goals_and_reports_exactly_those_figures():
    """Static, so that nothing heavy runs: GOALS as the runner reads it, and the keyword arguments of the
    benchmark's report(...) calls, must name the same figures."""
    runner = load("run")
    benchmarks = sorted(BENCH.glob("bench_*.py"))
    assert len(benchmarks) >= 12
    for path in benchmarks:
        goals = runner.declared_goals(path)
        reported = {
            keyword.arg
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "report"
            for keyword in node.keywords
        }
        assert reported == {goal.figure for goal in goals}, path.name
        assert all(goal.source for goal in goals), f"{path.name}: say where each goal is stated, or why none is"


def load(name: str):
    """bench/<name>.py as a module, with bench/common.py as the `common` it imports, without leaving either on
    sys.path or in sys.modules for other tests."""
    saved = sys.modules.pop("common", None)
    try:
        spec = importlib.util.spec_from_file_location("common", BENCH / "common.py")
        common = sys.modules["common"] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(common)
        if name == "common":
            return common
        spec = importlib.util.spec_from_file_location(f"bench_{name}_under_test", BENCH / f"{name}.py")
        module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)  # dataclasses look it up there
        spec.loader.exec_module(module)
        return module
    finally:
        sys.modules.pop(f"bench_{name}_under_test", None)
        sys.modules.pop("common", None)
        if saved is not None:
            sys.modules["common"] = saved
