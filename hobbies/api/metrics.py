"""Hobby metrics over HTTP: the originals' /hobby/progress, /hobby/metrics/summary, /hobby/metrics/prometheus and
/hobby/dashboard (also under /api/v1/hobbies/), and the operators' dashboard page. Thin: hobbies.metrics computes.

Every route needs a token or the admin session; operators and viewers may read them (the default role scope).
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpResponse
from django.template.response import TemplateResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pages import PageView
from core.metrics import CONTENT_TYPE
from hobbies import metrics
from hobbies.api import responses as out

TAGS = ["hobby metrics"]


class ProgressView(APIView):
    """The originals' progress summary: per type proficiency, time, completions, success rate, insights."""

    @extend_schema(responses={200: out.ProgressSummarySerializer}, tags=TAGS)
    def get(self, request):
        return Response(metrics.progress_summary())


class MetricsSummaryView(APIView):
    """System state, progress summary, hourly and daily timelines, trends per type (shared 10 s cache)."""

    @extend_schema(responses={200: out.MetricsSummarySerializer}, tags=TAGS)
    def get(self, request):
        return Response(metrics.metrics_summary())


class DashboardView(APIView):
    """The dashboard's chart data: proficiency radar, time invested, activity timeline, counts, current stats."""

    @extend_schema(responses={200: out.DashboardSerializer}, tags=TAGS)
    def get(self, request):
        return Response(metrics.dashboard_data())


class PrometheusView(APIView):
    """The hobby series alone, as Prometheus text (they are also part of /metrics)."""

    @extend_schema(responses={(200, "text/plain"): OpenApiTypes.STR}, tags=TAGS)
    def get(self, request):
        return HttpResponse(metrics.prometheus_text(), content_type=CONTENT_TYPE)


class DashboardPageView(PageView):
    """The operators' dashboard page: charts drawn in the browser from /hobby/dashboard and /hobby/metrics/summary.

    An API view, so that it checks roles like every other route; a browser that is not logged in is sent to the
    admin login, any other client gets the usual JSON 401.
    """

    @extend_schema(exclude=True)
    def get(self, request):
        context = {
            **admin.site.each_context(request),
            "title": "Hobby dashboard",
            "cache_seconds": metrics.CACHE_SECONDS,
            "daily_days": metrics.DAILY_DAYS,
        }
        return TemplateResponse(request, "hobbies/dashboard.html", context)
