"""What a model artifact is, read from the artifact itself: a transformers directory or a GGUF file.

Pure Python (no Django): the registry calls `inspect_artifact` and stores what it returns. Anything that
cannot be read raises `ArtifactError` with a message fit for an operator, so a corrupt file is refused before
any row is written.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from gguf import GGUFReader
from safetensors import safe_open

DTYPE_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2, "float64": 8, "int8": 1}
# KV cache estimates use fp16 for GGUF (llama.cpp's default cache type) and the weights' dtype otherwise.
GGUF_KV_BYTES = 2
GGUF_FILE_TYPES = {  # llama.cpp's general.file_type values, as people name them
    0: "F32",
    1: "F16",
    2: "Q4_0",
    3: "Q4_1",
    7: "Q8_0",
    8: "Q5_0",
    9: "Q5_1",
    10: "Q2_K",
    11: "Q3_K_S",
    12: "Q3_K_M",
    13: "Q3_K_L",
    14: "Q4_K_S",
    15: "Q4_K_M",
    16: "Q5_K_S",
    17: "Q5_K_M",
    18: "Q6_K",
    19: "IQ2_XXS",
    20: "IQ2_XS",
    24: "IQ1_S",
    25: "IQ4_NL",
    26: "IQ3_S",
    28: "IQ4_XS",
    32: "BF16",
}


class ArtifactError(Exception):
    """The artifact cannot be read or is not what it claims to be."""


@dataclass
class ArtifactFacts:
    kind: str  # hf | gguf
    architecture: str
    context_length: int
    parameter_count: int
    size_bytes: int
    sha256: str
    quantization: str = ""
    license: str = ""
    capabilities: list[str] = field(default_factory=lambda: ["completion"])
    tokenizer: dict = field(default_factory=dict)
    n_layer: int = 0
    n_embd: int = 0
    n_kv_heads: int = 0
    n_heads: int = 0
    kv_bytes_per_value: int = 2

    @property
    def kv_cache_bytes(self) -> int:
        """Keys and values for every layer at the full context, batch 1."""
        if not (self.n_layer and self.n_embd and self.n_heads):
            return 0
        head_dim = self.n_embd // self.n_heads
        kv_heads = self.n_kv_heads or self.n_heads
        return 2 * self.n_layer * self.context_length * kv_heads * head_dim * self.kv_bytes_per_value

    @property
    def estimated_memory_bytes(self) -> int:
        return self.size_bytes + self.kv_cache_bytes

    def as_dict(self) -> dict:
        return {
            **asdict(self),
            "kv_cache_bytes": self.kv_cache_bytes,
            "estimated_memory_bytes": self.estimated_memory_bytes,
        }


def sha256_of(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode() + b"\0")
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def inspect_artifact(path: Path) -> ArtifactFacts:
    path = Path(path)
    if path.is_dir():
        return inspect_hf_directory(path)
    if path.is_file():
        return inspect_gguf(path)
    raise ArtifactError(f"{path} does not exist")


# --- transformers directories ------------------------------------------------------------------------------


def _first(config: dict, *names: str, default=0):
    for name in names:
        if config.get(name):
            return config[name]
    return default


def _license_from_card(directory: Path) -> str:
    card = directory / "README.md"
    if not card.exists():
        return ""
    match = re.search(r"^license:\s*(\S+)", card.read_text(errors="replace"), re.MULTILINE)
    return match.group(1) if match else ""


def inspect_hf_directory(directory: Path) -> ArtifactFacts:
    config_path = directory / "config.json"
    try:
        config = json.loads(config_path.read_text())
    except FileNotFoundError:
        raise ArtifactError(f"{directory} has no config.json: not a transformers model directory") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ArtifactError(f"{config_path} is not valid JSON: {exc}") from None
    weights = sorted(directory.glob("*.safetensors")) or sorted(directory.glob("pytorch_model*.bin"))
    if not weights:
        raise ArtifactError(f"{directory} has no weights (*.safetensors or pytorch_model*.bin)")
    parameters, dtype = _count_parameters(weights)
    if not any((directory / name).exists() for name in ("tokenizer.json", "tokenizer_config.json")):
        raise ArtifactError(f"{directory} has no tokenizer (tokenizer.json or tokenizer_config.json)")
    tokenizer = {
        "files": sorted(p.name for p in directory.glob("tokenizer*")),
        "vocab_size": config.get("vocab_size", 0),
    }
    n_embd = _first(config, "n_embd", "hidden_size", "d_model")
    n_heads = _first(config, "n_head", "num_attention_heads")
    dtype = config.get("torch_dtype") or config.get("dtype") or dtype
    return ArtifactFacts(
        kind="hf",
        architecture=(config.get("architectures") or [config.get("model_type", "unknown")])[0],
        context_length=int(_first(config, "n_positions", "max_position_embeddings", "n_ctx", "seq_length")),
        parameter_count=parameters,
        size_bytes=sum(p.stat().st_size for p in weights),
        sha256=sha256_of(weights),
        quantization=str(dtype),
        license=config.get("license", "") or _license_from_card(directory),
        capabilities=["completion", "chat"]
        if (directory / "chat_template.jinja").exists() or "chat_template" in _tokenizer_config(directory)
        else ["completion"],
        tokenizer=tokenizer,
        n_layer=int(_first(config, "n_layer", "num_hidden_layers", "num_layers")),
        n_embd=int(n_embd),
        n_heads=int(n_heads),
        n_kv_heads=int(_first(config, "num_key_value_heads", default=n_heads)),
        kv_bytes_per_value=DTYPE_BYTES.get(str(dtype), 2),
    )


def _tokenizer_config(directory: Path) -> dict:
    try:
        return json.loads((directory / "tokenizer_config.json").read_text())
    except (OSError, json.JSONDecodeError):
        return {}


def _count_parameters(weights: list[Path]) -> tuple[int, str]:
    """Parameters from the safetensors headers alone: no tensor is loaded."""
    if weights[0].suffix != ".safetensors":
        return 0, "float32"
    total, dtype = 0, "float32"
    for path in weights:
        try:
            with safe_open(str(path), framework="pt") as handle:
                for name in handle.keys():
                    tensor = handle.get_slice(name)
                    count = 1
                    for dim in tensor.get_shape():
                        count *= dim
                    total += count
                    dtype = (
                        str(tensor.get_dtype())
                        .lower()
                        .replace("f32", "float32")
                        .replace("bf16", "bfloat16")
                        .replace("f16", "float16")
                    )
        except Exception as exc:  # safetensors raises its own error types for a damaged header
            raise ArtifactError(f"{path.name} is not a readable safetensors file: {exc}") from None
    return total, dtype


# --- GGUF files ----------------------------------------------------------------------------------------------


def inspect_gguf(path: Path) -> ArtifactFacts:
    try:
        reader = GGUFReader(str(path))
    except Exception as exc:  # the reader raises ValueError, KeyError, struct errors... for a bad file
        raise ArtifactError(f"{path.name} is not a readable GGUF file: {type(exc).__name__}: {exc}") from None

    def field_value(key: str, default=None):
        entry = reader.get_field(key)
        if entry is None:
            return default
        value = entry.contents()
        return value if value is not None else default

    arch = field_value("general.architecture")
    if not arch:
        raise ArtifactError(f"{path.name} has no general.architecture: not a model GGUF")
    tokens = field_value("tokenizer.ggml.tokens", [])
    file_type = field_value("general.file_type")
    return ArtifactFacts(
        kind="gguf",
        architecture=str(arch),
        context_length=int(field_value(f"{arch}.context_length", 0)),
        parameter_count=int(sum(int(t.n_elements) for t in reader.tensors)),
        size_bytes=path.stat().st_size,
        sha256=sha256_of([path]),
        quantization=GGUF_FILE_TYPES.get(file_type, str(file_type) if file_type is not None else ""),
        license=str(field_value("general.license", "")),
        capabilities=["completion", "chat"] if field_value("tokenizer.chat_template") else ["completion"],
        tokenizer={"model": str(field_value("tokenizer.ggml.model", "")), "vocab_size": len(tokens)},
        n_layer=int(field_value(f"{arch}.block_count", 0)),
        n_embd=int(field_value(f"{arch}.embedding_length", 0)),
        n_heads=int(field_value(f"{arch}.attention.head_count", 0)),
        n_kv_heads=int(field_value(f"{arch}.attention.head_count_kv", 0)),
        kv_bytes_per_value=GGUF_KV_BYTES,
    )
