"""The task-type complexity table: the originals' defaults, editable per route (policy.task_complexity).

A task type at or above the route's heavy_at (the originals' 0.7) is heavy work: it goes to the most capable
usable candidate; below it, to the cheapest. Names are matched whole first, then as a substring of the given
type (the originals matched substrings: "python_code_generation" is code generation).
"""

from __future__ import annotations

from collections.abc import Mapping

DEFAULT_TASK_COMPLEXITY: dict[str, float] = {
    "code_generation": 0.9,
    "large_context_reasoning": 0.95,
    "training": 1.0,
    "fine_tuning": 1.0,
    "summarization": 0.6,
    "translation": 0.5,
    "question_answering": 0.5,
    "emotion_detection": 0.4,
    "command_parsing": 0.3,
    "simple_chat": 0.2,
    "greeting": 0.1,
}
DEFAULT_HEAVY_AT = 0.7


def normalise_task_type(task_type: str) -> str:
    return "_".join(task_type.strip().lower().replace("-", " ").split())


def task_complexity(task_type: str, table: Mapping[str, float]) -> tuple[str, float] | None:
    """(the table's entry that matched, its complexity), or None for a type the table does not know."""
    wanted = normalise_task_type(task_type)
    if not wanted:
        return None
    if wanted in table:
        return wanted, float(table[wanted])
    # Longest name first: "large_context_reasoning" before a shorter entry it contains.
    for name in sorted(table, key=len, reverse=True):
        if name in wanted:
            return name, float(table[name])
    return None
