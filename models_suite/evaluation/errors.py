"""The two errors callers of the evaluation package catch: bad suites and bad grading requests."""

from __future__ import annotations


class SuiteError(ValueError):
    """A suite cannot be built or loaded: unknown name, invalid JSONL line, input space too small."""


class GraderError(ValueError):
    """An item cannot be graded at all: unknown grader or invalid grader_args (a wrong answer is a Grade)."""
