from statusapp.api.filters import ChoiceFilter, FilterSet

from .models import Delivery, Event, EventType


class DeliveryFilterSet(FilterSet):
    """An endpoint's deliveries (/api/webhooks/{id}/deliveries).

    No `Meta.model`: the view listing them is the endpoints' one, and django-filter would
    refuse a FilterSet whose model is not its queryset's when the schema is generated.
    """

    status = ChoiceFilter(choices=Delivery.Status.choices, help_text="Only deliveries in this state.")


class EventFilterSet(FilterSet):
    type = ChoiceFilter(choices=EventType.choices, help_text="Only events of this type.")

    class Meta:
        model = Event
        fields = ()
