"""/api/v1/feedback/: feedback, the rating queue, reward signals, agreement, the reward model, pattern weights
and exports. The legacy /hobby/feedback* routes (learning.api.legacy) answer from the same services."""

from __future__ import annotations

import json

from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import query_int, validated
from core.roles import OPERATOR, VIEWER, user_roles
from core.schema import documented_error
from learning.api import responses as out
from learning.api.serializers import FeedbackSerializer, facets_of
from learning.api.shapes import feedback_shape, signal_shape
from learning.feedback import agreement, exports, patterns, queue, reward_models, selectors
from learning.feedback.ratings import feedback_submit
from learning.models import Feedback, FeedbackType, PatternWeight, RewardModel, RewardSignal, TargetType

TAGS = ["feedback"]
NO_TARGET = documented_error("No such target: target_id names no object of target_type")


def target_type_param(request) -> str | None:
    value = request.query_params.get("target_type") or None
    if value is not None and value not in TargetType.values:
        raise ValidationError({"target_type": [f"One of {', '.join(TargetType.values)}"]})
    return value


def submit_from(request, data: dict, *, legacy: bool) -> tuple[Feedback, bool]:
    """Shared by POST /api/v1/feedback/ and the legacy POST /hobby/feedback."""
    kind = data.get("feedback_type") or FeedbackType.RATING
    feedback = feedback_submit(
        rater=request.user,
        target_type=data["target_type"],
        target_id=data["target_id"],
        feedback_type=kind,
        metadata=data.get("metadata"),
        **facets_of(data, legacy=legacy),
    )
    return feedback, feedback.is_new


class FeedbackListView(APIView):
    """Raters see and change their own feedback; operators and viewers see everyone's."""

    role_scope = "feedback"

    @extend_schema(responses={200: out.FeedbackListSerializer}, tags=TAGS)
    def get(self, request):
        rows = Feedback.objects.select_related("rater")
        if not user_roles(request.user) & {OPERATOR, VIEWER}:
            rows = rows.filter(rater=request.user)
        if kind := target_type_param(request):
            rows = rows.filter(target_type=kind)
        if ident := request.query_params.get("target_id"):
            rows = rows.filter(target_id=ident)
        limit = query_int(request, "limit", 50, 1, 500)
        return Response({"feedback": [feedback_shape(f) for f in rows[:limit]], "count": rows.count()})

    @extend_schema(
        request=FeedbackSerializer,
        responses={
            201: OpenApiResponse(
                out.FeedbackRecordedSerializer, description="Recorded: the rater's first feedback on this target"
            ),
            200: OpenApiResponse(
                out.FeedbackRecordedSerializer,
                description="Updated: the rater's feedback on this target, the facets given changed",
            ),
            404: NO_TARGET,
        },
        tags=TAGS,
    )
    def post(self, request):
        feedback, created = submit_from(request, validated(FeedbackSerializer, request.data), legacy=False)
        signal = RewardSignal.objects.get(target_type=feedback.target_type, target_id=feedback.target_id)
        return Response(
            {"feedback": feedback_shape(feedback), "reward_signal": signal_shape(signal)},
            status=201 if created else 200,
        )


class FeedbackQueueView(APIView):
    role_scope = "feedback"

    @extend_schema(responses={200: out.FeedbackQueueSerializer}, tags=TAGS)
    def get(self, request):
        items = queue.rating_queue(
            rater=request.user, target_type=target_type_param(request), limit=query_int(request, "limit", 20, 1, 100)
        )
        return Response({"items": items, "count": len(items)})


class SignalListView(APIView):
    role_scope = "feedback"

    @extend_schema(responses={200: out.SignalListSerializer}, tags=TAGS)
    def get(self, request):
        rows = RewardSignal.objects.filter(feedback_count__gt=0)
        if kind := target_type_param(request):
            rows = rows.filter(target_type=kind)
        limit = query_int(request, "limit", 50, 1, 500)
        return Response({"signals": [signal_shape(s) for s in rows[:limit]], "count": rows.count()})


class QualityView(APIView):
    role_scope = "feedback"

    @extend_schema(responses={200: out.QualityMetricsSerializer}, tags=TAGS)
    def get(self, request):
        return Response(selectors.quality_metrics())


class StatsView(APIView):
    role_scope = "feedback"

    @extend_schema(responses={200: out.FeedbackStatsSerializer}, tags=TAGS)
    def get(self, request):
        return Response(selectors.feedback_stats())


class TrendsView(APIView):
    role_scope = "feedback"

    @extend_schema(responses={200: out.QualityTrendsSerializer}, tags=TAGS)
    def get(self, request):
        return Response(selectors.quality_trends(days=query_int(request, "days", 30, 1, 365)))


class AgreementView(APIView):
    role_scope = "feedback"

    @extend_schema(responses={200: out.AgreementSerializer}, tags=TAGS)
    def get(self, request):
        return Response(agreement.agreement_report(target_type_param(request)))


class RatersReadOperatorsWrite(APIView):
    """Raters read it like the rest of feedback; what it changes is the system's, so only operators write."""

    @property
    def role_scope(self) -> str:
        return "feedback" if self.request.method in SAFE_METHODS else "general"


class RewardModelListView(RatersReadOperatorsWrite):
    @extend_schema(responses={200: out.RewardModelStatsSerializer}, tags=TAGS)
    def get(self, request):
        return Response(reward_models.reward_model_stats())

    @extend_schema(
        request=None,
        responses={
            202: out.RewardModelVersionSerializer,
            409: documented_error("Too little feedback to train on (fewer than 2 ratings)"),
        },
        tags=TAGS,
    )
    def post(self, request):
        row = reward_models.reward_model_train_request()
        return Response(reward_models.version_shape(row), status=202)


class RewardModelView(APIView):
    role_scope = "feedback"

    @extend_schema(responses={200: out.RewardModelVersionSerializer}, tags=TAGS)
    def get(self, request, pk: int):
        return Response(reward_models.version_shape(get_object_or_404(RewardModel, pk=pk)))


class PatternWeightsView(RatersReadOperatorsWrite):
    @extend_schema(responses={200: out.PatternWeightListSerializer}, tags=TAGS)
    def get(self, request):
        rows = PatternWeight.objects.all()
        return Response(
            {
                "patterns": [
                    {
                        "pattern_type": p.pattern_type,
                        "initial_weight": p.initial_weight,
                        "current_weight": p.current_weight,
                        "total_samples": p.total_samples,
                        "approved": p.approved_count,
                        "rejected": p.rejected_count,
                        "edited": p.edited_count,
                        "reverted": p.reverted_count,
                        "last_updated": p.last_updated.isoformat(),
                    }
                    for p in rows
                ]
            }
        )

    @extend_schema(request=None, responses={200: out.PatternWeightsUpdatedSerializer}, tags=TAGS)
    def post(self, request):
        """Recompute every pattern's weight from its history (idempotent)."""
        return Response(patterns.pattern_weights_update())


class JsonLinesRenderer(BaseRenderer):
    """Lets a client that asks for JSON Lines by name get them (instead of a 406); errors stay JSON."""

    media_type, format = "application/jsonl", "jsonl"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data).encode()


class ExportView(APIView):
    """JSON Lines, streamed: one training example per line, in the format TRL reads."""

    renderer_classes = [JSONRenderer, JsonLinesRenderer]

    @extend_schema(responses={(200, "application/jsonl"): OpenApiTypes.STR}, tags=TAGS)
    def get(self, request, kind: str):
        if kind not in exports.FORMATS:
            raise NotFound(f"No export format {kind!r}: one of {', '.join(exports.FORMATS)}")
        lines = (json.dumps(row, ensure_ascii=False) + "\n" for row in exports.export_rows(kind))
        response = StreamingHttpResponse(lines, content_type="application/jsonl")
        response["Content-Disposition"] = f'attachment; filename="autodidact-{kind}.jsonl"'
        return response
