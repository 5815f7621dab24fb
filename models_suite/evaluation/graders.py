"""Graders: `grade(item, answer_text) -> Grade`, dispatching on `item.grader`.

Model outputs ramble (a small model keeps writing the next "Q:..." line), so line-based graders look at the
first non-blank line only; numeric takes the first number; json_field the first JSON object. Every Grade's
detail says what was expected and what was got, so a person reading a failed attempt sees why at once.
A wrong answer is a Grade; only an item that cannot be graded at all (unknown grader, bad grader_args)
raises GraderError.
"""

from __future__ import annotations

import json
import math
import re
import textwrap
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from .base import Grade, Item
from .errors import GraderError
from .sandbox import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_S, run_code

NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def show(text: str, limit: int = 80) -> str:
    """A short, quoted view of model output for details."""
    return repr(text if len(text) <= limit else text[:limit] + "...")


def first_line(text: str) -> str:
    """The first non-blank line, stripped: the answer, before the model's rambling goes on."""
    stripped = text.strip()
    return stripped.splitlines()[0].strip() if stripped else ""


def first_number(text: str) -> int | float | None:
    match = NUMBER.search(text)
    if match is None:
        return None
    token = match.group()
    return float(token) if any(c in token for c in ".eE") else int(token)


def _fmt(value: Any) -> str:
    """Values in details as JSON (strings quoted, true/false), so "31" and 31 read differently."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


# --- exact -------------------------------------------------------------------------------------------------


def grade_exact(item: Item, text: str) -> Grade:
    got, expected = first_line(text), item.answer.strip()
    if item.grader_args.get("case_sensitive", True):
        ok = got == expected
    else:
        ok = got.casefold() == expected.casefold()
    return Grade(ok, 1.0 if ok else 0.0, f"expected {expected!r}, got {show(got)}")


# --- numeric -----------------------------------------------------------------------------------------------


def _numeric_expected(item: Item) -> int | float:
    expected = item.grader_args.get("expected")
    if expected is None:
        expected = first_number(item.answer)
    if isinstance(expected, bool) or not isinstance(expected, (int, float)):
        raise GraderError(f"{item.id}: numeric grader needs a number as answer or grader_args.expected")
    return expected


def grade_numeric(item: Item, text: str) -> Grade:
    expected = _numeric_expected(item)
    got = first_number(text)
    if got is None:
        return Grade(False, 0.0, f"expected {expected}, got no number in {show(text)}")
    args = item.grader_args
    if "abs_tol" in args or "rel_tol" in args or isinstance(expected, float):
        # Floats get a relative tolerance by default; integers are exact unless a tolerance is given.
        rel_tol = args.get("rel_tol", 1e-6 if isinstance(expected, float) else 0.0)
        ok = math.isclose(got, expected, rel_tol=rel_tol, abs_tol=args.get("abs_tol", 0.0))
    else:
        ok = got == expected
    return Grade(ok, 1.0 if ok else 0.0, f"expected {expected}, got {got}")


# --- regex -------------------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _compile(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    except re.error as exc:
        raise GraderError(f"invalid regex {pattern!r}: {exc}") from exc


def grade_regex(item: Item, text: str) -> Grade:
    pattern = item.grader_args.get("pattern")
    if not isinstance(pattern, str):
        raise GraderError(f"{item.id}: regex grader needs grader_args.pattern (a string)")
    got = first_line(text)
    ok = _compile(pattern, bool(item.grader_args.get("ignore_case", False))).fullmatch(got) is not None
    return Grade(ok, 1.0 if ok else 0.0, f"expected a match of /{pattern}/ (e.g. {item.answer!r}), got {show(got)}")


# --- json_field --------------------------------------------------------------------------------------------


def first_json_object(text: str) -> dict[str, Any] | None:
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start != -1:
        try:
            value, _ = decoder.raw_decode(text, start)
            if isinstance(value, dict):
                return value
        except json.JSONDecodeError:
            pass
        start = text.find("{", start + 1)
    return None


_MISSING = object()


def _lookup(obj: Any, path: str) -> Any:
    # "a.b" walks nested objects; a key that itself contains a dot is found directly first.
    if isinstance(obj, dict) and path in obj:
        return obj[path]
    for part in path.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return _MISSING
        obj = obj[part]
    return obj


def _json_expected(item_id: str, args: dict[str, Any], answer: str) -> Any:
    if "expected" in args:
        return args["expected"]
    try:
        reference = json.loads(answer)
    except json.JSONDecodeError:
        reference = first_json_object(answer)
        if reference is None:
            raise GraderError(f"{item_id}: json_field answer is not JSON and grader_args.expected is absent") from None
    if isinstance(reference, dict):
        value = _lookup(reference, args["field"])
        if value is _MISSING:
            raise GraderError(f"{item_id}: field {args['field']!r} is missing from the reference answer")
        return value
    return reference


def _json_same(got: Any, expected: Any) -> bool:
    if isinstance(got, bool) or isinstance(expected, bool):
        return type(got) is type(expected) and got == expected
    if isinstance(got, (int, float)) and isinstance(expected, (int, float)):
        return math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12)
    return got == expected


def grade_json_field(item: Item, text: str) -> Grade:
    field = item.grader_args.get("field")
    if not isinstance(field, str) or not field:
        raise GraderError(f"{item.id}: json_field grader needs grader_args.field (a non-empty string)")
    expected = _json_expected(item.id, item.grader_args, item.answer)
    obj = first_json_object(text)
    if obj is None:
        return Grade(False, 0.0, f"expected a JSON object with {field}={_fmt(expected)}, got none in {show(text)}")
    got = _lookup(obj, field)
    if got is _MISSING:
        return Grade(False, 0.0, f"expected field {field!r}={_fmt(expected)}, got an object without it: {show(text)}")
    ok = _json_same(got, expected)
    return Grade(ok, 1.0 if ok else 0.0, f"field {field!r}: expected {_fmt(expected)}, got {_fmt(got)}")


# --- code --------------------------------------------------------------------------------------------------


def assemble_program(answer: str, entry: str, header: str = "") -> str:
    """The program to run: the answer alone when it defines `entry` itself, else header + the answer as the
    body (re-indented, so "return a+b" and "    return a+b" both work). Markdown fences are dropped."""
    text = answer.replace("\r\n", "\n")
    fenced = re.search(r"```(?:python|py)?\n(.*?)(?:```|$)", text, re.DOTALL)
    if fenced:
        text = fenced.group(1)
    if not header or re.search(rf"^\s*def\s+{re.escape(entry)}\s*\(", text, re.MULTILINE):
        return text
    body = textwrap.dedent(text.strip("\n")) or "pass"
    return header.rstrip("\n") + "\n" + textwrap.indent(body, "    ") + "\n"


def grade_code(item: Item, text: str) -> Grade:
    args = item.grader_args
    try:
        _check_code_args(args)
    except GraderError as exc:
        raise GraderError(f"{item.id}: {exc}") from exc
    program = assemble_program(text, args["entry"], args.get("header", ""))
    result = run_code(
        program,
        args["entry"],
        args["tests"],
        timeout_s=float(args.get("timeout_s", DEFAULT_TIMEOUT_S)),
        memory_mb=int(args.get("memory_mb", DEFAULT_MEMORY_MB)),
    )
    total = result.total
    failed = [c for c in result.cases if not c.passed]
    parts = [f"{result.passed}/{total} hidden cases passed"]
    if result.message:
        parts.append(result.message)
    for case in failed[:3]:
        want = args["tests"][case.index]
        wanted = f"raise {want['raises']}" if "raises" in want else _fmt(want.get("expect"))
        parts.append(f"{case.call}: expected {wanted}, got {case.got}")
    if len(failed) > 3:
        parts.append(f"and {len(failed) - 3} more failed")
    unrun = total - len(result.cases)
    if unrun and result.status != "load_error":
        parts.append(f"{unrun} not run")
    ok = result.status == "ok" and result.passed == total
    return Grade(ok, round(result.score, 6), "; ".join(parts)[:1000])


# --- dispatch and validation -------------------------------------------------------------------------------

GRADERS: dict[str, Callable[[Item, str], Grade]] = {
    "exact": grade_exact,
    "numeric": grade_numeric,
    "regex": grade_regex,
    "json_field": grade_json_field,
    "code": grade_code,
}

ALLOWED_ARGS: dict[str, frozenset[str]] = {
    "exact": frozenset({"case_sensitive"}),
    "numeric": frozenset({"expected", "abs_tol", "rel_tol"}),
    "regex": frozenset({"pattern", "ignore_case"}),
    "json_field": frozenset({"field", "expected"}),
    "code": frozenset({"entry", "header", "tests", "timeout_s", "memory_mb"}),
}


def grade(item: Item, answer_text: str) -> Grade:
    """Grade one model output against one item."""
    grader = GRADERS.get(item.grader)
    if grader is None:
        raise GraderError(f"{item.id}: unknown grader {item.grader!r}; known graders: {', '.join(sorted(GRADERS))}")
    return grader(item, answer_text if isinstance(answer_text, str) else str(answer_text))


def _check_code_args(args: dict[str, Any]) -> None:
    if not isinstance(args.get("entry"), str) or not IDENTIFIER.match(args["entry"]):
        raise GraderError("grader_args.entry must be the function name to test")
    if "header" in args and not isinstance(args["header"], str):
        raise GraderError("grader_args.header must be a string")
    tests = args.get("tests")
    if not isinstance(tests, list) or not tests:
        raise GraderError('grader_args.tests must be a non-empty list like [{"call": "add(2,3)", "expect": 5}]')
    for n, test in enumerate(tests):
        if not isinstance(test, dict) or not isinstance(test.get("call"), str):
            raise GraderError(f"grader_args.tests[{n}] needs a 'call' string")
        if ("expect" in test) == ("raises" in test):
            raise GraderError(f"grader_args.tests[{n}] needs exactly one of 'expect' or 'raises'")
        try:
            compile(test["call"], "<call>", "eval")
        except SyntaxError as exc:
            raise GraderError(f"grader_args.tests[{n}].call is not an expression: {exc.msg}") from exc
    timeout = args.get("timeout_s", DEFAULT_TIMEOUT_S)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= 60:
        raise GraderError("grader_args.timeout_s must be a number of seconds in (0, 60]")
    memory = args.get("memory_mb", DEFAULT_MEMORY_MB)
    if isinstance(memory, bool) or not isinstance(memory, int) or not 64 <= memory <= 8192:
        raise GraderError("grader_args.memory_mb must be an integer in [64, 8192]")


def validate_args(grader: str, args: dict[str, Any], answer: str) -> None:
    """Check that an item with this grader, args and reference answer can be graded, and that the reference
    answer passes its own grader (except `code`, which would need a process per item). Raises GraderError."""
    if grader not in GRADERS:
        raise GraderError(f"unknown grader {grader!r}; known graders: {', '.join(sorted(GRADERS))}")
    unknown = sorted(set(args) - ALLOWED_ARGS[grader])
    if unknown:
        raise GraderError(
            f"unknown grader_args {', '.join(unknown)}; allowed: {', '.join(sorted(ALLOWED_ARGS[grader]))}"
        )
    for key in ("abs_tol", "rel_tol"):
        value = args.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise GraderError(f"grader_args.{key} must be a non-negative number")
    if grader == "regex":
        if not isinstance(args.get("pattern"), str):
            raise GraderError("grader_args.pattern (a string) is required")
        _compile(args["pattern"], bool(args.get("ignore_case", False)))
    if grader == "json_field" and (not isinstance(args.get("field"), str) or not args["field"]):
        raise GraderError("grader_args.field (a non-empty string) is required")
    if grader == "code":
        _check_code_args(args)
        return
    probe = Item(id="<validation>", suite="", split="train", prompt="", answer=answer, grader=grader, grader_args=args)
    result = grade(probe, answer)
    if not result.correct:
        raise GraderError(f"the reference answer does not pass its own grader ({result.detail})")
