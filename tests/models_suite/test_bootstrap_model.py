"""bootstrap_model: build offline, register, measure held-out scores; --if-missing does nothing twice."""

import io

import pytest
from django.core.management import call_command

from models_suite.models import EvalRun, ModelArtifact


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def test_it_builds_registers_and_measures_the_builtin_model(db, var_dir):
    out = io.StringIO()
    call_command("bootstrap_model", "--profile", "tiny", "--measure-limit", "16", stdout=out)
    text = out.getvalue()

    artifact = ModelArtifact.objects.get(name="builtin-base")
    assert artifact.builtin and artifact.kind == "hf" and artifact.context_length == 64
    assert artifact.path == str((var_dir / "models" / "builtin-base").resolve())
    runs = EvalRun.objects.filter(model=artifact)
    # Every suite that fits a 64-character context is measured on its held-out split; code does not fit.
    assert sorted(runs.values_list("suite", flat=True)) == [
        "arithmetic",
        "json_extraction",
        "sequences",
        "sorting",
        "string_transform",
        "tool_use",
    ]
    assert all(run.status == "completed" and run.split == "heldout" and run.item_count == 16 for run in runs)
    for run in runs:
        assert f"{run.suite}" in text and f"{run.score:6.1%}" in text  # what it prints is what it measured
    assert "tokens/s" in text


def test_if_missing_leaves_a_built_model_alone(db, var_dir):
    call_command("bootstrap_model", "--profile", "tiny", "--measure-limit", "8", stdout=io.StringIO())
    first = ModelArtifact.objects.get(name="builtin-base").sha256
    out = io.StringIO()
    call_command("bootstrap_model", "--if-missing", stdout=out)
    assert "is built" in out.getvalue()
    assert ModelArtifact.objects.get(name="builtin-base").sha256 == first
    assert EvalRun.objects.count() == 6  # nothing measured again


def test_measuring_again_adds_runs_without_rebuilding(db, var_dir):
    call_command("bootstrap_model", "--profile", "tiny", "--measure-limit", "4", stdout=io.StringIO())
    sha = ModelArtifact.objects.get(name="builtin-base").sha256
    call_command("bootstrap_model", "--measure-only", "--measure-limit", "4", stdout=io.StringIO())
    assert EvalRun.objects.count() == 12 and ModelArtifact.objects.get(name="builtin-base").sha256 == sha


def test_without_redis_it_says_how_to_run_it(db, var_dir, settings):
    from django.core.management import CommandError

    settings.REDIS_EMBEDDED_MISSING = True
    with pytest.raises(CommandError, match="needs Redis"):
        call_command("bootstrap_model", "--profile", "tiny", stdout=io.StringIO())
    assert not ModelArtifact.objects.exists()
