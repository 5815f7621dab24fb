"""Inference backends behind one interface. Pure ML code: nothing here imports Django."""

from models_suite.backends.base import (
    Backend,
    BackendError,
    BackendUnavailable,
    GenerationRequest,
    GenerationResult,
    InvalidRequest,
)

__all__ = ["Backend", "BackendError", "BackendUnavailable", "GenerationRequest", "GenerationResult", "InvalidRequest"]
