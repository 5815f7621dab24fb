"""User suites from JSONL: one item per line, every line validated, errors name the line.

Line format: {"prompt": str, "answer": str, "split": "train"|"heldout", "id"?: str, "grader"?: str (default
"exact"), "grader_args"?: object, "skill"?: str}. Unknown keys are rejected: a typo such as "grader_arg"
would otherwise silently grade with defaults. Blank lines are skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..base import SPLITS, Item
from ..errors import GraderError, SuiteError
from ..graders import GRADERS, validate_args
from .core import SUITE_NAME, StaticSuite

REQUIRED = ("prompt", "answer", "split")
OPTIONAL = ("id", "grader", "grader_args", "skill")


def load_jsonl_suite(path: str | Path, name: str, description: str = "") -> StaticSuite:
    """Read and validate a JSONL file into a suite; raises SuiteError naming the file, line and problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SuiteError(f"{path}: cannot read: {exc}") from exc
    return parse_jsonl_suite(text.splitlines(), name, description or f"loaded from {path.name}", source=str(path))


def parse_jsonl_suite(lines: Iterable[str], name: str, description: str = "", source: str = "<jsonl>") -> StaticSuite:
    """Validate JSONL lines (e.g. an upload) into a suite. Every check names `source` and the line number."""
    if not SUITE_NAME.match(name):
        raise SuiteError(f"invalid suite name {name!r}: lowercase letters, digits, '_', '.', '-' (no '/')")
    items: list[Item] = []
    id_line: dict[str, int] = {}
    prompt_seen: dict[str, tuple[str, int]] = {}  # stripped prompt -> (split, line) where first seen
    counters = {split: 0 for split in SPLITS}

    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue

        def fail(problem: str, number: int = number) -> SuiteError:
            return SuiteError(f"{source}: line {number}: {problem}")

        try:
            row = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise fail(f"invalid JSON: {exc.msg} at column {exc.colno}") from exc
        if not isinstance(row, dict):
            raise fail(f"expected a JSON object, got {type(row).__name__}")
        unknown = sorted(set(row) - set(REQUIRED) - set(OPTIONAL))
        if unknown:
            raise fail(f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(REQUIRED + OPTIONAL)}")
        for key in REQUIRED:
            if key not in row:
                raise fail(f"missing field {key!r}")
        for key in ("prompt", "answer", "split", "id", "grader", "skill"):
            if key in row and not isinstance(row[key], str):
                raise fail(f"field {key!r} must be a string, got {type(row[key]).__name__}")
        if not row["prompt"].strip():
            raise fail("field 'prompt' is empty")

        split = row["split"]
        if split not in SPLITS:
            raise fail(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
        grader = row.get("grader", "exact")
        if grader not in GRADERS:
            raise fail(f"unknown grader {grader!r}; known graders: {', '.join(sorted(GRADERS))}")
        grader_args: Any = row.get("grader_args", {})
        if not isinstance(grader_args, dict):
            raise fail(f"field 'grader_args' must be an object, got {type(grader_args).__name__}")
        try:
            validate_args(grader, grader_args, row["answer"])
        except GraderError as exc:
            raise fail(f"grader {grader!r}: {exc}") from exc

        item_id = row.get("id") or f"{name}/{split}/{counters[split]}"
        counters[split] += 1
        if item_id in id_line:
            raise fail(f"duplicate id {item_id!r} (first used on line {id_line[item_id]})")
        id_line[item_id] = number

        key = row["prompt"].strip()
        if key in prompt_seen and prompt_seen[key][0] != split:
            other_split, other_line = prompt_seen[key]
            raise fail(
                f"prompt also appears in the {other_split} split on line {other_line}: "
                "train and held-out must be disjoint"
            )
        prompt_seen.setdefault(key, (split, number))

        items.append(
            Item(
                id=item_id,
                suite=name,
                split=split,
                prompt=row["prompt"],
                answer=row["answer"],
                grader=grader,
                grader_args=grader_args,
                skill=row.get("skill", ""),
            )
        )

    if not items:
        raise SuiteError(f"{source}: no items (every line is blank)")
    return StaticSuite(name, description, items)
