"""Evaluation suites: generated, seeded exercises with disjoint train and held-out splits, each item graded
automatically. Pure Python, no Django: the hobby engine practises on train items, proficiency and A/B tests
are measured on held-out items, and the built-in base model is pretrained on train items only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Split = Literal["train", "heldout"]
SPLITS: tuple[Split, ...] = ("train", "heldout")


@dataclass(frozen=True)
class Item:
    id: str  # stable across runs and machines: "<suite>/<split>/<index>"
    suite: str
    split: Split
    prompt: str  # what the model is given, complete (the model continues it)
    answer: str  # the reference answer; for code items, a reference solution
    grader: str  # name of a grader: exact, numeric, regex, json_field, code
    grader_args: dict[str, Any] = field(default_factory=dict)
    skill: str = ""  # finer than the suite, e.g. "addition-2-digit"


@dataclass(frozen=True)
class Grade:
    correct: bool
    score: float  # 0..1; partial credit where a grader gives it
    detail: str = ""  # why: what was expected, what was wrong, a sandbox error
