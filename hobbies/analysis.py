"""What graded attempts show: each failure's kind, and the findings a practice activity records.

Pure Python (no Django), for the practice engine: the structured analysis that produces insights and
patterns from grades always, whether or not the model can reflect on its own attempts. Every finding carries
its evidence (the attempts it rests on), so a person rating it can check it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass(frozen=True)
class GradedAttempt:
    key: str  # stable id of the attempt (its row id or the item's key)
    skill: str
    expected: str
    answer: str
    correct: bool


@dataclass
class Finding:
    """A statement about one skill, with the attempts that show it."""

    skill: str
    kind: str
    text: str
    evidence: list[str] = field(default_factory=list)
    share: float = 0.0  # of the skill's attempts


def failure_kind(expected: str, answer: str) -> str:
    """How a wrong answer is wrong, from the answer alone (no model): one of
    empty, off_by_small, wrong_number, wrong_length, reordered, case_only, extra_text, partial, other."""
    got, want = answer.strip(), expected.strip()
    if not got:
        return "empty"
    if NUMBER.match(got) and NUMBER.match(want):
        return "off_by_small" if abs(float(got) - float(want)) <= 10 else "wrong_number"
    if got.lower() == want.lower():
        return "case_only"
    if sorted(got) == sorted(want):
        return "reordered"
    if want in got:
        return "extra_text"
    if got in want or want.startswith(got[: max(1, len(got) // 2)]):
        return "partial"
    if len(got) != len(want):
        return "wrong_length"
    return "other"


KIND_TEXT = {  # completes "N of M answers ..."
    "empty": "were empty",
    "off_by_small": "were close but off by at most 10",
    "wrong_number": "were numbers far from the answer",
    "wrong_length": "had the wrong length",
    "reordered": "had the right characters in the wrong order",
    "case_only": "differed only in letter case",
    "extra_text": "had the answer but added text around it",
    "partial": "stopped partway or gave only part of the answer",
    "other": "were wrong in no recurring way",
}


def analyse(attempts: list[GradedAttempt], *, min_share: float = 0.2, min_count: int = 2) -> list[Finding]:
    """Per skill: its success rate, and each failure kind seen in at least min_count attempts making up at
    least min_share of that skill's attempts (a pattern, not an accident). Skills in order of first sight."""
    by_skill: dict[str, list[GradedAttempt]] = defaultdict(list)
    for attempt in attempts:
        by_skill[attempt.skill].append(attempt)
    findings = []
    for skill, tried in by_skill.items():
        right = [a.key for a in tried if a.correct]
        findings.append(
            Finding(
                skill, "success_rate", f"{skill}: {len(right)} of {len(tried)} correct", right, len(right) / len(tried)
            )
        )
        kinds: dict[str, list[str]] = defaultdict(list)
        for attempt in tried:
            if not attempt.correct:
                kinds[failure_kind(attempt.expected, attempt.answer)].append(attempt.key)
        for kind, keys in sorted(kinds.items(), key=lambda entry: -len(entry[1])):
            share = len(keys) / len(tried)
            if kind != "other" and len(keys) >= min_count and share >= min_share:
                findings.append(
                    Finding(skill, kind, f"{skill}: {len(keys)} of {len(tried)} answers {KIND_TEXT[kind]}", keys, share)
                )
    return findings


def mean_by_skill(scored) -> dict[str, float]:
    """The mean score of each skill, from (skill, score) pairs; skills in name order."""
    skills: dict[str, list[float]] = defaultdict(list)
    for skill, score in scored:
        skills[skill].append(score)
    return {skill: sum(scores) / len(scores) for skill, scores in sorted(skills.items())}
