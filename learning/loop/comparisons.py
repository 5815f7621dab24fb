"""Paired A/B of adapters, and the watch after a promotion that rolls a regression back.

A/B: the champion (or the bare base model) and the challenger answer the same held-out items of every measured
suite; per suite, the accuracy difference with a paired-bootstrap interval and a McNemar p-value
(learning.training.paired_stats). The challenger is promoted when the target suite improves significantly, no other
suite drops significantly by more than 2 points and (when the caller gives floors) no skill falls significantly
below its floor; otherwise the champion stays and the reason is recorded.

Watch (the originals' live data correlator, docs/originals.md 2b.2, put to work): after a promotion, the new champion
and the model it replaced (`previous`, which a rollback restores, or the bare base) are measured anew, side by
side: on fresh held-out items the A/B did not use (models_suite.evaluation.fresh), judged by the A/B's own rule
for a drop, and on the live signal of the requests the gateway served each of them (latency p50/p95 and error
rate over a window on either side of the promotion). A regression rolls back to `previous`
(learning.training.regression); only regressions count. The promotion's own A/B figures are kept as a record
(`baseline`), never re-judged.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from functools import cache

from django.db import transaction
from django.utils import timezone

from core.heavy import worker_only
from hobbies.analysis import mean_by_skill
from learning.loop import adapters
from learning.models import ABComparison, Adapter, AdapterEvent
from learning.planning.curriculum import fallen_skills
from learning.training.paired_stats import ALPHA, compare_suite, decide, mcnemar_p, significant_drop
from learning.training.regression import (
    MetricsSnapshot,
    Served,
    heldout_regressions,
    served_regressions,
    served_skipped,
    should_roll_back,
)
from models_suite.backends import BackendError
from models_suite.evaluation import get_suite, grade
from models_suite.evaluation.fresh import covering_count, fresh_heldout, heldout_prefix
from models_suite.host import HostError
from models_suite.services.evaluation import answers_for, eval_run_create, eval_run_execute
from models_suite.services.hosting import model_in_use
from models_suite.services.served import served_window

MEASURED_SUITES = ("arithmetic", "string_transform", "sequences", "sorting", "json_extraction", "tool_use")
# The held-out items a measurement reads per suite: the split at least, and as far along the held-out stream past
# it as gives every skill MEASURED_PER_SKILL items (at most MEASURED_MOST_PER_SUITE). On the splits alone the
# skills held 14 to 150 items, one item was 0.7 to 7 points, and the curve's limit of 2 points on a skill's change
# was met or missed by a single item; with 200 an item is half a point. About 3,400 items: some 8 s a measurement
# on the built-in model.
MEASURED_PER_SKILL = 200
MEASURED_MOST_PER_SUITE = 2000
# Fresh held-out items per suite the watch measures: a built-in split's size at most (both models answer them in
# about 3 s on the built-in model); the A/B, on more items, has the more power of the two.
WATCH_ITEMS_PER_SUITE = 200
# Served traffic is compared over this long on either side of the promotion; a champion whose window holds too
# few requests when it is first watched is watched again (the hourly beat) until the window closes.
SERVED_WINDOW = timedelta(hours=24)


@dataclass
class Measured:
    """One model (base, or base + adapter) on the held-out items of some suites."""

    correct: dict[str, dict[str, bool]] = field(default_factory=dict)  # suite -> item id -> right
    skills: dict[str, str] = field(default_factory=dict)  # item id -> skill
    seconds_per_item: list[float] = field(default_factory=list)  # per suite: generation time / items
    failed_runs: int = 0
    runs: int = 0

    def accuracy(self, suite: str) -> float:
        values = list(self.correct.get(suite, {}).values())
        return 100.0 * sum(values) / len(values) if values else 0.0

    def by_skill(self) -> dict[str, float]:
        """Held-out accuracy per skill, in percent."""
        scored = (
            (self.skills[item], 100.0 * right) for suite in self.correct.values() for item, right in suite.items()
        )
        return {skill: round(mean, 1) for skill, mean in mean_by_skill(scored).items()}

    def snapshot(self) -> MetricsSnapshot:
        """The measurement as a record, each figure named for what it is."""
        return MetricsSnapshot(
            heldout={suite: self.accuracy(suite) for suite in self.correct},
            heldout_items={suite: len(items) for suite, items in self.correct.items()},
            eval_seconds_per_item=statistics.median(self.seconds_per_item) if self.seconds_per_item else None,
            failed_eval_runs=self.failed_runs,
            eval_runs=self.runs,
        )


@cache
def measured_count(suite: str) -> int:
    """How many held-out items of `suite` a measurement reads (a prefix of its held-out stream)."""
    return covering_count(get_suite(suite), per_skill=MEASURED_PER_SKILL, most=MEASURED_MOST_PER_SUITE)


def measure(artifact, *, adapter: Adapter | None = None, suites=MEASURED_SUITES, limit: int | None = None) -> Measured:
    """Held-out evaluation runs here (this process's model host), recorded as EvalRuns like any other: the first
    `limit` items of each suite's held-out stream, measured_count(suite) by default."""
    found = Measured()
    for suite in suites:
        run = eval_run_create(
            model=artifact,
            suite=suite,
            limit=limit if limit is not None else measured_count(suite),
            adapter=adapter.path if adapter else "",
            enqueue=False,
        )
        run = eval_run_execute(eval_run_id=run.pk)
        found.runs += 1
        if run.status != run.Status.COMPLETED:
            found.failed_runs += 1
            continue
        found.correct[suite] = {r["id"]: bool(r["correct"]) for r in run.results}
        found.skills.update({r["id"]: r["skill"] for r in run.results})
        if run.item_count and run.generation_seconds is not None:
            found.seconds_per_item.append(run.generation_seconds / run.item_count)
    return found


def fallen(before: Measured, after: Measured, floors: Mapping[str, float]) -> dict[str, dict[str, float]]:
    """The skills `after` leaves below their floor (learning.planning.curriculum.skill_floors) with a significant
    paired drop from `before` on that skill's items (McNemar, p < ALPHA): skill -> {"after", "floor",
    "p_value"}. The suites' rule, per skill: on a skill of few held-out items one item is more than the floor's
    tolerance, and a floor that counted it would refuse challengers over noise, whatever they learnt."""
    found = {}
    for skill, figures in fallen_skills(after.by_skill(), floors).items():
        pairs = [
            (right, after.correct[suite][item])
            for suite, items in before.correct.items()
            for item, right in items.items()
            if before.skills.get(item) == skill and item in after.correct.get(suite, {})
        ]
        p_value = mcnemar_p([was for was, _ in pairs], [now for _, now in pairs])
        if p_value < ALPHA:
            found[skill] = {**figures, "p_value": round(p_value, 4)}
    return found


def dropped(before: Measured, after: Measured, comparison: ABComparison) -> dict[str, dict]:
    """The skills that fell in the suites whose significant drop kept the champion (the A/B's own rule, outside
    the target suite): skill -> {"after", "before", "suite", "p_value"} (the suite's). What a repair aims at
    besides the fallen skills: a challenger can cost a suite a significant drop while each of its skills stays
    above its floor."""
    was, now = before.by_skill(), after.by_skill()
    found = {}
    for suite in comparison.suites:
        if suite["suite"] == comparison.target_suite or not significant_drop(suite["difference"], suite["p_value"]):
            continue
        for skill in sorted({before.skills[item] for item in before.correct.get(suite["suite"], {})}):
            if skill in now and now[skill] < was[skill]:
                found[skill] = {
                    "after": now[skill],
                    "before": was[skill],
                    "suite": suite["suite"],
                    "p_value": suite["p_value"],
                }
    return found


def paired(before: Measured, after: Measured, suite: str) -> tuple[list[bool], list[bool]]:
    items = sorted(set(before.correct.get(suite, {})) & set(after.correct.get(suite, {})))
    return [before.correct[suite][i] for i in items], [after.correct[suite][i] for i in items]


def comparison_run(
    *,
    challenger: Adapter,
    target_suite: str,
    suites=MEASURED_SUITES,
    limit: int | None = None,
    before: Measured | None = None,
    floors: Mapping[str, float] | None = None,
) -> tuple[ABComparison, Measured, Measured]:
    """Champion (or base) against the challenger on the same items; promote or keep, recorded either way.
    `before` reuses a measurement of the current champion taken earlier in the same cycle. `floors` (skill ->
    held-out accuracy, learning.planning.curriculum.skill_floors) also keeps the champion when the challenger
    leaves a skill below its floor with a significant drop (`fallen`), even inside a suite that rose."""
    adapters.adapter_verified(challenger)  # a corrupt challenger is refused before anything is measured
    if target_suite not in suites:
        raise ValueError(f"target suite {target_suite!r} is not among the measured suites {list(suites)}")
    defending = adapters.champion(challenger.base_model, challenger.hobby_type)
    if before is None:
        before = measure(challenger.base_model, adapter=defending, suites=suites, limit=limit)
    after = measure(challenger.base_model, adapter=challenger, suites=suites, limit=limit)
    comparisons = {
        suite: compare_suite(suite, *paired(before, after, suite))
        for suite in suites
        if suite in before.correct and suite in after.correct
    }
    decision = decide(comparisons, target_suite, fallen=fallen(before, after, floors) if floors is not None else None)
    with transaction.atomic():
        row = ABComparison.objects.create(
            challenger=challenger,
            champion=defending,
            target_suite=target_suite,
            promote=decision.promote,
            reason=decision.reason,
            suites=[comparisons[suite].to_dict() for suite in comparisons],
        )
        if not decision.promote:
            AdapterEvent.objects.create(
                adapter=challenger,
                kind=AdapterEvent.Kind.KEPT,
                detail={"comparison": row.pk, "reason": decision.reason},
            )
    if decision.promote:
        baseline = asdict(before.snapshot())
        Adapter.objects.filter(pk=challenger.pk).update(
            metadata={**challenger.metadata, "baseline": baseline, "comparison": row.pk}
        )
        adapters.adapter_promote(Adapter.objects.get(pk=challenger.pk), detail={"comparison": row.pk})
    return row, before, after


@dataclass
class WatchOutcome:
    rolled_back: bool = False
    regressions: list[str] = field(default_factory=list)  # described, one sentence each
    figures: dict = field(default_factory=dict)  # named for what they are: heldout_fresh:<suite>, served_...


@worker_only
def watch_check(
    adapter: Adapter,
    *,
    previous: Adapter | None = None,
    exclude_items: dict[str, set[str]] | None = None,
    limit: int | None = None,
    suites: tuple[str, ...] | None = None,
) -> WatchOutcome:
    """Measure the champion `adapter` against `previous` (default: its group's `previous`, what a rollback would
    restore; none: the bare base) and roll back on a regression. Held-out: `limit` fresh items per suite
    (WATCH_ITEMS_PER_SUITE) of `suites` (default: the suites its A/B measured), none of `exclude_items`
    (default: the items its A/B measured). Nothing is measured or recorded once it is no longer champion."""
    if not Adapter.objects.filter(pk=adapter.pk, alias=Adapter.Alias.CHAMPION).exists():
        return WatchOutcome()
    adapter.refresh_from_db()
    assert adapter.promoted_at is not None  # a champion: promotion set it
    if previous is None:
        previous = Adapter.objects.filter(
            base_model=adapter.base_model_id, hobby_type=adapter.hobby_type, alias=Adapter.Alias.PREVIOUS
        ).first()
    figures: dict = {"compared_with": previous.adapter_id if previous else "base"}
    skipped: list[str] = []
    found, fresh_items = _heldout_signal(
        adapter,
        previous,
        figures,
        skipped,
        exclude_items=exclude_items,
        limit=limit or WATCH_ITEMS_PER_SUITE,
        suites=suites,
    )
    served, too_few = _served_signal(adapter, figures["compared_with"], figures, skipped)
    found += served
    pending = too_few and timezone.now() < adapter.promoted_at + SERVED_WINDOW  # more traffic may come
    if skipped:
        figures["skipped"] = skipped
    described = [regression.describe() for regression in found]
    detail = {"figures": figures, "fresh_items": fresh_items}
    if should_roll_back(found):
        adapters.adapter_roll_back(adapter, reason="; ".join(described), detail=detail)
        return WatchOutcome(rolled_back=True, regressions=described, figures=figures)
    AdapterEvent.objects.create(
        adapter=adapter, kind=AdapterEvent.Kind.WATCHED, detail={**detail, "served_pending": pending}
    )
    return WatchOutcome(regressions=described, figures=figures)


def _heldout_signal(
    adapter: Adapter, previous: Adapter | None, figures: dict, skipped: list[str], *, exclude_items, limit: int, suites
) -> tuple[list, dict]:
    """Both models on the same fresh held-out items; fills figures["heldout_fresh:<suite>"]. An earlier watch of
    this promotion measured them already (the same items, greedy answers): its figures stand."""
    earlier = _last_watch(adapter)
    if earlier is not None and earlier.kind == AdapterEvent.Kind.WATCHED:
        figures.update({k: v for k, v in earlier.detail.get("figures", {}).items() if k.startswith("heldout_fresh:")})
        return [], earlier.detail.get("fresh_items", {})
    used = exclude_items if exclude_items is not None else _ab_items(adapter)
    suites = suites or tuple(used) or MEASURED_SUITES
    comparisons, fresh_items = {}, {}
    for suite in suites:
        items = fresh_heldout(get_suite(suite), exclude=used.get(suite, ()), count=limit)
        if not items:
            skipped.append(f"heldout_fresh:{suite}: no held-out item left that the A/B did not use")
            continue
        try:
            was, now = _right(adapter.base_model, previous, items), _right(adapter.base_model, adapter, items)
        except (BackendError, HostError) as error:  # HostError: an adapter refused too (AdapterRefused)
            skipped.append(f"heldout_fresh:{suite}: could not measure: {error}")
            continue
        comparisons[suite] = compare_suite(suite, was, now)
        fresh_items[suite] = _span([item.id for item in items])
        figures[f"heldout_fresh:{suite}"] = {
            "items": len(items),
            "item_ids": fresh_items[suite],
            **_sides(comparisons[suite]),
        }
    return heldout_regressions(comparisons), fresh_items


def _right(artifact, adapter: Adapter | None, items) -> list[bool]:
    """Which items the model (with `adapter`) answers right, greedily, as an eval run would."""
    with model_in_use(artifact, adapter=adapter.path if adapter else "") as backend:
        answers = answers_for(backend, [item.prompt for item in items])
    return [grade(item, answer).correct for item, answer in zip(items, answers)]


def fresh_by_skill(
    artifact, models: Mapping[str, Adapter | None], *, count: int, suites=MEASURED_SUITES
) -> tuple[dict[str, dict[str, float]], dict[str, int]]:
    """Each model's held-out accuracy per skill (percent) on `count` fresh items per suite that nothing in the loop
    read: past what the A/B and the curve measure (measured_count, where the floors are held) and the watch's
    WATCH_ITEMS_PER_SUITE after it. A second, independent look at a curve's start and end. Returns the
    accuracies ({model name: {skill: pct}}) and the items measured per suite."""
    scored: dict[str, list[tuple[str, float]]] = {name: [] for name in models}
    measured = {}
    for suite in suites:
        definition = get_suite(suite)
        read = heldout_prefix(definition, measured_count(suite) + WATCH_ITEMS_PER_SUITE)
        items = fresh_heldout(definition, exclude={item.id for item in read}, count=count)
        measured[suite] = len(items)
        for name, adapter in models.items():
            right = _right(artifact, adapter, items)
            scored[name] += [(item.skill, 100.0 * ok) for item, ok in zip(items, right)]
    return {name: {k: round(v, 1) for k, v in mean_by_skill(pairs).items()} for name, pairs in scored.items()}, measured


def _sides(comparison) -> dict:
    figures = comparison.to_dict()
    return {
        "previous": figures["before"],
        "champion": figures["after"],
        "difference": figures["difference"],
        "interval": figures["interval"],
        "p_value": figures["p_value"],
    }


def _span(ids: list[str]) -> str | list[str]:
    """ "<suite>/heldout/150..349" for consecutive ids (the usual case: fresh items follow the used ones), else
    the ids themselves."""
    prefix = ids[0].rpartition("/")[0]
    numbers = [int(item.rpartition("/")[2]) for item in ids]
    consecutive = all(item.rpartition("/")[0] == prefix for item in ids) and numbers == list(
        range(numbers[0], numbers[0] + len(ids))
    )
    return f"{prefix}/{numbers[0]}..{numbers[-1]}" if consecutive else ids


def _ab_items(adapter: Adapter) -> dict[str, set[str]]:
    """The held-out items the A/B that promoted `adapter` measured: the first `items` of each suite's held-out
    stream (measure() takes a prefix)."""
    row = ABComparison.objects.filter(pk=adapter.metadata.get("comparison")).first()
    return {
        suite["suite"]: {item.id for item in heldout_prefix(get_suite(suite["suite"]), suite["items"])}
        for suite in (row.suites if row else [])
    }


def _served_signal(adapter: Adapter, previous_id: str, figures: dict, skipped: list[str]) -> tuple[list, bool]:
    """Requests the gateway served the champion since its promotion against those it served the model before
    it over the same length of time before; fills figures["served_..."]. Returns the regressions, and whether
    the signal was skipped for too few requests."""
    promoted = adapter.promoted_at
    assert promoted is not None  # a champion: promotion set it
    model = adapter.base_model.name
    before = Served.of(
        served_window(
            model=model,
            adapter_id="" if previous_id == "base" else previous_id,
            start=promoted - SERVED_WINDOW,
            end=promoted,
        )
    )
    after = Served.of(
        served_window(
            model=model,
            adapter_id=adapter.adapter_id,
            start=promoted,
            end=min(timezone.now(), promoted + SERVED_WINDOW),
        )
    )
    figures["served_requests"] = {"previous": before.requests, "champion": after.requests}
    note = served_skipped(before, after)
    if note:
        skipped.append(note)
        return [], True
    was, now = before.figures(), after.figures()
    figures.update({name: {"previous": was[name], "champion": now[name]} for name in was})
    return served_regressions(before, after), False


def _last_watch(adapter: Adapter) -> AdapterEvent | None:
    """The latest watch (or rollback) of `adapter` since its promotion."""
    return (
        AdapterEvent.objects.filter(
            adapter=adapter,
            created_at__gte=adapter.promoted_at,
            kind__in=[AdapterEvent.Kind.WATCHED, AdapterEvent.Kind.ROLLED_BACK],
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def champions_to_watch() -> list[Adapter]:
    """Champions promoted by an A/B (they carry a baseline) not watched since, or whose last watch waits for
    enough served traffic."""
    found = []
    for adapter in Adapter.objects.filter(alias=Adapter.Alias.CHAMPION, metadata__has_key="baseline").select_related(
        "base_model"
    ):
        last = _last_watch(adapter)
        if last is None or (last.kind == AdapterEvent.Kind.WATCHED and last.detail.get("served_pending")):
            found.append(adapter)
    return found
