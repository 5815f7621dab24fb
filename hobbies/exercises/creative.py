"""CREATIVE_PROBLEM_SOLVING: several solutions to one constrained problem, each checked by code.

Every problem asks for three different solutions and has a checker:

    pairs      Q:3 pairs a,b with a+b=17 and a>b>0?=      -> 16,1;15,2;14,3
    digits     Q:3 numbers of 3 digits, digit sum 9?=      -> 108;117;126
    json       Q:3 JSON objects with a+b=10?=              -> {"a":0,"b":10};{"a":1,"b":9};{"a":2,"b":8}
    animals    Q:3 animals of 4 letters?=                  -> bear;deer;frog   (checked against ANIMALS)

Solutions are read from the answer's first line by their shape (pairs of numbers, numbers, JSON objects, words),
so the separator does not matter. The score is the share of the three asked for that are valid and different
from each other; the attempt is correct when all three are. The detail says, solution by solution, why one
does not count. Prompts keep the suites' short "Q:...=" form, so that a model with a 64-character context can
practise too.

The problems are a fixed, finite set (every parameter in its range); each falls into train or held-out by a
hash of its prompt, and a seed draws from the split's problems: the same seed, the same problems.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from hobbies.exercises import Source, register
from models_suite.evaluation import Grade, Item, Split
from models_suite.evaluation.graders import first_line
from models_suite.evaluation.suites import derive_seed, split_of
from models_suite.services.evaluation import answers_for

SUITE = "creative"
SOLUTIONS = 3
HELDOUT_PER_MILLE = 250
ANSWER_MAX_TOKENS = 64  # three JSON objects are over 40 characters: more than the suites' answers need

# Animals a checker accepts: common ones, lowercase. A real animal missing here is graded invalid, and the
# detail says it is not on this list, so a person reading the attempt sees why.
ANIMALS = frozenset(
    """
ant ape bat bee cat cow dog eel elk emu fox gnu hen owl pig rat yak
bear boar bull calf clam crab crow deer dodo dove duck frog goat gull hare hawk ibis kiwi lamb lark lion
lynx mink mole moth mule newt orca puma seal slug swan toad tuna wasp wolf worm wren zebu
bison camel crane eagle finch goose heron horse hyena koala lemur llama moose mouse otter panda quail raven
rhino robin shark sheep skunk sloth snail snake squid stork swift tiger trout viper whale zebra
""".split()
)


@dataclass(frozen=True)
class Problem:
    kind: str
    prompt: str
    reference: list[str]  # three valid solutions, in the answer's form
    params: dict


# --- the problems ----------------------------------------------------------------------------------------------
def _digits(number: int) -> int:
    return sum(int(d) for d in str(number))


@cache
def problems() -> tuple[Problem, ...]:
    """Every problem there is, in a fixed order."""
    made = []
    for total in range(8, 100):
        made.append(
            Problem(
                "pairs",
                f"Q:3 pairs a,b with a+b={total} and a>b>0?=",
                [f"{total - b},{b}" for b in (1, 2, 3)],
                {"sum": total},
            )
        )
    for total in range(2, 27):
        solutions = [n for n in range(100, 1000) if _digits(n) == total][:3]
        made.append(
            Problem(
                "digits",
                f"Q:3 numbers of 3 digits, digit sum {total}?=",
                [str(n) for n in solutions],
                {"digit_sum": total},
            )
        )
    for total in range(2, 100):
        made.append(
            Problem(
                "json",
                f"Q:3 JSON objects with a+b={total}?=",
                [json.dumps({"a": a, "b": total - a}, separators=(",", ":")) for a in (0, 1, 2)],
                {"sum": total},
            )
        )
    for length in (3, 4, 5):
        fitting = sorted(a for a in ANIMALS if len(a) == length)
        made.append(Problem("animals", f"Q:3 animals of {length} letters?=", fitting[:3], {"length": length}))
    for letter in sorted({a[0] for a in ANIMALS}):
        fitting = sorted(a for a in ANIMALS if a[0] == letter)
        if len(fitting) >= 4:  # room to choose: at least one more than asked for
            made.append(Problem("animals", f"Q:3 animals starting with {letter}?=", fitting[:3], {"initial": letter}))
    return tuple(made)


# --- reading and checking solutions ----------------------------------------------------------------------------
PAIR = re.compile(r"(-?\d+)\s*,\s*(-?\d+)")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
WORD = re.compile(r"[A-Za-z]+")
JOINING_WORDS = frozenset({"and", "or", "a", "an", "the"})  # "bear, deer and frog": three animals, not four


def solutions_in(kind: str, line: str) -> list:
    """The solutions written on the line, in order, as values the checker takes."""
    if kind == "pairs":
        return [(int(a), int(b)) for a, b in PAIR.findall(line)]
    if kind == "digits":
        return NUMBER.findall(line)
    if kind == "animals":
        return [word.lower() for word in WORD.findall(line) if word.lower() not in JOINING_WORDS]
    decoder, found, position = json.JSONDecoder(), [], line.find("{")
    while position != -1:
        try:
            value, end = decoder.raw_decode(line, position)
        except json.JSONDecodeError:
            found.append(line[position : position + 20] + "...")  # shown as invalid, not silently skipped
            position = line.find("{", position + 1)
            continue
        found.append(value)
        position = line.find("{", end)
    return found


def _why_not_pair(solution, params) -> str | None:
    a, b = solution
    if a + b != params["sum"]:
        return f"{a}+{b} is {a + b}, not {params['sum']}"
    return None if a > b > 0 else "it needs a>b>0"


def _why_not_digits(solution: str, params) -> str | None:
    if not solution.isdigit() or len(solution) != 3 or solution[0] == "0":
        return "not a number of 3 digits"
    total = _digits(int(solution))
    return None if total == params["digit_sum"] else f"its digits sum to {total}, not {params['digit_sum']}"


def _why_not_json(solution, params) -> str | None:
    if not isinstance(solution, dict):
        return "not a JSON object"
    a, b = solution.get("a"), solution.get("b")
    if not (isinstance(a, int) and isinstance(b, int)) or isinstance(a, bool) or isinstance(b, bool):
        return 'needs whole numbers in "a" and "b"'
    return None if a + b == params["sum"] else f"a+b is {a + b}, not {params['sum']}"


def _why_not_animal(solution: str, params) -> str | None:
    if solution not in ANIMALS:
        return "not on the checker's list of animals"
    if "length" in params and len(solution) != params["length"]:
        return f"{len(solution)} letters, not {params['length']}"
    if "initial" in params and not solution.startswith(params["initial"]):
        return f"does not start with {params['initial']!r}"
    return None


CHECKERS: dict[str, Callable] = {
    "pairs": _why_not_pair,
    "digits": _why_not_digits,
    "json": _why_not_json,
    "animals": _why_not_animal,
}


def _same_key(kind: str, solution):
    if kind == "json" and isinstance(solution, dict):
        return json.dumps(solution, sort_keys=True)
    return solution


def check(kind: str, params: dict, answer: str) -> Grade:
    """Score: distinct valid solutions among those asked for, over how many were asked for."""
    found = solutions_in(kind, first_line(answer))
    if not found:
        return Grade(False, 0.0, f"no {kind} solutions found in the answer; {SOLUTIONS} were asked for")
    valid, seen, notes = 0, set(), []
    for solution in found[:SOLUTIONS]:
        shown = (
            json.dumps(solution, separators=(",", ":"))
            if kind == "json"
            else "{},{}".format(*solution)
            if kind == "pairs"
            else solution
        )
        why = CHECKERS[kind](solution, params)
        key = _same_key(kind, solution)
        if why is None and key in seen:
            why = "the same as an earlier one"
        if why is None:
            valid += 1
            seen.add(key)
            notes.append(f"{shown} ok")
        else:
            notes.append(f"{shown} invalid: {why}")
    if len(found) < SOLUTIONS:
        notes.append(f"only {len(found)} given")
    score = valid / SOLUTIONS
    detail = f"{valid} of {SOLUTIONS} valid and different: " + "; ".join(notes)
    return Grade(valid == SOLUTIONS, round(score, 6), detail)


# --- the source ------------------------------------------------------------------------------------------------
@register("CREATIVE_PROBLEM_SOLVING")
class CreativeSource(Source):
    def items(self, split: Split, *, per_suite: int, seed: int) -> list[Item]:
        return [self._item(p, split) for p in draw(split, per_suite, seed)]

    @staticmethod
    def _item(problem: Problem, split: Split) -> Item:
        return Item(
            id=f"{SUITE}/{split}/{problem_key(problem)}",
            suite=SUITE,
            split=split,
            prompt=problem.prompt,
            answer=";".join(problem.reference),
            grader="several",
            grader_args={"kind": problem.kind, **problem.params},
            skill=f"several-{problem.kind}",
        )

    def answer(self, backend, items: list[Item]) -> list[str]:
        return answers_for(backend, [item.prompt for item in items], max_tokens=ANSWER_MAX_TOKENS)

    def grade(self, item: Item, answer: str) -> Grade:
        params = {k: v for k, v in item.grader_args.items() if k != "kind"}
        return check(item.grader_args["kind"], params, answer)


def draw(split: str, count: int, seed: int) -> list[Problem]:
    """count problems of the split, the kinds taking turns (there are far more sums than animal problems)."""
    rng = random.Random(derive_seed(SUITE, seed, split))
    by_kind: dict[str, list[Problem]] = {}
    for problem in problems():
        if split_of(SUITE, problem.prompt, HELDOUT_PER_MILLE) == split:
            by_kind.setdefault(problem.kind, []).append(problem)
    for pool in by_kind.values():
        rng.shuffle(pool)
    turns = [
        pool[i] for i in range(max(map(len, by_kind.values()), default=0)) for pool in by_kind.values() if i < len(pool)
    ]
    return turns[:count]


def problem_key(problem: Problem) -> str:
    """A stable id for the problem: its kind and parameters."""
    return problem.kind + "-" + "-".join(f"{k}{v}" for k, v in sorted(problem.params.items()))
