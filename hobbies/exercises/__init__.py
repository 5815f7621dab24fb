"""Where each hobby type's practice items come from, how the model answers them and how they are graded.

A `Source` gives items of the models suite's shape (`models_suite.evaluation.Item`: id, skill, prompt, reference
answer) for a split, answers them with a backend and grades each answer. The practice engine
(hobbies.practice) is the same for every type; only the source differs:

    SuiteSource      the type's evaluation suites (skill practice, patterns, benchmarks, code)
    (more sources are registered by their modules: documents, tools, creative problems)

Every source keeps train and held-out items apart: practice uses train items, proficiency is measured on
held-out ones, and the same seed always draws the same items (a resumed activity practises what it started).
"""

from __future__ import annotations

import abc
import importlib
import random
from collections.abc import Callable

from hobbies.catalogue import CATALOGUE
from models_suite.evaluation import Grade, Item, Split, get_suite, grade
from models_suite.services.evaluation import answers_for


class NothingToPractise(Exception):
    """The source has no items (e.g. the memory hub holds no documents yet): said, not faked."""


class Source(abc.ABC):
    """What every source provides. Subclasses define items(); the rest has working defaults."""

    @abc.abstractmethod
    def items(self, split: Split, *, per_suite: int, seed: int) -> list[Item]:
        """The split's items drawn with this seed: the same seed, the same items."""

    def answer(self, backend, items: list[Item]) -> list[str]:
        """The model's answers, in order (greedy, batched where the backend can)."""
        return answers_for(backend, [item.prompt for item in items])

    def grade(self, item: Item, answer: str) -> Grade:
        return grade(item, answer)

    def learned(self, activity, graded: list[tuple[Item, str, Grade]]) -> None:  # noqa: B027 (an optional hook)
        """After practice: keep what was learned (e.g. as memories). Nothing by default."""


class SuiteSource(Source):
    """Seeded random draws from evaluation suites."""

    def __init__(self, suites: tuple[str, ...]):
        self.suites = suites

    def items(self, split: Split, *, per_suite: int, seed: int) -> list[Item]:
        rng = random.Random(seed)
        chosen: list[Item] = []
        for name in self.suites:
            pool = get_suite(name).items(split)
            chosen.extend(rng.sample(pool, min(per_suite, len(pool))))
        return chosen


SOURCES: dict[str, Callable[[], Source]] = {}


def register(hobby_type: str):
    """@register("TOOL_MASTERY") on a Source class (or factory) makes it that type's source."""

    def decorate(factory):
        SOURCES[hobby_type] = factory
        return factory

    return decorate


def source_for(hobby_type: str) -> Source:
    _import_sources()
    if hobby_type in SOURCES:
        return SOURCES[hobby_type]()
    suites = CATALOGUE[hobby_type].suites
    if not suites:
        raise NothingToPractise(f"{hobby_type} has no practice source yet")
    return SuiteSource(suites)


def _import_sources() -> None:
    """The modules that register sources; imported lazily (some read the memory hub)."""
    for module in SOURCE_MODULES:
        importlib.import_module(module)


SOURCE_MODULES: list[str] = ["hobbies.exercises.documents", "hobbies.exercises.tools", "hobbies.exercises.creative"]
