"""What every app's FilterSet (`<app>/filters.py`) is made of, and the backend that runs them.

django-filter runs them (FilterBackend, settings.REST_FRAMEWORK) and drf-spectacular
documents them. A value a filter cannot take is a 400
`invalid_request` whose `fields` name the parameter.
"""

from collections.abc import Callable, Sequence

import django_filters
from django import forms
from django.utils.functional import lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field

SEARCH_MAX_LENGTH = 200


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, which builds no FilterSet for a request that filters on nothing.

    A FilterSet costs about 1 ms of CPU a request (copies of its filters, a form and its
    fields): nothing to pay for the lists most requests ask for, unfiltered.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is None or request.query_params.keys().isdisjoint(filterset_class.base_filters):
            return queryset
        return super().filter_queryset(request, queryset, view)


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet, with its form class built once rather than on every request."""

    def get_form_class(self):
        form_class = type(self).__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            type(self)._form_class = form_class
        return form_class


class _GivenChoiceField(django_filters.fields.ChoiceField):
    """A choice that, when the parameter is given, must be one of the values: an empty one is
    a mistake to report (a script's unset variable), not a request for everything."""

    def clean(self, value):
        # An absent parameter arrives as None, a given but empty one as "".
        if value == "":
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().clean(value)


class ChoiceFilter(django_filters.ChoiceFilter):
    """An exact match against a set of values (or a callable giving them, read when used: a
    setting's); any other value is a 400 listing them."""

    field_class = _GivenChoiceField

    def __init__(self, *, choices: Sequence[tuple[str, str]] | Callable[[], Sequence[tuple[str, str]]], **kwargs):
        def message() -> str:
            values = ", ".join(value for value, _ in (choices() if callable(choices) else choices))
            return f"Must be one of: {values}."

        kwargs.setdefault("error_messages", {"invalid_choice": lazy(message, str)()})
        super().__init__(choices=choices, **kwargs)


class SearchFilter(django_filters.CharFilter):
    """A case-insensitive 'contains' on one text field."""

    def __init__(self, field_name: str, *, help_text: str) -> None:
        super().__init__(
            field_name=field_name, lookup_expr="icontains", max_length=SEARCH_MAX_LENGTH, help_text=help_text
        )
        # The schema says how long a search may be (drf-spectacular reads no max_length).
        extend_schema_field({"type": "string", "maxLength": SEARCH_MAX_LENGTH, "description": help_text})(self)
