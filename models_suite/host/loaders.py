"""Loaders: ModelSpec -> backend. The host calls one under the device lock."""

from __future__ import annotations

from models_suite.backends.llamacpp_backend import LlamaCppBackend
from models_suite.backends.transformers_backend import TransformersBackend
from models_suite.host.spec import ModelSpec


def transformers_loader(spec: ModelSpec):
    """A local transformers directory (spec.path) on spec.device; loader_args go to TransformersBackend."""
    if not spec.path:
        raise ValueError(f"{spec.name!r} names no model directory")
    return TransformersBackend(spec.path, device=spec.device, **dict(spec.loader_args))


def llamacpp_loader(spec: ModelSpec):
    """A GGUF file (spec.path) through llama-cpp-python; loader_args go to LlamaCppBackend."""
    assert spec.path is not None  # a local model's spec names its file
    return LlamaCppBackend(spec.path, device=spec.device, **dict(spec.loader_args))


def local_loader(spec: ModelSpec):
    """Whatever a local path holds: a GGUF file, or a transformers directory."""
    if spec.path and spec.path.endswith(".gguf"):
        return llamacpp_loader(spec)
    return transformers_loader(spec)
