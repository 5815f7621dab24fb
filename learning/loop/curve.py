"""The learning curve: N cycles back to back on this machine, and what they did to the champion.

start and end are the champion's held-out accuracy per skill on the same items: the first cycle's measurement
before it started, and the last cycle's champion after it ended (a cycle that kept the champion ends where it
began). Used by `manage.py learning_curve`, `make demo` and bench/bench_learning_curve.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from statistics import fmean

from hobbies.assignments import default_model
from learning.loop import comparisons
from learning.loop.adapters import champion
from learning.loop.cycle import cycle_run
from learning.models import LearningCycle
from models_suite.evaluation.suites import get_suite


def measured_skills(suites=comparisons.MEASURED_SUITES) -> list[str]:
    return sorted({skill for suite in suites for skill in get_suite(suite).skills})


def curve_run(
    *,
    cycles: int,
    skill: str = "",
    seed: int | None = None,
    echo: Callable[[str], None] | None = None,
    fresh_items: int = 0,
    **cycle_options,
) -> dict:
    """Run the cycles; returns {cycles: [...], start, end, mean_gain, weakest_at_start, seconds}. A cycle that
    fails stops the curve (the champion keeps serving) and the error says which cycle. fresh_items > 0 adds
    "fresh": the champion at the start and at the end measured again on that many fresh held-out items per suite
    that no cycle read (comparisons.fresh_by_skill): the promotions' floors were held on the curve's own items,
    so this is the figure that says whether what was kept generalises."""
    suites = cycle_options.get("suites", comparisons.MEASURED_SUITES)
    if skill and skill not in (known := measured_skills(suites)):
        raise ValueError(f"Unknown skill {skill!r}; the measured skills are {', '.join(known)}")
    started, rows = time.perf_counter(), []
    for number in range(1, cycles + 1):
        if echo:
            echo(f"== cycle {number} of {cycles}")
        try:
            row, summary = cycle_run(
                skill=skill,
                trigger="curve",
                seed=None if seed is None else seed + 100 * number,
                echo=echo,
                **cycle_options,
            )
        except Exception as error:
            raise RuntimeError(f"cycle {number} of {cycles} failed, the champion keeps serving: {error}") from error
        rows.append(
            {
                "cycle": number,
                "id": row.pk,
                "skill": row.skill,
                "status": row.status,
                "promoted": summary["promoted"],
                "before": row.before,
                "after": row.after,
                "challenger": row.recipe.get("measured", {}).get("challenger"),
                "repairs": row.recipe.get("measured", {}).get("repairs", 0),
                "parent": row.champion_before.adapter_id if row.champion_before else None,
                "adapter": getattr(getattr(row.training_job, "adapter", None), "adapter_id", None),
                "seconds": summary["seconds"],
            }
        )
    summary = curve_summary(rows, seconds=time.perf_counter() - started)
    if fresh_items > 0 and rows:
        artifact = default_model()  # the model every cycle_run worked on
        measured, items = comparisons.fresh_by_skill(
            artifact,
            {"start": LearningCycle.objects.get(pk=rows[0]["id"]).champion_before, "end": champion(artifact, "")},
            count=fresh_items,
            suites=suites,
        )
        summary["fresh"] = {"items": items, **_changes(measured["start"], measured["end"])}
    return summary


def _changes(start: dict[str, float], end: dict[str, float]) -> dict:
    """Per skill, end minus start, with their mean and the worst."""
    gains = {name: round(end.get(name, value) - value, 1) for name, value in start.items()}
    return {
        "start": start,
        "end": end,
        "gains": gains,
        "mean_gain": round(fmean(gains.values()), 2) if gains else 0.0,
        "worst_drop": round(min(gains.values()), 1) if gains else 0.0,
    }


def curve_summary(rows: list[dict], *, seconds: float) -> dict:
    changes = _changes(rows[0]["before"], rows[-1]["after"])
    weakest = min(changes["start"], key=changes["start"].get)
    return {
        "cycles": rows,
        **changes,
        "weakest_at_start": weakest,
        "weakest_gain": changes["gains"].get(weakest),
        "promotions": sum(row["promoted"] for row in rows),
        "seconds": round(seconds, 1),
    }


def curve_table(curve: dict) -> list[str]:
    """The curve as text: one line per cycle, then the champion's accuracy per skill at the start, after each
    cycle, and the change."""
    skills = sorted(curve["start"])
    lines = [f"{'cycle':>5}  {'skill':<22} {'before':>7} {'after':>7}  {'outcome':<12} {'repairs':>7} {'seconds':>8}"]
    for row in curve["cycles"]:
        lines.append(
            f"{row['cycle']:>5}  {row['skill']:<22} {row['before'].get(row['skill'], 0):>6.1f}% "
            f"{row['after'].get(row['skill'], 0):>6.1f}%  {row['status']:<12} {row.get('repairs', 0):>7} "
            f"{row['seconds']:>8.0f}"
        )
    header = f"{'skill':<22} {'start':>6}" + "".join(f" {'c' + str(r['cycle']):>6}" for r in curve["cycles"])
    lines += ["", header + f" {'change':>7}"]
    for name in skills:
        lines.append(
            f"{name:<22} {curve['start'][name]:>6.1f}"
            + "".join(f" {r['after'].get(name, 0):>6.1f}" for r in curve["cycles"])
            + f" {curve['gains'][name]:>+7.1f}"
        )
    lines.append(
        f"mean gain {curve['mean_gain']:+.1f} points; weakest at start {curve['weakest_at_start']} "
        f"{curve['weakest_gain']:+.1f}; worst change {curve['worst_drop']:+.1f}; "
        f"{curve['promotions']} promotion(s) in {len(curve['cycles'])} cycle(s), {curve['seconds']:.0f} s"
    )
    if fresh := curve.get("fresh"):
        lines.append(
            f"on fresh items no cycle read ({sum(fresh['items'].values())}): mean gain {fresh['mean_gain']:+.1f} "
            f"points; worst change {fresh['worst_drop']:+.1f} ("
            + ", ".join(f"{name} {gain:+.1f}" for name, gain in sorted(fresh["gains"].items()))
            + ")"
        )
    return lines


def plot(curve: dict, path: str) -> None:
    """Per skill, the champion's held-out accuracy at the start and after each cycle; the mean in bold."""
    import matplotlib  # heavy: matplotlib loads only when a plot is drawn

    matplotlib.use("Agg")  # no display: files only
    import matplotlib.pyplot as plt  # heavy: matplotlib loads only when a plot is drawn

    xs = list(range(len(curve["cycles"]) + 1))
    figure, axes = plt.subplots(figsize=(9, 5.5))
    colours = plt.get_cmap("tab20").colors  # type: ignore[attr-defined]  # tab20 is a ListedColormap; 20 distinct colours: the default cycle repeats after 10 skills
    for index, name in enumerate(sorted(curve["start"])):
        ys = [curve["start"][name]] + [row["after"].get(name) for row in curve["cycles"]]
        axes.plot(xs, ys, marker=".", linewidth=1, alpha=0.8, label=name, color=colours[index % len(colours)])
    means = [fmean(curve["start"].values())] + [fmean(row["after"].values()) for row in curve["cycles"]]
    axes.plot(xs, means, color="black", linewidth=3, marker="o", label="mean")
    for x, row in zip(xs[1:], curve["cycles"]):
        axes.annotate(
            row["skill"] + ("" if row["promoted"] else f" ({row['status'].replace('_', ' ')})"),
            (x, means[x]),
            fontsize=7,
            rotation=30,
            xytext=(0, 8),
            textcoords="offset points",
        )
    axes.set(
        xlabel="cycle",
        ylabel="champion's held-out accuracy, %",
        ylim=(0, 102),
        xticks=xs,
        title=f"Learning curve: mean {curve['mean_gain']:+.1f} points in {len(curve['cycles'])} cycles",
    )
    axes.legend(fontsize=7, loc="center left", bbox_to_anchor=(1, 0.5))
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
