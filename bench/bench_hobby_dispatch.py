"""Dispatch throughput of hobby assignments, end to end, against raw Celery, side by side.

Candidate: no-op assignments (intensity 0: a dry run, nothing practised) made through the service (capacity
checked with the sub-agent's row locked), sent through Redis to a real worker, claimed with a conditional
update, finished in one transaction (activity, rollup, assignment result), until the database says all are
done. Baseline: raw Celery no-op tasks (workers' ping) through the same Redis and the same worker, until all
results are back. Both through the same worker, started as `manage.py worker` starts it (one pool process per
core), in alternating rounds.
Goal (issue 5): at least 40 % of raw Celery's throughput. On scratch SQLite by default; BENCH_DATABASE_URL runs
it on PostgreSQL, where production keeps its data.
"""

import os
import subprocess
import sys
import time

from common import Goal, django_on_bench_database, report

GOALS = (
    Goal("ratio", at_least=0.40, source="issue 5, item 11 (and issue 16): at least 40 % of raw Celery's throughput"),
)


django_on_bench_database()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from hobbies.assignments import assignment_create  # noqa: E402
from hobbies.models import Assignment, HobbyConfig  # noqa: E402
from hobbies.services import subagent_register  # noqa: E402
from models_suite.models import ModelArtifact  # noqa: E402
from workers.management.commands.worker import worker_argv  # noqa: E402
from workers.models import WorkerHeartbeat  # noqa: E402
from workers.tasks import ping_task  # noqa: E402

PER_ROUND, ROUNDS, SUBAGENTS = 100, 9, 4  # 9 alternating rounds: a steadier median on noisy cores
MACHINE = settings.MACHINE_NAME


def start_worker() -> subprocess.Popen:
    db = connection.settings_dict
    url = (
        f"sqlite:///{db['NAME']}"
        if connection.vendor == "sqlite"
        else f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MACHINE_NAME": MACHINE,
        "MACHINE_ROLES": "hobbies,control",
        "DJANGO_SETTINGS_MODULE": "core.settings",
    }
    # The worker as the product runs it (`manage.py worker`): Celery's default pool, one process per core.
    argv = worker_argv(roles=["hobbies", "control"], machine=MACHINE, hostname=f"bench@{MACHINE}")
    worker = subprocess.Popen(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while not WorkerHeartbeat.objects.filter(worker_name=f"bench@{MACHINE}", stopped_at__isnull=True).exists():
        if time.monotonic() > deadline or worker.poll() is not None:
            sys.exit("the bench worker did not start")
        time.sleep(0.2)
    return worker


def assignments_round() -> float:
    started = time.perf_counter()
    made = [
        assignment_create(subagent_id=f"bench-{i % SUBAGENTS}", hobby_type="SKILL_PRACTICE", duration_minutes=1).pk
        for i in range(PER_ROUND)
    ]
    # Polled by a range of keys (made in order by this process alone): cheaper on the cores it shares with the
    # worker than a list of a hundred keys.
    unfinished = Assignment.objects.filter(pk__range=(made[0], made[-1]), status__in=Assignment.ACTIVE)
    while unfinished.exists():
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    assert Assignment.objects.filter(pk__in=made, status="completed").count() == PER_ROUND
    return PER_ROUND / elapsed


def celery_round() -> float:
    started = time.perf_counter()
    results = [ping_task.apply_async(kwargs={"machine": MACHINE}) for _ in range(PER_ROUND)]
    for result in results:
        result.get(timeout=60)
    return PER_ROUND / (time.perf_counter() - started)


HobbyConfig.objects.update_or_create(pk=1, defaults={"intensity_level": 0.0})
model = ModelArtifact.objects.create(
    name="never-called", kind="remote", base_url="http://127.0.0.1:9/v1", remote_model="none"
)
for i in range(SUBAGENTS):
    subagent_register(
        subagent_id=f"bench-{i}", capabilities=["*"], model=model, machine=MACHINE, max_concurrent_assignments=100
    )
worker = start_worker()
try:
    celery_round(), assignments_round()  # warm both paths (connections, imports)
    ours, raw = [], []
    for _ in range(ROUNDS):
        ours.append(assignments_round())
        raw.append(celery_round())
finally:
    os.killpg(worker.pid, 15)
    worker.wait(30)

median_ours, median_raw = sorted(ours)[ROUNDS // 2], sorted(raw)[ROUNDS // 2]
print(
    f"{connection.vendor}, {PER_ROUND} per round x {ROUNDS} rounds, one worker ({os.cpu_count()} processes): "
    f"assignments {median_ours:.0f}/s, raw Celery no-op tasks {median_raw:.0f}/s (medians)"
)
report(
    GOALS,
    f"hobby_dispatch: assignments/raw Celery throughput {median_ours / median_raw:.2f}",
    ratio=median_ours / median_raw,
)
