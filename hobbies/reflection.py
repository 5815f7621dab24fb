"""The model reflecting on its graded attempts: insights in its own words, kept when it can say something.

Used by hobbies.practice:
    reflect(backend, artifact, graded: list[(Item, answer, Grade)]) -> list[Reflection]

Only a model that can hold a conversation is asked: a remote endpoint, or a local model whose artifact lists
the "chat" capability (read from its chat template at registration). A completion-only model, like the built-in
character-level one, would only continue the prompt, so it is not asked at all. For each skill with wrong
answers (the most failed first), the model sees a few of its wrong answers beside the expected ones and is
asked what went wrong, in one or two sentences. A reply is kept only if it is non-empty, within a length bound
and not an echo of the prompt; if the backend fails, no reflection is kept (the structured analysis in
hobbies.analysis runs whatever happens here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from models_suite.backends import BackendError, GenerationRequest
from models_suite.models import ModelArtifact

MAX_SKILLS = 3  # a reflection per skill costs a generation; the worst skills say the most
EXAMPLES = 3
MAX_SHOWN_CHARS = 300  # of a prompt or answer shown: documents' prompts hold passages, the question is at the end
REPLY_TOKENS = 160
MIN_REPLY_CHARS, MAX_REPLY_CHARS = 12, 600
ECHO_SHARE = 0.5  # a reply whose word 4-grams are mostly the prompt's is the prompt given back


@dataclass
class Reflection:
    skill: str
    text: str
    evidence: list[str] = field(default_factory=list)  # item ids of the attempts it rests on


def can_reflect(artifact) -> bool:
    return artifact.kind == ModelArtifact.Kind.REMOTE or "chat" in (artifact.capabilities or [])


def reflect(backend, artifact, graded) -> list[Reflection]:
    if not can_reflect(artifact):
        return []
    failed: dict[str, list] = {}
    for item, answer, verdict in graded:
        if not verdict.correct:
            failed.setdefault(item.skill or item.suite, []).append((item, answer, verdict))
    worst = sorted(failed.items(), key=lambda pair: (-len(pair[1]), pair[0]))[:MAX_SKILLS]
    reflections = []
    for skill, wrong in worst:
        examples = wrong[:EXAMPLES]
        question = ask(skill, examples)
        try:
            reply = backend.generate(
                GenerationRequest(
                    messages=[{"role": "user", "content": question}], max_tokens=REPLY_TOKENS, temperature=0.0
                )
            ).text
        except BackendError:
            return []
        text = " ".join(reply.split())
        if worth_keeping(text, question):
            reflections.append(Reflection(skill, text, [item.id for item, _, _ in examples]))
    return reflections


def ask(skill: str, examples) -> str:
    lines = [f"You practised the skill {skill!r} and got these wrong:", ""]
    for n, (item, answer, verdict) in enumerate(examples, 1):
        lines += [
            f"{n}. Task: {_shown(item.prompt)}",
            f"   Your answer: {_shown(answer) or '(nothing)'}",
            f"   Expected: {_shown(item.answer)}",
        ]
        if verdict.detail:
            lines.append(f"   Grader: {_shown(verdict.detail)}")
    lines += ["", "In one or two sentences, explain what went wrong and what to do differently."]
    return "\n".join(lines)


def _shown(text: str) -> str:
    text = text.strip()
    return text if len(text) <= MAX_SHOWN_CHARS else "..." + text[-MAX_SHOWN_CHARS:]


def worth_keeping(text: str, question: str) -> bool:
    if not MIN_REPLY_CHARS <= len(text) <= MAX_REPLY_CHARS:
        return False
    return not is_echo(text, question)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def is_echo(text: str, question: str) -> bool:
    """The reply is the prompt, or mostly pieces of it."""
    said, asked = _words(text), _words(question)
    if " ".join(said) in " ".join(asked):
        return True
    grams = [tuple(said[i : i + 4]) for i in range(len(said) - 3)]
    if not grams:
        return False
    asked_grams = {tuple(asked[i : i + 4]) for i in range(len(asked) - 3)}
    return sum(g in asked_grams for g in grams) / len(grams) >= ECHO_SHARE
