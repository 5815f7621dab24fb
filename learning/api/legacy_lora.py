"""The originals' /hobby/lora/* routes (docs/originals.md 1.8 and the seed plan's Phase 3B), in their shapes, answered by
the same services as /api/v1/learning/. Where the original returned constants (compare) these return the
measured figures of the latest paired A/B."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import StrictSerializer, validated
from core.schema import documented_error
from learning.api import training
from learning.loop import adapters, jobs
from learning.models import ABComparison, Adapter, TrainingJob

TAGS = ["hobby (legacy)"]


class LegacyTrainView(APIView):
    """The originals' shape, answered at once (202): the training worker builds the dataset as the job starts, so
    data_stats is null here and appears on the job (GET /hobby/lora/jobs/{job_id}) once built."""

    @extend_schema(
        request=training.JobSerializer, responses={202: OpenApiTypes.OBJECT, 404: training.NO_SUCH_MODEL}, tags=TAGS
    )
    def post(self, request):
        job = training.job_from_request(request)
        return Response(
            {
                "status": "started",
                "job": jobs.job_shape(job),
                "data_stats": None,
                "message": f"Training job {job.job_id} accepted: the training worker builds its dataset "
                f"and trains; GET /hobby/lora/jobs/{job.job_id} follows it",
            },
            status=202,
        )


@extend_schema_view(get=extend_schema(exclude=True))  # /api/v1/learning/jobs/ in the schema
class LegacyJobListView(training.JobListView):
    http_method_names = ["get", "head", "options"]


@extend_schema_view(get=extend_schema(exclude=True))
class LegacyJobView(training.JobView):
    pass


class LegacyStatusView(APIView):
    """What is training now, with its progress, and the latest finished job."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, tags=TAGS)
    def get(self, request):
        running = [
            jobs.job_shape(job)
            for job in TrainingJob.objects.select_related("base_model", "dataset").filter(status__in=TrainingJob.ACTIVE)
        ]
        latest = TrainingJob.objects.exclude(status__in=TrainingJob.ACTIVE).order_by("-completed_at").first()
        return Response(
            {
                "training": bool(running),
                "active_jobs": running,
                "count": len(running),
                "latest_job": jobs.job_shape(latest) if latest else None,
                "active_adapter_id": adapters.active_adapter_id(),
            }
        )


@extend_schema_view(get=extend_schema(exclude=True))
class LegacyAdapterListView(training.AdapterListView):
    pass


@extend_schema_view(post=extend_schema(exclude=True))
class LegacyActivateView(training.AdapterActivateView):
    pass


@extend_schema_view(post=extend_schema(exclude=True))
class LegacyArchiveView(training.AdapterArchiveView):
    pass


class ApplySerializer(StrictSerializer):
    adapter_id = serializers.CharField(max_length=64)


class LegacyApplyView(APIView):
    """Apply an adapter to its model: checked against its seal, made champion (the old one kept as `previous`),
    and served from then on by the model's practice and gateway requests for `<model>:champion`."""

    @extend_schema(
        request=ApplySerializer,
        responses={200: OpenApiTypes.OBJECT, 404: documented_error("No such adapter"), 409: training.ACTIVATE_REFUSED},
        tags=TAGS,
    )
    def post(self, request):
        adapter = adapters.adapter_activate(adapter_id=validated(ApplySerializer, request.data)["adapter_id"])
        return Response(
            {
                "status": "applied",
                "adapter_id": adapter.adapter_id,
                "model": adapter.base_model.name,
                "message": f"{adapter.adapter_name} applied to {adapter.base_model.name}",
                "adapter": adapters.adapter_shape(adapter),
            }
        )


class LegacyCompareView(APIView):
    """The originals' shape with measured figures: accuracy_diff is the challenger's held-out accuracy minus the
    champion's (0..1) on the same items, from the latest A/B between the two (either order); loss_diff the
    difference of their validation losses."""

    @extend_schema(
        parameters=[
            OpenApiParameter("adapter1", str, description="An adapter id (with adapter2); neither: the latest A/B"),
            OpenApiParameter("adapter2", str, description="The other adapter id"),
        ],
        responses={
            200: OpenApiTypes.OBJECT,
            400: documented_error("adapter1 without adapter2"),
            404: documented_error("No such adapter, or no A/B comparison (between the two) has run yet"),
        },
        tags=TAGS,
    )
    def get(self, request):
        first, second = request.query_params.get("adapter1"), request.query_params.get("adapter2")
        if not first:
            latest = ABComparison.objects.select_related("challenger", "champion").first()
            if latest is None:
                raise NotFound("No A/B comparison has run yet: the learning cycle runs one after each training")
            return Response(compare_shape(latest))
        if not second:
            raise ValidationError({"adapter2": ["Give both adapter1 and adapter2, or neither for the latest"]})
        one, two = adapters.adapter_get(adapter_id=first), adapters.adapter_get(adapter_id=second)
        found = (
            ABComparison.objects.filter(challenger=two, champion=one).first()
            or ABComparison.objects.filter(challenger=one, champion=two).first()
        )
        if found is None:
            raise NotFound(
                f"No A/B comparison between {first} and {second}: POST /api/v1/learning/comparisons/ runs one"
            )
        return Response(compare_shape(found))


def compare_shape(row: ABComparison) -> dict:
    def side(adapter: Adapter | None) -> dict:
        if adapter is None:
            return {"adapter_id": None, "adapter_name": "base model", "metrics": {}}
        return {"adapter_id": adapter.adapter_id, "adapter_name": adapter.adapter_name, "metrics": adapter.metrics}

    items = sum(suite["items"] for suite in row.suites) or 1
    accuracy_diff = sum(suite["difference"] * suite["items"] for suite in row.suites) / items / 100
    champion_loss = row.champion.metrics.get("validation_loss") if row.champion else None
    challenger_loss = row.challenger.metrics.get("validation_loss")
    return {
        "adapter_1": side(row.champion),
        "adapter_2": side(row.challenger),
        "comparison": {
            "accuracy_diff": round(accuracy_diff, 4),
            "loss_diff": (
                round(challenger_loss - champion_loss, 4)
                if challenger_loss is not None and champion_loss is not None
                else None
            ),
            "recommendation": ("promote adapter_2" if row.promote else "keep adapter_1") + ": " + row.reason,
            "target_suite": row.target_suite,
            "suites": row.suites,
        },
    }


@extend_schema_view(get=extend_schema(exclude=True))
class LegacyStatsView(training.StatsView):
    pass
