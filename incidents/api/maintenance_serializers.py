from rest_framework import serializers

from incidents.maintenance import is_active
from incidents.models import Maintenance, MaintenanceStatus
from monitors.models import Monitor
from statusapp.api.fields import StrictDateTimeField, isoformat
from statusapp.api.serializers import StrictSerializer


class MonitorIdsField(serializers.ListField):
    """Monitor ids, resolved to the caller's monitors as `affectedComponents` is: an
    unknown id (or another organization's) is a 400 naming it, and nothing is stored."""

    child = serializers.CharField(max_length=64)

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 1000)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        ids = super().to_internal_value(data)
        organization = self.context["request"].auth.organization
        monitors = Monitor.objects.filter(organization=organization, id__in=ids).only("id").in_bulk()
        unknown = [monitor_id for monitor_id in ids if monitor_id not in monitors]
        if unknown:
            raise serializers.ValidationError(f"Unknown monitor: {', '.join(unknown[:5])}.")
        if len(set(ids)) != len(ids):
            raise serializers.ValidationError("A monitor is listed twice.")
        return [monitors[monitor_id] for monitor_id in ids]


class MaintenanceSerializer(StrictSerializer):
    id = serializers.CharField(read_only=True)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10_000, allow_blank=True, required=False)
    status = serializers.ChoiceField(
        choices=MaintenanceStatus.choices,
        required=False,
        help_text="Follows the schedule: scheduled until startsAt, in_progress until endsAt, then completed. "
        "May be set by hand (start or complete early, verifying); it never moves back on its own.",
    )
    startsAt = StrictDateTimeField(source="starts_at")
    endsAt = StrictDateTimeField(source="ends_at", help_text="After startsAt.")
    monitors = MonitorIdsField(
        required=False, help_text="Ids of the monitors under maintenance while the window is active."
    )
    active = serializers.BooleanField(
        read_only=True,
        help_text="in_progress or verifying: the monitors' checks are left out of uptime and raise no alert.",
    )
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)
    updatedAt = serializers.DateTimeField(source="updated_at", read_only=True)

    def validate(self, attrs: dict) -> dict:
        # On a partial update, a new start or end is judged against the stored other one.
        starts_at = attrs.get("starts_at", getattr(self.instance, "starts_at", None))
        ends_at = attrs.get("ends_at", getattr(self.instance, "ends_at", None))
        if starts_at is not None and ends_at is not None and ends_at <= starts_at:
            field = "endsAt" if "ends_at" in attrs else "startsAt"
            raise serializers.ValidationError({field: ["endsAt must be after startsAt."]})
        return attrs

    def to_representation(self, maintenance: Maintenance) -> dict:
        return {
            "id": maintenance.id,
            "title": maintenance.title,
            "description": maintenance.description,
            "status": maintenance.status,
            "startsAt": isoformat(maintenance.starts_at),
            "endsAt": isoformat(maintenance.ends_at),
            "monitors": sorted(monitor.pk for monitor in maintenance.monitors.all()),
            "active": is_active(maintenance),
            "createdAt": isoformat(maintenance.created_at),
            "updatedAt": isoformat(maintenance.updated_at),
        }
