"""Training examples for LoRA: the originals' quality score with its bugs fixed, exact and near-duplicate removal,
a seeded split, and the formats training tools read. Pure: no Django.

The Django side (learning.loop.datasets) gathers the examples from graded activities and insights; everything here
works on plain dataclasses, so it is tested alone.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace

from datasketch import MinHash, MinHashLSH

NEAR_DUPLICATE = 0.95  # Jaccard similarity of character 3-gram sets at or above which two examples are one
SHINGLE = 3
PERMUTATIONS = 128
FORMATS = ("jsonl", "alpaca", "sharegpt")


@dataclass(frozen=True)
class TrainingExample:
    prompt: str
    completion: str  # what the model should answer, without the answer's end marker
    skill: str
    source: str  # "attempt" (its own correct answer), "reference" (the grader's answer to a failed item), "insight"
    item_id: str = ""  # the suite item, for attempts and references
    weight: float = 1.0  # how much it counts in the loss (the reward model's training_weight for insights)
    quality: float = 1.0


def quality_score(
    completion: str, *, free_text: bool, completed: bool, difficulty: float | None, insight_count: int
) -> float:
    """The originals' quality score (docs/originals.md 1.8), 0..1, with its bugs fixed.

    Start at 0.5; +0.15 when the activity completed (the original read a `status` key its dicts never had, so
    it never applied); + difficulty x 0.1 with the activity's measured difficulty (the original's was always
    0.5); +0.05 when the activity yielded more than 3 insights. The length terms (50-200 characters +0.2,
    201-500 +0.15, under 20 -0.2) judge free text only: they were written for prose, and a graded answer such
    as "42" is verified right or wrong, its length says nothing (the original also measured patterns, which
    were dicts, as 3 characters long, and always dropped them)."""
    score = 0.5
    if free_text:
        length = len(completion.strip())
        if 50 <= length <= 200:
            score += 0.2
        elif 200 < length <= 500:
            score += 0.15
        elif length < 20:
            score -= 0.2
    if completed:
        score += 0.15
    if difficulty is not None:
        score += max(0.0, min(1.0, difficulty)) * 0.1
    if insight_count > 3:
        score += 0.05
    return round(max(0.0, min(1.0, score)), 4)


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def _shingles(example: TrainingExample) -> set[bytes]:
    text = _normalised(example.prompt) + "\x00" + _normalised(example.completion)
    if len(text) <= SHINGLE:
        return {text.encode()}
    return {text[i : i + SHINGLE].encode() for i in range(len(text) - SHINGLE + 1)}


@dataclass(frozen=True)
class Deduplicated:
    kept: list[TrainingExample]
    exact: int  # dropped: the same prompt and completion (case and spacing aside) as a kept one
    near: int  # dropped: Jaccard >= NEAR_DUPLICATE with a kept one


def deduplicate(examples: Sequence[TrainingExample], *, threshold: float = NEAR_DUPLICATE) -> Deduplicated:
    """Keep the first of each group of duplicates, in order. Near duplicates: MinHash LSH (datasketch) proposes
    candidates, and the exact Jaccard of the 3-gram sets decides, so an estimate never drops a distinct item
    (two arithmetic prompts one digit apart are far below 0.95)."""
    seen: set[tuple[str, str]] = set()
    lsh = MinHashLSH(threshold=threshold, num_perm=PERMUTATIONS)
    kept: list[TrainingExample] = []
    kept_shingles: list[set[bytes]] = []
    exact = near = 0
    for example in examples:
        key = (_normalised(example.prompt), _normalised(example.completion))
        if key in seen:
            exact += 1
            continue
        shingles = _shingles(example)
        signature = MinHash(num_perm=PERMUTATIONS)
        signature.update_batch(list(shingles))
        if any(_jaccard(shingles, kept_shingles[int(other)]) >= threshold for other in lsh.query(signature)):
            near += 1
            continue
        seen.add(key)
        lsh.insert(str(len(kept)), signature)
        kept.append(example)
        kept_shingles.append(shingles)
    return Deduplicated(kept, exact, near)


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def split(
    examples: Sequence[TrainingExample], *, validation_share: float, seed: int
) -> tuple[list[TrainingExample], list[TrainingExample]]:
    """Shuffled with `seed`, then the first share held out for validation (the original sorted by id and cut,
    so validation was always the newest activities). At least one training example when there are any."""
    if not 0 <= validation_share < 1:
        raise ValueError(f"validation_share must be in [0, 1), got {validation_share}")
    order = list(examples)
    random.Random(seed).shuffle(order)
    held = min(int(round(len(order) * validation_share)), max(0, len(order) - 1))
    return order[held:], order[:held]


def with_replay(
    focus: Sequence[TrainingExample],
    others: Sequence[TrainingExample],
    *,
    share: float,
    seed: int,
    weights: Mapping[str, float] | None = None,
) -> list[TrainingExample]:
    """The focus skill's examples plus other skills' examples making up `share` of the result (as many as there
    are, up to that): training on one skill alone wrecks the others (measured: sorting 98 % -> 0.5 %).
    weights (skill -> weight) split the replay between skills (skills at risk get more); without them it is a
    uniform draw from `others`. A skill with fewer examples than its part gives what it has, and the rest goes to
    the others in the same proportions."""
    if not 0 <= share < 1:
        raise ValueError(f"replay share must be in [0, 1), got {share}")
    wanted = int(round(len(focus) * share / (1 - share))) if share else 0
    rng = random.Random(seed)
    if not weights:
        replay = rng.sample(list(others), min(wanted, len(others)))
    else:
        pools: dict[str, list[TrainingExample]] = {}
        for example in others:
            pools.setdefault(example.skill, []).append(example)
        for pool in pools.values():
            rng.shuffle(pool)
        replay, open_pools = [], {skill for skill in pools if weights.get(skill, 0) > 0}
        while len(replay) < wanted and open_pools:
            total = sum(weights[skill] for skill in open_pools)
            missing = wanted - len(replay)
            for skill in sorted(open_pools):
                take = max(1, round(missing * weights[skill] / total))
                taken, pools[skill] = pools[skill][:take], pools[skill][take:]
                replay += taken
                if not pools[skill]:
                    open_pools.discard(skill)
        replay = replay[:wanted]
    return list(focus) + [replace(example, source=f"replay:{example.source}") for example in replay]


def as_format(example: TrainingExample, kind: str) -> dict:
    """One example as a training tool reads it: our JSON Lines (every field), Alpaca or ShareGPT."""
    if kind == "jsonl":
        return asdict(example)
    if kind == "alpaca":
        return {"instruction": example.prompt, "input": "", "output": example.completion}
    if kind == "sharegpt":
        return {
            "conversations": [{"from": "human", "value": example.prompt}, {"from": "gpt", "value": example.completion}]
        }
    raise ValueError(f"Unknown format {kind!r}: one of {', '.join(FORMATS)}")


def from_record(record: dict) -> TrainingExample:
    """Back from our JSON Lines (as_format(..., "jsonl"))."""
    return TrainingExample(**{name: record[name] for name in TrainingExample.__dataclass_fields__ if name in record})


def counts_by(examples: Iterable[TrainingExample], field: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for example in examples:
        value = getattr(example, field)
        found[value] = found.get(value, 0) + 1
    return dict(sorted(found.items()))
