"""A small synthetic corpus for calibrating and testing the builder; not the evaluation suites.

Five skills in the shape the suites use ("Q:47+38=" -> "85"). Train and held-out items are disjoint by
construction: a prompt's split is decided by a hash of the prompt itself, so no prompt can land in both.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable

Pair = tuple[str, str]
HELDOUT_PERCENT = 20  # share of each skill's prompt space that only ever appears in held-out items


def _addition(rng: random.Random) -> Pair:
    a, b = rng.randint(10, 99), rng.randint(10, 99)
    return f"Q:{a}+{b}=", str(a + b)


def _subtraction(rng: random.Random) -> Pair:
    a, b = rng.randint(10, 99), rng.randint(10, 99)
    a, b = max(a, b), min(a, b)  # non-negative results only
    return f"Q:{a}-{b}=", str(a - b)


def _upper(rng: random.Random) -> Pair:
    word = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 6)))
    return f"Q:upper({word})=", word.upper()


def _sort(rng: random.Random) -> Pair:
    digits = [rng.randint(0, 9) for _ in range(rng.randint(3, 5))]
    return f"Q:sort({','.join(map(str, digits))})=", ",".join(map(str, sorted(digits)))


def _sequence(rng: random.Random) -> Pair:
    start, step = rng.randint(1, 99), rng.randint(1, 12)
    terms = [start + step * index for index in range(4)]
    return f"Q:{','.join(map(str, terms))},?=", str(start + step * 4)


SKILLS: dict[str, Callable[[random.Random], Pair]] = {
    "addition": _addition,
    "subtraction": _subtraction,
    "upper": _upper,
    "sort": _sort,
    "sequence": _sequence,
}


def split_of(prompt: str) -> str:
    """'heldout' for a fixed HELDOUT_PERCENT of all prompts, 'train' for the rest; a function of the prompt alone."""
    bucket = int.from_bytes(hashlib.sha256(prompt.encode()).digest()[:4], "big") % 100
    return "heldout" if bucket < HELDOUT_PERCENT else "train"


def skill_pairs(skill: str, split: str, count: int, seed: int = 0) -> list[Pair]:
    """`count` distinct pairs of one skill from one split, in a seeded order (fewer if the space runs out)."""
    make = SKILLS[skill]
    rng = random.Random(f"{skill}/{split}/{seed}")
    seen: set[str] = set()
    pairs: list[Pair] = []
    for _ in range(count * 50):  # bounded: small prompt spaces (sequences) may hold fewer than count items
        if len(pairs) == count:
            break
        prompt, answer = make(rng)
        if prompt not in seen and split_of(prompt) == split:
            seen.add(prompt)
            pairs.append((prompt, answer))
    return pairs


def corpus(split: str, per_skill: int, seed: int = 0) -> dict[str, list[Pair]]:
    return {skill: skill_pairs(skill, split, per_skill, seed) for skill in SKILLS}


def interleaved(by_skill: dict[str, list[Pair]]) -> list[Pair]:
    """All skills' pairs, round-robin, so that a prefix of the corpus covers every skill."""
    columns = list(by_skill.values())
    return [column[index] for index in range(max(map(len, columns), default=0)) for column in columns if index < len(column)]
