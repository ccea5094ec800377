from statusapp.api.filters import ChoiceFilter

from .models import IncidentStatus

INCIDENT_FILTERS = {
    "status": ChoiceFilter("status", IncidentStatus.values, "Only incidents in this status."),
}
