"""Registering models: facts read from the artifact, bad artifacts refused with nothing written."""

import json

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from models_suite.models import ModelArtifact
from models_suite.services.registry import RegistrationError, model_register


@pytest.fixture
def hf_dir(tmp_path):
    from transformers import GPT2Config, GPT2LMHeadModel

    directory = tmp_path / "tiny-gpt"
    config = GPT2Config(n_layer=2, n_embd=16, n_head=2, vocab_size=40, n_positions=32)
    GPT2LMHeadModel(config).save_pretrained(directory)
    (directory / "tokenizer_config.json").write_text("{}")
    (directory / "README.md").write_text("---\nlicense: apache-2.0\n---\n# tiny\n")
    return directory


@pytest.fixture
def gguf_file(tmp_path):
    import gguf

    path = tmp_path / "tiny.gguf"
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_context_length(256)
    writer.add_block_count(2)
    writer.add_embedding_length(16)
    writer.add_head_count(4)
    writer.add_head_count_kv(2)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_Q8_0)
    writer.add_license("mit")
    writer.add_tokenizer_model("llama")
    writer.add_token_list(["<s>", "a", "b"])
    writer.add_tensor("token_embd.weight", np.zeros((3, 16), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def test_a_transformers_directory_is_read_not_typed_in(db, hf_dir):
    artifact = model_register(target=str(hf_dir))
    assert artifact.kind == "hf" and artifact.name == "tiny-gpt"
    assert artifact.architecture == "GPT2LMHeadModel" and artifact.context_length == 32
    # wte 40x16 + wpe 32x16 + 2 blocks + ln_f: the exact count torch reports
    from transformers import AutoModelForCausalLM

    expected = sum(p.numel() for p in AutoModelForCausalLM.from_pretrained(hf_dir).parameters())
    assert artifact.parameter_count == expected
    assert artifact.license == "apache-2.0" and len(artifact.sha256) == 64
    assert artifact.kv_cache_bytes == 2 * 2 * 32 * 16 * 4  # k and v, 2 layers, 32 positions, width 16, fp32
    assert artifact.estimated_memory_bytes == artifact.size_bytes + artifact.kv_cache_bytes


def test_a_gguf_file_is_read_from_its_metadata(db, gguf_file):
    artifact = model_register(target=str(gguf_file), name="Tiny GGUF")
    assert (artifact.kind, artifact.name, artifact.architecture) == ("gguf", "tiny-gguf", "llama")
    assert artifact.context_length == 256 and artifact.parameter_count == 48
    assert artifact.quantization == "Q8_0" and artifact.license == "mit"
    assert artifact.tokenizer == {"model": "llama", "vocab_size": 3}
    assert artifact.kv_cache_bytes == 2 * 2 * 256 * 2 * 4 * 2  # k+v, layers, ctx, kv heads, head dim 4, fp16


def test_registering_again_refreshes_the_same_row(db, hf_dir):
    first = model_register(target=str(hf_dir))
    again = model_register(target=str(hf_dir))
    assert again.pk == first.pk and ModelArtifact.objects.count() == 1


@pytest.mark.parametrize("damage", ["truncate", "garbage", "missing"])
def test_a_corrupt_or_missing_file_is_refused_and_nothing_is_written(db, gguf_file, damage):
    if damage == "truncate":
        gguf_file.write_bytes(gguf_file.read_bytes()[:60])
    elif damage == "garbage":
        gguf_file.write_bytes(b"not a model at all" * 10)
    else:
        gguf_file.unlink()
    with pytest.raises(RegistrationError, match="tiny.gguf"):
        model_register(target=str(gguf_file))
    assert not ModelArtifact.objects.exists()


def test_a_directory_with_damaged_weights_or_config_is_refused(db, hf_dir):
    (hf_dir / "model.safetensors").write_bytes(b"\x00" * 32)
    with pytest.raises(RegistrationError, match="safetensors"):
        model_register(target=str(hf_dir))
    (hf_dir / "config.json").write_text("{not json")
    with pytest.raises(RegistrationError, match="config.json"):
        model_register(target=str(hf_dir))
    assert not ModelArtifact.objects.exists()


@pytest.fixture
def cloud(cloud):
    return cloud.base_url


def test_a_remote_endpoint_is_checked_and_its_key_kept_by_reference(db, cloud, monkeypatch):
    monkeypatch.setenv("CLOUD_KEY", "sk-test")
    artifact = model_register(target=cloud, remote_model="cloud-large", api_key_env="CLOUD_KEY", context_length=8192)
    assert (artifact.kind, artifact.name, artifact.base_url) == ("remote", "cloud-large", cloud)
    assert artifact.api_key_env == "CLOUD_KEY" and "sk-test" not in json.dumps(artifact.metadata)


def test_a_remote_endpoint_that_lacks_the_model_or_the_key_is_refused(db, cloud, monkeypatch):
    monkeypatch.setenv("CLOUD_KEY", "sk-test")
    with pytest.raises(RegistrationError, match="does not serve 'cloud-tiny'"):
        model_register(target=cloud, remote_model="cloud-tiny", api_key_env="CLOUD_KEY")
    with pytest.raises(RegistrationError, match="MISSING_KEY"):
        model_register(target=cloud, remote_model="cloud-large", api_key_env="MISSING_KEY")
    monkeypatch.setenv("CLOUD_KEY", "sk-wrong")
    with pytest.raises(RegistrationError, match="401"):
        model_register(target=cloud, remote_model="cloud-large", api_key_env="CLOUD_KEY")
    with pytest.raises(RegistrationError, match="unreachable"):
        model_register(target="http://127.0.0.1:1/v1", remote_model="x")
    assert not ModelArtifact.objects.exists()


def test_the_command_prints_what_it_read_and_refuses_clearly(db, gguf_file, capsys):
    call_command("register_model", str(gguf_file))
    printed = json.loads(capsys.readouterr().out)
    assert printed["architecture"] == "llama" and printed["quantization"] == "Q8_0"
    with pytest.raises(CommandError, match="does not exist"):
        call_command("register_model", str(gguf_file.parent / "nope.gguf"))
