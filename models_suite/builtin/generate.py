"""Greedy answers and exact-match accuracy, batched for CPU.

Generation is written out rather than left to `model.generate` so that position ids are under our control:
with left padding every prompt must still start at position 0, as it did in training.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import torch

from .tokenizer import ANSWER_END


def _stop_ids(tokenizer) -> set[int]:
    stops = {tokenizer.eos_token_id} if tokenizer.eos_token_id is not None else set()
    newline = tokenizer.convert_tokens_to_ids(ANSWER_END)
    if isinstance(newline, int) and newline != tokenizer.unk_token_id:
        stops.add(newline)
    return stops


def _context_length(model) -> int:
    config = model.config
    return int(getattr(config, "n_positions", None) or getattr(config, "max_position_embeddings", 1024))


@torch.no_grad()
def greedy_answers(
    model, tokenizer, prompts: Sequence[str], max_new_tokens: int = 16, batch_size: int = 64
) -> list[str]:
    """The greedy continuation of each prompt, up to (not including) the first newline or eos."""
    was_training = model.training
    model.eval()
    try:
        answers: list[str] = []
        for start in range(0, len(prompts), batch_size):
            answers.extend(_greedy_batch(model, tokenizer, prompts[start : start + batch_size], max_new_tokens))
        return answers
    finally:
        model.train(was_training)


def _greedy_batch(model, tokenizer, prompts: Sequence[str], max_new_tokens: int) -> list[str]:
    n_ctx = _context_length(model)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    stops = _stop_ids(tokenizer)
    device = next(model.parameters()).device
    # Keep the end of over-long prompts (the part next to the answer) and leave room for at least one token.
    keep = max(1, n_ctx - max(1, max_new_tokens))
    encoded = [list(tokenizer(prompt, add_special_tokens=False)["input_ids"])[-keep:] for prompt in prompts]
    # An empty prompt still needs one attended position, or its attention row would be all masked (NaN).
    encoded = [ids or [pad_id] for ids in encoded]
    width = max(len(ids) for ids in encoded)
    budget = min(max_new_tokens, n_ctx - width)  # positions beyond n_ctx do not exist in the model
    input_ids = torch.tensor([[pad_id] * (width - len(ids)) + ids for ids in encoded], device=device)
    mask = torch.tensor([[0] * (width - len(ids)) + [1] * len(ids) for ids in encoded], device=device)
    positions = (mask.cumsum(-1) - 1).clamp(min=0)  # each prompt starts at position 0 despite left padding

    generated: list[list[int]] = [[] for _ in prompts]
    finished = [False] * len(prompts)
    past = None
    step_ids = input_ids
    for _ in range(budget):
        out = model(input_ids=step_ids, attention_mask=mask, position_ids=positions, past_key_values=past, use_cache=True)
        past = out.past_key_values
        next_ids = out.logits[:, -1, :].argmax(-1)
        for row, token in enumerate(next_ids.tolist()):
            if finished[row]:
                continue
            if token in stops:
                finished[row] = True
            else:
                generated[row].append(token)
        if all(finished):
            break
        step_ids = next_ids.unsqueeze(-1)
        mask = torch.cat([mask, mask.new_ones(len(prompts), 1)], dim=-1)
        positions = positions[:, -1:] + 1
    texts = tokenizer.batch_decode(generated, skip_special_tokens=True, clean_up_tokenization_spaces=False)
    # Tokenizers whose newline is not a single token still stop at the first newline here.
    return [text.split(ANSWER_END, 1)[0] for text in texts]


def greedy_answer(model, tokenizer, prompt: str, max_new_tokens: int = 16) -> str:
    """The model's greedy answer to one prompt: generated until "\\n" or eos, neither included."""
    return greedy_answers(model, tokenizer, [prompt], max_new_tokens=max_new_tokens)[0]


def evaluate_pairs(
    model, tokenizer, pairs: Iterable[tuple[str, str]], max_new_tokens: int = 16, batch_size: int = 64
) -> float:
    """Fraction of pairs whose greedy answer equals the reference answer exactly (0.0 for no pairs)."""
    pairs = list(pairs)
    if not pairs:
        return 0.0
    answers = greedy_answers(model, tokenizer, [prompt for prompt, _ in pairs], max_new_tokens, batch_size)
    return sum(answer == expected for answer, (_, expected) in zip(answers, pairs)) / len(pairs)
