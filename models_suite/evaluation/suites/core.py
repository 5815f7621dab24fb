"""Suite types: generated suites (seeded, split by hashing the prompt) and static suites (loaded items).

Determinism: every random stream is a `random.Random` seeded with an integer derived through sha256, never
Python's `hash()` (salted per process), so the same suite yields the same items in every process and on every
machine. Disjointness: a generated prompt's split is a pure function of (suite name, prompt), so a prompt can
only ever be drawn into one split, whatever the seed or the sizes asked for.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..base import SPLITS, Item, Split
from ..errors import SuiteError

SUITE_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")  # ids are "<suite>/<split>/<index>": no slashes


def derive_seed(*parts: object) -> int:
    """A 64-bit seed from any parts, stable across processes (sha256, not the salted built-in hash)."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def split_of(suite: str, prompt: str, heldout_per_mille: int) -> Split:
    """Which split a prompt belongs to: a deterministic partition of the suite's prompt space."""
    digest = hashlib.sha256(f"{suite}|{prompt}".encode()).digest()
    return "heldout" if int.from_bytes(digest[:4], "big") % 1000 < heldout_per_mille else "train"


def fingerprint(items: Sequence[Item]) -> str:
    """sha256 over the items' content: store it beside a score to know which item set it was measured on."""
    h = hashlib.sha256()
    for it in items:
        row = [it.id, it.suite, it.split, it.prompt, it.answer, it.grader, it.grader_args, it.skill]
        h.update(json.dumps(row, sort_keys=True, separators=(",", ":")).encode())
        h.update(b"\n")
    return h.hexdigest()


def check_split(split: str) -> Split:
    if split not in SPLITS:
        raise SuiteError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
    return split  # the check above narrows it to Split


class Suite(ABC):
    """A named set of graded exercises with a train split (practice, pretraining) and a held-out split."""

    name: str
    description: str
    skills: tuple[str, ...]
    # Longest prompt+answer in characters, when the suite promises one (the built-in char model's context);
    # None when it does not (code, user suites). pretraining_text() only takes suites that promise one.
    max_chars: int | None = None

    @abstractmethod
    def items(self, split: Split, limit: int | None = None) -> list[Item]:
        """The split's items in their stable order; `limit` takes a prefix (the same prefix every time)."""

    def sizes(self) -> dict[str, int]:
        return {split: len(self.items(split)) for split in SPLITS}

    def fingerprint(self, split: Split) -> str:
        return fingerprint(self.items(split))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} {self.sizes()}>"


def _take(items: list[Item], limit: int | None) -> list[Item]:
    if limit is None:
        return list(items)
    if limit < 0:
        raise SuiteError(f"limit must be >= 0, got {limit}")
    return items[:limit]


@dataclass(frozen=True)
class Sample:
    """What a generator draws: everything about an item except where it lands (suite, split, index)."""

    prompt: str
    answer: str
    grader: str
    skill: str
    grader_args: dict[str, Any] = field(default_factory=dict)


Sampler = Callable[[random.Random], Sample]


class GeneratedSuite(Suite):
    """Items drawn from `sampler` with one seeded stream per split; each split keeps only prompts that hash
    into it, and drops repeats. The held-out stream does not depend on the train size, so changing how much
    train data is generated never changes the held-out items a score was measured on."""

    def __init__(
        self,
        name: str,
        description: str,
        skills: Sequence[str],
        sampler: Sampler,
        *,
        seed: int,
        train_size: int,
        heldout_size: int,
        heldout_per_mille: int = 100,
        max_chars: int | None = None,
        max_attempts_per_item: int = 60,
        up_to: bool = False,
    ):
        """up_to: the sizes are at most what the splits hold; a split whose prompt space has fewer items ends
        there instead of refusing (models_suite.evaluation.fresh reads a held-out stream on this way)."""
        if not SUITE_NAME.match(name):
            raise SuiteError(f"invalid suite name {name!r}: lowercase letters, digits, '_', '.', '-'")
        if not 0 < heldout_per_mille < 1000:
            raise SuiteError("heldout_per_mille must be between 1 and 999")
        self.name, self.description, self.skills = name, description, tuple(skills)
        self.sampler, self.seed, self.max_chars = sampler, seed, max_chars
        self.heldout_per_mille = heldout_per_mille
        self.max_attempts_per_item = max_attempts_per_item
        self.up_to = up_to
        self._sizes: dict[Split, int] = {"train": train_size, "heldout": heldout_size}
        self._cache: dict[Split, list[Item]] = {}

    def items(self, split: Split, limit: int | None = None) -> list[Item]:
        split = check_split(split)
        if split not in self._cache:
            self._cache[split] = self._generate(split)
        return _take(self._cache[split], limit)

    def sizes(self) -> dict[str, int]:
        return dict(self._sizes.items())  # known without generating

    def _generate(self, split: Split) -> list[Item]:
        want = self._sizes[split]
        rng = random.Random(derive_seed(self.name, self.seed, split))
        seen: set[str] = set()
        out: list[Item] = []
        attempts = 0
        while len(out) < want:
            attempts += 1
            if attempts > want * self.max_attempts_per_item + 1000:
                if self.up_to:
                    break
                raise SuiteError(
                    f"suite {self.name!r}: found only {len(out)} of {want} distinct {split} items; "
                    "its input space is too small for the sizes asked"
                )
            s = self.sampler(rng)
            if s.prompt in seen or split_of(self.name, s.prompt, self.heldout_per_mille) != split:
                continue
            if self.max_chars is not None and len(s.prompt) + len(s.answer) > self.max_chars:
                continue  # keep the promise to the context-64 char model
            if s.skill not in self.skills:
                raise SuiteError(f"suite {self.name!r}: sampler produced undeclared skill {s.skill!r}")
            seen.add(s.prompt)
            out.append(
                Item(
                    id=f"{self.name}/{split}/{len(out)}",
                    suite=self.name,
                    split=split,
                    prompt=s.prompt,
                    answer=s.answer,
                    grader=s.grader,
                    grader_args=s.grader_args,
                    skill=s.skill,
                )
            )
        return out


class StaticSuite(Suite):
    """A suite whose items are given (user JSONL): nothing is generated, the order is the file's."""

    def __init__(self, name: str, description: str, items: Sequence[Item], max_chars: int | None = None):
        if not SUITE_NAME.match(name):
            raise SuiteError(f"invalid suite name {name!r}: lowercase letters, digits, '_', '.', '-'")
        self.name, self.description, self.max_chars = name, description, max_chars
        self._items: dict[Split, list[Item]] = {s: [it for it in items if it.split == s] for s in SPLITS}
        self.skills = tuple(sorted({it.skill for it in items if it.skill}))

    def items(self, split: Split, limit: int | None = None) -> list[Item]:
        return _take(self._items[check_split(split)], limit)
