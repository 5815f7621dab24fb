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
    path = tmp_path / "curve.png"
    plot(summary, str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
