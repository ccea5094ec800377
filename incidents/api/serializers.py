from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from incidents.models import ComponentStatus, Impact, Incident, IncidentStatus, IncidentUpdate
from monitors.models import Monitor
from statusapp.api.fields import isoformat
from statusapp.api.serializers import StrictSerializer


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "example": "mon_123"},
            {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "status": {"type": "string", "enum": ComponentStatus.values},
                },
                "required": ["id"],
                "additionalProperties": False,
            },
        ]
    }
)
class AffectedComponentField(serializers.Field):
    """A monitor id, or `{"id": monitor id, "status": component status}`."""

    default_error_messages = {
        "invalid": "Expected a monitor id or an object with 'id' and optional 'status'.",
        "bad_status": "Status must be one of: " + ", ".join(ComponentStatus.values) + ".",
    }

    def to_internal_value(self, data):
        if isinstance(data, str):
            monitor_id, status = data, None
        elif isinstance(data, dict) and set(data) <= {"id", "status"} and isinstance(data.get("id"), str):
            monitor_id, status = data["id"], data.get("status")
            if status is not None and status not in ComponentStatus.values:
                self.fail("bad_status")
        else:
            self.fail("invalid")
        if not monitor_id or len(monitor_id) > 64 or "\x00" in monitor_id:
            self.fail("invalid")
        return monitor_id, status

    def to_representation(self, value):
        return value


class AffectedComponentsField(serializers.ListField):
    child = AffectedComponentField()

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        """Resolve ids to the caller's monitors: an unknown id (or another
        organization's) is a 400 naming it, and nothing is stored."""
        pairs = super().to_internal_value(data)
        organization = self.context["request"].auth.organization
        ids = [monitor_id for monitor_id, _ in pairs]
        monitors = Monitor.objects.filter(organization=organization, id__in=ids).only("id", "name").in_bulk()
        unknown = [monitor_id for monitor_id in ids if monitor_id not in monitors]
        if unknown:
            raise serializers.ValidationError(f"Unknown monitor: {', '.join(unknown[:5])}.")
        if len(set(ids)) != len(ids):
            raise serializers.ValidationError("A monitor is listed twice.")
        return [(monitors[monitor_id], status) for monitor_id, status in pairs]


class IncidentUpdateSerializer(StrictSerializer):
    id = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=IncidentStatus.choices, required=False)
    message = serializers.CharField(max_length=10_000)
    notifySubscribers = serializers.BooleanField(source="notify_subscribers", default=False)
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)

    def to_representation(self, update: IncidentUpdate) -> dict:
        return {
            "id": update.id,
            "status": update.status,
            "message": update.message,
            "notifySubscribers": update.notify_subscribers,
            "createdAt": isoformat(update.created_at),
        }


class ComponentSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=ComponentStatus.choices)


class IncidentSerializer(StrictSerializer):
    id = serializers.CharField(read_only=True)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10_000, allow_blank=True, required=False)
    status = serializers.ChoiceField(choices=IncidentStatus.choices, required=False)
    impact = serializers.ChoiceField(choices=Impact.choices, required=False)
    affectedComponents = AffectedComponentsField(
        source="affected", required=False, help_text="Monitor ids (or {id, status} objects)."
    )
    components = ComponentSerializer(many=True, read_only=True)
    update = serializers.CharField(
        max_length=10_000, write_only=True, required=False, help_text="On update: a message for the timeline."
    )
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)
    updatedAt = serializers.DateTimeField(source="updated_at", read_only=True)
    resolvedAt = serializers.DateTimeField(source="resolved_at", read_only=True, allow_null=True)
    duration = serializers.IntegerField(read_only=True, allow_null=True, help_text="Seconds from start to resolution.")

    def validate_title(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("This field may not be blank.")
        return value.strip()

    def validate(self, attrs: dict) -> dict:
        if self.instance is None and "update" in attrs:
            raise serializers.ValidationError({"update": ["Only used when updating an incident."]})
        return attrs

    def to_representation(self, incident: Incident) -> dict:
        affected = list(incident.affected.all())
        duration = None
        if incident.resolved_at is not None:
            duration = int((incident.resolved_at - incident.created_at).total_seconds())
        return {
            "id": incident.id,
            "title": incident.title,
            "description": incident.description,
            "status": incident.status,
            "impact": incident.impact,
            "affectedComponents": [component.monitor_id for component in affected],
            "components": [
                {"id": component.monitor_id, "name": component.monitor.name, "status": component.status}
                for component in affected
            ],
            "createdAt": isoformat(incident.created_at),
            "updatedAt": isoformat(incident.updated_at),
            "resolvedAt": isoformat(incident.resolved_at),
            "duration": duration,
        }


class IncidentDetailSerializer(IncidentSerializer):
    updates = IncidentUpdateSerializer(many=True, read_only=True, help_text="The timeline, newest first.")

    def to_representation(self, incident: Incident) -> dict:
        data = super().to_representation(incident)
        shape = IncidentUpdateSerializer().to_representation
        data["updates"] = [shape(update) for update in incident.updates.all()]
        return data


@extend_schema_serializer(exclude_fields=["update"])
class IncidentCreateSerializer(IncidentDetailSerializer):
    """The schema of a create's body: `update`, a timeline message, is for changes only."""
