from drf_spectacular.utils import extend_schema_field

from statusapp.api.filters import ChoiceFilter, FilterSet, SearchFilter

from .models import Alert, AlertChannel


class AlertChannelFilterSet(FilterSet):
    type = ChoiceFilter(choices=AlertChannel.Type.choices, help_text="Only channels of this type.")
    # A choice of `true` or `false`, not django-filter's BooleanFilter, which takes a value it
    # cannot read as no filter at all; documented as the boolean it is.
    enabled = extend_schema_field(
        {"type": "boolean", "description": "Only enabled (`true`) or disabled (`false`) channels."}
    )(ChoiceFilter(choices=[("true", "Enabled"), ("false", "Disabled")], method="filter_enabled"))
    search = SearchFilter("name", help_text="Only channels whose name contains this text, in any case.")

    class Meta:
        model = AlertChannel
        fields = ()

    def filter_enabled(self, queryset, name, value):
        return queryset.filter(enabled=value == "true")


class AlertFilterSet(FilterSet):
    """A channel's deliveries (/api/alert-channels/{id}/deliveries).

    No `Meta.model`: the view listing them is the channels' one (see webhooks.filters).
    """

    status = ChoiceFilter(choices=Alert.Status.choices, help_text="Only deliveries in this state.")
