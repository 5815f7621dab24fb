"""Settings in one place: every environment variable is read in core/settings.py (through core/env.py's validated
readers) and code reads django.conf.settings when it runs, so a test's `settings` fixture reaches it."""

import ast
import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from core.env import BASE_DIR

# The modules that may still touch the environment, and why. Anything else reading os.environ / os.getenv or
# calling core/env.py's readers fails the scan: read the variable in core/settings.py instead.
ALLOWED = {
    "core/settings.py": "where every variable is read",
    "core/env.py": "the validated readers settings.py uses; free of Django so the launchers can use it",
    "manage.py": "sets DJANGO_SETTINGS_MODULE: runs before Django settings exist",
    "core/wsgi.py": "sets DJANGO_SETTINGS_MODULE: runs before Django settings exist",
    "workers/celery.py": "sets DJANGO_SETTINGS_MODULE: the Celery app is made before Django settings exist",
    "core/embedded_redis.py": "launches Redis and the command it wraps, handing REDIS_URL on, before settings exist",
    "core/management/commands/runstack.py": "hands its whole environment (and REDIS_URL) to the processes it starts",
    "core/management/commands/create_role_user.py": "--password-env names a variable for one run: a secret, not a "
    "setting",
    "models_suite/services/registry.py": "remote_api_key: each remote model's api_key_env names its key's variable "
    "(per-model data; the key is never stored)",
    "memoryhub/embedder.py": "sets HF_HUB_OFFLINE for the Hugging Face libraries; reads nothing",
    "bench/": "benchmark scripts: they make their own scratch environment before Django settings exist",
}
SKIPPED_DIRECTORIES = {".venv", "var", "tests", "node_modules", "__pycache__", "shared"}
OS_ENVIRONMENT = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}
ENV_READERS = {
    "env_str",
    "env_bool",
    "env_bool_or_auto",
    "env_int",
    "env_float",
    "env_choice",
    "env_list",
    "var_dir",
    "machine_name",
    "machine_roles",
    "local_secret_key",
}


def _source_files():
    for directory, subdirectories, files in os.walk(BASE_DIR):
        subdirectories[:] = [d for d in subdirectories if d not in SKIPPED_DIRECTORIES and not d.startswith(".")]
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(directory, name)
                yield os.path.relpath(path, BASE_DIR).replace(os.sep, "/"), path


def _environment_reads(path: str) -> list[str]:
    """Where the module reads the environment: os.environ / os.getenv and the like, or core/env.py's readers."""
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), filename=path)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in OS_ENVIRONMENT:
            if isinstance(node.value, ast.Name) and node.value.id == "os":
                found.append(f"{node.lineno}: os.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            found += [f"{node.lineno}: from os import {a.name}" for a in node.names if a.name in OS_ENVIRONMENT]
        elif isinstance(node, ast.ImportFrom) and node.module == "core.env":
            found += [f"{node.lineno}: from core.env import {a.name}" for a in node.names if a.name in ENV_READERS]
        elif isinstance(node, ast.ImportFrom) and node.module == "core":
            found += [f"{node.lineno}: from core import env" for a in node.names if a.name == "env"]
        elif isinstance(node, ast.Import):
            found += [f"{node.lineno}: import core.env" for a in node.names if a.name == "core.env"]
    return found


def _allowed(relative: str) -> bool:
    return any(relative == entry or (entry.endswith("/") and relative.startswith(entry)) for entry in ALLOWED)


def test_no_module_outside_the_allowed_list_reads_the_environment():
    offenders = {
        relative: reads
        for relative, path in _source_files()
        if not _allowed(relative) and (reads := _environment_reads(path))
    }
    assert not offenders, (
        "read these variables in core/settings.py (through core/env.py) and use django.conf.settings here: "
        + json.dumps(offenders, indent=1)
    )


def test_every_allowed_module_exists_and_still_needs_its_exception():
    for entry in ALLOWED:
        path = BASE_DIR / entry
        assert path.exists(), f"{entry} is gone: drop it from ALLOWED"
        if path.is_file():
            assert _environment_reads(str(path)), f"{entry} no longer touches the environment: drop it from ALLOWED"


# --- Each moved setting, set through the environment, reaches django.conf.settings ------------------------------
ENVIRONMENT = {
    "MODEL_KEEP_ALIVE_SECONDS": "42",
    "MODEL_MEMORY_BUDGET_PERCENT": "55",
    "GATEWAY_TIMEOUT_SECONDS": "9",
    "GATEWAY_REQUESTS_KEEP_DAYS": "3",
    "EMBEDDING_BF16": "off",
    "WORKER_NAME": "gpu-box",
    "MODELS_WORKER_THREADS": "6",
    "HOST": "0.0.0.0",
    "PORT": "9000",
    "WEB_WORKERS": "3",
    "WEB_THREADS": "4",
    "WORKER_CONCURRENCY": "5",
    "PROMETHEUS_MULTIPROC_DIR": "/tmp/prometheus-test",
    "AUTONOMOUS_HOBBY_ENABLED": "false",
    "HOBBY_INTERVAL_MINUTES": "45",
    "HOBBY_IDLE_THRESHOLD_MINUTES": "0.5",
    "HOBBY_MAX_DURATION_MINUTES": "20",
    "HOBBY_FOCUS_WEAKNESSES": "no",
    "HOBBY_VARIETY_FACTOR": "0.1",
    "HOBBY_INTENSITY_LEVEL": "0.9",
    "HOBBY_SELECTION_POLICY": "reward",
}
SETTINGS = {
    "MODEL_KEEP_ALIVE_SECONDS": (42, 300),
    "MODEL_MEMORY_BUDGET_PERCENT": (55, 80),
    "GATEWAY_TIMEOUT_SECONDS": (9, 120),
    "GATEWAY_REQUESTS_KEEP_DAYS": (3, 14),
    "EMBEDDING_BF16": (False, None),
    "WORKER_NAME": ("gpu-box", ""),
    "MODELS_WORKER_THREADS": (6, 4),
    "HOST": ("0.0.0.0", "127.0.0.1"),
    "PORT": (9000, 8800),
    "WEB_WORKERS": (3, 2),
    "WEB_THREADS": (4, 8),
    "WORKER_CONCURRENCY": (5, 2),
    "PROMETHEUS_MULTIPROC_DIR": ("/tmp/prometheus-test", ""),
    "HOBBY_CONFIG_OVERRIDES": (
        {
            "enabled": False,
            "interval_minutes": 45.0,
            "idle_threshold_minutes": 0.5,
            "max_hobby_duration_minutes": 20.0,
            "focus_on_weaknesses": False,
            "variety_factor": 0.1,
            "intensity_level": 0.9,
            "selection_policy": "reward",
        },
        {},
    ),
}


def _settings_in_a_fresh_process(tmp_path, environment: dict) -> subprocess.CompletedProcess:
    # Only the settings module: what the environment makes of it, before anything else runs.
    script = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {sorted(SETTINGS)!r}}}))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT}
    env.update({"DJANGO_SETTINGS_MODULE": "core.settings", "VAR_DIR": str(tmp_path / "var"), **environment})
    return subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_each_variable_reaches_its_setting_and_unset_ones_keep_their_defaults(tmp_path):
    given = _settings_in_a_fresh_process(tmp_path, ENVIRONMENT)
    assert given.returncode == 0, given.stderr
    assert json.loads(given.stdout.splitlines()[-1]) == {name: values[0] for name, values in SETTINGS.items()}
    defaults = _settings_in_a_fresh_process(tmp_path, {})
    assert defaults.returncode == 0, defaults.stderr
    assert json.loads(defaults.stdout.splitlines()[-1]) == {name: values[1] for name, values in SETTINGS.items()}


def test_settings_load_nothing_that_reads_settings(tmp_path):
    """An app module imported while settings are being made would fix DRF's or Celery's view of them too early
    (DRF's api_settings read without REST_FRAMEWORK: every default permission gone)."""
    script = (
        "import sys; from django.conf import settings; settings.DEBUG; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'rest_framework', 'celery', 'workers', 'models_suite', 'learning', 'memoryhub'}))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "core.settings", "VAR_DIR": str(tmp_path / "var")}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and result.stdout.splitlines()[-1] == "[]", result.stdout + result.stderr


@pytest.mark.parametrize(
    "variable, value, message",
    [
        ("HOBBY_VARIETY_FACTOR", "7", "HOBBY_VARIETY_FACTOR must be between 0 and 1"),
        ("HOBBY_SELECTION_POLICY", "bandit", "HOBBY_SELECTION_POLICY must be one of weakness, reward"),
        ("EMBEDDING_BF16", "sometimes", "EMBEDDING_BF16 must be auto, true or false"),
        ("GATEWAY_TIMEOUT_SECONDS", "soon", "GATEWAY_TIMEOUT_SECONDS must be a whole number"),
    ],
)
def test_a_bad_value_stops_the_process_at_start_naming_the_variable(tmp_path, variable, value, message):
    result = _settings_in_a_fresh_process(tmp_path, {variable: value})
    assert result.returncode != 0 and message in result.stderr


# --- Each moved setting, overridden with the settings fixture, is honoured by the code that uses it ---------------
def test_hosting_keeps_models_alive_and_budgets_memory_by_the_settings(settings, monkeypatch):
    from models_suite.models import ModelArtifact
    from models_suite.services import hosting

    settings.MODEL_KEEP_ALIVE_SECONDS = 7
    assert hosting.spec_for(ModelArtifact(name="m", path="/m")).keep_alive_seconds == 7

    class Budget(Exception):
        pass

    def probe(*, budget_fraction):
        raise Budget(budget_fraction)

    settings.MODEL_MEMORY_BUDGET_PERCENT = 25
    monkeypatch.setattr(hosting, "MemoryProbe", probe)
    hosting.host_shutdown()
    with pytest.raises(Budget) as raised:
        hosting.current_host()
    assert raised.value.args == (0.25,)


def test_the_gateway_waits_as_long_as_the_setting_says(personas, settings, monkeypatch):
    from models_suite.models import ModelArtifact
    from models_suite.tasks import generate_task

    ModelArtifact.objects.create(name="m", kind=ModelArtifact.Kind.HF, path="/m", machine="alpha")
    monkeypatch.setattr(generate_task, "apply_async", lambda **options: None)  # no worker: nobody answers
    settings.GATEWAY_TIMEOUT_SECONDS = 1
    response = personas["agent"].client().post("/v1/completions", {"model": "m", "prompt": "hi"}, format="json")
    assert response.status_code == 503 and "within 1 s" in response.json()["error"]["message"]


def test_served_requests_are_kept_as_many_days_as_the_setting_says(db, settings, monkeypatch):
    from models_suite.models import ServedRequest
    from models_suite.services import served

    monkeypatch.setattr(served, "PRUNE_EVERY", 1)
    fields = {"model": "m", "adapter_id": "", "route": "completions", "stream": False, "status": 200, "latency_ms": 1}
    ServedRequest.objects.create(**fields, created_at=timezone.now() - timedelta(days=3))
    settings.GATEWAY_REQUESTS_KEEP_DAYS = 5
    served.served_request_record(**fields)
    assert ServedRequest.objects.count() == 2
    settings.GATEWAY_REQUESTS_KEEP_DAYS = 2
    served.served_request_record(**fields)
    assert ServedRequest.objects.count() == 2  # the three-day-old one pruned, the new one recorded


def test_embedding_precision_follows_the_setting(settings, monkeypatch):
    from memoryhub import embedder

    monkeypatch.setattr(embedder, "_cpu_has_bf16", lambda: True)
    settings.EMBEDDING_BF16 = False
    assert embedder.use_bf16() is False
    settings.EMBEDDING_BF16 = None  # auto: the CPU decides
    assert embedder.use_bf16() is True
    monkeypatch.setattr(embedder, "_cpu_has_bf16", lambda: False)
    assert embedder.use_bf16() is False
    settings.EMBEDDING_BF16 = True
    assert embedder.use_bf16() is True


def test_the_worker_command_names_and_sizes_workers_by_the_settings(settings):
    from workers.management.commands.worker import worker_argv

    settings.MACHINE_NAME, settings.WORKER_NAME, settings.MODELS_WORKER_THREADS = "m", "custom", 3
    argv = worker_argv(roles=["models"])
    assert argv[argv.index("--hostname") + 1] == "custom@m" and argv[argv.index("--concurrency") + 1] == "3"
    settings.WORKER_NAME = ""
    argv = worker_argv(roles=["models"])
    assert argv[argv.index("--hostname") + 1] == "models@m"


def test_make_run_takes_its_defaults_from_the_settings(settings):
    from core.management.commands.runstack import Command

    settings.HOST, settings.PORT, settings.WEB_WORKERS, settings.WEB_THREADS, settings.WORKER_CONCURRENCY = (
        "0.0.0.0",
        9001,
        5,
        6,
        7,
    )
    options = Command().create_parser("manage.py", "runstack").parse_args([])
    assert (options.host, options.port, options.web_workers, options.web_threads, options.worker_concurrency) == (
        "0.0.0.0",
        9001,
        5,
        6,
        7,
    )


def test_metrics_merge_the_processes_files_where_the_setting_points(db, settings, tmp_path, monkeypatch):
    from core import metrics

    merged = []
    monkeypatch.setattr(metrics.multiprocess, "MultiProcessCollector", lambda registry, path: merged.append(path))
    settings.PROMETHEUS_MULTIPROC_DIR = ""
    metrics.render_metrics()
    settings.PROMETHEUS_MULTIPROC_DIR = str(tmp_path)
    metrics.render_metrics()
    assert merged == [str(tmp_path)]


def test_the_hobby_overrides_win_over_what_is_stored(db, settings):
    from hobbies import services

    services.config_update(intensity_level=0.2, selection_policy="weakness")
    services.config_snapshot_forget()
    settings.HOBBY_CONFIG_OVERRIDES = {}
    assert services.intensity_level() == 0.2 and services.hobbies_enabled() is True
    settings.HOBBY_CONFIG_OVERRIDES = {"intensity_level": 0.8, "enabled": False, "selection_policy": "reward"}
    assert services.intensity_level() == 0.8 and services.hobbies_enabled() is False
    effective = services.config_effective()
    assert (effective["intensity_level"], effective["enabled"], effective["selection_policy"]) == (0.8, False, "reward")
