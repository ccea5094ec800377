from django.db import models

from accounts.models import Organization
from monitors.models import Monitor
from statusapp.api.ids import PublicIdField


class IncidentStatus(models.TextChoices):
    INVESTIGATING = "INVESTIGATING", "Investigating"
    IDENTIFIED = "IDENTIFIED", "Identified"
    MONITORING = "MONITORING", "Monitoring"
    RESOLVED = "RESOLVED", "Resolved"


class Impact(models.TextChoices):
    NONE = "none", "None"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class ComponentStatus(models.TextChoices):
    OPERATIONAL = "operational", "Operational"
    DEGRADED_PERFORMANCE = "degraded_performance", "Degraded performance"
    PARTIAL_OUTAGE = "partial_outage", "Partial outage"
    MAJOR_OUTAGE = "major_outage", "Major outage"
    UNDER_MAINTENANCE = "under_maintenance", "Under maintenance"


# What an affected component shows when the incident does not say.
IMPACT_COMPONENT_STATUS = {
    Impact.NONE: ComponentStatus.OPERATIONAL,
    Impact.LOW: ComponentStatus.DEGRADED_PERFORMANCE,
    Impact.MEDIUM: ComponentStatus.DEGRADED_PERFORMANCE,
    Impact.HIGH: ComponentStatus.PARTIAL_OUTAGE,
    Impact.CRITICAL: ComponentStatus.MAJOR_OUTAGE,
}


class Incident(models.Model):
    id = PublicIdField("inc")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="incidents")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=IncidentStatus.choices, default=IncidentStatus.INVESTIGATING)
    impact = models.CharField(max_length=10, choices=Impact.choices, default=Impact.NONE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Opened by a monitor going DOWN: monitors join it, and it resolves itself once
    # they are all back UP.
    auto_opened = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [
            models.Index(fields=["organization", "-created_at", "id"]),
            models.Index(fields=["organization", "status"]),
        ]

    def __str__(self) -> str:
        return self.title


class AffectedComponent(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="affected")
    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=24, choices=ComponentStatus.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["incident", "monitor"], name="unique_affected_component")]

    def __str__(self) -> str:
        return f"{self.monitor_id}: {self.status}"


class IncidentUpdate(models.Model):
    """One entry of an incident's timeline."""

    id = PublicIdField("upd")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=16, choices=IncidentStatus.choices)
    message = models.TextField(blank=True)
    notify_subscribers = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return f"{self.status}: {self.message[:50]}"


class MaintenanceStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in_progress", "In progress"
    VERIFYING = "verifying", "Verifying"
    COMPLETED = "completed", "Completed"


class Maintenance(models.Model):
    """A scheduled maintenance window. While it is active its monitors are still checked,
    but their results are left out of uptime and no alert or auto-incident fires."""

    id = PublicIdField("mnt")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="maintenances")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=MaintenanceStatus.choices, default=MaintenanceStatus.SCHEDULED)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    monitors = models.ManyToManyField(Monitor, related_name="maintenances", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "id"]
        indexes = [
            models.Index(fields=["organization", "-starts_at", "id"]),
            models.Index(fields=["status", "starts_at"]),
            models.Index(fields=["status", "ends_at"]),
        ]

    def __str__(self) -> str:
        return self.title
