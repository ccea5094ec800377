from statusapp.api.filters import ChoiceFilter

from .models import Monitor

MONITOR_FILTERS = {
    "status": ChoiceFilter("status", Monitor.Status.values, "Only monitors in this status."),
    "category": ChoiceFilter("type", Monitor.Type.values, "Only monitors of this type."),
}
