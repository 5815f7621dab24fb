"""What a learning cycle works on and how: the skill (a bandit over measured gains), the recipe (adapted from
what the last cycles measured) and the replay (skills at risk get more). Pure: numbers in, a plan out; the
cycle (learning.loop.cycle) measures, records and passes the history back in.

Skill choice: an upper-confidence bound (Bayes-UCB) on the gain a cycle focused on a skill brings to that skill,
in held-out points: the posterior mean plus UCB_SDS posterior standard deviations, capped by the headroom. A
skill never tried has a wide prior centred on a share of its headroom (what it still lacks of 100 %), so untried
skills are explored, the weakest first; a tried skill's posterior follows its measured gains, recent ones
weighing most, so a skill that is moving keeps being chosen while its bound beats the untried ones'. A skill that
moved less than MIN_MOVE in its last two focused cycles rests for REST_CYCLES cycles: the same recipe will not
move it now, and the time is better spent elsewhere. No constant is tuned per skill: every number below applies
to all of them.

Why a bound and not Thompson sampling (used before): a learning loop runs a few cycles, each about five minutes,
and a random draw among several untried weak skills decided where those cycles went. On the built-in model, seed
0 drew arithmetic sequences, then subtraction, then json-field: one promotion in five cycles, while the skill
weakest at the start (2-digit addition, learnt +85 points in one cycle by the old weakest-first loop) waited for
the fifth. The bound makes the same measurements give the same choice, so a run can be repeated.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

# A move smaller than this is within the noise of a held-out accuracy on a few hundred items (the standard error
# at 50 % on 200 items is 3.5 points; two cycles under 2 points each is "not moving", not "unlucky").
MIN_MOVE = 2.0
REST_CYCLES = 2
PRIOR_HEADROOM_SHARE = 0.25  # an untried skill is expected to gain a quarter of what it lacks...
PRIOR_SD_SHARE = 0.35  # ...give or take a third of it: wide, so exploration is real
GAIN_NOISE_SD = 6.0  # points: one cycle's measured gain scatters about this much around its expectation
DISCOUNT = 0.7  # weight of a gain per later observation of the same skill: the latest counts most
UCB_SDS = 1.0  # the bound: posterior mean plus this many standard deviations (optimism where little is known)


@dataclass(frozen=True)
class Outcome:
    """One finished cycle, as the bandit and the recipe read it."""

    skill: str
    gain: float | None  # the challenger's held-out change on `skill`, points (None: not measured)
    promoted: bool
    forgot: bool = False  # the A/B kept the champion because another skill fell significantly
    recipe: Mapping = field(default_factory=dict)
    train_seconds: float | None = None
    train_steps: int | None = None


@dataclass
class Choice:
    skill: str
    why: str
    bounds: dict[str, float]  # skill -> its upper bound on the gain (resting skills left out)
    resting: list[str]


def _posterior(gains: Sequence[float], prior_mean: float, prior_sd: float) -> tuple[float, float]:
    """Normal prior, normal noise of GAIN_NOISE_SD, older gains down-weighted by DISCOUNT per newer one."""
    precision, weighted = 1.0 / prior_sd**2, prior_mean / prior_sd**2
    for age, gain in enumerate(reversed(gains)):
        weight = DISCOUNT**age / GAIN_NOISE_SD**2
        precision += weight
        weighted += weight * gain
    return weighted / precision, math.sqrt(1.0 / precision)


def resting_skills(history: Sequence[Outcome]) -> list[str]:
    """Skills whose last two focused cycles each moved them less than MIN_MOVE, within REST_CYCLES cycles of the
    second of those."""
    resting = []
    for skill in {outcome.skill for outcome in history}:
        indices = [i for i, outcome in enumerate(history) if outcome.skill == skill and outcome.gain is not None]
        if len(indices) < 2:
            continue
        last_two = [gain for i in indices[-2:] if (gain := history[i].gain) is not None]  # indices: gains only
        if all(abs(gain) < MIN_MOVE for gain in last_two) and len(history) - 1 - indices[-1] < REST_CYCLES:
            resting.append(skill)
    return sorted(resting)


def choose_skill(accuracy: Mapping[str, float], history: Sequence[Outcome], rng: random.Random | None = None) -> Choice:
    """The skill to work on next: the highest upper bound on the expected gain. Deterministic: the same
    measurements give the same choice (rng breaks exact ties only)."""
    if not accuracy:
        raise ValueError("No measured skill to choose from")
    resting = [skill for skill in resting_skills(history) if skill in accuracy]
    candidates = [skill for skill in sorted(accuracy) if skill not in resting] or sorted(accuracy)
    bounds = {}
    for skill in candidates:
        headroom = max(0.0, 100.0 - accuracy[skill])
        gains = [o.gain for o in history if o.skill == skill and o.gain is not None]
        mean, sd = _posterior(gains, PRIOR_HEADROOM_SHARE * headroom, max(1.0, PRIOR_SD_SHARE * headroom))
        bounds[skill] = min(headroom, mean + UCB_SDS * sd)  # no skill gains past 100 %
    top = max(bounds.values())
    tied = [skill for skill in candidates if bounds[skill] == top]
    chosen = (rng or random.Random(0)).choice(tied) if len(tied) > 1 else tied[0]
    tried = sum(1 for o in history if o.skill == chosen)
    why = (
        f"upper bound on its gain {bounds[chosen]:+.1f} points, the highest of {len(bounds)}; "
        + (f"tried {tried} time(s) before" if tried else "never tried: exploring")
        + (f"; resting (no move in two cycles): {', '.join(resting)}" if resting else "")
    )
    return Choice(skill=chosen, why=why, bounds={k: round(v, 2) for k, v in bounds.items()}, resting=resting)


@dataclass
class Recipe:
    """How one cycle trains: the LoRA run and the practice that feeds its dataset."""

    max_steps: int
    learning_rate: float
    replay_share: float
    focus_items: int
    replay_items: int
    why: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


MAX_REPLAY_SHARE = 0.9
MIN_REPLAY_SHARE = 0.5
MAX_LEARNING_RATE = 1e-2
STEP_GROWTH = 1.5


def plan_recipe(skill: str, history: Sequence[Outcome], base: Recipe, *, train_budget_seconds: float | None) -> Recipe:
    """The base recipe, adapted from the last cycle on this skill: forgetting -> more replay; no move -> more
    steps (or, at the time budget, a higher learning rate); a gain -> the same again. Steps never exceed what
    the budget allows at the training speed last measured."""
    recipe = Recipe(**{**base.to_dict(), "why": []})
    last = next((o for o in reversed(history) if o.skill == skill and o.recipe), None)
    if last is not None:
        recipe.max_steps = int(last.recipe.get("max_steps", recipe.max_steps))
        recipe.learning_rate = float(last.recipe.get("learning_rate", recipe.learning_rate))
        recipe.replay_share = float(last.recipe.get("replay_share", recipe.replay_share))
        if last.forgot:
            recipe.replay_share = min(MAX_REPLAY_SHARE, recipe.replay_share + 0.1)
            recipe.why.append(
                f"the last cycle on {skill} cost another skill: replay share up to {recipe.replay_share:.2f}"
            )
        elif last.gain is not None and last.gain < MIN_MOVE:
            recipe.max_steps = int(recipe.max_steps * STEP_GROWTH)
            recipe.why.append(
                f"the last cycle on {skill} moved it {last.gain:+.1f} points: steps up to {recipe.max_steps}"
            )
        else:
            recipe.why.append(f"the last cycle on {skill} moved it {last.gain:+.1f} points: same recipe")
    else:
        recipe.why.append(f"first cycle on {skill}: the base recipe")
    speeds = [o.train_steps / o.train_seconds for o in history if o.train_steps and o.train_seconds]
    if train_budget_seconds and speeds:
        affordable = int(train_budget_seconds * speeds[-1])
        if recipe.max_steps > affordable:
            grown = recipe.max_steps / max(1, affordable)
            recipe.max_steps = max(1, affordable)
            recipe.learning_rate = min(MAX_LEARNING_RATE, recipe.learning_rate * min(grown, STEP_GROWTH))
            recipe.why.append(
                f"capped at {affordable} steps by the {train_budget_seconds:.0f} s training budget "
                f"({speeds[-1]:.1f} steps/s measured); learning rate {recipe.learning_rate:.2g}"
            )
    recipe.replay_share = max(MIN_REPLAY_SHARE, min(MAX_REPLAY_SHARE, recipe.replay_share))
    return recipe


# Points an earlier cycle taught a skill that earn it one more equal share of the replay: what was learned last
# is what a new focus overwrites first.
TAUGHT_POINTS_PER_SHARE = 20.0


def replay_weights(
    accuracy: Mapping[str, float],
    focus: str,
    last_change: Mapping[str, float] | None = None,
    taught: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """How much of the replay each other skill gets: an equal share each, one more share per
    TAUGHT_POINTS_PER_SHARE points earlier cycles taught it (the champion's held-out accuracy above the bare
    base's), doubled for a skill the last challenger made worse. Measured on the built-in model: replay in
    proportion to accuracy (a skill at 90 % has more to lose) starved the weak skills, and a cycle focused on
    2-digit addition cost arithmetic sequences (25 %) 15 points and subtraction (20 %) 9 points on fresh items:
    a weak skill is the most fragile, not the least."""
    weights = {}
    for skill in accuracy:
        if skill == focus:
            continue
        weight = 1.0 + max(0.0, (taught or {}).get(skill, 0.0)) / TAUGHT_POINTS_PER_SHARE
        if last_change and last_change.get(skill, 0.0) < 0:
            weight *= 2
        weights[skill] = round(weight, 4)
    return weights


# How far below where the loop started (the bare base's held-out accuracy) a challenger may leave any one skill, in
# held-out points. The A/B's suite rule alone lets a skill fall inside a suite that rose, and small losses add up
# over cycles (measured cases in the README, The learning loop).
FORGET_TOLERANCE = 2.0


def skill_floors(
    champion: Mapping[str, float], base: Mapping[str, float] | None = None, *, tolerance: float = FORGET_TOLERANCE
) -> dict[str, float]:
    """Per skill, the lowest held-out accuracy a challenger may leave it at: `tolerance` points below the bare
    base's (where the loop started: however many cycles run, no skill ends further below it), but never above
    the champion (a skill an older champion already lost is not a bar a challenger must clear; it must only not
    lose more). A skill the base was not measured on: `tolerance` below the champion. What earlier cycles taught
    above the base is protected by the replay and by the A/B's rule on significant drops, not by a floor: on a
    skill of a few dozen held-out items one item is more than the tolerance, so a floor at the champion's level
    refuses challengers over a single item, whatever they learnt."""
    floors = {}
    for skill, value in champion.items():
        start = (base or {}).get(skill)
        floors[skill] = round(value - tolerance if start is None else min(value, start - tolerance), 1)
    return floors


def fallen_skills(accuracy: Mapping[str, float], floors: Mapping[str, float]) -> dict[str, dict[str, float]]:
    """The skills `accuracy` leaves below their floor: skill -> {"after", "floor"}."""
    return {
        skill: {"after": accuracy[skill], "floor": floor}
        for skill, floor in sorted(floors.items())
        if skill in accuracy and accuracy[skill] < floor - 1e-9
    }


# A repair continues the challenger briefly on replay weighted to what it forgot: a third of its steps at half its
# learning rate (a nudge back, not a new lesson that would forget something else), with the most replay the
# recipe allows, each fallen skill weighing REPAIR_WEIGHT times its share. At most REPAIR_ROUNDS per cycle: each
# round can itself cost another skill an item or two.
REPAIR_ROUNDS = 2
REPAIR_STEP_SHARE = 1 / 3
REPAIR_LEARNING_RATE_SHARE = 0.5
REPAIR_WEIGHT = 5.0


def repair_recipe(
    recipe: Recipe, weights: Mapping[str, float], fallen: Mapping[str, Mapping[str, float]]
) -> tuple[Recipe, dict[str, float]]:
    """The recipe and replay weights of a repair of `fallen` skills, from the cycle's own. Each fallen skill
    is either below its floor ({"after", "floor"}) or one that fell in a suite that dropped significantly
    ({"after", "before", "suite"})."""
    repair = Recipe(
        max_steps=max(1, int(recipe.max_steps * REPAIR_STEP_SHARE)),
        learning_rate=recipe.learning_rate * REPAIR_LEARNING_RATE_SHARE,
        replay_share=MAX_REPLAY_SHARE,
        focus_items=recipe.focus_items,
        replay_items=recipe.replay_items,
        why=["repair: " + ", ".join(_fall(skill, value) for skill, value in fallen.items())],
    )
    repaired = {
        skill: round(weight * (REPAIR_WEIGHT if skill in fallen else 1.0), 4) for skill, weight in weights.items()
    }
    return repair, repaired


def _fall(skill: str, value: Mapping[str, float]) -> str:
    if "floor" in value:
        return f"{skill} fell to {value['after']:.1f} % (floor {value['floor']:.1f} %)"
    return f"{skill} fell from {value['before']:.1f} % to {value['after']:.1f} % ({value['suite']} dropped)"
