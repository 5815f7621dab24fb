"""Learning without forgetting: while a LoRA trains, keep its next-token distributions close to the model it
started from (Li & Hoiem's LwF; DER++ distils stored logits the same way), on the answer tokens that model
already predicted right.

Replay alone only asks for the right token; the starting model's whole distribution over the other tokens is
what it knew about the item, and drifting away from it is how practice on one skill costs items of another. So
the loss adds `weight` x KL(start || trained) on those tokens. Tokens the starting model got wrong are left to the
cross-entropy alone: that is what the cycle is there to learn.

The starting model is the parent adapter a continued run loads (a second, frozen copy of its weights in the same
peft model), or, for a fresh LoRA, the bare base (the adapter switched off: a fresh LoRA starts equal to it).
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import torch
import torch.nn.functional as F

PARENT = "parent"  # the frozen starting adapter's name inside the peft model


class StartingModel:
    """The logits of the model a run started from, for the batches it trains on."""

    def __init__(self, model, init_adapter_dir: Path | None):
        self.model, self.continued = model, init_adapter_dir is not None
        if self.continued:
            # Loaded after the optimizer took its parameters: this copy is never trained.
            training = model.training
            model.load_adapter(str(init_adapter_dir), adapter_name=PARENT, is_trainable=False)
            model.train(training)  # loading a frozen adapter puts the whole model in eval mode

    @contextmanager
    def _active(self):
        if not self.continued:
            with self.model.disable_adapter():
                yield
            return
        trained = self.model.active_adapter
        self.model.set_adapter(PARENT, inference_mode=True)
        try:
            yield
        finally:
            self.model.set_adapter(trained)  # which also makes the trained adapter's weights trainable again

    @torch.no_grad()
    def logits(self, input_ids: torch.Tensor, position_ids: torch.Tensor) -> torch.Tensor:
        was_training = self.model.training
        self.model.eval()  # its own distribution, without dropout
        try:
            with self._active():
                return self.model(input_ids=input_ids, position_ids=position_ids, use_cache=False).logits
        finally:
            self.model.train(was_training)

    def close(self) -> None:
        """Before saving: only the trained adapter is written."""
        if self.continued:
            self.model.delete_adapter(PARENT)
            self.continued = False


def kept_knowledge_loss(
    logits: torch.Tensor, start_logits: torch.Tensor, targets: torch.Tensor, counted: torch.Tensor
) -> torch.Tensor:
    """Mean KL(start || trained) over the counted tokens (positions already shifted: logits[:, i] predicts
    targets[:, i]), on those the starting model predicted right; the mean is over all counted tokens, so the term
    weighs as much as the share of the answer it protects."""
    kept = counted & (start_logits.argmax(-1) == targets)
    per_token = F.kl_div(
        F.log_softmax(logits.float(), -1), F.log_softmax(start_logits.float(), -1), log_target=True, reduction="none"
    ).sum(-1)
    return (per_token * kept).sum() / counted.sum().clamp(min=1)
