"""Hobby metrics (docs/originals.md 1.6): the originals' shapes, figures that follow what really finished, the timelines'
buckets, the shared 10 s cache, and the Prometheus series."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
import redis
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from hobbies import metrics
from hobbies.catalogue import NAMES
from hobbies.models import AgentInteraction, HourlyRollup, Insight
from hobbies.services import config_update
from tests.hobbies.metrics_factories import finished, started, subagent

SUMMARY_KEYS = {"system", "summary", "timeline", "trends", "timestamp"}
HOBBY_KEYS = {
    "proficiency",
    "time_invested_hours",
    "activities_completed",
    "success_rate",
    "insights_gained",
    "last_activity",
}
TREND_KEYS = {
    "current_proficiency",
    "improvement_rate",
    "activities_completed",
    "time_invested_hours",
    "success_rate",
    "average_engagement",
}
NOON = datetime(2031, 5, 20, 12, 30, tzinfo=UTC)


def samples(text: str) -> dict[tuple, float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def promtool_check(text: str) -> subprocess.CompletedProcess:
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: `make tools` installs Debian's prometheus package"
    return subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=60)


def insights_of(hobby_type: str) -> int:
    return Insight.objects.filter(activity__hobby_type=hobby_type).count()


def test_an_empty_install_answers_every_shape_with_zeros_and_nothing_measured(db):
    summary = metrics.metrics_summary()
    assert set(summary) == SUMMARY_KEYS
    assert set(summary["system"]) == {"enabled", "running", "is_idle", "total_activities", "current_activity"}
    assert summary["system"]["total_activities"] == 0 and summary["system"]["current_activity"] is None
    progress = summary["summary"]
    assert set(progress) == {"total_activities", "hobbies", "overall_engagement", "current_activity", "is_idle"}
    assert list(progress["hobbies"]) == list(NAMES)
    assert all(
        set(h) == HOBBY_KEYS
        and h["activities_completed"] == 0
        and h["last_activity"] is None
        and h["proficiency"] is None
        for h in progress["hobbies"].values()
    )  # never measured: null, not 0
    assert set(summary["trends"]) == {name.lower() for name in NAMES}
    assert all(
        set(t) == TREND_KEYS and t["current_proficiency"] is None and t["improvement_rate"] is None
        for t in summary["trends"].values()
    )
    hourly, daily = summary["timeline"]["hourly"], summary["timeline"]["daily"]
    assert len(hourly) == 24 and all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:00", k) for k in hourly)
    assert len(daily) == metrics.DAILY_DAYS and all(re.fullmatch(r"\d{4}-\d\d-\d\d", k) for k in daily)
    assert sum(hourly.values()) == sum(daily.values()) == 0
    assert datetime.fromisoformat(summary["timestamp"])
    assert metrics.progress_summary() == progress

    dashboard = metrics.dashboard_data()
    assert set(dashboard) == {
        "proficiency_radar",
        "time_invested_bars",
        "activity_timeline",
        "activities_by_type",
        "current_stats",
    }
    assert dashboard["proficiency_radar"] == {"labels": list(NAMES), "values": [None] * len(NAMES)}
    assert dashboard["activity_timeline"] == {"labels": list(hourly), "values": [0] * 24}
    assert dashboard["current_stats"] == {
        "total_activities": 0,
        "overall_engagement": 0.0,
        "active_hobbies": 0,
        "is_learning": False,
    }


def test_figures_follow_what_really_finished(db):
    one, two = subagent("sa-1"), subagent("sa-2")
    finished(hobby_type="SKILL_PRACTICE", agent=one, heldout=0.6, seconds=1800)
    finished(hobby_type="SKILL_PRACTICE", agent=two, heldout=0.8, seconds=900, right=2, wrong=2)
    finished(hobby_type="BENCHMARK_RUNNING", agent=one, status="failed", seconds=120)
    finished(hobby_type="PATTERN_RECOGNITION", agent=two, status="cancelled", seconds=30)
    finished(hobby_type="CODE_ANALYSIS", heldout=0.5, seconds=60)  # no sub-agent: counted, no progress row

    summary = metrics.metrics_summary()
    hobbies = summary["summary"]["hobbies"]
    assert summary["system"]["total_activities"] == summary["summary"]["total_activities"] == 5
    skill = hobbies["SKILL_PRACTICE"]
    assert skill["activities_completed"] == 2
    assert skill["proficiency"] == pytest.approx(0.7)  # each sub-agent's first measurement, averaged
    assert skill["success_rate"] == 1.0
    assert skill["time_invested_hours"] == pytest.approx(0.75)
    assert skill["insights_gained"] == insights_of("SKILL_PRACTICE") > 0
    assert datetime.fromisoformat(skill["last_activity"]) <= timezone.now()
    assert hobbies["BENCHMARK_RUNNING"]["activities_completed"] == 0
    assert hobbies["BENCHMARK_RUNNING"]["success_rate"] == 0.0  # a failure counts against it
    assert hobbies["BENCHMARK_RUNNING"]["time_invested_hours"] == pytest.approx(120 / 3600, abs=1e-6)
    assert hobbies["PATTERN_RECOGNITION"]["activities_completed"] == 0
    assert hobbies["CODE_ANALYSIS"]["activities_completed"] == 1
    assert hobbies["BENCHMARK_RUNNING"]["proficiency"] is None  # it only failed: a progress row, no measurement
    assert summary["trends"]["benchmark_running"]["current_proficiency"] is None
    assert hobbies["KNOWLEDGE_EXPLORATION"] == {
        "proficiency": None,
        "time_invested_hours": 0.0,
        "activities_completed": 0,
        "success_rate": 0.0,
        "insights_gained": 0,
        "last_activity": None,
    }
    assert summary["trends"]["skill_practice"]["current_proficiency"] == pytest.approx(0.7)
    assert summary["trends"]["skill_practice"]["activities_completed"] == 2
    # Every activity finished this hour and today.
    assert list(summary["timeline"]["hourly"].values())[-1] == 5
    assert list(summary["timeline"]["daily"].values())[-1] == 5

    dashboard = metrics.dashboard_data()
    assert dashboard["proficiency_radar"]["values"][NAMES.index("SKILL_PRACTICE")] == pytest.approx(0.7)
    assert dashboard["activities_by_type"]["values"][NAMES.index("SKILL_PRACTICE")] == 2
    assert dashboard["time_invested_bars"]["values"][NAMES.index("SKILL_PRACTICE")] == pytest.approx(0.75)
    assert dashboard["current_stats"]["total_activities"] == 5
    assert dashboard["current_stats"]["active_hobbies"] == 2  # types with a completed activity


def test_the_current_activity_is_the_latest_started_that_still_runs(db):
    with time_machine.travel(NOON, tick=False):
        started(hobby_type="SKILL_PRACTICE", description="older")
    with time_machine.travel(NOON + timedelta(minutes=5), tick=False):
        latest = started(hobby_type="CODE_ANALYSIS", description="answering code items")
    with time_machine.travel(NOON + timedelta(minutes=6), tick=False):
        summary = metrics.metrics_summary()
        assert summary["system"]["current_activity"] == {
            "activity_id": latest.activity_id,
            "hobby_type": "CODE_ANALYSIS",
            "started_at": latest.started_at.isoformat(),
            "duration_seconds": 60.0,
            "description": "answering code items",
        }
        assert summary["summary"]["current_activity"] == "CODE_ANALYSIS"
        assert metrics.dashboard_data()["current_stats"]["is_learning"] is True
        assert summary["system"]["total_activities"] == 0  # running ones have not finished


def test_timelines_bucket_by_the_hour_and_day_they_finished(db):
    # Today, yesterday's last hour (read fresh), yesterday afternoon (closed, within 24 h), and older.
    for moment in (
        NOON - timedelta(hours=2),
        NOON - timedelta(hours=2, minutes=10),
        NOON - timedelta(hours=13),
        NOON - timedelta(hours=20),
        NOON - timedelta(hours=25),
        NOON - timedelta(days=3),
        NOON - timedelta(days=40),
    ):
        with time_machine.travel(moment, tick=False):
            finished(hobby_type="SKILL_PRACTICE")
    with time_machine.travel(NOON, tick=False):
        summary = metrics.metrics_summary()
    hourly, daily = summary["timeline"]["hourly"], summary["timeline"]["daily"]
    assert list(hourly)[0] == "2031-05-19 13:00" and list(hourly)[-1] == "2031-05-20 12:00"
    assert hourly["2031-05-20 10:00"] == 2 and hourly["2031-05-19 23:00"] == hourly["2031-05-19 16:00"] == 1
    assert sum(hourly.values()) == 4  # 25 hours ago is outside
    assert list(daily)[0] == "2031-04-21" and list(daily)[-1] == "2031-05-20"
    assert daily["2031-05-20"] == 2 and daily["2031-05-19"] == 3 and daily["2031-05-17"] == 1
    assert sum(daily.values()) == 6  # 40 days ago is outside the window...
    assert summary["system"]["total_activities"] == 7  # ...and still counted
    assert summary["summary"]["hobbies"]["SKILL_PRACTICE"]["activities_completed"] == 7


def test_a_second_call_within_ten_seconds_reads_the_shared_cache_only(db, django_assert_num_queries):
    finished(hobby_type="SKILL_PRACTICE", agent=subagent())
    with time_machine.travel(NOON, tick=False):
        with CaptureQueriesContext(connection) as computing:
            first = metrics.metrics_summary()
        assert len(computing) > 0
        # The payload is in Redis, where every web process reads it.
        location = settings.CACHES["default"]["LOCATION"]
        assert any(b"hobbies:metrics" in key for key in redis.Redis.from_url(location).keys("*"))
        finished(hobby_type="SKILL_PRACTICE")  # lands within the 10 s: not seen yet
    with time_machine.travel(NOON + timedelta(seconds=9), tick=False):
        with django_assert_num_queries(0):
            assert metrics.metrics_summary() == first
            metrics.dashboard_data()
            metrics.prometheus_text()
    with time_machine.travel(NOON + timedelta(seconds=11), tick=False):
        with CaptureQueriesContext(connection) as again:
            later = metrics.metrics_summary()
        assert len(again) > 0
        assert later["system"]["total_activities"] == first["system"]["total_activities"] + 1 == 2


def test_without_redis_the_figures_are_computed_every_time(db, settings):
    finished(hobby_type="SKILL_PRACTICE")
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}}
    assert metrics.metrics_summary()["system"]["total_activities"] == 1
    finished(hobby_type="SKILL_PRACTICE")
    assert metrics.metrics_summary()["system"]["total_activities"] == 2


def test_closed_history_is_summed_once_a_day(db):
    with time_machine.travel(NOON - timedelta(days=45), tick=False):
        finished(hobby_type="TOOL_MASTERY", seconds=600)
    with time_machine.travel(NOON, tick=False):
        assert metrics.metrics_summary()["system"]["total_activities"] == 1
    with time_machine.travel(NOON + timedelta(minutes=1), tick=False):
        with CaptureQueriesContext(connection) as computing:
            assert metrics.metrics_summary(use_cache=False)["system"]["total_activities"] == 1
    # The rollups before the window are not read again the same day; only the window is.
    rollup_reads = [q["sql"] for q in computing if "hobbies_hourlyrollup" in q["sql"]]
    assert rollup_reads and all("<" not in sql.split("WHERE", 1)[-1] for sql in rollup_reads)


def test_an_activity_committed_just_after_midnight_is_not_lost(db):
    midnight = datetime(2031, 5, 21, tzinfo=UTC)
    with time_machine.travel(midnight + timedelta(seconds=1), tick=False):
        assert metrics.metrics_summary()["system"]["total_activities"] == 0  # the day's closed history is kept
    with time_machine.travel(midnight - timedelta(seconds=1), tick=False):
        finished(hobby_type="SKILL_PRACTICE")  # finished at 23:59:59, committed after that computation
    with time_machine.travel(midnight + timedelta(seconds=2), tick=False):
        summary = metrics.metrics_summary(use_cache=False)
    assert summary["system"]["total_activities"] == 1
    assert summary["timeline"]["hourly"]["2031-05-20 23:00"] == summary["timeline"]["daily"]["2031-05-20"] == 1


def test_prometheus_series_have_the_originals_names_and_promtool_accepts_them(db):
    one = subagent()
    finished(hobby_type="SKILL_PRACTICE", agent=one, heldout=0.6, seconds=90)
    finished(hobby_type="SKILL_PRACTICE", agent=one, status="failed", seconds=30)
    config_update(enabled=False)
    AgentInteraction.objects.create(agent_id="sa-1", last_interaction_at=timezone.now())
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        started(hobby_type="CODE_ANALYSIS")
        traveller.shift(42)
        text = metrics.prometheus_text().decode()
    checked = promtool_check(text)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    found = samples(text)
    assert found[("hobby_system_enabled", ())] == 0
    assert found[("hobby_system_running", ())] == 0
    assert found[("hobby_system_is_idle", ())] == 0  # someone talked to an agent just now
    assert found[("hobby_activities_total", ())] == 2
    skill = (("type", "skill_practice"),)
    assert found[("hobby_proficiency", skill)] == pytest.approx(0.6)
    assert found[("hobby_activities_completed_total", skill)] == 1
    assert found[("hobby_time_invested_seconds_total", skill)] == pytest.approx(120)
    assert 0 < found[("hobby_success_rate", skill)] < 1
    assert found[("hobby_insights_total", skill)] == insights_of("SKILL_PRACTICE")
    assert found[("hobby_current_activity_active", ())] == 1
    assert found[("hobby_current_activity_duration_seconds", (("type", "code_analysis"),))] == pytest.approx(42)
    for name in NAMES:  # only measured types have a proficiency; the rest have no sample, not a 0
        assert (("hobby_proficiency", (("type", name.lower()),)) in found) == (name == "SKILL_PRACTICE")
        assert ("hobby_success_rate", (("type", name.lower()),)) in found
    assert "# TYPE hobby_activities_total counter" in text


def test_the_duration_gauge_appears_only_while_something_runs(db):
    finished(hobby_type="SKILL_PRACTICE")
    text = metrics.prometheus_text().decode()
    assert "hobby_current_activity_duration_seconds" not in text
    assert samples(text)[("hobby_current_activity_active", ())] == 0
    assert promtool_check(text).returncode == 0


def test_the_activity_counter_never_goes_back_when_progress_rows_go(db):
    agent = subagent()
    finished(hobby_type="SKILL_PRACTICE", agent=agent)
    agent.progress.all().delete()  # as when a sub-agent's progress is reset
    found = samples(metrics.prometheus_text(use_cache=False).decode())
    assert found[("hobby_activities_total", ())] == 1
    assert found[("hobby_activities_completed_total", (("type", "skill_practice"),))] == 1
    assert HourlyRollup.objects.count() == 1
