"""What is served is what was learned: `<model>:champion` and `<model>:<adapter id>` through both gateway routes,
streaming included, are answered by the base model with that adapter (a real worker, the official openai client),
the reply's `model` names the adapter, and every request is recorded for the watch after a promotion."""

from __future__ import annotations

from pathlib import Path

import openai
import pytest

from learning.training.lora import LoraTrainConfig, train_lora
from models_suite.backends import GenerationRequest
from models_suite.evaluation import get_suite
from models_suite.models import ServedRequest
from models_suite.services.hosting import host_shutdown
from models_suite.services.registry import model_register
from tests.models_suite.tiny_models import build_tiny_model

pytestmark = pytest.mark.slow

ITEMS = get_suite("sequences").items("heldout", limit=3)  # prompt + answer at most 24 characters, context 48
COMPLETION = {"max_tokens": 8, "temperature": 0}
CHAT = {"max_tokens": 6, "temperature": 0}  # "user: <prompt>\nassistant:" leaves 6 of the 48 tokens


def chat_of(item) -> list[dict]:
    return [{"role": "user", "content": item.prompt}]


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, Path]:
    """A tiny base and a LoRA trained on it (a second or two): a learned adapter, not random weights."""
    import torch

    root = tmp_path_factory.mktemp("gateway-adapters")
    base = build_tiny_model(root / "base", n_ctx=48, initializer_range=0.5)
    recipe = LoraTrainConfig(
        r=8,
        alpha=16,
        dropout=0.0,
        learning_rate=1e-2,
        batch_size=6,
        max_steps=60,
        warmup_steps=5,
        save_steps=10**6,
        logging_steps=100,
    )
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # on busy cores one thread is the fastest (see test_rollback)
    try:
        train_lora(
            base_dir=base,
            train=[(item.prompt, item.answer, 1.0) for item in ITEMS],
            config=recipe,
            out_dir=root / "adapter",
            checkpoint_dir=root / "checkpoints",
        )
    finally:
        torch.set_num_threads(threads)
    return base, root / "adapter"


@pytest.fixture(scope="module")
def expected(trained) -> dict[str, dict[str, list[str]]]:
    """What the bare base and the base with the adapter answer, computed in this process, off the gateway."""
    from models_suite.backends.transformers_backend import TransformersBackend

    base_dir, adapter_dir = trained
    backend = TransformersBackend(base_dir, device="cpu")
    backend.load_adapter("learned", adapter_dir)
    answers = {}
    for name in ("base", "learned"):
        backend.use_adapter(None if name == "base" else "learned")
        answers[name] = {
            "completions": [backend.generate(GenerationRequest(prompt=i.prompt, **COMPLETION)).text for i in ITEMS],
            "chat": [backend.generate(GenerationRequest(messages=chat_of(i), **CHAT)).text for i in ITEMS],
        }
    for route in ("completions", "chat"):  # items where what was learned shows in the answer
        assert answers["base"][route] != answers["learned"][route], answers
    return answers


@pytest.fixture
def gateway(start_worker, live_server, settings, tmp_path, personas, trained):
    """The tiny model on machine alpha with the trained adapter promoted to champion, alpha's models worker, and
    an openai client holding an agent token. Returns (client, champion adapter)."""
    from learning.loop.adapters import adapter_promote, adapter_register
    from tests.learning.lora_factories import finished_job

    settings.ADAPTERS_DIR = tmp_path / "adapters"
    artifact = model_register(target=str(trained[0]), name="tiny")
    artifact.machine = "alpha"
    artifact.save()
    adapter = adapter_promote(adapter_register(job=finished_job(artifact), trained_dir=trained[1], metrics={}))
    start_worker("alpha", roles=["models"])
    client = openai.OpenAI(base_url=f"{live_server.url}/v1", api_key=personas["agent"].token, max_retries=0)
    yield client, adapter
    host_shutdown()


def test_the_champion_and_its_id_answer_with_the_adapter_and_every_request_is_recorded(gateway, expected):
    client, adapter = gateway
    named = f"tiny:{adapter.adapter_id}"
    texts = [client.completions.create(model="tiny:champion", prompt=i.prompt, **COMPLETION) for i in ITEMS]
    assert [t.choices[0].text for t in texts] == expected["learned"]["completions"]
    assert {t.model for t in texts} == {named}  # the reply names the adapter that answered, not the alias
    chats = [client.chat.completions.create(model="tiny:champion", messages=chat_of(i), **CHAT) for i in ITEMS]
    assert [c.choices[0].message.content for c in chats] == expected["learned"]["chat"]
    assert {c.model for c in chats} == {named}
    by_id = [client.completions.create(model=named, prompt=i.prompt, **COMPLETION) for i in ITEMS]
    assert [t.choices[0].text for t in by_id] == expected["learned"]["completions"]

    streamed = [
        list(client.completions.create(model="tiny:champion", prompt=i.prompt, stream=True, **COMPLETION))
        for i in ITEMS
    ]
    assert ["".join(c.choices[0].text for c in chunks) for chunks in streamed] == expected["learned"]["completions"]
    assert {c.model for chunks in streamed for c in chunks} == {named}
    chat_streamed = [
        list(client.chat.completions.create(model=named, messages=chat_of(i), stream=True, **CHAT)) for i in ITEMS
    ]
    assert ["".join(c.choices[0].delta.content or "" for c in chunks) for chunks in chat_streamed] == expected[
        "learned"
    ]["chat"]

    bare = [client.completions.create(model="tiny", prompt=i.prompt, **COMPLETION) for i in ITEMS]
    assert [b.choices[0].text for b in bare] == expected["base"]["completions"] and {b.model for b in bare} == {"tiny"}

    with pytest.raises(openai.BadRequestError, match="context is 48 tokens"):  # the caller's mistake: a 400
        client.completions.create(model="tiny:champion", prompt="x" * 100, max_tokens=2)
    with pytest.raises(openai.NotFoundError, match="no adapter"):  # no model resolved: nothing to record
        client.completions.create(model="tiny:nope", prompt="x", max_tokens=2)
    with pytest.raises(openai.NotFoundError, match="no adapter"):  # a client never names a directory
        client.completions.create(model=f"tiny:{adapter.path}", prompt="x", max_tokens=2)
    rows = list(ServedRequest.objects.order_by("id").values_list("adapter_id", "route", "stream", "status"))
    learned, n = adapter.adapter_id, len(ITEMS)
    assert rows == (
        [(learned, "completions", False, 200)] * n
        + [(learned, "chat", False, 200)] * n
        + [(learned, "completions", False, 200)] * n
        + [(learned, "completions", True, 200)] * n
        + [(learned, "chat", True, 200)] * n
        + [("", "completions", False, 200)] * n
        + [(learned, "completions", False, 400)]
    )
    assert all(row.latency_ms > 0 and row.model == "tiny" for row in ServedRequest.objects.all())

    weights = Path(adapter.path) / "adapter_model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-1] + bytes([weights.read_bytes()[-1] ^ 0xFF]))
    with pytest.raises(openai.ConflictError, match="refused"):  # checked against its seal by the worker
        client.completions.create(model=named, prompt=ITEMS[0].prompt, **COMPLETION)
    assert ServedRequest.objects.order_by("-id").values_list("status", flat=True)[0] == 409
