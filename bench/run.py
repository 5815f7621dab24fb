"""Runs the benchmarks, each in its own process, and checks every figure against its declared goal.

    run.py [--dir DIR] [NAME ...]

runs every DIR/bench_*.py (DIR: this folder), or only those named (`run.py learning_curve reward_model`,
`make bench BENCH="learning_curve"`); an unknown name is an error listing the known ones. Each benchmark declares
GOALS = (Goal(...), ...) near its top (common.Goal: a figure's name, at_least and/or at_most, and where the goal
is stated) and reports its figures through common.report, which appends them to the file $BENCH_FIGURES names.
At the end a table gives, per declared figure, its value, its goal and the result: met, missed, no goal (a
figure with no goal: reported, never failing), crashed (the benchmark exited non-zero) or no figure (it exited
cleanly without reporting that figure). Exit status: 0 when every goal is met, 1 when a goal is missed, a
benchmark crashed or a figure is missing, 2 for bad usage or a GOALS that cannot be read.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from common import FIGURES_ENV, Goal, figure_text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FAILING = ("missed", "crashed", "no figure")


class DeclarationError(Exception):
    pass


def declared_goals(path: Path) -> tuple[Goal, ...]:
    """GOALS as written in the benchmark's source, read with ast instead of importing the file: a benchmark is a
    script that sets Django up on a scratch database and measures as it is imported, so importing it would run
    it; and the goals must be known before it runs, so that one that crashes still has its row in the table and a
    broken declaration stops the run before forty minutes of benchmarks. Hence GOALS must be a literal tuple or
    list of Goal(...) calls with literal arguments."""
    tree = ast.parse(path.read_text(), str(path))
    assignments = [
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and any(isinstance(target, ast.Name) and target.id == "GOALS" for target in node.targets)
    ]
    if len(assignments) != 1:
        raise DeclarationError(f"{path.name}: GOALS must be assigned once at module level, found {len(assignments)}")
    value = assignments[0]
    if not isinstance(value, (ast.Tuple, ast.List)) or not value.elts:
        raise DeclarationError(f"{path.name}: GOALS must be a non-empty tuple of Goal(...)")
    goals = []
    for call in value.elts:
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "Goal"):
            raise DeclarationError(f"{path.name}, line {call.lineno}: each item of GOALS must be Goal(...)")
        try:
            goals.append(
                Goal(
                    *(ast.literal_eval(arg) for arg in call.args),
                    **{keyword.arg: ast.literal_eval(keyword.value) for keyword in call.keywords},
                )
            )
        except (ValueError, TypeError) as error:
            raise DeclarationError(f"{path.name}, line {call.lineno}: {error} (Goal takes literals only)") from error
    names = [goal.figure for goal in goals]
    if len(set(names)) != len(names):
        raise DeclarationError(f"{path.name}: a figure is declared twice in GOALS: {names}")
    return tuple(goals)


def read_figures(path: Path) -> dict[str, float]:
    """The figures report() appended, one JSON object a line; the last value of a name counts."""
    figures = {}
    if path.exists():
        for line in path.read_text().splitlines():
            try:
                record = json.loads(line)
                figures[record["figure"]] = float(record["value"])
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a killed process: that figure is missing, which fails
    return figures


@dataclass
class Row:
    benchmark: str
    goal: Goal
    value: float | None
    result: str


def run_one(path: Path, goals: tuple[Goal, ...]) -> list[Row]:
    name = path.stem.removeprefix("bench_")
    print(f"== {name}", flush=True)
    with tempfile.TemporaryDirectory(prefix="autodidact-bench-figures-") as scratch:
        figures_file = Path(scratch) / "figures.jsonl"
        code = subprocess.call(
            [sys.executable, str(path)], cwd=ROOT, env={**os.environ, FIGURES_ENV: str(figures_file)}
        )
        figures = read_figures(figures_file)
    rows = []
    for goal in goals:
        value = figures.get(goal.figure)
        if code != 0:
            result = f"crashed (exit {code})"
        elif value is None:
            result = "no figure"
        else:
            result = goal.verdict(value)
        rows.append(Row(name, goal, value, result))
    return rows


def table(rows: list[Row]) -> str:
    lines = [("benchmark", "figure", "value", "goal", "result")]
    lines += [
        (
            row.benchmark,
            row.goal.figure,
            "-" if row.value is None else figure_text(row.value),
            row.goal.describe(),
            row.result,
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(5)]
    lines.insert(1, tuple("-" * width for width in widths))
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=HERE, help="where the bench_*.py are (default: bench/)")
    parser.add_argument("names", nargs="*", metavar="NAME", help="only these benchmarks (bench_NAME.py)")
    args = parser.parse_args(argv)
    known = sorted(args.dir.glob("bench_*.py"))
    if args.names:
        unknown = [name for name in args.names if not (args.dir / f"bench_{name}.py").exists()]
        if unknown:
            print(
                f"no benchmark {', '.join(unknown)}; there are "
                f"{', '.join(path.stem.removeprefix('bench_') for path in known) or 'none'}",
                file=sys.stderr,
            )
            return 2
        benchmarks = [args.dir / f"bench_{name}.py" for name in args.names]
    else:
        benchmarks = known
    if not benchmarks:
        print(f"no bench_*.py in {args.dir}", file=sys.stderr)
        return 2
    try:
        goals = {path: declared_goals(path) for path in benchmarks}
    except (DeclarationError, SyntaxError) as error:
        print(f"cannot read the goals: {error}", file=sys.stderr)
        return 2

    rows = [row for path in benchmarks for row in run_one(path, goals[path])]

    counts = {
        result: sum(row.result.startswith(result) for row in rows)
        for result in ("met", "missed", "no goal", "crashed", "no figure")
    }
    crashed = len({row.benchmark for row in rows if row.result.startswith("crashed")})
    print(f"\n{table(rows)}\n")
    print(
        f"{len(benchmarks)} benchmarks ({crashed} crashed), {len(rows)} figures: {counts['met']} met, "
        f"{counts['missed']} missed, {counts['no goal']} without a goal (reported only), "
        f"{counts['crashed']} lost to a crash, {counts['no figure']} not reported"
    )
    failing = [row for row in rows if row.result.startswith(FAILING)]
    if failing:
        print("FAILED: " + ", ".join(f"{row.benchmark} {row.goal.figure} {row.result}" for row in failing))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
