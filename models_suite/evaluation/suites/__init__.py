"""The built-in suites, their registry, user suites from JSONL, and the pretraining text of train splits.

Suite names are fixed: the hobby engine and stored scores refer to them. Seeds and sizes are fixed too:
changing either changes the items, so held-out scores would stop being comparable (the pinned fingerprints
in the tests fail on purpose when that happens).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from ..errors import SuiteError
from . import generators as g
from .code_tasks import code
from .core import GeneratedSuite, StaticSuite, Suite, derive_seed, fingerprint, split_of
from .jsonl import load_jsonl_suite, parse_jsonl_suite

__all__ = [
    "GeneratedSuite",
    "StaticSuite",
    "Suite",
    "builtin_suites",
    "derive_seed",
    "fingerprint",
    "get_suite",
    "load_jsonl_suite",
    "parse_jsonl_suite",
    "pretraining_lines",
    "pretraining_pairs",
    "pretraining_text",
    "split_of",
]

BUILTIN_SEED = 20240611
SHORT = g.SHORT_MAX_CHARS


@cache
def _builtins() -> dict[str, Suite]:
    # One instance per process, so each suite's items are generated once and shared.
    def short(name: str, description: str, skills: list[str], sampler, train: int, heldout: int) -> Suite:
        return GeneratedSuite(
            name,
            description,
            skills,
            sampler,
            seed=BUILTIN_SEED,
            train_size=train,
            heldout_size=heldout,
            max_chars=SHORT,
        )

    suites: list[Suite] = [
        short("arithmetic", "2-digit addition and subtraction: Q:47+38= -> 85",
              ["addition-2-digit", "subtraction-2-digit"], g.arithmetic, 4000, 200),
        short("string_transform", "uppercase or reverse a short lowercase word: Q:upper(cat)= -> CAT",
              ["uppercase", "reverse"], g.string_transform, 4000, 200),
        short("sequences", "next term of an arithmetic sequence: Q:3,7,11,15,?= -> 19",
              ["arithmetic-sequence"], g.sequences, 3000, 150),
        short("sorting", "sort 3-5 digits or short numbers: Q:sort(5,2,8)= -> 2,5,8",
              ["sort-digits"], g.sorting, 4000, 200),
        short("json_extraction", 'read or select a field of a small JSON object: Q:{"a":1,"b":2}.b= -> 2',
              ["json-field", "json-select"], g.json_extraction, 3000, 150),
        short("tool_use", "pick the tool and write its call, not the result: Q:5 less than 40?= -> CALL calc(40-5), "
              "Q:email of u452?= -> CALL get(u452,email)",
              ["tool-calc", "tool-lookup", "tool-convert", "tool-dict"], g.tool_use, 3000, 150),
        # Code prompts are longer than the char model's context: no max_chars, not in pretraining_text().
        GeneratedSuite("code", "write the body of a tiny Python function; run against hidden test cases",
                       ["python-function"], code, seed=BUILTIN_SEED, train_size=1000, heldout_size=100,
                       heldout_per_mille=200),  # a smaller prompt space: a bigger share held out
    ]  # fmt: skip
    return {s.name: s for s in suites}


def builtin_suites() -> dict[str, Suite]:
    """name -> suite for every built-in suite (a new dict; the suites themselves are shared)."""
    return dict(_builtins())


def get_suite(name: str) -> Suite:
    suites = _builtins()
    if name not in suites:
        raise SuiteError(f"unknown suite {name!r}; built-in suites: {', '.join(sorted(suites))}")
    return suites[name]


def pretraining_pairs(
    suites: Iterable[Suite] | None = None, limit_per_suite: int | None = None
) -> list[tuple[str, str]]:
    """(prompt, answer) of train items only (never held-out: scores must stay honest), suites in order.

    Without `suites`, every built-in suite that promises a max_chars (all but `code`). Items with a newline
    are refused: the corpus format ends each answer with one."""
    chosen = list(suites) if suites is not None else [s for s in _builtins().values() if s.max_chars is not None]
    pairs: list[tuple[str, str]] = []
    for suite in chosen:
        for item in suite.items("train", limit_per_suite):
            if "\n" in item.prompt + item.answer:
                raise SuiteError(f"{item.id}: a newline inside an item would break the line format")
            pairs.append((item.prompt, item.answer))
    return pairs


def pretraining_lines(suites: Iterable[Suite] | None = None, limit_per_suite: int | None = None) -> list[str]:
    """Lines "<prompt><answer>" (without the newline) of pretraining_pairs()."""
    return [prompt + answer for prompt, answer in pretraining_pairs(suites, limit_per_suite)]


def pretraining_text(suites: Iterable[Suite] | None = None, limit_per_suite: int | None = None) -> str:
    """The pretraining corpus: each train item as prompt, answer and a newline, suites in order."""
    return "".join(line + "\n" for line in pretraining_lines(suites, limit_per_suite))
