from statusapp.api.filters import ChoiceFilter, FilterSet, SearchFilter

from .models import Incident, IncidentStatus, Maintenance, MaintenanceStatus


class IncidentFilterSet(FilterSet):
    status = ChoiceFilter(choices=IncidentStatus.choices, help_text="Only incidents in this status.")
    search = SearchFilter("title", help_text="Only incidents whose title contains this text, in any case.")

    class Meta:
        model = Incident
        fields = ()


class MaintenanceFilterSet(FilterSet):
    status = ChoiceFilter(choices=MaintenanceStatus.choices, help_text="Only maintenance windows in this status.")
    search = SearchFilter("title", help_text="Only windows whose title contains this text, in any case.")

    class Meta:
        model = Maintenance
        fields = ()
