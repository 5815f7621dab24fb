"""The originals' feedback routes under /hobby/ (docs/originals.md 1.10, 1.12) whose shapes differ from /api/v1/feedback/;
the others (quality, stats, the reward model, quality trends) are the /api/v1 views, listed once in the schema."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import query_int, validated
from learning.api import views
from learning.api.serializers import LegacyFeedbackSerializer
from learning.api.shapes import feedback_shape
from learning.api.views import submit_from, target_type_param
from learning.feedback import queue

TAGS = ["hobby (legacy)"]


class LegacyFeedbackView(APIView):
    role_scope = "feedback"

    @extend_schema(
        request=LegacyFeedbackSerializer, responses={200: OpenApiTypes.OBJECT, 404: views.NO_TARGET}, tags=TAGS
    )
    def post(self, request):
        data = validated(LegacyFeedbackSerializer, request.data)
        feedback, _ = submit_from(request, data, legacy=True)
        return Response(
            {
                "status": "submitted",
                "feedback": feedback_shape(feedback, data["feedback_type"]),
                "message": f"Feedback recorded for {feedback.target_type} {feedback.target_id}",
            }
        )


class LegacyPendingView(APIView):
    """Items that need feedback, including those with none yet (the original never listed those)."""

    role_scope = "feedback"

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, tags=TAGS)
    def get(self, request):
        items = queue.rating_queue(
            target_type=target_type_param(request), limit=query_int(request, "limit", 20, 1, 100)
        )
        return Response({"pending_items": items, "count": len(items)})


# The /hobby/ twins of /api/v1/feedback/ views answer in the same shapes; the OpenAPI document lists each once.
# (It must stay small enough for Swagger UI: past about 110 operations the sidecar's UI stopped rendering
# after the third tag; the API docs' browser test watches for that.)
@extend_schema_view(get=extend_schema(exclude=True))
class LegacyQualityView(views.QualityView):
    pass


@extend_schema_view(get=extend_schema(exclude=True))
class LegacyStatsView(views.StatsView):
    pass


@extend_schema_view(get=extend_schema(exclude=True))
class LegacyRewardModelView(views.RewardModelListView):
    http_method_names = ["get", "head", "options"]


@extend_schema_view(get=extend_schema(exclude=True))
class LegacyTrendsView(views.TrendsView):
    pass
