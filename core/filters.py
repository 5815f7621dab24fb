"""List filters whose values are checked as the schema documents them: a value that is not one is a 400 naming it.

django-filter reads an empty value as "no filter" (`?until=`, `?status=`) and a boolean it cannot read as no
filter either (`?builtin=maybe`); a number filter on a whole-number field takes 1.5. The schema documents those
parameters as a date-time, an enum, a boolean and an integer, so a client sending anything else is told, instead
of getting an unfiltered list it takes for a filtered one.
"""

from __future__ import annotations

from django.db import models
from django_filters import rest_framework as filters
from rest_framework.exceptions import ValidationError

WHOLE_NUMBER_FIELDS = (models.IntegerField, models.AutoField)


def _problem(filterset, name: str, flt, raw: str) -> str | None:
    if isinstance(flt, filters.CharFilter):
        return None  # any text, the empty one included, is a string
    if raw == "":
        return f"{name} needs a value (leave the parameter out not to filter)"
    if isinstance(flt, filters.BooleanFilter) and raw not in ("true", "false"):
        return f"{name} is true or false"
    if isinstance(flt, filters.NumberFilter):
        model_field = _model_field(filterset, flt.field_name)
        if isinstance(model_field, WHOLE_NUMBER_FIELDS):
            try:
                int(raw)
            except ValueError:
                return f"{name} is a whole number"
    return None


def _model_field(filterset, path: str):
    model = filterset.queryset.model
    field = None
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except Exception:  # noqa: BLE001  (a lookup we cannot follow: let django-filter judge it)
            return None
        model = getattr(field, "related_model", None) or model
    return field


class CheckedFilterBackend(filters.DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            problems = {}
            for name, flt in filterset.filters.items():
                for raw in request.query_params.getlist(name):
                    problem = _problem(filterset, name, flt, raw)
                    if problem:
                        problems[name] = [problem]
            if problems:
                raise ValidationError(problems)
        return filterset
