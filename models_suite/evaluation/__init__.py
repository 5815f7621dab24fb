"""Evaluation: seeded suites with disjoint train / held-out splits, and the graders that score attempts.

Pure Python (no Django): the Django side wraps it. Entry points:
    builtin_suites(), get_suite(name), load_jsonl_suite(path, name)  -> Suite
    Suite.items(split, limit=None) -> list[Item]
    grade(item, answer_text) -> Grade
    pretraining_pairs() / pretraining_text()  (train splits only, for the built-in char model)
"""

from .base import SPLITS, Grade, Item, Split
from .errors import GraderError, SuiteError
from .graders import GRADERS, grade, validate_args
from .sandbox import SandboxResult, run_code
from .suites import (
    GeneratedSuite,
    StaticSuite,
    Suite,
    builtin_suites,
    fingerprint,
    get_suite,
    load_jsonl_suite,
    parse_jsonl_suite,
    pretraining_lines,
    pretraining_pairs,
    pretraining_text,
)

__all__ = [
    "GRADERS",
    "SPLITS",
    "GeneratedSuite",
    "Grade",
    "GraderError",
    "Item",
    "SandboxResult",
    "Split",
    "StaticSuite",
    "Suite",
    "SuiteError",
    "builtin_suites",
    "fingerprint",
    "get_suite",
    "grade",
    "load_jsonl_suite",
    "parse_jsonl_suite",
    "pretraining_lines",
    "pretraining_pairs",
    "pretraining_text",
    "run_code",
    "validate_args",
]
