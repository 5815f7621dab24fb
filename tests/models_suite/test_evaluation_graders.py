"""Graders: each one's edge cases, its detail text, and the code sandbox's limits."""

from __future__ import annotations

import os
import signal
import time
from typing import Any

import pytest

from models_suite.evaluation import GraderError, Item, grade, validate_args
from models_suite.evaluation.graders import assemble_program, first_json_object, first_number
from models_suite.evaluation.sandbox import _summarise, run_code


def item(answer: str, grader: str, **args: Any) -> Item:
    return Item(id="t/heldout/0", suite="t", split="heldout", prompt="Q:", answer=answer, grader=grader,
                grader_args=args)  # fmt: skip


# --- exact -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("output", ["CAT", " CAT ", "CAT\nQ:upper(dog)=DOG", "\n\n  CAT\n", "CAT\r\nmore"])
def test_exact_takes_the_first_line_stripped(output):
    assert grade(item("CAT", "exact"), output).correct


@pytest.mark.parametrize("output", ["cat", "CATS", "", "C AT", "Q:CAT", "\n"])
def test_exact_refuses_anything_else(output):
    result = grade(item("CAT", "exact"), output)
    assert not result.correct and result.score == 0.0
    assert "expected 'CAT'" in result.detail and "got" in result.detail


def test_exact_can_ignore_case_when_asked():
    assert grade(item("CAT", "exact", case_sensitive=False), "cat").correct


# --- numeric -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("output", ["85", "85\nQ:1+1=2", "the answer is 85.", " 85.0", "+85", "85 apples"])
def test_numeric_takes_the_first_number(output):
    assert grade(item("85", "numeric"), output).correct


@pytest.mark.parametrize("output", ["84", "86", "8 5", "850", "-85", "85.0001"])
def test_numeric_integers_are_exact_by_default(output):
    result = grade(item("85", "numeric"), output)
    assert not result.correct
    assert result.detail.startswith("expected 85, got ")


def test_numeric_without_a_number_says_so():
    result = grade(item("85", "numeric"), "eighty five")
    assert not result.correct and "no number" in result.detail and "eighty five" in result.detail


def test_numeric_negative_and_float_answers():
    assert grade(item("-12", "numeric"), "-12").correct
    assert grade(item("0.3333333", "numeric"), "0.33333331").correct  # 1e-6 relative by default for floats
    assert not grade(item("0.3333333", "numeric"), "0.3334").correct
    assert grade(item("1e3", "numeric"), "1000").correct


def test_numeric_tolerances_from_grader_args():
    assert grade(item("100", "numeric", abs_tol=2), "98").correct
    assert not grade(item("100", "numeric", abs_tol=1), "98").correct
    assert grade(item("100", "numeric", rel_tol=0.05), "104").correct
    assert grade(item("ignored text", "numeric", expected=7), "7").correct


def test_first_number_parses_ints_and_floats():
    assert first_number("x=-3.5e2 and 4") == -350.0
    assert first_number("42") == 42 and isinstance(first_number("42"), int)
    assert first_number("none") is None


# --- regex -------------------------------------------------------------------------------------------------


PATTERN = r"CALL\s+calc\(\s*17\s*\*\s*23\s*\)"


@pytest.mark.parametrize("output", ["CALL calc(17*23)", "CALL calc( 17 * 23 )", "  CALL calc(17*23)\nQ:next"])
def test_regex_full_matches_the_first_line(output):
    assert grade(item("CALL calc(17*23)", "regex", pattern=PATTERN), output).correct


@pytest.mark.parametrize("output", ["CALL calc(17*23) now", "I will CALL calc(17*23)", "CALL calc(17*24)", "391", ""])
def test_regex_refuses_partial_or_other_matches(output):
    result = grade(item("CALL calc(17*23)", "regex", pattern=PATTERN), output)
    assert not result.correct
    assert PATTERN in result.detail and "CALL calc(17*23)" in result.detail


def test_regex_ignore_case_and_invalid_patterns():
    assert grade(item("yes", "regex", pattern="yes", ignore_case=True), "YES").correct
    with pytest.raises(GraderError, match="invalid regex"):
        grade(item("x", "regex", pattern="("), "x")
    with pytest.raises(GraderError, match="pattern"):
        grade(item("x", "regex"), "x")


# --- json_field --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "output",
    ['{"age":31}', '{ "name": "ana", "age": 31 }', 'here: {"age": 31.0} done', '{bad} {"age":31}', '{"age":31}\nQ:'],
)
def test_json_field_compares_one_field_of_the_first_object(output):
    assert grade(item('{"age":31}', "json_field", field="age"), output).correct


@pytest.mark.parametrize(
    ("output", "why"),
    [
        ('{"age":30}', "expected 31, got 30"),
        ('{"name":"ana"}', "without it"),
        ("31", "got none"),
        ('{"age":"31"}', 'expected 31, got "31"'),
        ('{"age":true}', "got true"),
    ],
)
def test_json_field_failures_say_why(output, why):
    result = grade(item('{"age":31}', "json_field", field="age"), output)
    assert not result.correct and why in result.detail


def test_json_field_nested_paths_and_explicit_expected_values():
    assert grade(item('{"user":{"name":"ana"}}', "json_field", field="user.name"), '{"user":{"name":"ana"}}').correct
    assert grade(item("anything", "json_field", field="ok", expected=True), '{"ok": true}').correct
    assert not grade(item("anything", "json_field", field="ok", expected=True), '{"ok": 1}').correct
    with pytest.raises(GraderError, match="missing from the reference"):
        grade(item('{"a":1}', "json_field", field="b"), '{"b":1}')


def test_first_json_object_skips_non_objects():
    assert first_json_object('[1,2] {"a": {"b": 1}}') == {"a": {"b": 1}}
    assert first_json_object("{oops") is None


# --- dispatch ----------------------------------------------------------------------------------------------


def test_an_unknown_grader_is_a_clear_error():
    with pytest.raises(GraderError, match="unknown grader 'fuzzy'.*exact"):
        grade(item("x", "fuzzy"), "x")


def test_validate_args_refuses_unknown_args_and_self_failing_references():
    with pytest.raises(GraderError, match="unknown grader_args patern"):
        validate_args("regex", {"patern": "x"}, "x")
    with pytest.raises(GraderError, match="does not pass its own grader"):
        validate_args("regex", {"pattern": "a+"}, "b")
    with pytest.raises(GraderError, match="non-negative"):
        validate_args("numeric", {"abs_tol": -1}, "3")
    validate_args("numeric", {"abs_tol": 0.5}, "3")


# --- code --------------------------------------------------------------------------------------------------

ADD_TESTS = [
    {"call": "add(2,3)", "expect": 5},
    {"call": "add(-1,1)", "expect": 0},
    {"call": "add(10,20)", "expect": 30},
]
HEADER = 'def add(a, b):\n    """Return a plus b."""\n'


def code_item(tests: list[dict[str, Any]] = ADD_TESTS, **args: Any) -> Item:
    return item("    return a + b", "code", entry="add", header=HEADER, tests=tests, **args)


@pytest.mark.parametrize(
    "answer",
    [
        "    return a + b",
        "return a + b",  # unindented body
        "def add(a, b):\n    return a + b",  # a whole definition
        "```python\ndef add(a, b):\n    return a + b\n```\nThis adds.",  # fenced, with chatter after
        "    total = a + b\n    print('debug', total)\n    return total",  # prints do not disturb the report
    ],
)
def test_code_accepts_correct_bodies_and_definitions(answer):
    result = grade(code_item(), answer)
    assert result.correct and result.score == 1.0, result.detail
    assert result.detail.startswith("3/3 hidden cases passed")


def test_code_gives_partial_credit_and_names_the_failures():
    result = grade(code_item(), "    return abs(a) + b")
    assert not result.correct and result.score == pytest.approx(2 / 3)
    assert "add(-1,1): expected 0, got 2" in result.detail


def test_code_that_does_not_load_scores_zero():
    result = grade(code_item(), "    return a +")
    assert not result.correct and result.score == 0.0 and "SyntaxError" in result.detail
    # A definition of another name becomes the body of `add`, which then returns None.
    assert grade(code_item(), "def plus(a, b):\n    return a + b").score == 0.0


def test_code_missing_entry_is_reported():
    result = run_code("def plus(a, b):\n    return a + b", "add", ADD_TESTS)
    assert result.status == "load_error" and "'add' is not defined" in result.message


def test_code_expected_exceptions_and_unexpected_ones():
    tests = [{"call": "div(1, 0)", "raises": "ZeroDivisionError"}, {"call": "div(6, 3)", "expect": 2}]
    args = {"entry": "div", "header": "def div(a, b):\n", "tests": tests}
    assert grade(item("    return a // b", "code", **args), "    return a // b").correct
    result = grade(item("x", "code", **args), "    raise ValueError('no')")
    assert result.score == 0.0 and "ValueError: no" in result.detail


def test_an_infinite_loop_times_out_without_hurting_us():
    started = time.monotonic()
    result = grade(code_item(timeout_s=0.5), "    while True:\n        pass")
    assert time.monotonic() - started < 5
    assert not result.correct and result.score == 0.0
    assert "timed out after 0.5 s" in result.detail and "add(2,3)" in result.detail


def test_calls_finished_before_a_timeout_still_count():
    answer = "    if a == 10:\n        while True: pass\n    return a + b"
    result = grade(code_item(timeout_s=0.5), answer)
    assert result.score == pytest.approx(2 / 3) and "timed out" in result.detail and "1 not run" in result.detail


@pytest.mark.parametrize(
    "answer",
    [
        "    return len(bytearray(1 << 30))",  # one huge allocation
        "    xs = []\n    while True:\n        xs.append(' ' * 10**6)",  # growth until the limit
    ],
)
def test_memory_hogs_hit_the_limit(answer):
    started = time.monotonic()
    result = grade(code_item(), answer)
    assert time.monotonic() - started < 10
    assert not result.correct and "ran out of memory (limit 256 MiB)" in result.detail


def test_the_cpu_limit_and_crashes_are_told_apart():
    # SIGXCPU comes from RLIMIT_CPU (e.g. many busy threads outrunning the wall clock); other deaths are crashes.
    reports = [{"loaded": True}, {"i": 0, "value": 5, "repr": "5"}]
    cpu = _summarise(ADD_TESTS, reports, -signal.SIGXCPU, False, "", 2.0, 256, 1.0)
    assert cpu.status == "timeout" and "timed out (CPU time limit) while running add(-1,1)" in cpu.message
    assert cpu.passed == 1 and cpu.score == pytest.approx(1 / 3)
    crash = _summarise(ADD_TESTS, reports, -signal.SIGSEGV, False, "Fatal Python error: x\n", 2.0, 256, 1.0)
    assert crash.status == "crashed" and "Fatal Python error" in crash.message


def test_memory_at_definition_time_is_reported():
    result = run_code("BIG = bytearray(1 << 30)\ndef add(a, b):\n    return a + b", "add", ADD_TESTS)
    assert result.status == "memory" and result.score == 0.0


def test_shelling_out_is_refused_and_nothing_happens(tmp_path):
    marker = tmp_path / "hacked"
    answer = f"    import os\n    os.system('touch {marker}')\n    return a + b"
    result = grade(code_item(), answer)
    assert not result.correct and "blocked by sandbox: os.system" in result.detail
    answer = f"    import subprocess\n    subprocess.run(['touch', '{marker}'])\n    return a + b"
    assert "blocked by sandbox" in grade(code_item(), answer).detail
    assert not marker.exists()


def test_files_outside_the_sandbox_cannot_be_read_or_written(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("token")
    read = grade(code_item(), f"    return open({str(secret)!r}).read()")
    assert "blocked by sandbox: open" in read.detail and "token" not in read.detail
    target = tmp_path / "written.txt"
    wrote = grade(code_item(), f"    open({str(target)!r}, 'w').write('x')\n    return a + b")
    assert "blocked by sandbox" in wrote.detail and not target.exists()
    # Its own empty working directory is fine to use.
    local = "    open('scratch.txt', 'w').write(str(a + b))\n    return int(open('scratch.txt').read())"
    assert grade(code_item(), local).correct


def test_networking_is_refused():
    result = grade(code_item(), "    import socket\n    return a + b")
    assert "blocked by sandbox: import socket" in result.detail


def test_exiting_early_is_a_crash_not_a_pass():
    result = grade(code_item(), "    import os\n    os._exit(0)")
    assert not result.correct and "ended early" in result.detail
    result = grade(code_item(), "    raise SystemExit(0)")
    assert not result.correct and "SystemExit" in result.detail


def test_returned_types_are_compared_strictly():
    tests = [{"call": "f()", "expect": [1, 2]}]
    args = {"entry": "f", "header": "def f():\n", "tests": tests}
    assert grade(item("x", "code", **args), "    return (1, 2)").correct  # a tuple reads as a JSON list
    assert not grade(item("x", "code", **args), "    return {1, 2}").correct
    bools = {"entry": "f", "header": "def f():\n", "tests": [{"call": "f()", "expect": True}]}
    assert not grade(item("x", "code", **bools), "    return 1").correct


def test_the_child_never_sees_expected_values(monkeypatch):
    # Code that digs through its own process must find nothing to copy: only the calls are sent.
    from models_suite.evaluation import sandbox

    sent: list[bytes] = []
    real_frame = sandbox._frame
    monkeypatch.setattr(sandbox, "_frame", lambda fields: sent.append(real_frame(fields)) or sent[-1])
    tests = [{"call": "add(400000, 24242)", "expect": 424242}]
    assert grade(code_item(tests), "    return a + b").correct
    assert b"add(400000, 24242)" in sent[0] and b"424242" not in sent[0]


def test_the_test_process_is_unchanged_after_sandbox_runs():
    cwd, env = os.getcwd(), dict(os.environ)
    grade(code_item(), "    import os\n    os.chdir('/')\n    os.environ['X_SANDBOX'] = '1'\n    return a + b")
    assert os.getcwd() == cwd and dict(os.environ) == env


def test_assemble_program_indents_bodies_and_keeps_definitions():
    assert assemble_program("return a+b", "add", "def add(a,b):\n") == "def add(a,b):\n    return a+b\n"
    assert assemble_program("", "add", "def add(a,b):\n") == "def add(a,b):\n    pass\n"
    whole = "def add(a,b):\n    return a+b"
    assert assemble_program(whole, "add", "def add(a,b):\n") == whole


def test_code_grader_args_are_checked():
    with pytest.raises(GraderError, match="tests"):
        grade(item("x", "code", entry="add", tests=[]), "x")
    with pytest.raises(GraderError, match="entry"):
        grade(item("x", "code", tests=ADD_TESTS), "x")
    with pytest.raises(GraderError, match="exactly one of 'expect' or 'raises'"):
        validate_args("code", {"entry": "f", "tests": [{"call": "f()"}]}, "x")
    with pytest.raises(GraderError, match="not an expression"):
        validate_args("code", {"entry": "f", "tests": [{"call": "f(", "expect": 1}]}, "x")
