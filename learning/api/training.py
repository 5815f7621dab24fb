"""/api/v1/learning/: training datasets, LoRA training jobs, adapters, A/B comparisons, learning cycles and their
statistics. The originals' /hobby/lora/* routes (learning.api.legacy_lora) answer from the same services."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import StrictSerializer, query_int, validated
from core.schema import documented_error
from learning.api import responses as out
from learning.api.views import JsonLinesRenderer
from learning.loop import adapters, dataset_builds, datasets, jobs
from learning.models import ABComparison, DatasetBuild, LearningCycle, TrainingDataset

TAGS = ["learning"]
NO_SUCH_MODEL = documented_error("No model of that name, or none named and no default model for the hobby engine")
ACTIVATE_REFUSED = documented_error("Refused: the adapter is archived, or its files do not match their seal")


class DatasetSerializer(StrictSerializer):
    days_back = serializers.IntegerField(min_value=1, max_value=3650, default=30)
    min_quality = serializers.FloatField(min_value=0, max_value=1, default=0.6)
    reward_threshold = serializers.FloatField(min_value=-1, max_value=1, default=0.3)
    skill = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    replay_share = serializers.FloatField(min_value=0, max_value=0.95, default=0.2)
    validation_share = serializers.FloatField(min_value=0, max_value=0.5, default=0.1)
    seed = serializers.IntegerField(min_value=0, default=0)


class JobSerializer(StrictSerializer):
    """The originals' body (days_back 1-365, min_quality, model_name, num_epochs 1-10, learning_rate 1e-6..1e-2)
    plus any LoRA hyperparameter in `config` (checked by the trainer's own rules, each bad one named)."""

    days_back = serializers.IntegerField(min_value=1, max_value=365, default=30)
    min_quality = serializers.FloatField(min_value=0, max_value=1, default=0.6)
    model_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    num_epochs = serializers.IntegerField(min_value=1, max_value=10, required=False)
    learning_rate = serializers.FloatField(min_value=1e-6, max_value=1e-2, required=False)
    skill = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    hobby_type = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    replay_share = serializers.FloatField(min_value=0, max_value=0.95, default=0.2)
    config = serializers.DictField(required=False, default=dict)


def job_from_request(request):
    data = validated(JobSerializer, request.data)
    config = dict(data["config"])
    for name in ("num_epochs", "learning_rate"):
        if name in data:
            config[name] = data[name]
    job = jobs.job_create(
        model_name=data["model_name"],
        config=config,
        days_back=data["days_back"],
        min_quality=data["min_quality"],
        skill=data["skill"],
        hobby_type=data["hobby_type"],
        replay_share=data["replay_share"],
    )
    return job


def dataset_shape(row: TrainingDataset) -> dict:
    return {
        "version": row.version,
        "skill": row.skill,
        "train_count": row.train_count,
        "validation_count": row.validation_count,
        "params": row.params,
        "stats": row.stats,
        "path": row.path,
        "sha256": row.sha256,
        "created_at": row.created_at.isoformat(),
    }


def comparison_shape(row: ABComparison) -> dict:
    return {
        "id": row.pk,
        "challenger": row.challenger.adapter_id,
        "champion": row.champion.adapter_id if row.champion else None,
        "target_suite": row.target_suite,
        "suites": row.suites,
        "promote": row.promote,
        "reason": row.reason,
        "created_at": row.created_at.isoformat(),
    }


def cycle_shape(row: LearningCycle) -> dict:
    return {
        "id": row.pk,
        "status": row.status,
        "skill": row.skill,
        "trigger": row.trigger,
        "steps": row.steps,
        "training_job": row.training_job.job_id if row.training_job else None,
        "comparison": row.comparison_id,
        "error": row.error or None,
        "champion_before": row.champion_before.adapter_id if row.champion_before else None,
        "before": row.before,
        "after": row.after,
        "recipe": row.recipe,
        "started_at": row.started_at.isoformat(),
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
    }


class DatasetListView(APIView):
    @extend_schema(responses={200: out.TrainingDatasetListSerializer}, tags=TAGS)
    def get(self, request):
        rows = TrainingDataset.objects.all()[: query_int(request, "limit", 50, 1, 500)]
        return Response({"datasets": [dataset_shape(row) for row in rows], "count": TrainingDataset.objects.count()})

    @extend_schema(request=DatasetSerializer, responses={202: out.DatasetBuildOutSerializer}, tags=TAGS)
    def post(self, request):
        """Accepted at once and built by a training worker (it scores insights with the reward model); the build
        (GET /api/v1/learning/datasets/builds/{build_id}/) names the dataset's version once built."""
        build = dataset_builds.build_request(**validated(DatasetSerializer, request.data))
        return Response(dataset_builds.build_shape(build), status=202)


class DatasetBuildView(APIView):
    @extend_schema(responses={200: out.DatasetBuildOutSerializer}, tags=TAGS)
    def get(self, request, build_id: int):
        return Response(dataset_builds.build_shape(get_object_or_404(DatasetBuild, pk=build_id)))


class DatasetView(APIView):
    @extend_schema(responses={200: out.TrainingDatasetOutSerializer}, tags=TAGS)
    def get(self, request, version: int):
        return Response(dataset_shape(get_object_or_404(TrainingDataset, version=version)))


class DatasetExportView(APIView):
    """One part (?part=train|validation) as JSON Lines in a training tool's format: jsonl, alpaca or sharegpt."""

    renderer_classes = [JSONRenderer, JsonLinesRenderer]

    @extend_schema(responses={(200, "application/jsonl"): OpenApiTypes.STR}, tags=TAGS)
    def get(self, request, version: int, kind: str):
        row = get_object_or_404(TrainingDataset, version=version)
        if kind not in datasets.FORMATS:
            raise NotFound(f"No export format {kind!r}: one of {', '.join(datasets.FORMATS)}")
        try:
            lines = list(datasets.dataset_export_lines(row, kind=kind, part=request.query_params.get("part", "train")))
        except datasets.DatasetError as error:
            raise ValidationError({"detail": str(error)}) from None
        response = StreamingHttpResponse(iter(lines), content_type="application/jsonl")
        response["Content-Disposition"] = f'attachment; filename="dataset-v{version}-{kind}.jsonl"'
        return response


class JobListView(APIView):
    @extend_schema(responses={200: out.TrainingJobListSerializer}, tags=TAGS)
    def get(self, request):
        found = jobs.jobs_list(
            status=request.query_params.get("status") or None, limit=query_int(request, "limit", 50, 1, 500)
        )
        return Response({"jobs": [jobs.job_shape(job) for job in found], "count": len(found)})

    @extend_schema(request=JobSerializer, responses={202: out.TrainingJobOutSerializer, 404: NO_SUCH_MODEL}, tags=TAGS)
    def post(self, request):
        return Response(jobs.job_shape(job_from_request(request)), status=202)


class JobView(APIView):
    @extend_schema(responses={200: out.TrainingJobOutSerializer}, tags=TAGS)
    def get(self, request, job_id: str):
        return Response(jobs.job_shape(jobs.job_get(job_id=job_id)))


class JobCancelView(APIView):
    @extend_schema(
        request=None,
        responses={
            200: out.TrainingJobOutSerializer,
            409: documented_error("The job has already ended (completed, failed or cancelled)"),
        },
        tags=TAGS,
    )
    def post(self, request, job_id: str):
        return Response(jobs.job_shape(jobs.job_cancel(job_id=job_id)))


class AdapterListView(APIView):
    @extend_schema(responses={200: out.AdapterListSerializer}, tags=TAGS)
    def get(self, request):
        found = adapters.adapters_list(
            status=request.query_params.get("status") or None, limit=query_int(request, "limit", 50, 1, 500)
        )
        return Response(
            {
                "adapters": [adapters.adapter_shape(a) for a in found],
                "count": len(found),
                "active_adapter_id": adapters.active_adapter_id(),
            }
        )


class AdapterView(APIView):
    @extend_schema(responses={200: out.AdapterOutSerializer}, tags=TAGS)
    def get(self, request, adapter_id: str):
        return Response(adapters.adapter_shape(adapters.adapter_get(adapter_id=adapter_id)))


class AdapterActivateView(APIView):
    @extend_schema(request=None, responses={200: out.AdapterChangedSerializer, 409: ACTIVATE_REFUSED}, tags=TAGS)
    def post(self, request, adapter_id: str):
        adapter = adapters.adapter_activate(adapter_id=adapter_id)
        return Response(
            {
                "status": "activated",
                "adapter_id": adapter.adapter_id,
                "message": f"{adapter.adapter_name} is now the champion of {adapter.base_model.name}"
                f"{' for ' + adapter.hobby_type if adapter.hobby_type else ''}",
                "adapter": adapters.adapter_shape(adapter),
            }
        )


class AdapterArchiveView(APIView):
    @extend_schema(request=None, responses={200: out.AdapterChangedSerializer}, tags=TAGS)
    def post(self, request, adapter_id: str):
        adapter = adapters.adapter_archive(adapter_id=adapter_id)
        return Response(
            {
                "status": "archived",
                "adapter_id": adapter.adapter_id,
                "message": f"{adapter.adapter_name} archived",
                "adapter": adapters.adapter_shape(adapter),
            }
        )


class ComparisonListView(APIView):
    @extend_schema(responses={200: out.ComparisonListSerializer}, tags=TAGS)
    def get(self, request):
        rows = ABComparison.objects.select_related("challenger", "champion")[: query_int(request, "limit", 50, 1, 500)]
        return Response({"comparisons": [comparison_shape(row) for row in rows]})


class CycleListView(APIView):
    @extend_schema(responses={200: out.CycleListSerializer}, tags=TAGS)
    def get(self, request):
        rows = LearningCycle.objects.select_related("training_job", "champion_before")[
            : query_int(request, "limit", 50, 1, 500)
        ]
        return Response({"cycles": [cycle_shape(row) for row in rows]})


class StatsView(APIView):
    @extend_schema(responses={200: out.LearningStatsSerializer}, tags=TAGS)
    def get(self, request):
        return Response(lora_stats())


def lora_stats() -> dict:
    """The originals' statistics shape: {training_jobs: {total, by_status}, adapters: {total, active, archived,
    active_adapter_id}}, with the champions count beside."""
    by_status = jobs.jobs_by_status()
    return {
        "training_jobs": {"total": sum(by_status.values()), "by_status": by_status},
        "adapters": adapters.adapter_stats(),
    }
