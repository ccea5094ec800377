"""The filters every app's FilterSet (`<app>/filters.py`) is made of.

django-filter runs them (DjangoFilterBackend, settings.REST_FRAMEWORK) and
drf-spectacular documents them. A value a filter cannot take is a 400
`invalid_request` whose `fields` name the parameter.
"""

from collections.abc import Sequence

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

SEARCH_MAX_LENGTH = 200


class _GivenChoiceField(django_filters.fields.ChoiceField):
    """A choice that, when the parameter is given, must be one of the values: an empty one is
    a mistake to report (a script's unset variable), not a request for everything."""

    def clean(self, value):
        # An absent parameter arrives as None, a given but empty one as "".
        if value == "":
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().clean(value)


class ChoiceFilter(django_filters.ChoiceFilter):
    """An exact match against a fixed set of values; any other value is a 400 listing them."""

    field_class = _GivenChoiceField

    def __init__(self, *, choices: Sequence[tuple[str, str]], **kwargs) -> None:
        values = ", ".join(value for value, _ in choices)
        kwargs.setdefault("error_messages", {"invalid_choice": f"Must be one of: {values}."})
        super().__init__(choices=choices, **kwargs)


class SearchFilter(django_filters.CharFilter):
    """A case-insensitive 'contains' on one text field."""

    def __init__(self, field_name: str, *, help_text: str) -> None:
        super().__init__(
            field_name=field_name, lookup_expr="icontains", max_length=SEARCH_MAX_LENGTH, help_text=help_text
        )
        # The schema says how long a search may be (drf-spectacular reads no max_length).
        extend_schema_field({"type": "string", "maxLength": SEARCH_MAX_LENGTH, "description": help_text})(self)
