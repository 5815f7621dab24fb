"""Preference pairs as HH-RLHF writes them: dialogues of "\n\nHuman: ..." / "\n\nAssistant: ..." turns."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

HUMAN, ASSISTANT = "\n\nHuman:", "\n\nAssistant:"


def split_dialogue(text: str) -> tuple[str, str]:
    """(the context before the final assistant reply, that reply). Text without an assistant turn: ('', text)."""
    cut = text.rfind(ASSISTANT)
    if cut == -1:
        return "", text.strip()
    return text[:cut], text[cut + len(ASSISTANT) :].strip()


def last_human_turn(context: str) -> str:
    """What the person last said: the turn a reply answers."""
    cut = context.rfind(HUMAN)
    return (context[cut + len(HUMAN) :] if cut != -1 else context).strip()


def load_pairs(path: str | Path) -> list[tuple[str, str]]:
    """(chosen, rejected) from a .jsonl or .jsonl.gz file of {"chosen", "rejected"} objects. A malformed line is
    a ValueError naming it; a missing or unreadable file an OSError."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    pairs = []
    with opener(path, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{path.name}, line {number}: not JSON ({error.msg})") from None
            if not (
                isinstance(row, dict) and isinstance(row.get("chosen"), str) and isinstance(row.get("rejected"), str)
            ):
                raise ValueError(f'{path.name}, line {number}: wants {{"chosen": "...", "rejected": "..."}}')
            pairs.append((row["chosen"], row["rejected"]))
    return pairs
