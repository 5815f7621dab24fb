"""The structured analysis of graded attempts: failure kinds, and findings with their evidence."""

import pytest

from hobbies.analysis import GradedAttempt, analyse, failure_kind


@pytest.mark.parametrize(
    "expected, answer, kind",
    [
        ("85", "", "empty"),
        ("85", "83", "off_by_small"),
        ("85", "185", "wrong_number"),
        ("CAT", "cat", "case_only"),
        ("tac", "cat", "reordered"),
        ("2,5,8", "2,5,8 done", "extra_text"),
        ("2,5,8,9", "2,5", "partial"),
        ("abc", "xyzw", "wrong_length"),
        ("abc", "xyz", "other"),
    ],
)
def test_failure_kinds(expected, answer, kind):
    assert failure_kind(expected, answer) == kind


def attempt(key, skill, expected, answer):
    return GradedAttempt(key=key, skill=skill, expected=expected, answer=answer, correct=answer == expected)


def test_findings_name_the_skill_the_kind_and_the_evidence():
    attempts = [
        attempt("a1", "addition", "85", "83"),
        attempt("a2", "addition", "40", "41"),
        attempt("a3", "addition", "12", "12"),
        attempt("a4", "addition", "70", "700"),
        attempt("r1", "reverse", "tac", "tac"),
    ]
    findings = analyse(attempts)
    rate = findings[0]
    assert (rate.skill, rate.kind, rate.text, rate.evidence, rate.share) == (
        "addition",
        "success_rate",
        "addition: 1 of 4 correct",
        ["a3"],
        0.25,
    )
    [close] = [f for f in findings if f.kind == "off_by_small"]
    assert close.evidence == ["a1", "a2"] and close.text == "addition: 2 of 4 answers were close but off by at most 10"
    assert not [f for f in findings if f.kind == "wrong_number"]  # once is an accident, not a pattern
    assert [f.kind for f in findings if f.skill == "reverse"] == ["success_rate"]
