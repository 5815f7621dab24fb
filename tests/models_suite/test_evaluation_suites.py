"""Built-in suites: fixed names and sizes, deterministic everywhere, disjoint splits, graded by their own
reference answers, short enough for the context-64 character model."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from models_suite.evaluation import GRADERS, SuiteError, builtin_suites, get_suite, grade, pretraining_text
from models_suite.evaluation.base import Item
from models_suite.evaluation.suites import GeneratedSuite, pretraining_lines, pretraining_pairs
from models_suite.evaluation.suites import _builtins as builtins_factory
from models_suite.evaluation.suites.core import Sample, split_of
from models_suite.evaluation.suites.generators import arithmetic

ROOT = Path(__file__).resolve().parents[2]
NAMES = ["arithmetic", "string_transform", "sequences", "sorting", "json_extraction", "tool_use", "code"]
SHORT = [n for n in NAMES if n != "code"]
SIZES = {
    "arithmetic": (4000, 200),
    "string_transform": (4000, 200),
    "sequences": (3000, 150),
    "sorting": (4000, 200),
    "json_extraction": (3000, 150),
    "tool_use": (3000, 150),
    "code": (1000, 100),
}
# Held-out sets are what scores are compared on: they must never change by accident (a new Python, another
# machine, an edited generator). Change these only together with a deliberate change of a suite.
HELDOUT_FINGERPRINTS = {
    "arithmetic": "674a13cd7b9665782737c9d1f2589b3a3db54be53521abac72f1b6c9c797a7fb",
    "string_transform": "be6de4116da454519f811a9b3b7b7732b7d221fd2c4fda86fb0743422327b7de",
    "sequences": "0438260f5d66c48cd843722ed570f04a8656ec0bc6837f292bc74eab729388ee",
    "sorting": "4a6225e0536d6346db0545f8afdd542d084de558e94589ea04f13191897f2d85",
    "json_extraction": "dfcbab34b31f6c0218dada0a85d7bc6a361e0a4452850cd72f0f878edadcad07",
    "tool_use": "0a82f297397eda86f4efd87706429156f95d78ea5b93664788fa016c195a4f44",
    "code": "08c9474f9792f7526490140192c8ff611aec79bafd2807036eed631d53be9c87",
}


def test_the_registry_has_the_fixed_names():
    suites = builtin_suites()
    assert list(suites) == NAMES
    for name in NAMES:
        suite = get_suite(name)
        assert suite is suites[name] and suite.name == name
        assert suite.description and suite.skills


def test_an_unknown_suite_is_refused_naming_the_known_ones():
    with pytest.raises(SuiteError, match="unknown suite 'nope'.*arithmetic"):
        get_suite("nope")


def test_the_skills_the_hobby_engine_refers_to():
    assert set(get_suite("arithmetic").skills) == {"addition-2-digit", "subtraction-2-digit"}
    assert set(get_suite("string_transform").skills) == {"uppercase", "reverse"}
    assert get_suite("sequences").skills == ("arithmetic-sequence",)
    assert get_suite("sorting").skills == ("sort-digits",)


@pytest.mark.parametrize("name", NAMES)
def test_sizes_ids_and_fields(name):
    suite = get_suite(name)
    train, heldout = suite.items("train"), suite.items("heldout")
    assert (len(train), len(heldout)) == SIZES[name]
    assert suite.sizes() == {"train": SIZES[name][0], "heldout": SIZES[name][1]}
    for split, items in (("train", train), ("heldout", heldout)):
        for index, item in enumerate(items):
            assert item.id == f"{name}/{split}/{index}"
            assert (item.suite, item.split) == (name, split)
            assert item.grader in GRADERS and item.skill in suite.skills
    assert {it.skill for it in heldout} == set(suite.skills)  # every skill is measured


@pytest.mark.parametrize("name", NAMES)
def test_splits_are_disjoint_and_free_of_repeats(name):
    suite = get_suite(name)
    train = [it.prompt for it in suite.items("train")]
    heldout = [it.prompt for it in suite.items("heldout")]
    assert len(set(train)) == len(train) and len(set(heldout)) == len(heldout)
    assert not set(train) & set(heldout)
    # By construction: the split is a function of the prompt, so no seed or size could ever mix them.
    per_mille = suite.heldout_per_mille
    assert all(split_of(name, p, per_mille) == "train" for p in train)
    assert all(split_of(name, p, per_mille) == "heldout" for p in heldout)


def test_items_are_the_same_from_a_fresh_instance():
    fresh = builtins_factory.__wrapped__()  # new suite objects, nothing cached
    for name, suite in builtin_suites().items():
        assert fresh[name] is not suite
        assert fresh[name].items("heldout") == suite.items("heldout")
        assert fresh[name].items("train", 500) == suite.items("train", 500)


@pytest.mark.parametrize("name", NAMES)
def test_heldout_sets_are_pinned(name):
    assert get_suite(name).fingerprint("heldout") == HELDOUT_FINGERPRINTS[name]


def test_items_are_the_same_in_another_process_with_another_hash_seed():
    script = (
        "import json, sys\n"
        "from models_suite.evaluation import builtin_suites\n"
        "out = {n: [s.fingerprint('train'), s.fingerprint('heldout')] for n, s in builtin_suites().items()}\n"
        "out['django_loaded'] = any(m == 'django' or m.startswith('django.') for m in sys.modules)\n"
        "print(json.dumps(out))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONHASHSEED"] = "12345"  # str hashing differs from ours: results must not
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    other = json.loads(done.stdout)
    assert other.pop("django_loaded") is False  # the package is pure: Django wraps it, not the reverse
    mine = {n: [s.fingerprint("train"), s.fingerprint("heldout")] for n, s in builtin_suites().items()}
    assert other == mine


def test_limit_takes_a_stable_prefix_and_bad_arguments_are_refused():
    suite = get_suite("arithmetic")
    assert suite.items("heldout", 10) == suite.items("heldout")[:10]
    assert suite.items("train", 0) == []
    with pytest.raises(SuiteError, match="limit"):
        suite.items("train", -1)
    with pytest.raises(SuiteError, match="unknown split 'test'"):
        suite.items("test")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", SHORT)
def test_short_suites_fit_the_char_model(name):
    suite = get_suite(name)
    assert suite.max_chars == 40
    for item in suite.items("train") + suite.items("heldout"):
        assert len(item.prompt) + len(item.answer) <= 40, item
        assert re.fullmatch(r"Q:.+=", item.prompt), item.prompt
        assert "\n" not in item.prompt + item.answer and item.answer.strip() == item.answer != ""


def test_prompt_formats_match_the_examples():
    assert {it.prompt[:2] for it in get_suite("arithmetic").items("heldout")} == {"Q:"}
    examples = {
        "arithmetic": r"Q:\d\d[+-]\d\d=",
        "string_transform": r"Q:(upper|reverse)\([a-z]{3,7}\)=",
        "sequences": r"Q:(\d+,){3,5}\?=",
        "sorting": r"Q:sort\(\d+(,\d+){2,4}\)=",
        "tool_use": r"Q:(\d+ (plus|minus|times|less than) \d+|(email|phone|city|name) of u\d+"
        r"|u\d+'s (email|phone|city|name)|\d+ (km|kg|h|l) in (m|g|min|ml)|define [a-z]+)\?=",
    }
    for name, pattern in examples.items():
        assert all(re.fullmatch(pattern, it.prompt) for it in get_suite(name).items("train")), name


@pytest.mark.parametrize("name", NAMES)
def test_every_heldout_reference_answer_grades_correct(name):
    for item in get_suite(name).items("heldout"):
        result = grade(item, item.answer)
        assert result.correct and result.score == 1.0, (item, result)


@pytest.mark.parametrize("name", SHORT)
def test_train_reference_answers_grade_correct(name):
    for item in get_suite(name).items("train", 300):
        assert grade(item, item.answer).correct, item


def _wrong(item: Item) -> str:
    if item.grader == "numeric":
        return str(int(item.answer) + 1)
    if item.grader == "json_field":
        (key, value), *_ = json.loads(item.answer).items()
        return json.dumps({key: value + 1 if isinstance(value, int) else value + "x"})
    if item.grader == "regex":
        return item.answer.replace("(", "(1")  # a different expression or word
    return item.answer[::-1] + "x"


@pytest.mark.parametrize("name", SHORT)
def test_wrong_answers_grade_incorrect(name):
    for item in get_suite(name).items("heldout"):
        result = grade(item, _wrong(item))
        assert not result.correct and result.score == 0.0, (item, result)
        assert result.detail


def test_wrong_code_grades_incorrect_with_partial_credit_visible():
    for item in get_suite("code").items("heldout", 12):
        result = grade(item, "    return None")
        assert not result.correct and result.score < 1.0
        assert "hidden cases passed" in result.detail


def test_json_extraction_exercises_the_json_field_grader():
    items = get_suite("json_extraction").items("heldout")
    selects = [it for it in items if it.grader == "json_field"]
    assert selects and all(json.loads(it.answer) for it in selects)
    item = selects[0]
    key, value = next(iter(json.loads(item.answer).items()))
    # Key order and spacing are free; only the field counts.
    assert grade(item, f'{{ "other": 1, "{key}": {json.dumps(value)} }}').correct


def test_code_items_hide_their_tests_from_the_prompt():
    for item in get_suite("code").items("heldout"):
        assert item.grader_args["header"] == item.prompt
        assert all(case["call"] not in item.prompt for case in item.grader_args["tests"])


def test_pretraining_text_is_train_only_and_skips_code():
    text = pretraining_text()
    lines = text.split("\n")
    assert lines[-1] == "" and text.endswith("\n")
    lines = lines[:-1]
    assert len(lines) == sum(SIZES[n][0] for n in SHORT)
    assert all(len(line) <= 40 for line in lines)
    heldout = {it.prompt + it.answer for n in NAMES for it in get_suite(n).items("heldout")}
    assert not heldout & set(lines)
    assert "def " not in text
    sorting = get_suite("sorting").items("train", 2)
    assert pretraining_pairs([get_suite("sorting")], 2) == [(it.prompt, it.answer) for it in sorting]
    assert pretraining_lines([get_suite("sorting")], 2) == [it.prompt + it.answer for it in sorting]


def _sampler(rng: random.Random) -> Sample:
    a = rng.randint(0, 9)
    return Sample(f"Q:{a}+1=", str(a + 1), "numeric", "inc")


def test_a_generated_suite_with_too_small_a_space_says_so():
    suite = GeneratedSuite("tiny", "", ["inc"], _sampler, seed=1, train_size=50, heldout_size=5)
    with pytest.raises(SuiteError, match="input space is too small"):
        suite.items("train")


def test_heldout_items_do_not_depend_on_the_train_size():
    def make(seed: int, train_size: int) -> GeneratedSuite:
        skills = ["addition-2-digit", "subtraction-2-digit"]
        return GeneratedSuite("probe", "", skills, arithmetic, seed=seed, train_size=train_size, heldout_size=40)

    big, small, other_seed = make(7, 900), make(7, 10), make(8, 10)
    assert big.items("heldout") == small.items("heldout")
    assert other_seed.items("heldout") != small.items("heldout")
    assert not {it.prompt for it in other_seed.items("heldout")} & {it.prompt for it in big.items("train")}


def test_suite_names_cannot_break_item_ids():
    with pytest.raises(SuiteError, match="invalid suite name"):
        GeneratedSuite("a/b", "", ["inc"], _sampler, seed=1, train_size=1, heldout_size=1)
