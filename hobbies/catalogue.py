"""The originals' eight hobby types (reference 1.1), what each is for, and what each practises.

Pure Python. `PRACTICE_BUILT` names the types whose practice exists (hobbies.practice: answering their
suites' items, graded): the others cannot be enabled, and say so, until their practice lands. Knowledge
exploration and research need practice on memory-hub documents, tool mastery real tools graded on the
outcome, creative problem solving several checked solutions: not built yet.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HobbySpec:
    name: str
    description: str
    learning_objective: str
    suites: tuple[str, ...]
    enabled_by_default: bool = True


CATALOGUE = {spec.name: spec for spec in [
    HobbySpec("SKILL_PRACTICE", "Practise core skills on generated exercises and learn from graded mistakes.",
              "Practise and refine existing skills on graded exercises",
              ("arithmetic", "string_transform", "sequences", "sorting")),
    HobbySpec("KNOWLEDGE_EXPLORATION", "Read documents in the memory hub, answer questions about them, remember "
              "what was learned.", "Explore and connect knowledge from stored documents", ()),
    HobbySpec("PATTERN_RECOGNITION", "Find the rule behind sequences and structures.",
              "Recognise recurring structure and predict what comes next", ("sequences", "sorting")),
    HobbySpec("BENCHMARK_RUNNING", "Run the held-out evaluation suites to measure proficiency.",
              "Measure current performance on held-out benchmarks",
              ("arithmetic", "string_transform", "sequences", "sorting", "json_extraction", "tool_use")),
    HobbySpec("TOOL_MASTERY", "Practise items that need a tool (a calculator, a memory-hub lookup), graded on the "
              "outcome.", "Use tools correctly and efficiently", ("tool_use",)),
    HobbySpec("CODE_ANALYSIS", "Write and check small functions in a sandbox.",
              "Read, write and reason about code", ("code",), enabled_by_default=False),
    HobbySpec("RESEARCH_INTEGRATION", "Study documents in depth and integrate their findings as memories.",
              "Integrate research findings into working knowledge", (), enabled_by_default=False),
    HobbySpec("CREATIVE_PROBLEM_SOLVING", "Find several solutions to a constrained problem, each checked.",
              "Generate and check several solutions to one problem", ("json_extraction", "tool_use")),
]}
NAMES = tuple(CATALOGUE)

PRACTICE_BUILT: frozenset[str] = frozenset({"SKILL_PRACTICE", "PATTERN_RECOGNITION", "BENCHMARK_RUNNING",
                                           "CODE_ANALYSIS"})


def hobby_name(value) -> str | None:
    """The canonical name of a hobby type given in any case ("skill_practice"), or None if there is none."""
    if not isinstance(value, str):
        return None
    upper = value.strip().upper()
    return upper if upper in CATALOGUE else None
