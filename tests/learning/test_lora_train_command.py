"""`manage.py lora_train`: a job trained here with its terminal progress bar, the job's shape on the last line;
bad hyperparameters and too little data refused by name, nothing created."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from learning.models import Adapter, TrainingDataset, TrainingJob
from tests.learning.lora_factories import QUICK, dirs_empty, lora_dirs, practised, tiny, tiny_dir  # noqa: F401


def test_lora_train_here_shows_a_progress_bar_and_prints_the_finished_job(tiny, lora_dirs):
    practised(20)
    out, err = io.StringIO(), io.StringIO()
    call_command("lora_train", "--model", "tiny-lora", "--here", "--config", json.dumps(QUICK), stdout=out, stderr=err)
    job = json.loads(out.getvalue().strip().splitlines()[-1])
    assert job["status"] == "completed" and job["metrics"]["steps"] == 20 and job["adapter_id"]
    assert "step 20/20" in err.getvalue() and "100%" in err.getvalue()  # the bar reached its end
    assert Adapter.objects.get().adapter_id == job["adapter_id"]


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--config", '{"r": 0}'], "r"),
        (["--config", "not json"], "not JSON"),
        (["--model", "no-such-model"], "no-such-model"),
    ],
)
def test_lora_train_refuses_bad_input_by_name_and_creates_nothing(tiny, lora_dirs, arguments, message):
    practised(20)
    with pytest.raises(CommandError, match=message):
        call_command("lora_train", "--here", *arguments, stdout=io.StringIO(), stderr=io.StringIO())
    assert not TrainingJob.objects.exists() and not TrainingDataset.objects.exists() and dirs_empty(lora_dirs)


def test_lora_train_with_too_little_data_says_how_much_there_is(tiny, lora_dirs):
    practised(5)
    with pytest.raises(CommandError, match='"num_examples": 5'):
        call_command("lora_train", "--model", "tiny-lora", "--here", stdout=io.StringIO(), stderr=io.StringIO())
    assert not TrainingJob.objects.exists() and dirs_empty(lora_dirs)
