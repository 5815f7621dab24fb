"""A tiny runnable GGUF model (llama architecture, random weights, a character vocabulary), written with the
`gguf` package, so llama.cpp has something real to load without any download."""

from __future__ import annotations

import string
from pathlib import Path

import numpy as np

SPECIALS = ["<unk>", "<s>", "</s>"]
CHARACTERS = [c for c in string.printable if c not in " \t\n\r\x0b\x0c"]


def build_tiny_gguf(
    path: Path, *, n_ctx: int = 64, width: int = 32, layers: int = 2, heads: int = 4, seed: int = 0
) -> Path:
    import gguf

    rng = np.random.default_rng(seed)
    # SentencePiece style: "▁" stands for a space; byte tokens let any other character through.
    tokens = SPECIALS + [f"<0x{b:02X}>" for b in range(256)] + ["▁"] + CHARACTERS
    types = (
        [gguf.TokenType.UNKNOWN, gguf.TokenType.CONTROL, gguf.TokenType.CONTROL]
        + [gguf.TokenType.BYTE] * 256
        + [gguf.TokenType.NORMAL] * (1 + len(CHARACTERS))
    )
    vocab, ffn = len(tokens), width * 2

    path.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("tiny-gguf")
    writer.add_license("mit")
    writer.add_context_length(n_ctx)
    writer.add_embedding_length(width)
    writer.add_block_count(layers)
    writer.add_feed_forward_length(ffn)
    writer.add_head_count(heads)
    writer.add_head_count_kv(heads)
    writer.add_rope_dimension_count(width // heads)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores([0.0] * vocab)
    writer.add_token_types(types)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_unk_token_id(0)

    def tensor(name: str, *shape: int) -> None:
        writer.add_tensor(name, (rng.standard_normal(shape) * 0.2).astype(np.float32))

    tensor("token_embd.weight", vocab, width)
    for layer in range(layers):
        prefix = f"blk.{layer}"
        writer.add_tensor(f"{prefix}.attn_norm.weight", np.ones(width, dtype=np.float32))
        for part in ("attn_q", "attn_k", "attn_v", "attn_output"):
            tensor(f"{prefix}.{part}.weight", width, width)
        writer.add_tensor(f"{prefix}.ffn_norm.weight", np.ones(width, dtype=np.float32))
        tensor(f"{prefix}.ffn_gate.weight", ffn, width)
        tensor(f"{prefix}.ffn_up.weight", ffn, width)
        tensor(f"{prefix}.ffn_down.weight", width, ffn)
    writer.add_tensor("output_norm.weight", np.ones(width, dtype=np.float32))
    tensor("output.weight", vocab, width)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
