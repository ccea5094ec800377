"""Lookups for the monitor form, whose values and errors are keyed by the API's field names."""

from django import template

register = template.Library()


@register.filter
def get_value(values: dict, name: str):
    return values.get(name)


@register.filter
def get_error(errors: dict, name: str) -> str:
    return errors.get(name, "")
