"""manage.py learning_curve: bad input named before anything runs, a failing cycle that leaves the champion
serving, and the summary, table and plot drawn from the cycles' own figures (the cycles themselves run in
test_learning_cycle.py)."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from learning.loop import curve as curve_module
from learning.loop.curve import curve_summary, curve_table, plot
from learning.models import LearningCycle

ROWS = [
    {
        "cycle": 1,
        "id": 1,
        "skill": "sub",
        "status": "promoted",
        "promoted": True,
        "before": {"sub": 10.0, "sort": 90.0},
        "after": {"sub": 40.0, "sort": 89.0},
        "repairs": 1,
        "seconds": 100.0,
    },
    {
        "cycle": 2,
        "id": 2,
        "skill": "sort",
        "status": "kept",
        "promoted": False,
        "before": {"sub": 40.0, "sort": 89.0},
        "after": {"sub": 40.0, "sort": 89.0},
        "seconds": 90.0,
    },
]


@pytest.mark.parametrize("cycles", [0, 51, -3])
def test_cycles_outside_1_to_50_are_refused_by_name(db, cycles):
    with pytest.raises(CommandError, match=f"--cycles must be 1 to 50, got {cycles}"):
        call_command("learning_curve", "--cycles", str(cycles))
    assert not LearningCycle.objects.exists()


def test_an_unknown_skill_is_refused_naming_it_and_the_known_ones(db):
    with pytest.raises(CommandError, match="Unknown skill 'juggling'.*addition-2-digit"):
        call_command("learning_curve", "--cycles", "2", "--skill", "juggling")
    assert not LearningCycle.objects.exists()


@pytest.mark.parametrize("count", [-1, 2001])
def test_fresh_items_outside_0_to_2000_are_refused_by_name(db, count):
    with pytest.raises(CommandError, match=f"--fresh-items must be 0 to 2000, got {count}"):
        call_command("learning_curve", "--fresh-items", str(count))
    assert not LearningCycle.objects.exists()


def test_the_fresh_look_reads_items_past_the_split_and_the_watchs_and_scores_each_model_per_skill(monkeypatch):
    from learning.loop import comparisons
    from models_suite.evaluation.suites import get_suite

    read: dict[str, list[str]] = {}

    def answers(artifact, adapter, items):  # which items each model was asked; "end" right on addition only
        read.setdefault(adapter or "start", []).extend(item.id for item in items)
        return [adapter == "end" and item.skill == "addition-2-digit" for item in items]

    monkeypatch.setattr(comparisons, "_right", answers)

    measured, items = comparisons.fresh_by_skill(None, {"start": None, "end": "end"}, count=30, suites=("arithmetic",))

    split = get_suite("arithmetic").sizes()["heldout"]
    assert items == {"arithmetic": 30} and read["start"] == read["end"] and len(read["end"]) == 30
    indices = [int(item_id.rsplit("/", 1)[1]) for item_id in read["end"]]
    assert min(indices) >= split + comparisons.WATCH_ITEMS_PER_SUITE  # nothing the A/B or a watch read
    assert all(item_id.startswith("arithmetic/heldout/") for item_id in read["end"])
    assert measured["start"] == {"addition-2-digit": 0.0, "subtraction-2-digit": 0.0}
    assert measured["end"]["addition-2-digit"] == 100.0 and measured["end"]["subtraction-2-digit"] == 0.0


def test_a_plot_that_is_not_a_png_is_refused(db):
    with pytest.raises(CommandError, match="--plot takes a .png"):
        call_command("learning_curve", "--plot", "curve.pdf")


def test_a_failing_cycle_stops_the_curve_saying_which_and_the_champion_keeps_serving(db, monkeypatch):
    calls = []

    def failing(**options):
        calls.append(options)
        raise RuntimeError("training job ended failed: out of memory")

    monkeypatch.setattr(curve_module, "cycle_run", failing)
    with pytest.raises(RuntimeError, match="cycle 1 of 3 failed, the champion keeps serving: training job ended"):
        curve_module.curve_run(cycles=3)
    assert len(calls) == 1  # the next cycles do not run on top of a failure


def test_the_summary_compares_the_first_cycles_start_with_the_last_cycles_end():
    summary = curve_summary(ROWS, seconds=190.4)
    assert summary["start"] == {"sub": 10.0, "sort": 90.0} and summary["end"] == {"sub": 40.0, "sort": 89.0}
    assert summary["gains"] == {"sub": 30.0, "sort": -1.0} and summary["mean_gain"] == 14.5
    assert summary["weakest_at_start"] == "sub" and summary["weakest_gain"] == 30.0
    assert summary["worst_drop"] == -1.0 and summary["promotions"] == 1 and summary["seconds"] == 190.4
    json.dumps(summary)  # the command's last line


def test_the_table_and_the_plot_show_every_cycle(tmp_path):
    summary = curve_summary(ROWS, seconds=190.0)
    table = "\n".join(curve_table(summary))
    assert "sub" in table and "promoted" in table and "kept" in table and "+30.0" in table and "-1.0" in table
    lines = table.splitlines()
    assert lines[0].split()[5] == "repairs" and lines[1].split()[5] == "1" and lines[2].split()[5] == "0"
    assert "fresh items" not in table
    summary["fresh"] = {
        "items": {"a": 500, "b": 500},
        "mean_gain": 12.25,
        "worst_drop": -1.5,
        "gains": {"sub": 26.0, "sort": -1.5},
    }
    assert curve_table(summary)[-1] == (
        "on fresh items no cycle read (1000): mean gain +12.2 points; worst change -1.5 (sort -1.5, sub +26.0)"
    )
    path = tmp_path / "curve.png"
    plot(summary, str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
