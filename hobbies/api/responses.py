"""What /api/v1/hobbies/ answers, for the schema: output serializers describing the dicts the views build
(hobbies.api.shapes, hobbies.api.views, hobbies.metrics, ...). They document; the views never run them."""

from __future__ import annotations

from rest_framework import serializers

from hobbies.policies import SelectionPolicy

NULL_UNMEASURED = "null where nothing was measured"


# --- configuration, types, sub-agents ------------------------------------------------------------------------
class HobbyConfigSerializer(serializers.Serializer):
    """The effective configuration: stored values, overridden by their environment variables where set."""

    enabled = serializers.BooleanField()
    interval_minutes = serializers.FloatField()
    idle_threshold_minutes = serializers.FloatField()
    max_hobby_duration_minutes = serializers.FloatField()
    hobbies_enabled = serializers.DictField(child=serializers.BooleanField(), help_text="Per hobby type")
    focus_on_weaknesses = serializers.BooleanField()
    variety_factor = serializers.FloatField()
    intensity_level = serializers.FloatField()
    selection_policy = serializers.ChoiceField(choices=SelectionPolicy.choices)


class HobbyTypeOutSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField()
    learning_objective = serializers.CharField()
    suites = serializers.ListField(child=serializers.CharField())
    enabled = serializers.BooleanField()
    practice_built = serializers.BooleanField()


class HobbyTypeListSerializer(serializers.Serializer):
    hobby_types = HobbyTypeOutSerializer(many=True)


class SubAgentOutSerializer(serializers.Serializer):
    subagent_id = serializers.CharField()
    capabilities = serializers.ListField(child=serializers.CharField(), help_text='Hobby type names, or ["*"]')
    metadata = serializers.DictField()
    registered_at = serializers.DateTimeField()
    active_assignments = serializers.IntegerField()
    completed_assignments = serializers.IntegerField()
    failed_assignments = serializers.IntegerField(help_text="Failed or timed out")
    model = serializers.CharField(allow_null=True, help_text="null: the default model")
    adapter = serializers.CharField(allow_null=True)
    machine = serializers.CharField()
    max_concurrent_assignments = serializers.IntegerField()
    status = serializers.CharField(help_text="active or unregistered")
    last_heartbeat_at = serializers.DateTimeField(allow_null=True)


class SubAgentStatsSerializer(serializers.Serializer):
    total_registered = serializers.IntegerField()
    total_active_assignments = serializers.IntegerField()
    total_completed_assignments = serializers.IntegerField()
    total_failed_assignments = serializers.IntegerField()
    subagents = SubAgentOutSerializer(many=True)


class HeartbeatSerializer(serializers.Serializer):
    subagent_id = serializers.CharField()
    last_heartbeat_at = serializers.DateTimeField()


# --- activities and assignments ------------------------------------------------------------------------------
class PatternFoundSerializer(serializers.Serializer):
    pattern = serializers.CharField()
    confidence = serializers.FloatField()
    actionable = serializers.BooleanField()


class ActivityOutSerializer(serializers.Serializer):
    """The originals' HobbyActivity.to_dict(), measured, and what the product adds."""

    activity_id = serializers.CharField()
    hobby_type = serializers.CharField()
    started_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    success = serializers.BooleanField()
    description = serializers.CharField()
    goal = serializers.CharField()
    approach = serializers.CharField()
    insights_gained = serializers.ListField(child=serializers.CharField())
    skills_improved = serializers.ListField(child=serializers.CharField())
    patterns_discovered = PatternFoundSerializer(many=True)
    performance_metrics = serializers.DictField(
        child=serializers.FloatField(), help_text="Score per skill; held-out ones as heldout:<skill>"
    )
    difficulty_level = serializers.FloatField(
        allow_null=True, help_text="Share of the grade missed; " + NULL_UNMEASURED
    )
    engagement_score = serializers.FloatField()
    improvement_delta = serializers.FloatField(allow_null=True, help_text=NULL_UNMEASURED)
    duration_seconds = serializers.FloatField(allow_null=True, help_text="null until it finished")
    insights_count = serializers.IntegerField()
    patterns_discovered_count = serializers.IntegerField()
    status = serializers.CharField(help_text="running, completed, failed, timed_out or cancelled")
    score = serializers.FloatField(allow_null=True)
    heldout_score = serializers.FloatField(allow_null=True)
    items = serializers.IntegerField()
    correct = serializers.IntegerField()
    time_spent_seconds = serializers.FloatField()
    model = serializers.CharField()
    subagent_id = serializers.CharField(allow_null=True)
    assignment_id = serializers.CharField(allow_null=True)
    error = serializers.CharField(allow_null=True)


class ActivityListSerializer(serializers.Serializer):
    activities = ActivityOutSerializer(many=True)
    count = serializers.IntegerField()


class AttemptOutSerializer(serializers.Serializer):
    item_id = serializers.CharField()
    skill = serializers.CharField()
    prompt = serializers.CharField()
    expected = serializers.CharField()
    answer = serializers.CharField()
    correct = serializers.BooleanField()
    score = serializers.FloatField()
    failure_kind = serializers.CharField(allow_null=True)
    detail = serializers.CharField()


class ActivityDetailSerializer(ActivityOutSerializer):
    attempts = AttemptOutSerializer(many=True)


class AssignmentResultSerializer(serializers.Serializer):
    """The originals' result; activity_id and the measured figures once an activity ran."""

    success = serializers.BooleanField()
    insights = serializers.ListField(child=serializers.CharField())
    proficiency_gain = serializers.FloatField(allow_null=True)
    patterns_discovered = PatternFoundSerializer(many=True)
    confidence = serializers.FloatField(allow_null=True)
    reasoning = serializers.CharField()
    activity_id = serializers.CharField(required=False)
    score = serializers.FloatField(required=False, allow_null=True)
    heldout_score = serializers.FloatField(required=False, allow_null=True)
    items = serializers.IntegerField(required=False)
    duration_seconds = serializers.FloatField(required=False)


class AssignmentOutSerializer(serializers.Serializer):
    assignment_id = serializers.CharField()
    subagent_id = serializers.CharField()
    hobby_type = serializers.CharField()
    duration_minutes = serializers.FloatField()
    assigned_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    status = serializers.CharField(help_text="pending, running, completed, failed, timed_out or cancelled")
    result = AssignmentResultSerializer(allow_null=True, help_text="null until it finished")
    error = serializers.CharField(allow_null=True)
    machine = serializers.CharField(help_text="Where it was sent to run")
    fallback = serializers.BooleanField(help_text="Ran on this machine: the sub-agent's had no worker")
    origin = serializers.CharField(help_text="api, distribute or scheduler")


class AssignmentListSerializer(serializers.Serializer):
    assignments = AssignmentOutSerializer(many=True)
    count = serializers.IntegerField()
    filter = serializers.CharField(allow_null=True, help_text="The status asked for")


class DistributedSerializer(serializers.Serializer):
    status = serializers.CharField()
    assignments = AssignmentOutSerializer(many=True)
    count = serializers.IntegerField()
    message = serializers.CharField()


class ConsensusItemOutSerializer(serializers.Serializer):
    item_id = serializers.CharField()
    prompt = serializers.CharField()
    answer = serializers.CharField(help_text="The most common answer")
    agreeing = serializers.IntegerField()
    confidence = serializers.CharField(help_text="high or low")
    needs_review = serializers.BooleanField()
    correct = serializers.BooleanField(allow_null=True, help_text="Whether the agreed answer passes the grader")


class ConsensusRunOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    hobby_type = serializers.CharField()
    status = serializers.CharField(help_text="running, completed or failed")
    subagents = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    agreement = serializers.FloatField(allow_null=True, help_text="Share of items with a high-confidence answer")
    flagged_for_review = serializers.IntegerField()
    items = ConsensusItemOutSerializer(many=True)


# --- the scheduler and interactions --------------------------------------------------------------------------
class SchedulerStateSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    running = serializers.BooleanField()
    is_idle = serializers.BooleanField(help_text="Nobody talked to any agent within the idle threshold")


class SchedulerSetSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="started or stopped")
    message = serializers.CharField()


class InteractionRecordedSerializer(serializers.Serializer):
    agent_id = serializers.CharField()
    last_interaction_at = serializers.DateTimeField()
    interrupted = serializers.ListField(child=serializers.CharField(), help_text="Assignments it cancelled")


class ProgressRowSerializer(serializers.Serializer):
    subagent_id = serializers.CharField()
    hobby_type = serializers.CharField()
    proficiency = serializers.FloatField(allow_null=True, help_text=NULL_UNMEASURED)
    measurements = serializers.IntegerField()
    success_rate = serializers.FloatField()
    activities_completed = serializers.IntegerField()
    activities_failed = serializers.IntegerField()
    activities_cancelled = serializers.IntegerField()
    time_invested_minutes = serializers.FloatField()
    average_engagement = serializers.FloatField()
    insights_total = serializers.IntegerField()
    improvement_rate = serializers.FloatField(allow_null=True, help_text="null before two measurements")
    recent_scores = serializers.ListField(child=serializers.FloatField())
    last_activity = serializers.DateTimeField(allow_null=True)


class ProgressListSerializer(serializers.Serializer):
    progress = ProgressRowSerializer(many=True)


# --- metrics (hobbies.metrics) --------------------------------------------------------------------------------
class TypeProgressSerializer(serializers.Serializer):
    proficiency = serializers.FloatField(allow_null=True, help_text=NULL_UNMEASURED)
    time_invested_hours = serializers.FloatField()
    activities_completed = serializers.IntegerField()
    success_rate = serializers.FloatField()
    insights_gained = serializers.IntegerField()
    last_activity = serializers.DateTimeField(allow_null=True)


class ProgressSummarySerializer(serializers.Serializer):
    """The originals' progress summary, every hobby type present."""

    total_activities = serializers.IntegerField()
    hobbies = serializers.DictField(child=TypeProgressSerializer(), help_text="Per hobby type")
    overall_engagement = serializers.FloatField()
    current_activity = serializers.CharField(allow_null=True, help_text="The hobby type running now")
    is_idle = serializers.BooleanField()


class CurrentActivitySerializer(serializers.Serializer):
    activity_id = serializers.CharField()
    hobby_type = serializers.CharField()
    started_at = serializers.DateTimeField()
    duration_seconds = serializers.FloatField()
    description = serializers.CharField()


class MetricsSystemSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    running = serializers.BooleanField()
    is_idle = serializers.BooleanField()
    total_activities = serializers.IntegerField()
    current_activity = CurrentActivitySerializer(allow_null=True, help_text="The latest started that still runs")


class TimelineSerializer(serializers.Serializer):
    hourly = serializers.DictField(
        child=serializers.IntegerField(), help_text="Activities finished per hour ('YYYY-MM-DD HH:00', UTC), last 24"
    )
    daily = serializers.DictField(
        child=serializers.IntegerField(), help_text="Activities finished per day ('YYYY-MM-DD', UTC), last 30"
    )


class TypeTrendSerializer(serializers.Serializer):
    current_proficiency = serializers.FloatField(allow_null=True)
    improvement_rate = serializers.FloatField(allow_null=True)
    activities_completed = serializers.IntegerField()
    time_invested_hours = serializers.FloatField()
    success_rate = serializers.FloatField()
    average_engagement = serializers.FloatField()


class MetricsSummarySerializer(serializers.Serializer):
    system = MetricsSystemSerializer()
    summary = ProgressSummarySerializer()
    timeline = TimelineSerializer()
    trends = serializers.DictField(child=TypeTrendSerializer(), help_text="Per hobby type, lower-cased")
    timestamp = serializers.DateTimeField()


class ChartSerializer(serializers.Serializer):
    labels = serializers.ListField(child=serializers.CharField())
    values = serializers.ListField(child=serializers.FloatField(allow_null=True), help_text="One per label")


class DashboardStatsSerializer(serializers.Serializer):
    total_activities = serializers.IntegerField()
    overall_engagement = serializers.FloatField()
    active_hobbies = serializers.IntegerField()
    is_learning = serializers.BooleanField()


class DashboardSerializer(serializers.Serializer):
    proficiency_radar = ChartSerializer()
    time_invested_bars = ChartSerializer()
    activity_timeline = ChartSerializer()
    activities_by_type = ChartSerializer()
    current_stats = DashboardStatsSerializer()


class LegacyStatusSerializer(serializers.Serializer):
    """GET /hobby/status: the originals' status."""

    enabled = serializers.BooleanField()
    progress = ProgressSummarySerializer()
    recent_activities = ActivityOutSerializer(many=True, help_text="The newest ten")
