"""Hobby metrics in the originals' shapes (docs/originals.md 1.6): the progress summary, the metrics summary, the dashboard
data and the Prometheus series, all measured.

Everything is read from rows kept as activities finish (hobbies.proficiency keeps them in the same transaction)
and never from the activity history, so a computation costs the same at a thousand activities or a million:

- counts, time and insights per type: the hourly rollups (every finished activity, with or without a sub-agent;
  they only grow, so Prometheus counters stay monotonic across restarts and sub-agent removals);
- proficiency, success rate, engagement, improvement, last activity: the per-sub-agent progress rows
  (hobbies.proficiency.progress_by_type); a type never measured has null proficiency and improvement rate (the
  keys stay: the originals' shapes, with no figure where nothing was measured), and no hobby_proficiency sample;
- what runs now: the activities in status running (a handful, found through the status index).

Rollups before yesterday's last hour never change (an activity is rolled up into the hour it finishes, which is
always the current one), so that closed history is summed once a day and kept in the cache; each computation
reads at most the last 25 hours of rollups, however long the history.

The whole payload is computed once and shared through Django's cache (Redis: every web process and machine
reads the same one) for CACHE_SECONDS, the originals' 10 s; without Redis it is computed on every call.
"""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import UTC, datetime, timedelta

import redis
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import Count, Min, Sum
from django.utils import timezone
from prometheus_client import generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from hobbies.catalogue import NAMES
from hobbies.models import Activity, HourlyRollup
from hobbies.proficiency import progress_by_type
from hobbies.scheduling import system_state

logger = logging.getLogger(__name__)

CACHE_SECONDS = 10  # the originals' _cache_ttl_seconds
HOURLY_HOURS = 24  # timeline.hourly: the last 24 hours, this one included
DAILY_DAYS = 30  # timeline.daily: the last 30 days, today included (UTC)
SUMS = ("activities", "completed", "failed", "cancelled", "seconds", "insights")


# --- cache --------------------------------------------------------------------------------------------------
def _key(name: str) -> str:
    # The database's name is part of the key: two installs (or two test runs) sharing one Redis never read
    # each other's figures.
    database = hashlib.sha1(str(connection.settings_dict.get("NAME")).encode()).hexdigest()[:10]
    return f"hobbies:metrics:{database}:{name}"


def _cached(name: str, seconds: int, compute):
    """compute() through the shared cache; a Redis outage costs a recomputation, never an error.

    Entries carry the time they were stored, checked on reading too: Redis expires them by its own clock, and
    this way our clock (the one the figures are computed against) has the last word.
    """
    key = _key(name)
    try:
        entry = cache.get(key)
    except redis.RedisError:
        return compute()
    if isinstance(entry, tuple) and 0 <= time.time() - entry[0] < seconds:
        return entry[1]
    value = compute()
    try:
        cache.set(key, (time.time(), value), seconds)
    except redis.RedisError:
        logger.warning("could not cache hobby metrics (%s)", name)
    return value


def metrics_cache_clear() -> None:
    """Forget the shared payload (the next call computes it): for benchmarks and operators' tests."""
    try:
        cache.delete(_key("payload"))
    except redis.RedisError:
        pass


# --- reading the rows ---------------------------------------------------------------------------------------
def _zeros() -> dict[str, float]:
    return dict.fromkeys(SUMS, 0)


def _hour_key(hour: datetime) -> str:
    return f"{hour.astimezone(UTC):%Y-%m-%d %H}:00"


def _day_key(hour: datetime) -> str:
    return f"{hour.astimezone(UTC):%Y-%m-%d}"


def _fresh_start(now: datetime) -> datetime:
    """Where the rows read on every computation begin: an hour before today (UTC) began. Rollups before it are
    closed: an activity is rolled up into the hour it finishes, which is the current one, and the hour of margin
    covers a transaction that finished at 23:59 and committed after midnight."""
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(hours=1)


def _window_start(fresh_start: datetime) -> datetime:
    """The first day of the daily timeline: DAILY_DAYS days, today included."""
    return fresh_start + timedelta(hours=1) - timedelta(days=DAILY_DAYS - 1)


def _closed(fresh_start: datetime) -> dict:
    """The closed history, once a day: per-type sums of every rollup before fresh_start, and the activities per
    day (timeline window) and per hour (the last day) before it."""
    window_start = _window_start(fresh_start)
    totals = {name: _zeros() for name in NAMES}
    for row in (
        HourlyRollup.objects.filter(hour__lt=fresh_start)
        .values("hobby_type")
        .annotate(**{f: Sum(f) for f in SUMS})
        .order_by()
    ):
        # The sums are annotated through **kwargs, whose names the Django plugin cannot see in the row's type.
        totals.setdefault(row["hobby_type"], _zeros()).update({f: row[f] or 0 for f in SUMS})  # type: ignore[literal-required]
    daily: dict[str, int] = {}
    hourly: dict[str, int] = {}
    last_day = fresh_start - timedelta(hours=HOURLY_HOURS)
    for hour, n in (
        HourlyRollup.objects.filter(hour__gte=window_start, hour__lt=fresh_start)
        .values("hour")
        .annotate(n=Sum("activities"))
        .order_by()
        .values_list("hour", "n")
    ):
        daily[_day_key(hour)] = daily.get(_day_key(hour), 0) + n
        if hour >= last_day:
            hourly[_hour_key(hour)] = n
    return {"totals": totals, "daily": daily, "hourly": hourly}


def _rollups(now: datetime) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, int]]]:
    """Per type, every rollup ever; and the timelines: activities finished per hour (the last 24) and per day (the
    last 30), every bucket present, oldest first. Reads at most 25 hours of rollups; the rest is the closed
    history, summed once a day and shared through the cache."""
    fresh_start = _fresh_start(now)
    closed = _cached(f"closed:{fresh_start:%Y%m%d%H}", 2 * 86400, lambda: _closed(fresh_start))
    totals = {name: dict(sums) for name, sums in closed["totals"].items()}
    this_hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    hourly = {_hour_key(this_hour - timedelta(hours=back)): 0 for back in range(HOURLY_HOURS - 1, -1, -1)}
    window_start = _window_start(fresh_start)
    daily = {_day_key(window_start + timedelta(days=d)): 0 for d in range(DAILY_DAYS)}
    for timeline, found in ((hourly, closed["hourly"]), (daily, closed["daily"])):
        for key, n in found.items():
            if key in timeline:
                timeline[key] += n
    for row in HourlyRollup.objects.filter(hour__gte=fresh_start).values("hour", "hobby_type", *SUMS).order_by():
        sums = totals.setdefault(row["hobby_type"], _zeros())
        for f in SUMS:
            sums[f] += row[f]
        for timeline, key in ((hourly, _hour_key(row["hour"])), (daily, _day_key(row["hour"]))):
            if key in timeline:
                timeline[key] += row["activities"]
    return totals, {"hourly": hourly, "daily": daily}


def _running(now: datetime) -> tuple[dict | None, dict[str, dict]]:
    """The latest activity started that is still running (the originals' current activity), and per type how
    many run and for how long the oldest has."""
    running = Activity.objects.filter(status=Activity.Status.RUNNING)
    per_type = {
        row["hobby_type"]: {"count": row["n"], "duration_seconds": max(0.0, (now - row["oldest"]).total_seconds())}
        for row in running.values("hobby_type").annotate(n=Count("id"), oldest=Min("started_at")).order_by()
    }
    latest = running.order_by("-started_at").only("activity_id", "hobby_type", "started_at", "description").first()
    if latest is None:
        return None, per_type
    return {
        "activity_id": latest.activity_id,
        "hobby_type": latest.hobby_type,
        "started_at": latest.started_at.isoformat(),
        "duration_seconds": round(max(0.0, (now - latest.started_at).total_seconds()), 3),
        "description": latest.description,
    }, per_type


def _system_state() -> dict:
    # Imported when called: scheduling brings in assignments, services and Celery tasks, which this module (loaded
    # by the app's ready() for /metrics) should not.
    return system_state()


# --- the originals' shapes ----------------------------------------------------------------------------------
def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _progress_summary(totals, progress, current, state) -> dict:
    """get_progress_summary(): counts from the rollups, the rest from progress; every type, used or not."""
    hobbies = {}
    for name in NAMES:
        count, measured = totals.get(name, _zeros()), progress[name]
        hobbies[name] = {
            "proficiency": _rounded(measured["proficiency"]),
            "time_invested_hours": round(count["seconds"] / 3600, 6),
            "activities_completed": int(count["completed"]),
            "success_rate": round(measured["success_rate"], 6),
            "insights_gained": int(count["insights"]),
            "last_activity": measured["last_activity"],
        }
    return {
        "total_activities": int(sum(t["activities"] for t in totals.values())),
        "hobbies": hobbies,
        # The originals' mean over all eight types, unused ones (engagement 0) included.
        "overall_engagement": round(sum(progress[n]["average_engagement"] for n in NAMES) / len(NAMES), 6),
        "current_activity": current["hobby_type"] if current else None,
        "is_idle": bool(state["is_idle"]),
    }


def progress_summary() -> dict:
    """GET /hobby/progress (and /hobby/status): the originals' progress summary, computed now (no 10 s cache)."""
    now = timezone.now()
    current, _ = _running(now)
    totals, _ = _rollups(now)
    return _progress_summary(totals, progress_by_type(), current, _system_state())


def _compute() -> dict:
    now = timezone.now()
    state, progress = _system_state(), progress_by_type()
    totals, timeline = _rollups(now)
    current, running = _running(now)
    summary = _progress_summary(totals, progress, current, state)
    trends = {
        name.lower(): {
            "current_proficiency": summary["hobbies"][name]["proficiency"],
            "improvement_rate": _rounded(progress[name]["improvement_rate"]),
            "activities_completed": summary["hobbies"][name]["activities_completed"],
            "time_invested_hours": summary["hobbies"][name]["time_invested_hours"],
            "success_rate": summary["hobbies"][name]["success_rate"],
            "average_engagement": round(progress[name]["average_engagement"], 6),
        }
        for name in NAMES
    }
    return {
        "summary": {
            "system": {
                "enabled": bool(state["enabled"]),
                "running": bool(state["running"]),
                "is_idle": bool(state["is_idle"]),
                "total_activities": summary["total_activities"],
                "current_activity": current,
            },
            "summary": summary,
            "timeline": timeline,
            "trends": trends,
            "timestamp": now.isoformat(),
        },
        # What Prometheus needs beyond the summary: unrounded counters and the running activities per type.
        "series": {"totals": {name: totals.get(name, _zeros()) for name in NAMES}, "running": running},
    }


def _payload(use_cache: bool = True) -> dict:
    return _cached("payload", CACHE_SECONDS, _compute) if use_cache else _compute()


def metrics_summary(*, use_cache: bool = True) -> dict:
    """The originals' get_metrics_summary()."""
    return _payload(use_cache)["summary"]


def dashboard_data(*, use_cache: bool = True) -> dict:
    """The originals' get_dashboard_data(), from the same payload as the summary."""
    summary = metrics_summary(use_cache=use_cache)
    hobbies, hourly = summary["summary"]["hobbies"], summary["timeline"]["hourly"]

    def per_type(field: str) -> dict:
        return {"labels": list(NAMES), "values": [hobbies[name][field] for name in NAMES]}

    return {
        "proficiency_radar": per_type("proficiency"),
        "time_invested_bars": per_type("time_invested_hours"),
        "activity_timeline": {"labels": list(hourly), "values": list(hourly.values())},
        "activities_by_type": per_type("activities_completed"),
        "current_stats": {
            "total_activities": summary["summary"]["total_activities"],
            "overall_engagement": summary["summary"]["overall_engagement"],
            "active_hobbies": sum(1 for name in NAMES if hobbies[name]["activities_completed"]),
            "is_learning": summary["system"]["current_activity"] is not None,
        },
    }


# --- Prometheus ---------------------------------------------------------------------------------------------
def _families(payload: dict):
    system, series = payload["summary"]["system"], payload["series"]
    hobbies = payload["summary"]["summary"]["hobbies"]
    for name, text in (
        ("enabled", "Whether hobbies may run at all (1) or not (0)"),
        ("running", "Whether the hobby scheduler is started (1) or stopped (0)"),
        ("is_idle", "Whether no agent has been talked to within the idle threshold (1)"),
    ):
        yield GaugeMetricFamily(f"hobby_system_{name}", text, value=int(system[name]))
    # Counters get Prometheus' _total suffix from prometheus_client (hobby_activities_total as in the originals).
    yield CounterMetricFamily(
        "hobby_activities",
        "Hobby activities finished, every type (from the hourly rollups)",
        value=system["total_activities"],
    )
    by_type = {
        "hobby_proficiency": (
            GaugeMetricFamily,
            "Measured proficiency (held-out score moving average), 0 to 1; absent for a type never measured",
            lambda name: hobbies[name]["proficiency"],
        ),
        # Seconds, not the originals' minutes: Prometheus wants base units (promtool refuses _minutes).
        "hobby_time_invested_seconds": (
            CounterMetricFamily,
            "Time hobby activities really took",
            lambda name: series["totals"][name]["seconds"],
        ),
        "hobby_activities_completed": (
            CounterMetricFamily,
            "Hobby activities completed",
            lambda name: series["totals"][name]["completed"],
        ),
        "hobby_success_rate": (
            GaugeMetricFamily,
            "Success rate (moving average over outcomes), 0 to 1",
            lambda name: hobbies[name]["success_rate"],
        ),
        "hobby_insights": (
            CounterMetricFamily,
            "Insights gained from hobby activities",
            lambda name: series["totals"][name]["insights"],
        ),
    }
    for metric, (kind, text, value) in by_type.items():
        family = kind(metric, text, labels=["type"])
        for name in NAMES:
            if value(name) is not None:  # never measured: no sample (absent is Prometheus' unknown; 0 would lie)
                family.add_metric([name.lower()], value(name))
        yield family
    running = series["running"]
    yield GaugeMetricFamily(
        "hobby_current_activity_active",
        "Hobby activities running now (the originals' 0 or 1 with one agent)",
        value=sum(r["count"] for r in running.values()),
    )
    if running:  # as in the originals, only while something runs
        family = GaugeMetricFamily(
            "hobby_current_activity_duration_seconds",
            "How long the longest-running activity of the type has run",
            labels=["type"],
        )
        for name in sorted(running):
            family.add_metric([name.lower()], round(running[name]["duration_seconds"], 3))
        yield family


class HobbyMetricsCollector:
    """The hobby series for /metrics and /hobby/metrics/prometheus, from the shared payload."""

    def __init__(self, use_cache: bool = True):
        self.use_cache = use_cache

    def collect(self):
        try:
            payload = _payload(self.use_cache)
        except DatabaseError:
            # /metrics reports the database as down (autodidact_metrics_source_up); it must still answer.
            logger.warning("hobby metrics: database unavailable", exc_info=True)
            return []
        return list(_families(payload))


def prometheus_text(*, use_cache: bool = True) -> bytes:
    """The originals' get_prometheus_metrics(), as real Prometheus text (they returned a JSON string)."""
    return generate_latest(HobbyMetricsCollector(use_cache))
