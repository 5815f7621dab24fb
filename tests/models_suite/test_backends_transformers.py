"""The local transformers backend on a tiny model: generation, limits, streaming, adapters at run time."""

import pytest

from models_suite.backends import GenerationRequest, InvalidRequest
from models_suite.backends.transformers_backend import TransformersBackend
from tests.models_suite.tiny_models import build_tiny_adapter, build_tiny_model


@pytest.fixture(scope="module")
def base_dir(tmp_path_factory):
    return build_tiny_model(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def adapter_dir(base_dir, tmp_path_factory):
    return build_tiny_adapter(base_dir, tmp_path_factory.mktemp("adapter"))


@pytest.fixture
def backend(base_dir):
    return TransformersBackend(base_dir, device="cpu")


def greedy(backend, prompt="Q:12+34=", **kw):
    return backend.generate(GenerationRequest(prompt=prompt, max_tokens=12, **kw))


def test_it_generates_with_token_counts_and_timings(backend):
    result = greedy(backend)
    assert result.prompt_tokens == len("Q:12+34=")  # one token per character
    assert 1 <= result.completion_tokens <= 12 and result.seconds > 0
    assert result.finish_reason in {"stop", "length"}
    assert greedy(backend).text == result.text  # greedy is reproducible


def test_matches_raw_transformers_generate(backend, base_dir):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base_dir, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(base_dir, local_files_only=True).eval()
    inputs = tokenizer("Q:12+34=", return_tensors="pt")
    with torch.inference_mode():
        raw = model.generate(**inputs, max_new_tokens=12, do_sample=False, pad_token_id=tokenizer.pad_token_id)
    assert greedy(backend).text == tokenizer.decode(raw[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)


def test_a_prompt_longer_than_the_context_is_refused_naming_the_limit(backend):
    with pytest.raises(InvalidRequest, match="context is 48 tokens"):
        greedy(backend, prompt="x" * 60)


@pytest.mark.parametrize(
    "bad",
    [{"temperature": -1}, {"temperature": 3}, {"top_p": 0}, {"max_tokens": 0}, {"stop": ["a", "b", "c", "d", "e"]}],
)
def test_invalid_sampling_parameters_are_refused(backend, bad):
    params = {"prompt": "Q:1+1=", **bad}
    with pytest.raises(InvalidRequest):
        backend.generate(GenerationRequest(**params))


def test_streaming_yields_the_same_text_in_pieces(backend):
    pieces = list(backend.stream(GenerationRequest(prompt="Q:12+34=", max_tokens=12)))
    assert len(pieces) >= 1 and "".join(pieces) == greedy(backend).text


def test_stop_strings_cut_the_answer(backend):
    full = greedy(backend).text
    if len(full) < 3:
        pytest.skip("the random model answered too briefly to cut")
    stop = full[2]
    cut = greedy(backend, stop=[stop])
    assert cut.text == full[: full.index(stop)] and cut.finish_reason == "stop"


def test_chat_messages_without_a_template_become_a_transcript(backend):
    request = GenerationRequest(messages=[{"role": "user", "content": "hi"}], max_tokens=4)
    assert backend.render(request) == "user: hi\nassistant:"
    assert backend.generate(request).prompt_tokens == len("user: hi\nassistant:")


def test_adapters_attach_switch_and_detach_without_reloading_the_base(backend, adapter_dir):
    model = backend.model
    before = greedy(backend).text

    backend.load_adapter("skills-v1", adapter_dir)
    assert greedy(backend).text == before  # attached, not active
    backend.use_adapter("skills-v1")
    with_adapter = greedy(backend).text
    assert with_adapter != before
    backend.use_adapter(None)
    assert greedy(backend).text == before
    backend.use_adapter("skills-v1")
    backend.unload_adapter("skills-v1")
    assert greedy(backend).text == before and backend.active_adapter is None
    assert backend.model is model  # the same resident base throughout


def test_a_broken_adapter_is_refused_and_the_current_one_stays(backend, adapter_dir, tmp_path):
    from models_suite.backends import BackendError

    backend.load_adapter("good", adapter_dir)
    backend.use_adapter("good")
    expected = greedy(backend).text
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "adapter_config.json").write_text("{not json")
    with pytest.raises(BackendError):
        backend.load_adapter("bad", broken)
    assert backend.active_adapter == "good" and greedy(backend).text == expected


def test_a_batch_answers_exactly_as_one_request_at_a_time(backend):
    requests = [GenerationRequest(prompt=f"Q:{i}+{i * 7}=", max_tokens=10, stop=["\n"]) for i in range(12)]
    assert [r.text for r in backend.generate_batch(requests)] == [backend.generate(r).text for r in requests]


# Prompts of very different lengths, a one-character one among them; the longest leaves room for 10 new tokens.
MIXED_PROMPTS = ["Q", "Q:12+34=", "Q:upper(abcdefgh)=", "Q:7-3=", "x" * 30]


def summary(result):
    return result.text, result.finish_reason, result.prompt_tokens, result.completion_tokens


def requests_for(prompts, **kw):
    return [GenerationRequest(prompt=prompt, max_tokens=10, **kw) for prompt in prompts]


def test_left_padding_changes_no_answer_of_a_batch_of_different_lengths(backend):
    requests = requests_for(MIXED_PROMPTS)
    batched = backend.generate_batch(requests)
    assert [summary(r) for r in batched] == [summary(backend.generate(r)) for r in requests]
    assert [r.prompt_tokens for r in batched] == [len(prompt) for prompt in MIXED_PROMPTS]


def _ending_character(answers: list[str]) -> str:
    """A character that some answer writes after its first character and another answer never writes: made the
    end of an answer, it ends one row of a batch early while another runs to its length."""
    for answer in answers:
        for char in answer[1:]:
            if char != answer[0] and any(char not in other for other in answers):
                return char
    pytest.skip(f"the random model's answers {answers} have no character to end them at")


def test_stop_strings_end_each_answer_of_a_batch_on_its_own(backend):
    full = [r.text for r in backend.generate_batch(requests_for(MIXED_PROMPTS))]
    stop = _ending_character(full)
    requests = requests_for(MIXED_PROMPTS, stop=[stop])
    batched = backend.generate_batch(requests)
    assert [r.text for r in batched] == [answer.split(stop)[0] for answer in full]
    assert [r.finish_reason for r in batched] == ["stop" if stop in answer else "length" for answer in full]
    assert [summary(r) for r in batched] == [summary(backend.generate(r)) for r in requests]


@pytest.mark.parametrize("pad_is_eos", [False, True], ids=["own-pad", "pad-is-eos"])
def test_eos_ends_each_answer_of_a_batch_on_its_own(backend, tmp_path, pad_is_eos):
    full = [r.text for r in backend.generate_batch(requests_for(MIXED_PROMPTS))]
    eos = _ending_character(full)
    # The same weights, with that character as the end of sequence (and, for models without a padding token
    # of their own, as padding too: rows that ended early are then padded with eos).
    ended = TransformersBackend(
        build_tiny_model(tmp_path, eos_token=eos, pad_token=eos if pad_is_eos else None), device="cpu"
    )
    requests = requests_for(MIXED_PROMPTS)
    batched = ended.generate_batch(requests)
    assert [r.text for r in batched] == [answer.split(eos)[0] for answer in full]
    assert [r.finish_reason for r in batched] == ["stop" if eos in answer else "length" for answer in full]
    assert [r.completion_tokens for r in batched] == [
        answer.index(eos) + 1 if eos in answer else 10 for answer in full
    ]  # eos counts; padding after it not
    assert [summary(r) for r in batched] == [summary(ended.generate(r)) for r in requests]


def test_an_empty_prompt_starts_from_the_start_token_alone_and_in_a_batch(backend):
    requests = requests_for(["", "Q:12+34=", ""])
    batched = backend.generate_batch(requests)
    assert [summary(r) for r in batched] == [summary(backend.generate(r)) for r in requests]
    assert batched[0].prompt_tokens == 1  # the eos token this tokenizer starts from (it has no bos)
    assert "".join(backend.stream(requests[0])) == batched[0].text


def test_batched_generation_warns_of_nothing(backend):
    """Left padding, the attention mask and the padding token are all given as transformers wants them: a
    warning here (right padding detected, no attention mask, pad token guessed) means one of them broke."""
    import logging
    import warnings

    from transformers.utils import logging as transformers_logging

    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    library_logger = logging.getLogger("transformers")
    library_logger.addHandler(handler)
    transformers_logging.warning_once.cache_clear()  # warnings shown once per process must show here again
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            backend.generate_batch(requests_for(["", *MIXED_PROMPTS], stop=["\n"]))
            backend.generate_batch(requests_for(["Q", "Q:1+1="], temperature=0.7, seed=3))
    finally:
        library_logger.removeHandler(handler)
    assert [record.getMessage() for record in records] == []


def test_a_vanishing_temperature_is_greedy_not_nan(backend):
    """1e-46 divides the logits into infinities: sampling would fail on NaN probabilities (a fuzzer found it)."""
    request = GenerationRequest(prompt="Q:12+34=", max_tokens=12, temperature=3.2647833955381584e-46, top_p=0.99)
    assert backend.generate(request).text == greedy(backend).text
    assert "".join(backend.stream(request)) == greedy(backend).text
