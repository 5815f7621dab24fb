"""Fresh held-out items: ones a measurement has not used yet, for a second, independent look.

The watch after a promotion must not re-read the items the A/B promoted on: a challenger promoted because it
did well on those items is expected to look a little worse on any others (the winner's curse), and the same
items would only repeat the A/B's verdict. The held-out split is fixed (its items are what scores are reported
on), so when a measurement used all of it, a generated suite draws more items from the same held-out stream
beyond the split's size: they continue its numbering ("<suite>/heldout/<n>" with n at or past the split's
size), are held out by the same hash (never in a train split, never in the built-in model's pretraining) and
are the same in every process. A static suite (user JSONL) has no stream: only what is left of its split.

Pure: no Django.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import cache

from .base import Item
from .errors import SuiteError
from .suites import GeneratedSuite, Suite


def fresh_heldout(suite: Suite, *, exclude: Collection[str], count: int) -> list[Item]:
    """Up to `count` held-out items of `suite` whose ids are not in `exclude`, in the stream's order: the split's
    first, then the stream beyond it. Fewer (possibly none) when the suite has no more."""
    if count <= 0:
        return []
    excluded = set(exclude)
    items = [item for item in suite.items("heldout") if item.id not in excluded][:count]
    if len(items) < count and isinstance(suite, GeneratedSuite):
        # Enough of the stream that, whatever was excluded, `count` items remain.
        size = suite.sizes()["heldout"] + count + len(excluded)
        try:
            items = [item for item in _longer(suite, size).items("heldout") if item.id not in excluded][:count]
        except SuiteError:
            pass  # the suite's prompt space has no more held-out items: what the split has left is all
    return items


@cache
def _longer(suite: GeneratedSuite, size: int) -> GeneratedSuite:
    # The same suite with a longer held-out split: its stream is seeded by name, seed and split alone, so the
    # first items are exactly the split's and the rest continue it. Cached: one generation per size and process.
    return GeneratedSuite(
        suite.name,
        suite.description,
        suite.skills,
        suite.sampler,
        seed=suite.seed,
        train_size=suite.sizes()["train"],
        heldout_size=size,
        heldout_per_mille=suite.heldout_per_mille,
        max_chars=suite.max_chars,
        max_attempts_per_item=suite.max_attempts_per_item,
    )
