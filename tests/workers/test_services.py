from datetime import timedelta

from django.utils import timezone

from workers.gpu import parse_nvidia_smi
from workers.models import Machine, WorkerHeartbeat
from workers.services import heartbeats_prune, worker_beat, worker_register


def register(name="w@m", machine="m", queues=("control.m",)):
    return worker_register(
        worker_name=name,
        machine_name=machine,
        hostname="host",
        roles=["control"],
        queues=list(queues),
        pid=42,
        concurrency=2,
        gpus=[],
    )


def test_registering_again_after_a_restart_reuses_the_row(db):
    first = register()
    worker_beat(worker_name="w@m")
    again = register()
    assert again.pk == first.pk and again.beats == 1 and again.stopped_at is None


def test_a_machine_offers_the_union_of_its_live_workers_roles(db):
    register("a@m", queues=["control.m"])
    worker_register(
        worker_name="b@m",
        machine_name="m",
        hostname="host",
        roles=["training"],
        queues=["training.m"],
        pid=43,
        concurrency=1,
        gpus=[],
    )
    assert Machine.objects.get(name="m").roles == ["control", "training"]


def test_a_beat_for_a_deleted_row_asks_the_worker_to_register_again(db):
    register()
    WorkerHeartbeat.objects.all().delete()
    assert worker_beat(worker_name="w@m") is False


def test_beats_refresh_gpu_memory(db):
    register()
    gpus = [{"index": 0, "name": "H100", "memory_total_mib": 81559, "memory_free_mib": 1000}]
    worker_beat(worker_name="w@m", gpus=gpus)
    assert Machine.objects.get(name="m").gpus == gpus


def test_old_silent_or_stopped_workers_are_pruned(db):
    register("old@m")
    register("new@m")
    WorkerHeartbeat.objects.filter(worker_name="old@m").update(last_beat_at=timezone.now() - timedelta(days=8))
    assert heartbeats_prune(older_than_days=7) == 1
    assert list(WorkerHeartbeat.objects.values_list("worker_name", flat=True)) == ["new@m"]


def test_nvidia_smi_output_is_read_per_gpu():
    text = "0, NVIDIA H100 80GB HBM3, 81559, 80000\n1, NVIDIA H100 80GB HBM3, 81559, 123\ngarbage\n"
    assert parse_nvidia_smi(text) == [
        {"index": 0, "name": "NVIDIA H100 80GB HBM3", "memory_total_mib": 81559, "memory_free_mib": 80000},
        {"index": 1, "name": "NVIDIA H100 80GB HBM3", "memory_total_mib": 81559, "memory_free_mib": 123},
    ]


def test_gpu_inventory_reads_the_driver_and_is_empty_without_one(tmp_path, monkeypatch):
    import os

    from workers.gpu import gpu_inventory

    monkeypatch.setenv("PATH", str(tmp_path))
    assert gpu_inventory() == []
    fake = tmp_path / "nvidia-smi"  # stands in for the NVIDIA driver, which lives outside the product
    fake.write_text("#!/bin/sh\necho '0, Fake GPU, 1024, 512'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.defpath}")
    assert gpu_inventory() == [{"index": 0, "name": "Fake GPU", "memory_total_mib": 1024, "memory_free_mib": 512}]
