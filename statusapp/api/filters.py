"""Exact-match list filters, such as `?status=DOWN` and `?category=http`.

A view declares `list_filters = {param: ChoiceFilter(field, choices)}`. This replaces
django-filter, whose per-request form machinery cost 0.6 ms on the busiest endpoint
for what is only ever an exact match against a fixed set of values.
"""

from collections.abc import Iterable

from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend


class ChoiceFilter:
    def __init__(self, field: str, choices: Iterable[str], description: str = "") -> None:
        self.field = field
        self.choices = tuple(choices)
        self.description = description


class ChoiceFilterBackend(BaseFilterBackend):
    def filter_queryset(self, request, queryset, view):
        for param, choice in getattr(view, "list_filters", {}).items():
            value = request.query_params.get(param)
            if value is None:
                continue
            if value not in choice.choices:
                raise ValidationError({param: [f"Must be one of: {', '.join(choice.choices)}."]})
            queryset = queryset.filter(**{choice.field: value})
        return queryset

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": param,
                "in": "query",
                "required": False,
                "description": choice.description,
                "schema": {"type": "string", "enum": list(choice.choices)},
            }
            for param, choice in getattr(view, "list_filters", {}).items()
        ]
