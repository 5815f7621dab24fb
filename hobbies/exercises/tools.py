"""TOOL_MASTERY: questions that need a tool, graded on what the model's call yields, not on how it is written.

The items are the tool_use suite's (its train split for practice, its held-out split for the probe, so practice
never sees what proficiency is measured on). The model answers with one call in the suite's syntax, which this
source then runs:

    CALL calc(17*23)            arithmetic: + - * / // % ** and parentheses on numbers
    CALL get(u452,email)        a lookup in the memory hub: a field of a record (records this source seeds)
    CALL conv(12,km,m)          unit conversion: km/m, kg/g, h/min, l/ml, either way round
    CALL dict(kemo)             a lookup in the memory hub: a word's entry in a glossary this source seeds

A call is right when its outcome equals the reference call's (CALL calc(23*17) is as right as calc(17*23));
a call that cannot be run (no call, an unknown tool, arguments that do not parse) is wrong, and the grade's
detail says why. The stored answer is the model's call and, on a second line, what it gave ("=> 391"), so an
attempt shows both.

The lookups read the key-value store (namespace knowledge_base, keys "hobby-tools:..."): its namespaces are a
fixed set, so the key prefix is this source's own corner of it. The records and glossary entries are
generated from the record's or word's name alone, so the expected outcome is known without the hub, and the
source writes them to the hub before running calls, so a lookup finds what the question is about.
"""

from __future__ import annotations

import ast
import dataclasses
import math
import operator
import random
import re
from collections.abc import Callable

from hobbies.exercises import SuiteSource, register
from memoryhub.services.kv import kv_get, kv_set
from models_suite.evaluation import Grade, Item, Split
from models_suite.evaluation.graders import first_line, show
from models_suite.evaluation.suites import derive_seed

KV_NAMESPACE = "knowledge_base"
KV_PREFIX = "hobby-tools"
SEEDED_FOR_SECONDS = 7 * 24 * 3600  # written again before every use; the expiry only clears out old ones
OUTCOME_MARK = "=> "


class ToolError(Exception):
    """The call cannot be run; the message says why (it becomes the grade's detail)."""


# --- the calculator ------------------------------------------------------------------------------------------
# Python's ast parses the expression (parsing runs nothing) and only the nodes below are evaluated: no eval().
# A library (simpleeval, asteval) would be a new dependency for some thirty lines.
_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[float], float]] = {ast.UAdd: operator.pos, ast.USub: operator.neg}
MAX_EXPRESSION_CHARS = 200  # also bounds the parser's recursion
MAX_EXPONENT = 64
MAX_MAGNITUDE = 1e30


def calculate(expression: str) -> int | float:
    """The value of an arithmetic expression, or ToolError naming what is wrong with it."""
    text = expression.strip()
    if not text:
        raise ToolError("calc needs an expression, got nothing")
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ToolError(f"calc takes at most {MAX_EXPRESSION_CHARS} characters")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise ToolError(f"calc: {text!r} is not an arithmetic expression") from None
    value = _evaluate(tree.body)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value


def _evaluate(node: ast.AST) -> int | float:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_evaluate(node.operand))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _evaluate(node.left), _evaluate(node.right)
        if isinstance(node.op, ast.Pow) and (abs(right) > MAX_EXPONENT or abs(left) > MAX_MAGNITUDE):
            raise ToolError(f"calc: powers are limited to exponents of at most {MAX_EXPONENT}")
        try:
            value = _BINARY[type(node.op)](left, right)
        except ZeroDivisionError:
            raise ToolError("calc: division by zero") from None
        except OverflowError:
            raise ToolError("calc: the result is out of range") from None
        if isinstance(value, complex) or abs(value) > MAX_MAGNITUDE:
            raise ToolError("calc: the result is out of range")
        return value
    raise ToolError(f"calc: only numbers, + - * / // % ** and parentheses are allowed, not {type(node).__name__}")


# --- conversions ---------------------------------------------------------------------------------------------
_FACTORS = {("km", "m"): 1000, ("kg", "g"): 1000, ("h", "min"): 60, ("l", "ml"): 1000}
FACTORS = {**_FACTORS, **{(into, unit): 1 / factor for (unit, into), factor in _FACTORS.items()}}


def convert(amount: str, unit: str, into: str) -> int | float:
    if (unit, into) not in FACTORS:
        known = ", ".join(f"{a}->{b}" for a, b in FACTORS)
        raise ToolError(f"conv: cannot convert {unit!r} into {into!r}; known: {known}")
    try:
        number = float(amount)
    except ValueError:
        raise ToolError(f"conv: the amount {amount!r} is not a number") from None
    value = number * FACTORS[(unit, into)]
    return int(value) if float(value).is_integer() else round(value, 9)


# --- what the hub holds --------------------------------------------------------------------------------------
_NAMES = ["ada", "ben", "cleo", "dan", "eli", "fay", "gus", "hana", "ivan", "june", "kai", "lina"]
_CITIES = ["oslo", "rome", "lima", "kyiv", "riga", "bonn", "nice", "cork", "york", "baku"]
_ADJECTIVES = ["small", "round", "bright", "quiet", "old", "sharp", "soft", "heavy"]
_NOUNS = ["stone", "boat", "song", "tool", "bird", "lamp", "bowl", "coat"]


def record_for(record: str) -> dict[str, str]:
    """The record a get() call reads: generated from its name alone, so every machine seeds the same one."""
    rng = random.Random(derive_seed(KV_PREFIX, "record", record))
    name = rng.choice(_NAMES)
    return {
        "name": name,
        "email": f"{name}{rng.randint(1, 99)}@example.org",
        "city": rng.choice(_CITIES),
        "phone": f"555-{rng.randint(0, 9999):04d}",
    }


def entry_for(word: str) -> str:
    """The glossary entry a dict() call reads."""
    rng = random.Random(derive_seed(KV_PREFIX, "dict", word))
    return f"a {rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"


def _record_key(record: str) -> str:
    return f"{KV_PREFIX}:record:{record}"


def _entry_key(word: str) -> str:
    return f"{KV_PREFIX}:dict:{word}"


def seed_hub(items: list[Item]) -> None:
    """Write the records and glossary entries these items ask about (again: an operator may have changed them)."""
    for item in items:
        tool, args = item.grader_args["tool"], item.grader_args["args"]
        if tool == "get":
            kv_set(
                namespace=KV_NAMESPACE,
                key=_record_key(args[0]),
                value=record_for(args[0]),
                expire_seconds=SEEDED_FOR_SECONDS,
            )
        elif tool == "dict":
            kv_set(
                namespace=KV_NAMESPACE,
                key=_entry_key(args[0]),
                value=entry_for(args[0]),
                expire_seconds=SEEDED_FOR_SECONDS,
            )


def _lookup(record: str, field: str) -> str:
    found = kv_get(namespace=KV_NAMESPACE, key=_record_key(record))["value"]
    if not isinstance(found, dict):
        raise ToolError(f"get: the memory hub holds no record {record!r}")
    if field not in found:
        raise ToolError(f"get: record {record!r} has no field {field!r} (it has {', '.join(sorted(found))})")
    return found[field]


def _define(word: str) -> str:
    found = kv_get(namespace=KV_NAMESPACE, key=_entry_key(word))["value"]
    if not isinstance(found, str):
        raise ToolError(f"dict: the glossary has no entry {word!r}")
    return found


# --- calls ---------------------------------------------------------------------------------------------------
CALL = re.compile(r"^CALL\s+([A-Za-z_]\w*)\s*\((.*)\)$")
ARITY = {"calc": 1, "get": 2, "conv": 3, "dict": 1}


def parse_call(text: str) -> tuple[str, list[str]]:
    """(tool, arguments) of the call on the answer's first line, or ToolError saying why there is none."""
    line = first_line(text)
    if "CALL" not in line:
        raise ToolError(f"no tool call in {show(line)}: expected a line like CALL calc(17*23)")
    match = CALL.match(line[line.index("CALL") :])
    if match is None:
        raise ToolError(f"malformed call {show(line)}: expected CALL name(arguments)")
    tool, inner = match.group(1), match.group(2)
    if tool not in ARITY:
        raise ToolError(f"unknown tool {tool!r}; the tools are {', '.join(ARITY)}")
    args = [inner] if tool == "calc" else [part.strip() for part in inner.split(",")]
    if len(args) != ARITY[tool] or not all(args):
        raise ToolError(f"malformed call: {tool} takes {ARITY[tool]} argument(s), got {show(inner)}")
    return tool, args


def run_call(text: str) -> int | float | str:
    """Run the call written in text: its outcome, or ToolError."""
    tool, args = parse_call(text)
    if tool == "calc":
        return calculate(args[0])
    if tool == "conv":
        return convert(*args)
    if tool == "get":
        return _lookup(*args)
    return _define(args[0])


def expected_outcome(tool: str, args: list[str]) -> int | float | str:
    """What the reference call gives, computed without the hub (the hub is seeded from the same generators)."""
    if tool == "get":
        return record_for(args[0])[args[1]]
    if tool == "dict":
        return entry_for(args[0])
    return calculate(args[0]) if tool == "calc" else convert(*args)


def same_outcome(got, expected) -> bool:
    if isinstance(got, str) or isinstance(expected, str):
        return got == expected
    return math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-9)


@register("TOOL_MASTERY")
class ToolSource(SuiteSource):
    def __init__(self):
        super().__init__(("tool_use",))

    def items(self, split: Split, *, per_suite: int, seed: int) -> list[Item]:
        return [self._outcome_graded(item) for item in super().items(split, per_suite=per_suite, seed=seed)]

    @staticmethod
    def _outcome_graded(item: Item) -> Item:
        tool, args = parse_call(item.answer)
        return dataclasses.replace(
            item,
            grader="tool_outcome",
            grader_args={"tool": tool, "args": args, "expected": expected_outcome(tool, args)},
        )

    def answer(self, backend, items: list[Item]) -> list[str]:
        seed_hub(items)
        return [with_outcome(answer) for answer in super().answer(backend, items)]

    def grade(self, item: Item, answer: str) -> Grade:
        seed_hub([item])
        expected = item.grader_args["expected"]
        try:
            got = run_call(answer)
        except ToolError as exc:
            return Grade(False, 0.0, f"{exc}; expected {expected!r} from {item.answer}")
        ok = same_outcome(got, expected)
        call = first_line(answer)
        if ok:
            return Grade(True, 1.0, f"{call} gave {got!r}, as expected")
        return Grade(False, 0.0, f"{call} gave {got!r}; expected {expected!r} (from {item.answer})")


def with_outcome(answer: str) -> str:
    """The model's call and, on the next line, what running it gave (or why it could not run)."""
    call = first_line(answer)
    try:
        outcome = repr(run_call(call))
    except ToolError as exc:
        outcome = f"error: {exc}"
    return f"{call}\n{OUTCOME_MARK}{outcome}"
