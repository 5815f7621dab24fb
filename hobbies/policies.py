"""How the scheduler picks an idle sub-agent's next hobby: the selection policies (SelectionPolicy, spelled once in
hobbies.choices and handed on from here) and the choosers registered for them.
"""

from __future__ import annotations

from collections.abc import Callable

from core.errors import NotBuiltYet
from hobbies.choices import SelectionPolicy  # defined in a leaf module, which settings.py can import

# --- what apps above hobbies provide, registered in their AppConfig.ready() -------------------------------------
# The hobby engine must not import the learning loop (learning builds on hobbies), yet one selection policy and the
# confidence shown per insight kind are learned there. They are registered here instead; a policy nobody registered
# is refused with a clear error rather than quietly replaced by another.

Chooser = Callable[..., "str | None"]  # (*, subagent, proficiency: {type: level}, rng, config) -> a hobby type
_choosers: dict[SelectionPolicy, Chooser] = {}
_insight_confidence: Callable[[set[str]], dict[str, float]] | None = None


def selection_policy_register(policy: SelectionPolicy, chooser: Chooser) -> None:
    _choosers[SelectionPolicy(policy)] = chooser


def selection_policy_chooser(policy: str) -> Chooser:
    try:
        return _choosers[SelectionPolicy(policy)]
    except (KeyError, ValueError):
        raise NotBuiltYet(
            f"selection policy {policy!r} is not available here (registered: {', '.join(sorted(_choosers))})"
        ) from None


def insight_confidence_set(provider: Callable[[set[str]], dict[str, float]]) -> None:
    global _insight_confidence
    _insight_confidence = provider


def insight_confidence(kinds: set[str]) -> dict[str, float]:
    """The confidence to show per insight kind, as people's feedback taught it."""
    if _insight_confidence is None:
        raise NotBuiltYet("insight confidence comes from people's feedback: the learning app registers it")
    return _insight_confidence(kinds)
