"""Training data for the built-in model: loss masks, packing, a deterministic order; build progress."""

from __future__ import annotations

import io
from itertools import islice

from models_suite.builtin import BuildProgress, TerminalProgress, build_char_tokenizer, render_progress
from models_suite.builtin.data import IGNORE_INDEX, PackedBatches, corpus_fingerprint, encode_pairs, pack_rows
from models_suite.builtin.progress import format_duration

TOKENIZER = build_char_tokenizer(32)
PAIRS = [("Q:1+2=", "3"), ("Q:upper(ab)=", "AB"), ("Q:sort(3,1)=", "1,3"), ("Q:40+2=", "42")]


def decoded_targets(example) -> str:
    return TOKENIZER.decode([token for token in example.targets if token != IGNORE_INDEX])


def test_answer_loss_counts_only_the_answer_and_its_newline():
    examples, skipped = encode_pairs(PAIRS, TOKENIZER, 32, "answer")
    assert skipped == 0
    assert [decoded_targets(example) for example in examples] == ["3\n", "AB\n", "1,3\n", "42\n"]
    assert TOKENIZER.decode(list(examples[1].ids)) == "Q:upper(ab)=AB\n"


def test_all_loss_counts_every_token_but_the_first():
    examples, _ = encode_pairs(PAIRS, TOKENIZER, 32, "all")
    assert decoded_targets(examples[0]) == ":1+2=3\n"


def test_pairs_longer_than_the_context_are_left_out():
    examples, skipped = encode_pairs([("Q:" + "x" * 40 + "=", "y"), ("Q:1+1=", "2")], TOKENIZER, 32, "answer")
    assert skipped == 1 and len(examples) == 1


def test_rows_hold_whole_examples_with_restarting_positions():
    examples, _ = encode_pairs(PAIRS * 3, TOKENIZER, 32, "answer")
    rows = pack_rows(examples, 32, TOKENIZER.pad_token_id)
    assert all(len(row.ids) == len(row.positions) == len(row.targets) == 32 for row in rows)
    assert sum(row.examples for row in rows) == len(examples)
    text = "".join(TOKENIZER.decode(row.ids, skip_special_tokens=True) for row in rows)
    assert text == "".join(prompt + answer + "\n" for prompt, answer in PAIRS * 3)  # nothing split or lost
    for row in rows:
        starts = [index for index, position in enumerate(row.positions) if position == 0]
        # Each example (and the padding after the last) starts again at position 0.
        assert len(starts) == row.examples + (row.ids[-1] == TOKENIZER.pad_token_id)
        pad = TOKENIZER.pad_token_id
        assert all(target == IGNORE_INDEX for token, target in zip(row.ids, row.targets) if token == pad)


def test_batches_follow_the_seed_and_only_the_seed():
    examples, _ = encode_pairs(PAIRS * 10, TOKENIZER, 32, "answer")

    def first_batches(seed: int) -> list[list[list[int]]]:
        return [batch.input_ids.tolist() for batch in islice(PackedBatches(examples, 32, 4, 0, seed), 6)]

    assert first_batches(1) == first_batches(1)
    assert first_batches(1) != first_batches(2)


def test_corpus_fingerprint_depends_on_content_and_order():
    assert corpus_fingerprint(PAIRS) == corpus_fingerprint(list(PAIRS))
    assert corpus_fingerprint(PAIRS) != corpus_fingerprint(PAIRS[::-1])
    assert corpus_fingerprint([("ab", "c")]) != corpus_fingerprint([("a", "bc")])


def test_progress_line():
    line = render_progress(BuildProgress(450, 1500, 1.2345, 10200.0, 90.0, 210.0), width=10)
    assert line == "[###.......]  30% step 450/1500 loss 1.234 10.2k tok/s 1:30<3:30"
    assert format_duration(3725) == "1:02:05" and format_duration(float("nan")) == "--:--"


def test_terminal_progress_redraws_one_line_and_ends_it():
    stream = io.StringIO()
    show = TerminalProgress(stream, width=10)
    show(BuildProgress(5, 10, 2.0, 100.0, 1.0, 1.0))
    show(BuildProgress(10, 10, 1.0, 100.0, 2.0, 0.0))
    output = stream.getvalue()
    assert output.count("\r") == 2 and output.endswith("\n") and output.count("\n") == 1
    assert "step 10/10" in output.split("\r")[-1]
