"""Learning without forgetting (learning.training.distill): a continued run can be held to the distributions of
the adapter it started from on what that adapter already answered right, which replay's cross-entropy alone does
not do; the parent's frozen copy answers as the parent, is never trained and is never saved."""

from __future__ import annotations

import pytest
import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM

from learning.training.distill import StartingModel, kept_knowledge_loss
from learning.training.lora import load_for_training, train_lora
from tests.learning.test_lora_training import TOY, adapter_weights, base, quick  # noqa: F401

NEW = [(f"Q:{word}=", word.upper(), 1.0) for word in ("cat", "pen", "fig", "jar", "hat", "box")]


def test_the_term_counts_only_tokens_the_starting_model_predicted_right():
    targets = torch.tensor([[1, 2, -100]])
    counted = targets != -100
    start = torch.tensor([[[0.0, 5.0, 0.0], [5.0, 0.0, 0.0], [0.0, 0.0, 5.0]]])  # right, wrong, not counted
    assert kept_knowledge_loss(start, start, targets, counted) == 0  # no drift, no loss
    drifted = start.clone()
    drifted[0, 1] = torch.tensor([0.0, 0.0, 9.0])  # drift on the token it got wrong: not its to keep
    drifted[0, 2] = torch.tensor([9.0, 0.0, 0.0])  # and on one that does not count
    assert kept_knowledge_loss(drifted, start, targets, counted) == 0
    drifted[0, 0] = torch.tensor([0.0, 1.0, 1.0])
    assert kept_knowledge_loss(drifted, start, targets, counted) > 0


@pytest.fixture(scope="module")
def parent(base, tmp_path_factory):
    out = tmp_path_factory.mktemp("parent")
    train_lora(
        base_dir=base, train=TOY, config=quick(max_steps=60), out_dir=out / "adapter", checkpoint_dir=out / "ckpt"
    )
    return out / "adapter"


def encoded(tokenizer, pairs) -> tuple[torch.Tensor, torch.Tensor]:
    rows = [tokenizer(prompt + answer)["input_ids"] for prompt, answer, _ in pairs]
    width = max(map(len, rows))
    ids = torch.tensor([row + [tokenizer.pad_token_id] * (width - len(row)) for row in rows])
    return ids, torch.arange(width).expand(len(rows), width)


def test_the_starting_model_answers_as_the_parent_while_the_trained_adapter_moves(base, parent):
    model, tokenizer, _ = load_for_training(base, quick(), parent)
    model.train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    starting = StartingModel(model, parent)
    with torch.no_grad():  # the trained adapter moves away from where it started
        for weight in trainable:
            weight.add_(0.05)
    ids, positions = encoded(tokenizer, TOY)
    alone = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base), parent).eval()
    with torch.no_grad():
        expected = alone(input_ids=ids, position_ids=positions).logits
    assert torch.allclose(starting.logits(ids, positions), expected, atol=1e-5)
    assert all(p.requires_grad for p in trainable) and model.training  # back to training the child
    assert not any(p.requires_grad for n, p in model.named_parameters() if ".parent." in n)
    starting.close()
    assert "parent" not in model.peft_config


def kl_to_parent(base, parent, child) -> float:
    """Mean KL(parent || child) over the answer tokens of what the parent was taught."""
    models = [PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base), d).eval() for d in (parent, child)]
    _, tokenizer, _ = load_for_training(base, quick())
    total, count = 0.0, 0
    for prompt, answer, _ in TOY:
        ids, positions = encoded(tokenizer, [(prompt, answer, 1.0)])
        first = len(tokenizer(prompt)["input_ids"]) - 1  # the logits that predict the answer's tokens
        with torch.no_grad():
            p, c = (m(input_ids=ids, position_ids=positions).logits[0, first:-1].log_softmax(-1) for m in models)
        total += float((p.exp() * (p - c)).sum())
        count += p.shape[0]
    return total / count


def test_a_continued_run_that_keeps_what_the_parent_knew_drifts_less_from_it(base, parent, tmp_path):
    """A new task with the parent's own items replayed, as a learning cycle trains: with the term, the child's
    distributions on the replayed items stay closer to the parent's."""
    drift = {}
    for keep in (0.0, 2.0, 8.0):
        out = tmp_path / f"keep-{keep}"
        result = train_lora(
            base_dir=base,
            train=NEW + TOY,
            config=quick(max_steps=40, keep_weight=keep),
            out_dir=out,
            checkpoint_dir=tmp_path / f"ckpt-{keep}",
            init_adapter_dir=parent,
        )
        assert result.steps == 40
        assert adapter_weights(out).keys() == adapter_weights(parent).keys()  # the parent's copy is not saved
        drift[keep] = kl_to_parent(base, parent, out)
    assert drift[8.0] < drift[2.0] < drift[0.0] and drift[8.0] < 0.5 * drift[0.0], drift  # the more, the closer
