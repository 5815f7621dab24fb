"""The built-in base model: a tiny build (1 layer, width 32, context 32) is fast enough to exercise every promise."""

from __future__ import annotations

import dataclasses
import hashlib
import random
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, GPT2LMHeadModel

from models_suite.builtin import BaseModelConfig, BuildProgress, build_base_model, load_base_model
from models_suite.evaluation import get_suite, pretraining_pairs

TINY = BaseModelConfig(
    n_layer=1, n_embd=32, n_head=2, n_ctx=32, batch_size=8, max_steps=60, warmup_steps=5, log_every=5
)
# Suites whose train items all fit TINY's 32-character context (sorting and the others have longer ones).
TINY_SUITES = ("arithmetic", "string_transform", "sequences")


@pytest.fixture(scope="module")
def tiny_corpus() -> list[tuple[str, str]]:
    """60 train items of each suite, as the product's build takes them (pure Python, no database)."""
    return pretraining_pairs([get_suite(name) for name in TINY_SUITES], limit_per_suite=60)


@pytest.fixture(scope="module")
def tiny_build(tiny_corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny")
    seen: list[BuildProgress] = []
    report = build_base_model(TINY, tiny_corpus, out, progress=seen.append)
    return SimpleNamespace(out=out, report=report, progress=seen)


@pytest.fixture(scope="module")
def loaded(tiny_build):
    return load_base_model(tiny_build.out)


def test_build_writes_files_that_load_offline(tiny_build):
    names = {written.name for written in tiny_build.report.files}
    assert {"model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json", "build_info.json"} <= names
    for written in tiny_build.report.files:
        path = tiny_build.out / written.name
        assert path.stat().st_size == written.bytes
        assert hashlib.sha256(path.read_bytes()).hexdigest() == written.sha256
    model = AutoModelForCausalLM.from_pretrained(tiny_build.out, local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(tiny_build.out, local_files_only=True)
    assert isinstance(model, GPT2LMHeadModel)
    assert model.config.n_positions == TINY.n_ctx and model.config.n_layer == 1
    assert model.config.vocab_size == len(tokenizer) == 96 + 3
    assert sum(p.numel() for p in model.parameters()) == tiny_build.report.parameters
    assert tokenizer.decode(tokenizer("Q:12+3=")["input_ids"]) == "Q:12+3="
    # No stray scratch folders are left beside the output.
    assert not [path for path in tiny_build.out.parent.iterdir() if path.name.startswith(".build-")]


def test_report_accounts_for_the_build(tiny_build, tiny_corpus):
    report = tiny_build.report
    assert report.steps == report.planned_steps == TINY.max_steps
    assert report.stopped_by == "steps"
    assert report.examples == len(tiny_corpus) and report.skipped_examples == 0
    assert report.tokens_seen > 0 and report.tokens_per_s > 0 and report.seconds > 0
    assert report.epochs > 1  # 60 steps of 8 rows of ~2 examples each cover the 180 pairs more than once
    assert report.final_loss == report.loss_history[-1][1]
    assert report.config["seed"] == TINY.seed


def test_same_seed_same_weights_other_seed_other_weights(tiny_corpus, tmp_path):
    config = dataclasses.replace(TINY, max_steps=20)
    first = build_base_model(config, tiny_corpus, tmp_path / "a")
    second = build_base_model(config, tiny_corpus, tmp_path / "b")
    other = build_base_model(dataclasses.replace(config, seed=config.seed + 1), tiny_corpus, tmp_path / "c")
    assert first.file_sha256("model.safetensors") == second.file_sha256("model.safetensors")
    # Every file is reproduced, not only the weights: build_info.json holds no timings.
    assert [f.sha256 for f in first.files] == [f.sha256 for f in second.files]
    assert first.file_sha256("model.safetensors") != other.file_sha256("model.safetensors")


def test_building_does_not_disturb_the_callers_torch_state(tiny_corpus, tmp_path):
    torch.manual_seed(7)
    expected = torch.rand(3)
    torch.manual_seed(7)
    was_deterministic = torch.are_deterministic_algorithms_enabled()
    build_base_model(dataclasses.replace(TINY, max_steps=2), tiny_corpus, tmp_path)
    assert torch.equal(torch.rand(3), expected)
    assert torch.are_deterministic_algorithms_enabled() == was_deterministic


def test_training_lowers_the_loss(tiny_build):
    history = tiny_build.report.loss_history
    first, last = history[0][1], history[-1][1]
    # Untrained, the loss is near ln(99) = 4.6; a quarter lower is far outside noise yet well within 60 steps.
    assert last < 0.75 * first, history


def test_progress_steps_increase_and_end_at_the_total(tiny_build):
    seen = tiny_build.progress
    steps = [progress.step for progress in seen]
    assert steps == sorted(set(steps)) and steps[0] >= 1
    assert steps[-1] == seen[-1].total_steps == tiny_build.report.steps
    assert seen[-1].eta_s == 0 and seen[-1].fraction == 1.0
    assert all(progress.tokens_per_s > 0 and progress.elapsed_s > 0 for progress in seen)
    assert [progress.loss for progress in seen] == [loss for _, loss in tiny_build.report.loss_history]


def test_time_budget_alone_plans_steps_from_measured_pace(tiny_corpus, tmp_path):
    config = dataclasses.replace(TINY, max_steps=None, max_seconds=1.0, calibration_steps=3)
    report = build_base_model(config, tiny_corpus, tmp_path)
    assert report.steps >= 1 and report.planned_steps >= 3
    assert report.stopped_by in ("steps", "time")
    assert report.seconds < 5


def test_config_rejects_a_missing_budget():
    with pytest.raises(ValueError):
        BaseModelConfig(max_steps=None, max_seconds=None)
    with pytest.raises(ValueError):
        BaseModelConfig(n_embd=30, n_head=4)


@pytest.mark.parametrize("attention", ["sdpa", "eager"])
def test_packed_examples_do_not_see_each_other(tiny_build, attention):
    """Training packs several examples per row and calls the model as below; transformers must keep them apart."""
    model = AutoModelForCausalLM.from_pretrained(tiny_build.out, local_files_only=True, attn_implementation=attention)
    tokenizer = AutoTokenizer.from_pretrained(tiny_build.out, local_files_only=True)
    first = tokenizer("Q:12+34=46\n")["input_ids"]
    second = tokenizer("Q:upper(ab)=AB\n")["input_ids"]
    positions = torch.tensor([list(range(len(first))) + list(range(len(second)))])
    with torch.no_grad():
        alone = model(input_ids=torch.tensor([second]), use_cache=False).logits
        packed = model(input_ids=torch.tensor([first + second]), position_ids=positions, use_cache=False).logits
    assert torch.allclose(packed[0, len(first) :], alone[0], atol=1e-5)


def test_the_built_model_answers_through_the_backend_batched_as_alone(tiny_build, tiny_corpus):
    """Held-out scores come from TransformersBackend.generate_batch, left padded: a trained model, whose
    positions matter, must answer each prompt in a batch as it does alone."""
    from models_suite.backends import GenerationRequest
    from models_suite.backends.transformers_backend import TransformersBackend

    backend = TransformersBackend(tiny_build.out, device="cpu")
    prompts = [prompt for prompt, _ in tiny_corpus[::15]] + ["Q:", "x" * 20]
    requests = [GenerationRequest(prompt=prompt, max_tokens=8, stop=["\n"]) for prompt in prompts]
    batched = [(r.text, r.finish_reason) for r in backend.generate_batch(requests)]
    assert batched == [(r.text, r.finish_reason) for r in map(backend.generate, requests)]
    assert all("\n" not in text and len(text) <= 8 for text, _ in batched)


def test_tokenizer_round_trips_every_printable_ascii_string(loaded):
    _, tokenizer = loaded
    printable = "".join(chr(code) for code in range(32, 127))
    rng = random.Random(0)
    samples = [printable, printable + "\n" + printable[::-1], " ", "  a  b  ", "\n\n", "Q:47+38=85\n", "a . , ! ?"]
    samples += ["".join(rng.choice(printable + "\n") for _ in range(rng.randint(1, 80))) for _ in range(200)]
    for text in samples:
        ids = tokenizer(text)["input_ids"]
        assert len(ids) == len(text)  # one token per character, nothing added
        assert tokenizer.unk_token_id not in ids
        assert tokenizer.decode(ids) == text
    assert tokenizer.decode([tokenizer.pad_token_id] + tokenizer("ab")["input_ids"], skip_special_tokens=True) == "ab"


def test_package_imports_nothing_from_django():
    import subprocess
    import sys

    code = "import sys, models_suite.builtin; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
