"""User suites from JSONL: good files load; every bad line is refused naming its line number and problem."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from models_suite.evaluation import SuiteError, grade, load_jsonl_suite, parse_jsonl_suite

GOOD: list[dict[str, Any]] = [
    {"prompt": "Q:capital(fr)=", "answer": "paris", "split": "train", "skill": "capitals"},
    {"prompt": "Q:capital(de)=", "answer": "berlin", "split": "heldout", "skill": "capitals"},
    {"id": "sq-1", "prompt": "Q:7*7=", "answer": "49", "grader": "numeric", "split": "heldout", "skill": "squares"},
    {
        "prompt": 'Q:{"a":1,"b":2}|{b}=',
        "answer": '{"b":2}',
        "grader": "json_field",
        "grader_args": {"field": "b"},
        "split": "train",
    },
    {
        "prompt": "Q:ping?=",
        "answer": "CALL ping()",
        "grader": "regex",
        "grader_args": {"pattern": r"CALL ping\(\)"},
        "split": "heldout",
    },
    {
        "prompt": "def inc(x):\n",
        "answer": "    return x + 1",
        "grader": "code",
        "grader_args": {"entry": "inc", "header": "def inc(x):\n", "tests": [{"call": "inc(1)", "expect": 2}]},
        "split": "heldout",
    },
]


def write(tmp_path: Path, rows: list[Any], name: str = "suite.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_a_good_file_loads_with_ids_defaults_and_skills(tmp_path):
    suite = load_jsonl_suite(write(tmp_path, GOOD), "mine")
    assert suite.name == "mine" and "suite.jsonl" in suite.description
    assert suite.sizes() == {"train": 2, "heldout": 4}
    train, heldout = suite.items("train"), suite.items("heldout")
    assert [it.id for it in train] == ["mine/train/0", "mine/train/1"]
    assert [it.id for it in heldout] == ["mine/heldout/0", "sq-1", "mine/heldout/2", "mine/heldout/3"]
    assert train[0].grader == "exact" and train[0].grader_args == {}
    assert suite.skills == ("capitals", "squares")
    assert suite.max_chars is None
    for it in train + heldout:
        assert grade(it, it.answer).correct, it


def test_blank_lines_are_skipped_but_still_counted(tmp_path):
    rows = ["", json.dumps(GOOD[0]), "   ", '{"prompt": "Q:x=", "answer": "1", "split": "dev"}']
    with pytest.raises(SuiteError, match=r"suite\.jsonl: line 4: unknown split 'dev'"):
        load_jsonl_suite(write(tmp_path, rows), "mine")


def test_parse_accepts_lines_from_anywhere():
    suite = parse_jsonl_suite([json.dumps(r) for r in GOOD[:2]], "upload", source="upload.jsonl")
    assert suite.sizes() == {"train": 1, "heldout": 1}
    with pytest.raises(SuiteError, match=r"^upload\.jsonl: line 1: invalid JSON"):
        parse_jsonl_suite(["{nope"], "upload", source="upload.jsonl")


BAD_LINES = [
    ('{"prompt": "Q:1=", "answer": "1", "split": "train"', "invalid JSON"),
    ('["Q:1=", "1"]', "expected a JSON object, got list"),
    ('{"prompt": "Q:1=", "split": "train"}', "missing field 'answer'"),
    ('{"answer": "1", "split": "train"}', "missing field 'prompt'"),
    ('{"prompt": "Q:1=", "answer": "1"}', "missing field 'split'"),
    ('{"prompt": "Q:1=", "answer": 1, "split": "train"}', "field 'answer' must be a string, got int"),
    ('{"prompt": "  ", "answer": "1", "split": "train"}', "field 'prompt' is empty"),
    ('{"prompt": "Q:1=", "answer": "1", "split": "test"}', "unknown split 'test'"),
    ('{"prompt": "Q:1=", "answer": "1", "split": "train", "grader": "fuzzy"}', "unknown grader 'fuzzy'"),
    ('{"prompt": "Q:1=", "answer": "1", "split": "train", "grader_arg": {}}', "unknown field(s) grader_arg"),
    ('{"prompt": "Q:1=", "answer": "1", "split": "train", "grader_args": []}', "'grader_args' must be an object"),
    ('{"prompt": "Q:1=", "answer": "1", "split": "train", "grader": "regex", "grader_args": {"pattern": "("}}',
     "invalid regex"),
    ('{"prompt": "Q:1=", "answer": "1", "split": "train", "grader": "regex"}', "pattern"),
    ('{"prompt": "Q:1=", "answer": "2", "split": "train", "grader": "regex", "grader_args": {"pattern": "1"}}',
     "reference answer does not pass its own grader"),
    ('{"prompt": "Q:1=", "answer": "x", "split": "train", "grader": "numeric"}', "needs a number"),
    ('{"prompt": "Q:1=", "answer": "{}", "split": "train", "grader": "json_field", "grader_args": {"field": "a"}}',
     "missing from the reference"),
    ('{"prompt": "Q:1=", "answer": "x", "split": "train", "grader": "code", "grader_args": {"entry": "f"}}',
     "tests must be a non-empty list"),
]  # fmt: skip


@pytest.mark.parametrize(("line", "problem"), BAD_LINES)
def test_a_bad_line_is_refused_with_its_number_and_problem(tmp_path, line, problem):
    path = write(tmp_path, [GOOD[0], GOOD[1], line])
    with pytest.raises(SuiteError) as caught:
        load_jsonl_suite(path, "mine")
    message = str(caught.value)
    assert message.startswith(f"{path}: line 3: ")
    assert problem in message


def test_duplicate_ids_name_both_lines(tmp_path):
    rows = [GOOD[0], {**GOOD[1], "id": "x"}, {"id": "x", "prompt": "Q:2=", "answer": "2", "split": "train"}]
    with pytest.raises(SuiteError, match=r"line 3: duplicate id 'x' \(first used on line 2\)"):
        load_jsonl_suite(write(tmp_path, rows), "mine")


def test_a_given_id_cannot_collide_with_a_generated_one(tmp_path):
    rows = [{"id": "mine/train/1", **GOOD[0]}, {**GOOD[0], "prompt": "Q:other="}]
    with pytest.raises(SuiteError, match=r"line 2: duplicate id 'mine/train/1'"):
        load_jsonl_suite(write(tmp_path, rows), "mine")


def test_a_prompt_in_both_splits_is_refused(tmp_path):
    rows = [GOOD[0], GOOD[1], {**GOOD[0], "split": "heldout", "answer": "paris"}]
    with pytest.raises(SuiteError, match=r"line 3: prompt also appears in the train split on line 1"):
        load_jsonl_suite(write(tmp_path, rows), "mine")
    # Surrounding whitespace does not hide a leak.
    rows = [GOOD[0], {**GOOD[0], "prompt": " Q:capital(fr)= ", "split": "heldout"}]
    with pytest.raises(SuiteError, match="line 2: prompt also appears"):
        load_jsonl_suite(write(tmp_path, rows), "mine")


def test_a_repeated_prompt_in_one_split_is_allowed(tmp_path):
    suite = load_jsonl_suite(write(tmp_path, [GOOD[0], GOOD[0]]), "mine")
    assert suite.sizes() == {"train": 2, "heldout": 0}


def test_empty_missing_and_undecodable_files(tmp_path):
    with pytest.raises(SuiteError, match="no items"):
        load_jsonl_suite(write(tmp_path, ["", "  "]), "mine")
    with pytest.raises(SuiteError, match="cannot read"):
        load_jsonl_suite(tmp_path / "absent.jsonl", "mine")
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(SuiteError, match="cannot read"):
        load_jsonl_suite(binary, "mine")


def test_the_suite_name_must_fit_item_ids(tmp_path):
    with pytest.raises(SuiteError, match="invalid suite name"):
        load_jsonl_suite(write(tmp_path, GOOD), "my/suite")
