"""The `code` suite's sampler: tiny Python functions in HumanEval style.

The prompt is a function header with a docstring; the reference answer is the indented body that continues
it. Hidden test cases (never shown in the prompt) carry expected values computed here by the reference
semantics, so the grader checks behaviour, not text. Each family has constants drawn from the seeded stream,
which is what makes the prompt space large enough for disjoint train and held-out splits.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from .core import Sample

CODE_TIMEOUT_S = 2.0

# A family draws its constants and returns: entry name, argument name, docstring, body, reference, inputs.
Family = Callable[[random.Random], tuple[str, str, str, str, Callable[[Any], Any], list[Any]]]


def _ints(rng: random.Random, lo: int, hi: int, n: int = 5) -> list[int]:
    return [rng.randint(lo, hi) for _ in range(n)]


def _affine(rng: random.Random):
    k, c = rng.randint(2, 12), rng.randint(0, 30)
    return "f", "x", f"Return {k} times x plus {c}.", f"return {k} * x + {c}", lambda x: k * x + c, _ints(rng, -20, 20)


def _count(rng: random.Random):
    # A letter or a two-letter piece: 26 + 676 prompts, enough for both splits to get some.
    letters = "abcdefghijklmnopqrstuvwxyz"
    piece = rng.choice(letters) if rng.random() < 0.3 else rng.choice(letters) + rng.choice(letters)
    what = "the letter" if len(piece) == 1 else "the substring"
    words = ["", piece, piece * 3, "xyz" + piece + "q" + piece, "hello world", "banana", "mississippi"]
    return (
        "count",
        "s",
        f"Return how many times {what} '{piece}' occurs in s (without overlaps).",
        f"return s.count({piece!r})",
        lambda s: s.count(piece),
        words,
    )


def _clamp(rng: random.Random):
    lo = rng.randint(0, 30)
    hi = lo + rng.randint(5, 40)
    inputs = [lo - 7, lo, (lo + hi) // 2, hi, hi + 11, -100]
    return (
        "clamp",
        "x",
        f"Return x limited to the range [{lo}, {hi}].",
        f"return max({lo}, min({hi}, x))",
        lambda x: max(lo, min(hi, x)),
        inputs,
    )


def _divisible(rng: random.Random):
    k = rng.randint(2, 99)
    inputs = [0, k, 3 * k, k + 1, 7 * k - 1, -2 * k]
    return (
        "check",
        "n",
        f"Return True if n is divisible by {k}, else False.",
        f"return n % {k} == 0",
        lambda n: n % k == 0,
        inputs,
    )


def _slice(rng: random.Random):
    n = rng.randint(1, 20)
    lists = [list(range(25)), [5, 3, 9], [], list(range(100, 100 + n + 2))]
    kind = rng.randrange(4)
    if kind == 0:
        return "take", "xs", f"Return the first {n} items of the list xs.", f"return xs[:{n}]", lambda xs: xs[:n], lists
    if kind == 1:
        return (
            "last",
            "xs",
            f"Return the last {n} items of the list xs.",
            f"return xs[-{n}:]",
            lambda xs: xs[-n:],
            lists,
        )
    if kind == 2:
        return "drop", "xs", f"Return xs without its first {n} items.", f"return xs[{n}:]", lambda xs: xs[n:], lists
    doc = f"Return the items of xs whose index is a multiple of {n + 1}."
    return "every", "xs", doc, f"return xs[::{n + 1}]", lambda xs: xs[:: n + 1], lists


def _repeat(rng: random.Random):
    n, sep = rng.randint(2, 9), rng.choice(",-+_:; ")
    return (
        "rep",
        "s",
        f"Return s repeated {n} times, separated by {sep!r}.",
        f"return {sep!r}.join([s] * {n})",
        lambda s: sep.join([s] * n),
        ["a", "ab", "", "xyz"],
    )


def _power(rng: random.Random):
    k, c = rng.randint(2, 5), rng.randint(0, 50)
    return (
        "pw",
        "x",
        f"Return x to the power {k}, minus {c}.",
        f"return x ** {k} - {c}",
        lambda x: x**k - c,
        _ints(rng, -6, 6),
    )


def _total(rng: random.Random):
    a = rng.randint(0, 99)
    return (
        "total",
        "n",
        f"Return the sum of the integers from {a} to n inclusive (0 if n < {a}).",
        f"return sum(range({a}, n + 1))",
        lambda n: sum(range(a, n + 1)),
        [a - 1, a, a + 1, a + 10, 50],
    )


def _keep(rng: random.Random):
    t = rng.randint(0, 99)
    lists = [[], [t, t + 1, t - 1], list(range(0, 120, 7)), [99, 0, t + 5, t]]
    if rng.random() < 0.5:
        doc, body, ref = f"greater than {t}", f"return [x for x in xs if x > {t}]", lambda xs: [x for x in xs if x > t]
    else:
        doc, body, ref = f"less than {t}", f"return [x for x in xs if x < {t}]", lambda xs: [x for x in xs if x < t]
    return "keep", "xs", f"Return the items of xs {doc}, in their order.", body, ref, lists


def _inside(rng: random.Random):
    lo = rng.randint(0, 30)
    hi = lo + rng.randint(1, 30)
    return (
        "inside",
        "x",
        f"Return True if {lo} <= x <= {hi}, else False.",
        f"return {lo} <= x <= {hi}",
        lambda x: lo <= x <= hi,
        [lo - 1, lo, hi, hi + 1, (lo + hi) // 2],
    )


FAMILIES: list[Family] = [_affine, _count, _clamp, _divisible, _slice, _repeat, _power, _total, _keep, _inside]


def code(rng: random.Random) -> Sample:
    entry, arg, doc, body, reference, inputs = rng.choice(FAMILIES)(rng)
    header = f'def {entry}({arg}):\n    """{doc}"""\n'
    tests = [{"call": f"{entry}({value!r})", "expect": reference(value)} for value in inputs]
    args = {"entry": entry, "header": header, "tests": tests, "timeout_s": CODE_TIMEOUT_S}
    return Sample(header, f"    {body}", "code", "python-function", args)
