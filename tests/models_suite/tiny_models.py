"""Tiny models built in a second, for tests: random weights, the built-in character tokenizer."""

from __future__ import annotations

from pathlib import Path


def build_tiny_model(
    directory: Path,
    *,
    n_ctx: int = 48,
    seed: int = 0,
    eos_token: str | None = None,
    pad_token: str | None = None,
    initializer_range: float = 0.02,
) -> Path:
    """`eos_token` / `pad_token` make a character of the vocabulary the end-of-sequence / padding token (the
    weights depend on the seed alone): a random model then ends its answers where it writes that character.
    A larger `initializer_range` gives a model that fine-tuning can teach: at GPT-2's 0.02 the tied embeddings
    are so small that no change inside the layers moves the logits by more than about 0.6."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    from models_suite.builtin.tokenizer import build_char_tokenizer

    tokenizer = build_char_tokenizer(model_max_length=n_ctx)
    if eos_token is not None:
        tokenizer.eos_token = eos_token
    if pad_token is not None:
        tokenizer.pad_token = pad_token
    torch.manual_seed(seed)
    config = GPT2Config(
        n_layer=1,
        n_embd=32,
        n_head=2,
        n_positions=n_ctx,
        vocab_size=len(tokenizer),
        bos_token_id=tokenizer.eos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        initializer_range=initializer_range,
    )
    GPT2LMHeadModel(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def build_tiny_adapter(base_dir: Path, directory: Path, *, seed: int = 1, scale: float = 2.0) -> Path:
    """A LoRA adapter whose weights are large enough to change greedy answers (fresh LoRA B is zero)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)
    base = AutoModelForCausalLM.from_pretrained(base_dir, local_files_only=True)
    peft_model = get_peft_model(
        base, LoraConfig(r=4, lora_alpha=8, target_modules=["c_attn", "c_proj"], fan_in_fan_out=True)
    )
    with torch.no_grad():
        for name, parameter in peft_model.named_parameters():
            if "lora_" in name:
                parameter.copy_(torch.randn_like(parameter) * scale)
    peft_model.save_pretrained(directory)
    return directory
