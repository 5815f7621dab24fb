"""A character-level tokenizer: one token per printable ASCII character and per newline.

Built with the `tokenizers` library and wrapped in transformers' fast tokenizer so that the saved directory loads
with `AutoTokenizer.from_pretrained(path, local_files_only=True)`, with nothing fetched from a hub.
"""

from __future__ import annotations

from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast

PAD_TOKEN = "<pad>"
EOS_TOKEN = "<eos>"
UNK_TOKEN = "<unk>"
SPECIAL_TOKENS: tuple[str, ...] = (PAD_TOKEN, EOS_TOKEN, UNK_TOKEN)
ANSWER_END = "\n"  # answers end at the first newline; the model learns to emit it
# Printable ASCII plus newline: every prompt the suites write can be encoded; anything else becomes <unk>.
CHARACTERS: tuple[str, ...] = tuple(chr(code) for code in range(32, 127)) + (ANSWER_END,)


def char_vocab() -> dict[str, int]:
    """Token -> id. Special tokens first so that their ids (pad=0, eos=1, unk=2) never move."""
    return {token: index for index, token in enumerate(SPECIAL_TOKENS + CHARACTERS)}


def build_char_tokenizer(model_max_length: int) -> PreTrainedTokenizerFast:
    core = Tokenizer(models.WordLevel(vocab=char_vocab(), unk_token=UNK_TOKEN))
    # Every single character is its own pre-token ([\s\S] rather than "." so that newline is one too), so the
    # word-level model sees exactly one character at a time. No normalizer: case and whitespace are kept.
    core.pre_tokenizer = pre_tokenizers.Split(Regex(r"[\s\S]"), behavior="isolated")
    # Fuse concatenates tokens on decode; the default would join them with spaces.
    core.decoder = decoders.Fuse()
    return PreTrainedTokenizerFast(
        tokenizer_object=core,
        pad_token=PAD_TOKEN,
        eos_token=EOS_TOKEN,
        unk_token=UNK_TOKEN,
        # The clean-up would turn " ." into "." and so on, which breaks exact round trips.
        clean_up_tokenization_spaces=False,
        model_max_length=model_max_length,
        # Batched generation pads on the left so that every row's next token sits in the last column.
        padding_side="left",
    )


def encode(tokenizer: PreTrainedTokenizerFast, text: str) -> list[int]:
    """Token ids of `text`, with no special tokens added."""
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])
