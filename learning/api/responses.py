"""What /api/v1/feedback/ and /api/v1/learning/ answer, for the schema: output serializers describing the dicts
the views build (learning.api.shapes, learning.api.training and the services' *_shape functions). They document;
the views never run them."""

from __future__ import annotations

from rest_framework import serializers


# --- feedback ------------------------------------------------------------------------------------------------
class FeedbackOutSerializer(serializers.Serializer):
    """The originals' Feedback.to_dict(), and what the product adds."""

    feedback_id = serializers.CharField()
    target_type = serializers.CharField(help_text="insight, pattern or activity")
    target_id = serializers.CharField()
    feedback_type = serializers.CharField(help_text="The kind of the latest submission")
    rating = serializers.IntegerField(allow_null=True, help_text="1 to 5")
    comment = serializers.CharField(allow_null=True)
    helpful = serializers.BooleanField(allow_null=True)
    metadata = serializers.DictField()
    created_at = serializers.DateTimeField()
    user_id = serializers.CharField(help_text="The rater's user name")
    id = serializers.IntegerField()
    suggestion = serializers.CharField(allow_null=True)
    updated_at = serializers.DateTimeField()


class SignalSumsSerializer(serializers.Serializer):
    ratings = serializers.IntegerField()
    rating_sum = serializers.IntegerField()
    votes = serializers.IntegerField()
    helpful_votes = serializers.IntegerField()
    long_comments = serializers.IntegerField()


class RewardSignalOutSerializer(serializers.Serializer):
    """The originals' RewardSignal.to_dict(), with the running sums it is computed from."""

    signal_id = serializers.CharField()
    target_id = serializers.CharField()
    target_type = serializers.CharField()
    reward_score = serializers.FloatField(help_text="-1 to 1")
    confidence = serializers.FloatField(help_text="0 to 1")
    feedback_count = serializers.IntegerField()
    calculated_at = serializers.DateTimeField()
    metadata = SignalSumsSerializer()


class FeedbackListSerializer(serializers.Serializer):
    feedback = FeedbackOutSerializer(many=True)
    count = serializers.IntegerField(help_text="All that match, beyond the limit too")


class FeedbackRecordedSerializer(serializers.Serializer):
    feedback = FeedbackOutSerializer()
    reward_signal = RewardSignalOutSerializer(help_text="The target's signal, with this feedback counted")


class QueueItemSerializer(serializers.Serializer):
    target_type = serializers.CharField()
    target_id = serializers.CharField()
    feedback_count = serializers.IntegerField(help_text="Ratings it has")
    status = serializers.CharField()
    predicted_reward = serializers.FloatField(allow_null=True, help_text="null before a reward model scored it")
    uncertainty = serializers.FloatField(allow_null=True, help_text="null before a reward model scored it")


class FeedbackQueueSerializer(serializers.Serializer):
    items = QueueItemSerializer(many=True)
    count = serializers.IntegerField()


class SignalListSerializer(serializers.Serializer):
    signals = RewardSignalOutSerializer(many=True)
    count = serializers.IntegerField(help_text="All that match, beyond the limit too")


class QualityMetricsSerializer(serializers.Serializer):
    average_reward = serializers.FloatField()
    high_quality_count = serializers.IntegerField()
    low_quality_count = serializers.IntegerField()
    total_signals = serializers.IntegerField()
    high_quality_ratio = serializers.FloatField()


class FeedbackStatsSerializer(serializers.Serializer):
    total_feedbacks = serializers.IntegerField()
    by_feedback_type = serializers.DictField(child=serializers.IntegerField(), help_text="Per feedback type")
    total_reward_signals = serializers.IntegerField()
    average_rating = serializers.FloatField()
    quality_metrics = QualityMetricsSerializer()
    raters = serializers.IntegerField()
    judgements = serializers.IntegerField()


class QualityDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    feedbacks = serializers.IntegerField()
    average_rating = serializers.FloatField(allow_null=True)
    helpful_ratio = serializers.FloatField(allow_null=True)
    insights_judged = serializers.IntegerField()
    average_insight_reward = serializers.FloatField(allow_null=True)
    high_quality = serializers.IntegerField()
    low_quality = serializers.IntegerField()


class QualityTrendsSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    trends = QualityDaySerializer(many=True)
    current = QualityMetricsSerializer()


class RaterPairSerializer(serializers.Serializer):
    raters = serializers.ListField(child=serializers.CharField(), help_text="Two user names")
    items = serializers.IntegerField(help_text="Items both rated")
    alpha = serializers.FloatField(allow_null=True)


class AgreementSerializer(serializers.Serializer):
    alpha = serializers.FloatField(allow_null=True, help_text="Krippendorff's ordinal alpha; null when undefined")
    level_of_measurement = serializers.CharField()
    raters = serializers.IntegerField()
    rated_items = serializers.IntegerField()
    overlap_target = serializers.IntegerField()
    items_at_overlap = serializers.IntegerField()
    items_with_several_raters = serializers.IntegerField()
    pairs = RaterPairSerializer(many=True)


class RewardModelVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    version = serializers.IntegerField()
    status = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]  # DRF's metaclass takes declared fields off the class: no clash with Field.source
    source_detail = serializers.CharField()
    metrics = serializers.DictField(help_text="Held-out metrics of the training run")
    train_pairs = serializers.IntegerField()
    train_points = serializers.IntegerField()
    error = serializers.CharField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class RewardModelStatsSerializer(serializers.Serializer):
    active = RewardModelVersionSerializer(allow_null=True)
    name = serializers.CharField()
    features = serializers.CharField(allow_null=True)
    scored_items = serializers.IntegerField()
    targets = serializers.ListField(child=serializers.CharField())
    versions = RewardModelVersionSerializer(many=True)


class PatternWeightOutSerializer(serializers.Serializer):
    pattern_type = serializers.CharField()
    initial_weight = serializers.FloatField()
    current_weight = serializers.FloatField()
    total_samples = serializers.IntegerField()
    approved = serializers.IntegerField()
    rejected = serializers.IntegerField()
    edited = serializers.IntegerField()
    reverted = serializers.IntegerField()
    last_updated = serializers.DateTimeField()


class PatternWeightListSerializer(serializers.Serializer):
    patterns = PatternWeightOutSerializer(many=True)


class PatternUpdateSerializer(serializers.Serializer):
    pattern = serializers.CharField()
    old_weight = serializers.FloatField(allow_null=True, help_text="null: it had no weight yet")
    new_weight = serializers.FloatField()
    delta = serializers.FloatField()
    samples = serializers.IntegerField()


class PatternWeightsUpdatedSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    patterns_updated = serializers.IntegerField()
    updates = PatternUpdateSerializer(many=True)


# --- training: datasets, jobs, adapters ---------------------------------------------------------------------
class TrainingDatasetOutSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    skill = serializers.CharField()
    train_count = serializers.IntegerField()
    validation_count = serializers.IntegerField()
    params = serializers.DictField(help_text="How it was built: window, thresholds, seed, shares")
    stats = serializers.DictField(help_text="What was gathered, refused and dropped, and why")
    path = serializers.CharField()
    sha256 = serializers.CharField()
    created_at = serializers.DateTimeField()


class TrainingDatasetListSerializer(serializers.Serializer):
    datasets = TrainingDatasetOutSerializer(many=True)
    count = serializers.IntegerField(help_text="All datasets, beyond the limit too")


class DatasetBuildOutSerializer(serializers.Serializer):
    build_id = serializers.IntegerField()
    status = serializers.CharField(help_text="pending, building, completed or failed")
    params = serializers.DictField()
    dataset_version = serializers.IntegerField(allow_null=True, help_text="Once built")
    error = serializers.CharField(allow_null=True)
    machine = serializers.CharField()
    attempts = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class JobProgressSerializer(serializers.Serializer):
    """The trainer's last report (absent before the first) and the share done."""

    fraction = serializers.FloatField()
    step = serializers.IntegerField(required=False)
    total_steps = serializers.IntegerField(required=False)
    loss = serializers.FloatField(required=False)
    learning_rate = serializers.FloatField(required=False)
    tokens_per_second = serializers.FloatField(required=False)
    elapsed_seconds = serializers.FloatField(required=False)
    eta_seconds = serializers.FloatField(required=False)


class TrainingJobOutSerializer(serializers.Serializer):
    """The originals' job dict, with progress and the product's own fields beside it."""

    job_id = serializers.CharField()
    status = serializers.CharField()
    config = serializers.DictField(help_text="LoRA hyperparameters, by the originals' names, and model_name")
    data_path = serializers.CharField(allow_null=True)
    output_path = serializers.CharField()
    num_examples = serializers.IntegerField()
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    error_message = serializers.CharField(allow_null=True)
    metrics = serializers.DictField(help_text="The finished run's figures and the last progress report")
    metadata = serializers.DictField()
    progress = JobProgressSerializer()
    created_at = serializers.DateTimeField()
    machine = serializers.CharField()
    attempts = serializers.IntegerField()
    dataset_version = serializers.IntegerField(allow_null=True)
    hobby_type = serializers.CharField()
    adapter_id = serializers.CharField(allow_null=True)
    parent_adapter_id = serializers.CharField(allow_null=True)
    data_stats = serializers.DictField(
        allow_null=True,
        help_text="The dataset's counts (total, train, validation, by_skill, by_source); for a job too thin to "
        "train, what was gathered; null before either",
    )


class TrainingJobListSerializer(serializers.Serializer):
    jobs = TrainingJobOutSerializer(many=True)
    count = serializers.IntegerField()


class AdapterOutSerializer(serializers.Serializer):
    """The originals' adapter dict, plus version, alias, hobby type, seal and lineage."""

    adapter_id = serializers.CharField()
    adapter_name = serializers.CharField()
    status = serializers.CharField()
    model_base = serializers.CharField()
    adapter_path = serializers.CharField()
    training_job_id = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    metrics = serializers.DictField()
    metadata = serializers.DictField()
    version = serializers.IntegerField()
    alias = serializers.CharField(allow_null=True, help_text="champion, challenger or previous")
    hobby_type = serializers.CharField(help_text="Empty: every hobby type")
    sha256 = serializers.CharField()
    promoted_at = serializers.DateTimeField(allow_null=True)
    parent_adapter_id = serializers.CharField(allow_null=True)
    lineage = serializers.ListField(child=serializers.CharField(), help_text="Ancestors' adapter ids, parent first")
    recipe = serializers.DictField()
    dataset_version = serializers.IntegerField(allow_null=True)


class AdapterListSerializer(serializers.Serializer):
    adapters = AdapterOutSerializer(many=True)
    count = serializers.IntegerField()
    active_adapter_id = serializers.CharField(allow_null=True, help_text="The most recently promoted champion")


class AdapterChangedSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="activated or archived")
    adapter_id = serializers.CharField()
    message = serializers.CharField()
    adapter = AdapterOutSerializer()


class ComparisonOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    challenger = serializers.CharField()
    champion = serializers.CharField(allow_null=True)
    target_suite = serializers.CharField()
    suites = serializers.ListField(
        child=serializers.DictField(), help_text="Per suite: items, before, after, difference, interval, p"
    )
    promote = serializers.BooleanField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class ComparisonListSerializer(serializers.Serializer):
    comparisons = ComparisonOutSerializer(many=True)


class CycleOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    skill = serializers.CharField()
    trigger = serializers.CharField(help_text="manual, schedule or command")
    steps = serializers.ListField(child=serializers.DictField(), help_text="[{step, status, detail, at}]")
    training_job = serializers.CharField(allow_null=True)
    comparison = serializers.IntegerField(allow_null=True)
    error = serializers.CharField(allow_null=True)
    champion_before = serializers.CharField(allow_null=True)
    before = serializers.DictField(help_text="The champion's held-out accuracy per skill at the start, percent")
    after = serializers.DictField(help_text="The champion's held-out accuracy per skill at the end, percent")
    recipe = serializers.DictField(help_text="What the cycle chose and why")
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class CycleListSerializer(serializers.Serializer):
    cycles = CycleOutSerializer(many=True)


class JobCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField(), help_text="Every status, 0 included")


class AdapterCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    active = serializers.IntegerField()
    archived = serializers.IntegerField()
    champions = serializers.IntegerField()
    active_adapter_id = serializers.CharField(allow_null=True)


class LearningStatsSerializer(serializers.Serializer):
    training_jobs = JobCountsSerializer()
    adapters = AdapterCountsSerializer()
