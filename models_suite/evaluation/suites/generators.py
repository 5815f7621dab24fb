"""Samplers for the short built-in suites. Every prompt is "Q:<task>=" and prompt+answer stays within
SHORT_MAX_CHARS, because a character-level model with a 64-character context is pretrained on
"<prompt><answer>\\n" lines of the train splits and must see a whole item inside its window.
"""

from __future__ import annotations

import json
import random
import re

from .core import Sample

SHORT_MAX_CHARS = 40

_CONSONANTS = "bcdfghjklmnprstvwz"
_VOWELS = "aeiou"


def word(rng: random.Random, min_len: int = 3, max_len: int = 6) -> str:
    """A short pronounceable lowercase pseudo-word: a big, regular space of 'words' with no word list."""
    length = rng.randint(min_len, max_len)
    letters: list[str] = []
    vowel = rng.random() < 0.3  # some words start with a vowel
    while len(letters) < length:
        letters.append(rng.choice(_VOWELS if vowel else _CONSONANTS))
        vowel = not vowel
    return "".join(letters)


def arithmetic(rng: random.Random) -> Sample:
    a, b = rng.randint(10, 99), rng.randint(10, 99)
    if rng.random() < 0.5:
        return Sample(f"Q:{a}+{b}=", str(a + b), "numeric", "addition-2-digit")
    a, b = max(a, b), min(a, b)  # non-negative differences: one answer shape for the small model
    return Sample(f"Q:{a}-{b}=", str(a - b), "numeric", "subtraction-2-digit")


def string_transform(rng: random.Random) -> Sample:
    w = word(rng, 3, 7)
    if rng.random() < 0.5:
        return Sample(f"Q:upper({w})=", w.upper(), "exact", "uppercase")
    return Sample(f"Q:reverse({w})=", w[::-1], "exact", "reverse")


def sequences(rng: random.Random) -> Sample:
    shown = rng.randint(3, 5)
    start = rng.randint(0, 99)
    step = rng.choice([d for d in range(-9, 16) if d != 0])
    terms = [start + step * i for i in range(shown + 1)]
    if terms[-1] < 0:  # falling sequences stop at zero: no signs for the small model to learn
        step = -step
        terms = [start + step * i for i in range(shown + 1)]
    listed = ",".join(str(t) for t in terms[:-1])
    return Sample(f"Q:{listed},?=", str(terms[-1]), "numeric", "arithmetic-sequence")


def sorting(rng: random.Random) -> Sample:
    n = rng.randint(3, 5)
    top = 9 if rng.random() < 0.75 else 99  # mostly single digits, some short numbers
    values = [rng.randint(0, top) for _ in range(n)]
    listed = ",".join(str(v) for v in values)
    return Sample(f"Q:sort({listed})=", ",".join(str(v) for v in sorted(values)), "exact", "sort-digits")


_NAMES = ["ana", "bob", "eva", "ivo", "lea", "max", "mia", "noa", "ole", "pia", "sam", "tom", "uma", "zoe"]
_CITIES = ["oslo", "rome", "lima", "kyiv", "riga", "bonn", "nice", "cork", "york", "baku"]
_INT_KEYS = ["a", "b", "x", "y", "n", "id", "age"]
_STR_KEYS = {"name": _NAMES, "city": _CITIES}


def _json_object(rng: random.Random, n_keys: int) -> dict[str, object]:
    keys = rng.sample(_INT_KEYS + list(_STR_KEYS), n_keys)
    return {k: rng.choice(_STR_KEYS[k]) if k in _STR_KEYS else rng.randint(0, 99) for k in keys}


def _compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def json_extraction(rng: random.Random) -> Sample:
    """Two skills: read one field's value ('.age' -> 31, graded exact), and select a field into a new
    object ('|{age}' -> {"age":31}, graded json_field on that field, so key order and spacing are free)."""
    if rng.random() < 0.6:
        obj = _json_object(rng, rng.choice([2, 2, 3]))
        key = rng.choice(list(obj))
        return Sample(f"Q:{_compact(obj)}.{key}=", str(obj[key]), "exact", "json-field")
    obj = _json_object(rng, 2)
    key = rng.choice(list(obj))
    answer = _compact({key: obj[key]})
    return Sample(f"Q:{_compact(obj)}|{{{key}}}=", answer, "json_field", "json-select", {"field": key})


def _call_pattern(tool: str, tokens: list[str]) -> str:
    # The exact call, tolerant only of spaces between tokens.
    inner = r"\s*".join(re.escape(t) for t in tokens)
    return rf"CALL\s+{re.escape(tool)}\(\s*{inner}\s*\)"


_OPERATOR_WORDS = {"plus": "+", "minus": "-", "times": "*"}
_FIELDS = ["email", "phone", "city", "name"]
_CONVERSIONS = [("km", "m"), ("kg", "g"), ("h", "min"), ("l", "ml")]


def tool_use(rng: random.Random) -> Sample:
    """The model must pick the tool from the question (no hint says which) and write the call with its
    arguments rewritten into the tool's order and notation, not the result: 'Q:17 times 23?=' ->
    'CALL calc(17*23)', 'Q:5 less than 40?=' -> 'CALL calc(40-5)', 'Q:email of u452?=' and "Q:u452's email?="
    -> 'CALL get(u452,email)', 'Q:12 km in m?=' -> 'CALL conv(12,km,m)', 'Q:define kemo?=' -> 'CALL dict(kemo)'."""
    kind = rng.random()
    if kind < 0.35:
        a, b = rng.randint(2, 99), rng.randint(2, 99)
        if rng.random() < 0.35:  # the operands come in the other order than the call wants them
            question, (x, op, y) = f"{a} less than {b}", (b, "-", a)
        else:
            name = rng.choice(list(_OPERATOR_WORDS))
            question, (x, op, y) = f"{a} {name} {b}", (a, _OPERATOR_WORDS[name], b)
        return Sample(
            f"Q:{question}?=",
            f"CALL calc({x}{op}{y})",
            "regex",
            "tool-calc",
            {"pattern": _call_pattern("calc", [str(x), op, str(y)])},
        )
    if kind < 0.6:
        record, field = f"u{rng.randint(10, 9999)}", rng.choice(_FIELDS)
        question = f"{field} of {record}" if rng.random() < 0.5 else f"{record}'s {field}"
        return Sample(
            f"Q:{question}?=",
            f"CALL get({record},{field})",
            "regex",
            "tool-lookup",
            {"pattern": _call_pattern("get", [record, ",", field])},
        )
    if kind < 0.8:
        amount, (unit, into) = rng.randint(1, 999), rng.choice(_CONVERSIONS)
        return Sample(
            f"Q:{amount} {unit} in {into}?=",
            f"CALL conv({amount},{unit},{into})",
            "regex",
            "tool-convert",
            {"pattern": _call_pattern("conv", [str(amount), ",", unit, ",", into])},
        )
    w = word(rng, 3, 5)
    return Sample(f"Q:define {w}?=", f"CALL dict({w})", "regex", "tool-dict", {"pattern": _call_pattern("dict", [w])})
