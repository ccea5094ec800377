from django.conf import settings
from drf_spectacular.utils import extend_schema_field

from statusapp.api.filters import ChoiceFilter, FilterSet, SearchFilter

from .api.serializers import CHECK_RESULT_STATUSES
from .models import Monitor


class MonitorFilterSet(FilterSet):
    status = ChoiceFilter(choices=Monitor.Status.choices, help_text="Only monitors in this status.")
    type = ChoiceFilter(choices=Monitor.Type.choices, help_text="Only monitors of this type.")
    category = ChoiceFilter(
        field_name="type",
        choices=Monitor.Type.choices,
        help_text="Only monitors of this type: the same as `type`, under the API reference guide's name.",
    )
    search = SearchFilter("name", help_text="Only monitors whose name contains this text, in any case.")

    class Meta:
        model = Monitor
        fields = ()


class CheckResultFilterSet(FilterSet):
    """A monitor's checks (/api/monitors/{id}/checks).

    No `Meta.model`: the view listing them is the monitors' one, and django-filter would
    refuse a FilterSet whose model is not its queryset's when the schema is generated.
    """

    status = ChoiceFilter(
        choices=[(status.value, status.label) for status in CHECK_RESULT_STATUSES],
        help_text="Only checks with this result.",
    )
    # Checked against the setting when used; the schema lists the regions configured when
    # this module was loaded (one and the same in a running server).
    region = extend_schema_field({"type": "string", "enum": list(settings.STATUSAPP_REGIONS)})(
        ChoiceFilter(
            choices=lambda: [(region, region) for region in settings.STATUSAPP_REGIONS],
            help_text="Only checks run from this region (one of the server's STATUSAPP_REGIONS).",
        )
    )
