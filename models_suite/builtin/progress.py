"""Progress display for a build: a one-line text bar, and a callback that keeps it updated in a terminal."""

from __future__ import annotations

import sys
from typing import TextIO

from .config import BuildProgress


def format_duration(seconds: float) -> str:
    """'1:05' for 65 s, '1:01:05' past an hour; '--:--' when unknown."""
    if seconds != seconds or seconds < 0 or seconds == float("inf"):  # NaN, negative or infinite
        return "--:--"
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_rate(tokens_per_s: float) -> str:
    return f"{tokens_per_s / 1000:.1f}k" if tokens_per_s >= 1000 else f"{tokens_per_s:.0f}"


def render_progress(progress: BuildProgress, width: int = 30) -> str:
    """One line, e.g. '[#########.....................]  30% step 450/1500 loss 1.234 10.2k tok/s 1:30<3:30'."""
    filled = int(round(progress.fraction * width))
    bar = "#" * filled + "." * (width - filled)
    return (
        f"[{bar}] {progress.fraction * 100:3.0f}% step {progress.step}/{progress.total_steps}"
        f" loss {progress.loss:.3f} {format_rate(progress.tokens_per_s)} tok/s"
        f" {format_duration(progress.elapsed_s)}<{format_duration(progress.eta_s)}"
    )


class TerminalProgress:
    """A progress callback that redraws one line in place (carriage return) and ends it on the last step."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self._last_length = 0

    def __call__(self, progress: BuildProgress) -> None:
        line = render_progress(progress, self.width)
        # Pad with spaces so that a shorter line fully covers the previous one.
        self.stream.write("\r" + line.ljust(self._last_length))
        self._last_length = len(line)
        if progress.step >= progress.total_steps:
            self.stream.write("\n")
            self._last_length = 0
        self.stream.flush()
