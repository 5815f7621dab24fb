"""The LoRA trainer, pure, on a tiny random GPT-2 with the built-in character tokenizer: it learns, it resumes
from its checkpoint to the very weights of an uninterrupted run, it stops when told, and bad configurations are
refused by name."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from learning.training.checkpoints import rng_restore, rng_state
from learning.training.lora import (
    ConfigError,
    LoraTrainConfig,
    Stopped,
    Unsupported,
    load_for_training,
    train_lora,
)
from tests.models_suite.tiny_models import build_tiny_model

TOY = [(f"Q:{word}=", word[::-1], 1.0) for word in ("abc", "dog", "sun", "map", "key", "owl")]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_tiny_model(tmp_path_factory.mktemp("base") / "tiny", n_ctx=48, initializer_range=0.5)


def quick(**overrides) -> LoraTrainConfig:
    return LoraTrainConfig(
        **{
            "r": 8,
            "alpha": 16,
            "dropout": 0.0,
            "learning_rate": 1e-2,
            "batch_size": 2,
            "max_steps": 40,
            "warmup_steps": 2,
            "save_steps": 5,
            "logging_steps": 5,
            **overrides,
        }
    )


def adapter_weights(directory) -> dict[str, torch.Tensor]:
    return load_file(str(directory / "adapter_model.safetensors"))


def test_it_learns_and_saves_an_adapter_peft_can_load(base, tmp_path):
    reports = []
    result = train_lora(
        base_dir=base,
        train=TOY,
        validation=TOY[:2],
        config=quick(max_steps=100, logging_steps=25),
        out_dir=tmp_path / "adapter",
        checkpoint_dir=tmp_path / "ckpt",
        progress=reports.append,
    )
    assert [r.step for r in reports] == [25, 50, 75, 100]
    assert reports[-1].loss < reports[0].loss / 2  # it learned the toy task
    assert all(r.tokens_per_second > 0 and r.total_steps == 100 for r in reports) and reports[-1].eta_seconds == 0
    assert result.steps == 100 and result.resumed_from_step == 0 and result.validation_loss is not None
    assert result.peak_memory_bytes > 0 and result.trainable_parameters > 0
    weights = adapter_weights(tmp_path / "adapter")
    assert any("lora_B" in name and tensor.abs().sum() > 0 for name, tensor in weights.items())  # B starts at 0
    info = json.loads((tmp_path / "adapter" / "training_info.json").read_text())
    assert info["config"]["r"] == 8 and info["result"]["steps"] == 100
    assert not (tmp_path / "ckpt").exists()  # finished: nothing left to resume

    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    tuned = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base), tmp_path / "adapter")
    plain = AutoModelForCausalLM.from_pretrained(base)
    ids = torch.tensor([[10, 11, 12]])
    assert not torch.allclose(tuned(input_ids=ids).logits, plain(input_ids=ids).logits)


def test_a_stopped_run_resumes_from_its_checkpoint_to_the_same_weights(base, tmp_path):
    config = quick(dropout=0.1)  # dropout draws random numbers: the checkpoint carries the generator's state
    whole = train_lora(
        base_dir=base, train=TOY, config=config, out_dir=tmp_path / "whole", checkpoint_dir=tmp_path / "ckpt-whole"
    )

    steps = iter(range(1000))
    with pytest.raises(Stopped) as stopped:
        train_lora(
            base_dir=base,
            train=TOY,
            config=config,
            out_dir=tmp_path / "split",
            checkpoint_dir=tmp_path / "ckpt",
            should_stop=lambda: "cancelled" if next(steps) == 13 else None,
        )
    assert stopped.value.step == 13 and (tmp_path / "ckpt" / "checkpoint.pt").exists()
    assert not (tmp_path / "split").exists()

    resumed = train_lora(
        base_dir=base, train=TOY, config=config, out_dir=tmp_path / "split", checkpoint_dir=tmp_path / "ckpt"
    )
    assert resumed.resumed_from_step == 13 and resumed.steps == whole.steps == 40
    first, second = adapter_weights(tmp_path / "whole"), adapter_weights(tmp_path / "split")
    assert first.keys() == second.keys()
    for name in first:
        torch.testing.assert_close(first[name], second[name], rtol=1e-5, atol=1e-6)


def draws() -> dict:
    """One number from every generator a training step may use."""
    drawn = {"torch": torch.rand(3), "python": random.random(), "numpy": np.random.rand()}
    if torch.cuda.is_available():
        drawn["cuda"] = [torch.rand(3, device=f"cuda:{i}").cpu() for i in range(torch.cuda.device_count())]
    return drawn


def test_the_saved_generator_state_replays_every_generator_a_step_draws_from():
    saved = rng_state()
    assert (saved["cuda"] is not None) == torch.cuda.is_available()  # a GPU's generators are kept where they exist
    first = draws()
    draws()  # the generators move on
    rng_restore(saved)
    again = draws()
    assert first.keys() == again.keys()
    torch.testing.assert_close(first["torch"], again["torch"])
    assert (first["python"], first["numpy"]) == (again["python"], again["numpy"])
    for before, after in zip(first.get("cuda", []), again.get("cuda", [])):
        torch.testing.assert_close(before, after)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA: dropout on a GPU draws from its generator")
def test_a_run_resumed_on_cuda_reaches_the_same_weights(base, tmp_path):
    # The resume test above runs on CUDA too where there is one; this one says so in its name and checks the
    # device, so a GPU run of the suite cannot pass it on the CPU by accident.
    config = quick(dropout=0.3, max_steps=20)
    whole = train_lora(
        base_dir=base, train=TOY, config=config, out_dir=tmp_path / "whole", checkpoint_dir=tmp_path / "ckpt-whole"
    )
    assert whole.device == "cuda"
    steps = iter(range(1000))
    with pytest.raises(Stopped):
        train_lora(
            base_dir=base,
            train=TOY,
            config=config,
            out_dir=tmp_path / "split",
            checkpoint_dir=tmp_path / "ckpt",
            should_stop=lambda: "stop" if next(steps) == 7 else None,
        )
    torch.cuda.manual_seed_all(12345)  # a new process would start its generators elsewhere
    train_lora(base_dir=base, train=TOY, config=config, out_dir=tmp_path / "split", checkpoint_dir=tmp_path / "ckpt")
    first, second = adapter_weights(tmp_path / "whole"), adapter_weights(tmp_path / "split")
    for name in first:
        torch.testing.assert_close(first[name], second[name], rtol=1e-4, atol=1e-5)


def test_a_checkpoint_of_other_data_is_not_resumed(base, tmp_path):
    steps = iter(range(1000))
    with pytest.raises(Stopped):
        train_lora(
            base_dir=base,
            train=TOY,
            config=quick(),
            out_dir=tmp_path / "a",
            checkpoint_dir=tmp_path / "c",
            should_stop=lambda: "stop" if next(steps) == 10 else None,
        )
    other = train_lora(
        base_dir=base, train=TOY[:3], config=quick(), out_dir=tmp_path / "b", checkpoint_dir=tmp_path / "c"
    )
    assert other.resumed_from_step == 0


def test_a_run_continues_from_a_parent_adapter_instead_of_fresh_weights(base, tmp_path):
    train_lora(
        base_dir=base,
        train=TOY,
        config=quick(max_steps=60),
        out_dir=tmp_path / "parent",
        checkpoint_dir=tmp_path / "ckpt-parent",
    )
    parent = adapter_weights(tmp_path / "parent")
    # A learning rate this small barely moves anything: what comes out is where it started.
    gentle = quick(max_steps=2, learning_rate=1e-6, warmup_steps=0, r=4)  # the parent's rank 8 wins
    train_lora(
        base_dir=base,
        train=TOY,
        config=gentle,
        out_dir=tmp_path / "child",
        checkpoint_dir=tmp_path / "c1",
        init_adapter_dir=tmp_path / "parent",
    )
    train_lora(
        base_dir=base,
        train=TOY,
        config=quick(max_steps=2, learning_rate=1e-6, warmup_steps=0),
        out_dir=tmp_path / "fresh",
        checkpoint_dir=tmp_path / "c2",
    )
    child, fresh = adapter_weights(tmp_path / "child"), adapter_weights(tmp_path / "fresh")
    assert child.keys() == parent.keys() and all(child[name].shape == parent[name].shape for name in parent)
    assert all(torch.allclose(child[name], parent[name], atol=1e-3) for name in parent)
    assert not all(torch.allclose(fresh[name], parent[name], atol=1e-3) for name in parent)
    info = json.loads((tmp_path / "child" / "training_info.json").read_text())
    assert info["continued_from"] == str(tmp_path / "parent")
    assert info["config"]["r"] == 8  # what it really is (the parent's rank), not the 4 the config asked for


def test_weights_scale_what_each_example_teaches(base, tmp_path):
    ignored = [(prompt, completion, 0.0) for prompt, completion, _ in TOY]
    train_lora(
        base_dir=base,
        train=ignored,
        config=quick(max_steps=10),
        out_dir=tmp_path / "zero",
        checkpoint_dir=tmp_path / "c",
    )
    weights = adapter_weights(tmp_path / "zero")
    assert all(tensor.abs().sum() == 0 for name, tensor in weights.items() if "lora_B" in name)  # no gradient


def test_bad_hyperparameters_are_named():
    with pytest.raises(ConfigError) as refused:
        LoraTrainConfig.from_dict({"r": 0, "learning_rate": 5, "epochs": "three", "rank": 8})
    assert set(refused.value.errors) == {"r", "learning_rate", "epochs", "rank"}
    assert "between" in refused.value.errors["r"] and refused.value.errors["rank"] == "unknown hyperparameter"
    assert LoraTrainConfig.from_dict({}) == LoraTrainConfig()
    defaults = LoraTrainConfig()
    assert (
        defaults.r,
        defaults.alpha,
        defaults.dropout,
        defaults.learning_rate,
        defaults.epochs,
        defaults.batch_size,
        defaults.max_seq_length,
    ) == (8, 16, 0.05, 3e-4, 3, 4, 512)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the refusal on a machine without a GPU")
def test_qlora_without_a_gpu_is_refused_with_the_reason(base):
    with pytest.raises(Unsupported, match="CUDA GPU"):
        load_for_training(base, LoraTrainConfig(quantize_4bit=True))
