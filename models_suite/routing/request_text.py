"""What a request is, read once: its text, its size and its shape, and the pieces the classifiers read
(models_suite.routing.linear.pieces). Only the first TEXT_WINDOW characters of
the last user turn and the last few of the rest are read: what a request asks for is said early, and a decision
must cost microseconds whatever the size of the document pasted in (size is counted, not read).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import repeat

from models_suite.routing.linear import pieces_of_words, words_of

TEXT_WINDOW = 600
# Characters per token for counting a request's size when the model's tokenizer is not at hand. Three is on the
# safe side for English and code under BPE tokenizers (about four): a size estimate that errs long keeps a request
# away from a model that could not read it. Models whose tokenizer is one character per token say so.
CHARS_PER_TOKEN = 3.0
MESSAGE_OVERHEAD_TOKENS = 4  # a chat template's role names and separators, per message
# The least answer a request needs room for: a backend writes at most what its context leaves after the prompt,
# and a prompt that leaves less than this gets no useful answer.
ANSWER_FLOOR_TOKENS = 8


@dataclass(frozen=True)
class RequestFacts:
    """The request as the router reads it."""

    ask: str  # the last user turn (or the prompt), the start of it
    context: str  # what came before it: system prompt and earlier turns, the end of them
    chars: int  # every message's text, counted whole
    turns: int  # user turns
    messages: int  # messages of every role (a prompt is one)
    has_tools: bool
    max_tokens: int

    @cached_property
    def words(self) -> list[str]:
        """The ask's words (linear.words_of), read once: every step that reads the text reads these."""
        return words_of(self.ask)

    @cached_property
    def context_words(self) -> list[str]:
        return words_of(self.context) if self.context else []

    @cached_property
    def pieces(self) -> dict[str, list]:
        """The ask's pieces (linear.pieces)."""
        return pieces_of_words(self.words, self.context_words)

    def estimated_tokens(self, chars_per_token: float = CHARS_PER_TOKEN) -> int:
        return int(self.chars / chars_per_token) + 1 + MESSAGE_OVERHEAD_TOKENS * (self.messages - 1)

    def needs_tokens(self, chars_per_token: float = CHARS_PER_TOKEN) -> int:
        """The context a model needs to read it and write at least a short answer."""
        return self.estimated_tokens(chars_per_token) + min(self.max_tokens, ANSWER_FLOOR_TOKENS)


def facts_of(
    *, messages: Sequence[dict] | None = None, prompt: str | None = None, tools: object = None, max_tokens: int = 256
) -> RequestFacts:
    if messages:
        users = [m for m in messages if m.get("role") == "user"]
        last = users[-1] if users else messages[-1]
        earlier = [m["content"] for m in messages if m is not last and isinstance(m.get("content"), str)]
        content = last.get("content")
        ask = content if isinstance(content, str) else ""
        chars = sum(len(m["content"]) for m in messages if isinstance(m.get("content"), str))
        return RequestFacts(
            ask=ask[:TEXT_WINDOW],
            context="\n".join(earlier)[-TEXT_WINDOW:],
            chars=chars,
            turns=len(users),
            messages=len(messages),
            has_tools=bool(tools),
            max_tokens=max_tokens,
        )
    text = prompt or ""
    return RequestFacts(
        ask=text[:TEXT_WINDOW],
        context="",
        chars=len(text),
        turns=1,
        messages=1,
        has_tools=bool(tools),
        max_tokens=max_tokens,
    )


# Words that name what a request is about, grouped: the classifier learns a weight per group, so a language or
# an algorithm the training requests never named still counts (our requests cannot name every one).
LEXICON: dict[str, frozenset[str]] = {
    "programming": frozenset(
        "python java javascript js typescript rust golang cpp c++ csharp c# haskell ruby php kotlin swift "
        "scala sql mysql postgres postgresql sqlite bash shell zsh powershell awk sed regex regexp html css scss react "
        "vue angular svelte django flask fastapi express node nodejs deno terraform dockerfile docker kubernetes k8s "
        "helm yaml graphql perl matlab lua elixir erlang dart julia fortran cobol assembly verilog vhdl pandas numpy "
        "spark kafka redis mongodb nginx ansible jq makefile cmake gradle maven rails laravel spring jquery webpack "
        "ocaml clojure lisp scheme f# zig nim solidity".split()
    ),
    "code_work": frozenset(
        "function functions method class classes script program code coding algorithm endpoint endpoints api query "
        "queries snippet implement implementation unittest unittests tests test pytest jest bug bugs debug error "
        "exception traceback stacktrace segfault compile compiler refactor refactoring optimise optimize lint "
        "recursion recursive fizzbuzz palindrome anagram anagrams fibonacci quicksort mergesort heapsort sort sorting "
        "bfs dfs dijkstra linked list binary tree trie heap hashmap hashtable stack parser lexer server client "
        "cron crontab daemon cli regex one-liner oneliner decorator generator iterator async await thread threads "
        "mutex deadlock memoize memoization cache struct enum interface trait generic generics lambda closure "
        "schema migration migrations orm crud rest websocket microservice microservices repo pipeline ci deploy "
        "dockerize containerize leetcode kata".split()
    ),
    "planning": frozenset(
        "plan plans planning roadmap strategy strategies step-by-step steps schedule itinerary timeline milestones "
        "migrate migrating design architect architecture proposal outline phases phase rollout curriculum "
        "budget prioritise prioritize organise organize checklist how should approach".split()
    ),
    "analysis": frozenset(
        "essay analyse analyze analysis compare comparison contrast pros cons trade-offs tradeoffs prove proof "
        "derive derivation theorem lemma evaluate critique assess argue argument report memo draft summarise "
        "summarize summary review explain why implications consequences ethical ethics discuss thesis "
        "analysiere analyser analizar comparer comparar vergleiche".split()
    ),
}
# A line that looks like code: indented, ending in { } or ;, or opening with a keyword. Anchored at the line's
# start, so findall counts each line once, in one C loop over the text.
_CODE_LINE = re.compile(
    r"^(?:[ \t]{2,}\S|[^\n]*[{};][ \t]*$|[ \t]*(?:def|class|function|fn|func|public|private|import|from|return|if|for)\b)",
    re.MULTILINE,
)
_NONBLANK_LINE = re.compile(r"^[ \t]*\S", re.MULTILINE)
_SYMBOLS = re.compile(r"[{}()\[\];=<>_#$/\\|*]")


# Each LEXICON word's groups as bits (bit i: the i-th group), so a text's groups are one C loop of lookups.
_GROUP_BITS: dict[str, int] = {}
for _bit, _names in enumerate(LEXICON.values()):
    for _name in _names:
        _GROUP_BITS[_name] = _GROUP_BITS.get(_name, 0) | 1 << _bit
_GROUP_MASKS = [1 << bit for bit in range(len(LEXICON))]


def lexicon_groups(words: Iterable[str]) -> list[float]:
    """1.0 for each LEXICON group one of the words belongs to, else 0.0 (in LEXICON's order)."""
    found = 0
    for bits in set(map(_GROUP_BITS.get, words, repeat(0))):
        found |= bits
    return [1.0 if found & mask else 0.0 for mask in _GROUP_MASKS]


def code_line_share(text: str) -> float:
    """The share of the text's non-blank lines that look like code."""
    if "\n" not in text:  # one line (most requests): no need to count lines
        return (1.0 if _CODE_LINE.match(text) else 0.0) if text.strip() else 0.0
    lines = len(_NONBLANK_LINE.findall(text))
    return len(_CODE_LINE.findall(text)) / lines if lines else 0.0


def symbol_share(text: str) -> float:
    return len(_SYMBOLS.findall(text)) / (len(text) + 1.0)
