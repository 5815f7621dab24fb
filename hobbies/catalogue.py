"""The originals' eight hobby types (docs/originals.md 1.1), what each is for, and what each practises.

Pure Python. `suites` names the evaluation suites a type draws its items from, where it draws from suites;
types with a practice of their own (hobbies.exercises) have none, or, for tool mastery, the suite whose
questions it runs as real tool calls. `PRACTICE_BUILT` names the types whose practice exists: a type missing
from it cannot be enabled, and says so. All eight are built:

    suites            skill practice, pattern recognition, benchmark running, code analysis
    documents         knowledge exploration, research integration (hobbies.exercises.documents)
    tools             tool mastery (hobbies.exercises.tools)
    creative          creative problem solving (hobbies.exercises.creative)
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
    # Tokens a model needs to read this type's prompts (whole passages for documents): the scheduler and
    # distribution do not give a type to a model whose context is shorter, which could only fail it.
    min_context: int = 0

    def fits(self, context_length: int) -> bool:
        """Whether a model with this context can practise it (0: unknown, as for remote endpoints: try)."""
        return not context_length or context_length >= self.min_context


CATALOGUE = {
    spec.name: spec
    for spec in [
        HobbySpec(
            "SKILL_PRACTICE",
            "Practise core skills on generated exercises and learn from graded mistakes.",
            "Practise and refine existing skills on graded exercises",
            ("arithmetic", "string_transform", "sequences", "sorting"),
        ),
        HobbySpec(
            "KNOWLEDGE_EXPLORATION",
            "Read documents in the memory hub and fill blanks taken from them (a number "
            "or a name), graded against the document; what was read is kept as memories.",
            "Explore and connect knowledge from stored documents",
            (),
            min_context=512,
        ),
        HobbySpec(
            "PATTERN_RECOGNITION",
            "Find the rule behind sequences and structures.",
            "Recognise recurring structure and predict what comes next",
            ("sequences", "sorting"),
        ),
        HobbySpec(
            "BENCHMARK_RUNNING",
            "Run the held-out evaluation suites to measure proficiency.",
            "Measure current performance on held-out benchmarks",
            ("arithmetic", "string_transform", "sequences", "sorting", "json_extraction", "tool_use"),
        ),
        HobbySpec(
            "TOOL_MASTERY",
            "Write the tool call a question needs (calculator, unit conversion, memory-hub "
            "lookups); the call is run and graded on its outcome.",
            "Use tools correctly and efficiently",
            ("tool_use",),
        ),
        HobbySpec(
            "CODE_ANALYSIS",
            "Write and check small functions in a sandbox.",
            "Read, write and reason about code",
            ("code",),
            enabled_by_default=False,
        ),
        HobbySpec(
            "RESEARCH_INTEGRATION",
            "Answer questions that need two documents of the memory hub read together; "
            "what was read is kept as memories.",
            "Integrate research findings into working knowledge",
            (),
            enabled_by_default=False,
            min_context=1024,
        ),
        HobbySpec(
            "CREATIVE_PROBLEM_SOLVING",
            "Find three different solutions to a constrained problem, each checked; "
            "scored by the share that are valid and distinct.",
            "Generate and check several solutions to one problem",
            (),
        ),
    ]
}
NAMES = tuple(CATALOGUE)

PRACTICE_BUILT: frozenset[str] = frozenset(CATALOGUE)


def hobby_name(value) -> str | None:
    """The canonical name of a hobby type given in any case ("skill_practice"), or None if there is none."""
    if not isinstance(value, str):
        return None
    upper = value.strip().upper()
    return upper if upper in CATALOGUE else None
