import django_filters

from .models import Incident, IncidentStatus


class IncidentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=IncidentStatus.choices)

    class Meta:
        model = Incident
        fields = ["status"]
