"""Input of the feedback routes: the legacy one-kind-at-a-time submission and the /api/v1 one with every facet."""

from __future__ import annotations

from rest_framework import serializers

from core.errors import JsonTypesMixin, StrictSerializer
from learning.feedback.ratings import UNSET
from learning.models import FeedbackType, TargetType

TEXT_LIMIT = 10_000


class FacetsMixin(serializers.Serializer):
    target_type = serializers.ChoiceField(choices=TargetType.choices)
    target_id = serializers.CharField(max_length=64)
    rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    helpful = serializers.BooleanField(required=False, allow_null=True)
    comment = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=TEXT_LIMIT, trim_whitespace=True
    )
    metadata = serializers.DictField(required=False)


class FeedbackSerializer(StrictSerializer, FacetsMixin):
    """POST /api/v1/feedback/: any of rating, helpful, comment, suggestion; a facet left out keeps its value."""

    suggestion = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=TEXT_LIMIT)

    def validate(self, data):
        if not {"rating", "helpful", "comment", "suggestion"} & set(data):
            raise serializers.ValidationError({"rating": ["Give at least one of rating, helpful, comment, suggestion"]})
        return data


class LegacyFeedbackSerializer(JsonTypesMixin, FacetsMixin):
    """The originals' POST /hobby/feedback body. user_id is accepted for old clients and ignored: the rater is
    whoever the token belongs to."""

    feedback_type = serializers.ChoiceField(choices=FeedbackType.choices)
    user_id = serializers.CharField(required=False, allow_blank=True, max_length=200)

    def validate(self, data):
        kind = data["feedback_type"]
        if kind == FeedbackType.RATING and data.get("rating") is None:
            raise serializers.ValidationError({"rating": ["A rating feedback needs a rating from 1 to 5"]})
        if kind in (FeedbackType.COMMENT, FeedbackType.SUGGESTION) and not (data.get("comment") or "").strip():
            raise serializers.ValidationError({"comment": [f"A {kind} feedback needs its text in comment"]})
        wanted = {FeedbackType.HELPFUL: True, FeedbackType.NOT_HELPFUL: False}.get(kind)
        if wanted is not None and data.get("helpful") not in (None, wanted):
            raise serializers.ValidationError({"helpful": [f"helpful={data['helpful']} contradicts {kind}"]})
        return data


def facets_of(data: dict, *, legacy: bool) -> dict:
    """The service's keyword arguments: facets the request gave, UNSET for the others."""
    facets = {name: data.get(name, UNSET) for name in ("rating", "helpful", "comment", "suggestion")}
    if legacy:
        kind = data["feedback_type"]
        if kind == FeedbackType.SUGGESTION:  # the originals carried a suggestion's text in comment
            facets["suggestion"], facets["comment"] = data["comment"], UNSET
        if kind in (FeedbackType.HELPFUL, FeedbackType.NOT_HELPFUL):
            facets["helpful"] = kind == FeedbackType.HELPFUL
    for text in ("comment", "suggestion"):
        if facets[text] is None:
            facets[text] = ""
    return facets
