"""Training data: (prompt, answer) pairs -> packed rows of n_ctx tokens, in a seeded, deterministic order.

Each pair becomes the text prompt + answer + "\n". Whole examples are packed into rows (never split across
rows), and each example's position ids restart at 0. Given position ids that restart and no attention mask,
transformers' causal mask keeps packed sequences apart, so every example is trained exactly as it is later
run: alone, starting at position 0. The packing only avoids computing on padding.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import torch
from transformers import PreTrainedTokenizerFast

from .config import LossOn
from .tokenizer import ANSWER_END, encode

IGNORE_INDEX = -100  # cross_entropy's default ignore_index


@dataclass(frozen=True)
class Example:
    ids: tuple[int, ...]
    targets: tuple[int, ...]  # per position: the token id if predicting it counts towards the loss, else -100
    weight: float = 1.0  # how much its tokens count in the loss (LoRA data weighs examples by their reward)


@dataclass(frozen=True)
class Batch:
    input_ids: torch.Tensor  # (rows, n_ctx) long
    position_ids: torch.Tensor  # (rows, n_ctx) long, restarting at 0 for every packed example
    targets: torch.Tensor  # (rows, n_ctx) long; targets[:, t] is predicted from input_ids[:, :t]
    tokens: int  # non-padding tokens in the batch
    weights: torch.Tensor | None = None  # (rows, n_ctx) float: each token's example weight (None: all 1)


def corpus_fingerprint(pairs: list[tuple[str, str]]) -> str:
    """sha256 of the pairs in order: two builds from the same corpus share it."""
    digest = hashlib.sha256()
    for prompt, answer in pairs:
        digest.update(
            len(prompt).to_bytes(4, "big") + prompt.encode() + len(answer).to_bytes(4, "big") + answer.encode()
        )
    return digest.hexdigest()


def encode_pairs(
    pairs: Iterable[tuple[str, str]],
    tokenizer: PreTrainedTokenizerFast,
    n_ctx: int,
    loss_on: LossOn,
    weights: Iterable[float] | None = None,
) -> tuple[list[Example], int]:
    """Encode pairs (with a weight each, default 1); returns the examples and how many pairs were too long for
    n_ctx and left out."""
    examples: list[Example] = []
    skipped = 0
    pairs = list(pairs)
    weights = [1.0] * len(pairs) if weights is None else list(weights)
    for (prompt, answer), weight in zip(pairs, weights, strict=True):
        prompt_ids = encode(tokenizer, prompt)
        answer_ids = encode(tokenizer, answer + ANSWER_END)
        ids = prompt_ids + answer_ids
        if len(ids) > n_ctx or not ids:
            skipped += 1  # truncating would cut the answer or its prompt: the pair teaches nothing true
            continue
        counts = [loss_on == "all"] * len(prompt_ids) + [True] * len(answer_ids)
        counts[0] = False  # the first token has no context: nothing to predict it from
        targets = tuple(token if count else IGNORE_INDEX for token, count in zip(ids, counts))
        examples.append(Example(ids=tuple(ids), targets=targets, weight=float(weight)))
    return examples, skipped


@dataclass
class Row:
    ids: list[int]
    positions: list[int]
    targets: list[int]
    examples: int = 0
    weights: list[float] = field(default_factory=list)


def pack_rows(examples: list[Example], n_ctx: int, pad_id: int) -> list[Row]:
    """Greedy, in order: append each example to the current row while it fits. Rows are padded to n_ctx."""
    rows: list[Row] = []
    row = Row([], [], [])

    def close(row: Row) -> None:
        pad = n_ctx - len(row.ids)
        # Padding is a sequence of its own (positions restart at 0) so that it never joins the last example.
        row.ids += [pad_id] * pad
        row.positions += list(range(pad))
        row.targets += [IGNORE_INDEX] * pad
        row.weights += [0.0] * pad
        rows.append(row)

    for example in examples:
        if len(row.ids) + len(example.ids) > n_ctx:
            close(row)
            row = Row([], [], [])
        row.ids.extend(example.ids)
        row.positions.extend(range(len(example.ids)))
        row.targets.extend(example.targets)
        row.weights.extend([example.weight] * len(example.ids))
        row.examples += 1
    if row.ids:
        close(row)
    return rows


class PackedBatches:
    """Endless batches: each epoch reshuffles the examples with a seeded RNG, then packs them into rows.

    The order depends only on the seed and the corpus, never on time or threads, so a build is reproducible.
    """

    def __init__(self, examples: list[Example], n_ctx: int, batch_size: int, pad_id: int, seed: int) -> None:
        if not examples:
            raise ValueError("no training examples (empty corpus, or every pair longer than n_ctx)")
        self.examples = examples
        self.n_ctx = n_ctx
        self.batch_size = batch_size
        self.pad_id = pad_id
        self.rng = random.Random(seed)  # own RNG: independent of torch's, which initializes the weights
        self.examples_seen = 0

    def __iter__(self) -> Iterator[Batch]:
        pending: list[Row] = []
        while True:
            order = list(self.examples)
            self.rng.shuffle(order)
            pending.extend(pack_rows(order, self.n_ctx, self.pad_id))
            while len(pending) >= self.batch_size:
                chunk, pending = pending[: self.batch_size], pending[self.batch_size :]
                yield self._collate(chunk)

    def _collate(self, rows: list[Row]) -> Batch:
        input_ids = torch.tensor([row.ids for row in rows], dtype=torch.long)
        self.examples_seen += sum(row.examples for row in rows)
        return Batch(
            input_ids=input_ids,
            position_ids=torch.tensor([row.positions for row in rows], dtype=torch.long),
            targets=torch.tensor([row.targets for row in rows], dtype=torch.long),
            # No character maps to pad_id, so every pad_id in a row is padding.
            tokens=int((input_ids != self.pad_id).sum()),
            weights=torch.tensor([row.weights for row in rows], dtype=torch.float32),
        )
