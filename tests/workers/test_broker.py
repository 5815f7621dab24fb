"""Which broker, and what is asked of it: readiness on either kind, queue names behind RabbitMQ's delayed
delivery, RabbitMQ's queues durable quorum queues (when the run's broker is RabbitMQ: `python -m
tests.workers.rabbitmq run -- ...`, as CI runs the worker tests a second time)."""

import json
import subprocess
from urllib.parse import unquote, urlsplit

import pytest
from django.conf import settings

from core.health import readiness
from workers import broker
from workers.tasks import ping_task

on_rabbitmq = pytest.mark.skipif(broker.kind() != "amqp", reason="the run's broker is Redis")


def test_the_kind_of_broker_comes_from_its_url():
    assert broker.kind("amqp://guest:guest@127.0.0.1:5672//") == "amqp"
    assert broker.kind("amqps://broker.example:5671/prod") == "amqp"
    assert broker.kind("redis://:secret@127.0.0.1:6379/8") == "redis"


def test_a_delayed_messages_routing_key_names_its_queue():
    delayed = ".".join("0" * 27 + "1") + ".control.alpha"  # a 1 s countdown through RabbitMQ's delay exchanges
    assert broker.queue_of_routing_key(delayed) == "control.alpha"
    assert broker.queue_of_routing_key("hobbies.beta") == "hobbies.beta"
    assert broker.queue_of_routing_key("1.0.control.alpha") == "1.0.control.alpha"  # too short to be one


def test_readiness_says_an_unreachable_rabbitmq_is_down(db, settings):
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:1//"  # nothing listens on port 1
    checks = readiness()
    assert checks["broker"] == {"ok": False, "detail": "unreachable (OperationalError)"}
    assert checks["database"]["ok"]


@on_rabbitmq
def test_readiness_reaches_rabbitmq(db):
    assert readiness()["broker"] == {"ok": True, "detail": ""}


@on_rabbitmq
def test_rabbitmq_queues_are_durable_quorum_queues_behind_topic_exchanges(flush_redis):
    ping_task.apply_async(kwargs={"machine": "quorum-check"})  # declares the machine's control queue, as any send
    vhost = unquote(urlsplit(settings.CELERY_BROKER_URL).path[1:]) or "/"
    listed = subprocess.run(
        ["rabbitmqctl", "-q", "list_queues", "-p", vhost, "--formatter", "json", "name", "type", "durable"],
        capture_output=True,
        text=True,
        check=True,
    )
    queue = {row["name"]: row for row in json.loads(listed.stdout)}["control.quorum-check"]
    assert (queue["type"], queue["durable"]) == ("quorum", True)
    assert broker.waiting(["control.quorum-check"])["control.quorum-check"][0] == 1  # RabbitMQ's own count
    exchanges = subprocess.run(
        ["rabbitmqctl", "-q", "list_exchanges", "-p", vhost, "--formatter", "json", "name", "type", "durable"],
        capture_output=True,
        text=True,
        check=True,
    )
    exchange = {row["name"]: row for row in json.loads(exchanges.stdout)}["control.quorum-check"]
    assert (exchange["type"], exchange["durable"]) == ("topic", True)
    broker.purge(["control.quorum-check"])
    assert broker.waiting(["control.quorum-check"]) == {"control.quorum-check": (0, None)}
