"""Fresh held-out items: ones a measurement has not used yet, for a second, independent look.

The watch after a promotion must not re-read the items the A/B promoted on: a challenger promoted because it
did well on those items is expected to look a little worse on any others (the winner's curse), and the same
items would only repeat the A/B's verdict. The held-out split is fixed (its items are what scores are reported
on), so when a measurement used all of it, a generated suite draws more items from the same held-out stream
beyond the split's size: they continue its numbering ("<suite>/heldout/<n>" with n at or past the split's
size), are held out by the same hash (never in a train split, never in the built-in model's pretraining) and
are the same in every process. A static suite (user JSONL) has no stream: only what is left of its split.

The same stream serves a measurement that needs more items than a split holds: an evaluation run whose limit is
past the split's size reads on along it, and the learning loop measures each skill on enough items that one item
is a small part of its score (covering_count).

Pure: no Django.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import cache

from .base import Item, Split
from .suites import GeneratedSuite, Suite

# How far a held-out stream is read past its split at most: generating it costs a moment per thousand items.
STREAM_MAX = 5000


def heldout_prefix(suite: Suite, count: int) -> list[Item]:
    """The first `count` items of the suite's held-out stream: its split's, then (a generated suite) the items
    past it, up to STREAM_MAX. Fewer where the suite has no more: a static suite's split is all it has, and a
    small prompt space ends its stream."""
    size = suite.sizes()["heldout"]
    if count <= size or not isinstance(suite, GeneratedSuite):
        return suite.items("heldout", limit=count)
    # Generated to the next power of two: callers ask for many lengths (each watch, run and measurement its
    # own), and one generation per length would make the same stream again and again.
    longer = min(1 << (count - 1).bit_length(), STREAM_MAX)
    return _longer(suite, longer).items("heldout", limit=count)


def split_items(suite: Suite, split: Split, limit: int | None) -> list[Item]:
    """The first `limit` items (all when None) of a split; a held-out split reads on along its stream past its
    size when `limit` asks for more (heldout_prefix): what an evaluation run measures."""
    if split == "heldout" and limit is not None:
        return heldout_prefix(suite, limit)
    return suite.items(split, limit=limit)


def fresh_heldout(suite: Suite, *, exclude: Collection[str], count: int) -> list[Item]:
    """Up to `count` held-out items of `suite` whose ids are not in `exclude`, in the stream's order: the split's
    first, then the stream beyond it. Fewer (possibly none) when the suite has no more."""
    if count <= 0:
        return []
    excluded = set(exclude)
    # Enough of the stream that, whatever was excluded, `count` items remain.
    reach = suite.sizes()["heldout"] + count + len(excluded)
    return [item for item in heldout_prefix(suite, reach) if item.id not in excluded][:count]


def covering_count(suite: Suite, *, per_skill: int, most: int) -> int:
    """The length of the shortest prefix of the suite's held-out stream, its split at least, in which every skill
    has `per_skill` items; at most `most`, and at most what the stream has."""
    split = suite.sizes()["heldout"]
    items = heldout_prefix(suite, max(most, split))
    counts = dict.fromkeys(suite.skills, 0)
    for index, item in enumerate(items, start=1):
        counts[item.skill] += 1
        if index >= split and min(counts.values()) >= per_skill:
            return index
    return len(items)


@cache
def _longer(suite: GeneratedSuite, size: int) -> GeneratedSuite:
    # The same suite with a longer held-out split: its stream is seeded by name, seed and split alone, so the
    # first items are exactly the split's and the rest continue it. Cached: one generation per size and process.
    # up_to: a prompt space with fewer held-out items ends the stream where it ends.
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
        up_to=True,
    )
