"""Pagination whose parameters are checked: a malformed limit or offset is a 400 naming it, not ignored."""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination

from core.errors import query_int


class CheckedLimitOffsetPagination(LimitOffsetPagination):
    """limit 1 or more (at most max_limit, when set; default PAGE_SIZE), offset 0 or more. DRF's own falls back to
    the default for `?limit=abc` or `?offset=-1`, so a client's mistake passes unseen; here it is refused."""

    def get_limit(self, request):
        return query_int(request, self.limit_query_param, self.default_limit, 1, self.max_limit)

    def get_offset(self, request):
        return query_int(request, self.offset_query_param, 0, 0, None)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["schema"]["minimum"] = 1
                if self.max_limit is not None:
                    parameter["schema"]["maximum"] = self.max_limit
            elif parameter["name"] == self.offset_query_param:
                parameter["schema"]["minimum"] = 0
        return parameters
