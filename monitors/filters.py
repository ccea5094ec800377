import django_filters

from .models import Monitor


class MonitorFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Monitor.Status.choices)
    category = django_filters.ChoiceFilter(field_name="type", choices=Monitor.Type.choices, label="Monitor type")

    class Meta:
        model = Monitor
        fields = ["status", "category"]
