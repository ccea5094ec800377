from django.db import models

from accounts.models import Organization
from statusapp.api.ids import PublicIdField


class EventType(models.TextChoices):
    MONITOR_DOWN = "monitor.down", "Monitor down"
    MONITOR_UP = "monitor.up", "Monitor up"
    INCIDENT_CREATED = "incident.created", "Incident created"
    INCIDENT_UPDATED = "incident.updated", "Incident updated"
    INCIDENT_RESOLVED = "incident.resolved", "Incident resolved"


class WebhookEndpoint(models.Model):
    id = PublicIdField("wh")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=2048)
    description = models.CharField(max_length=500, blank=True)
    events = models.JSONField(default=list, help_text="Event types this endpoint receives.")
    enabled = models.BooleanField(default=True)
    # Needed in the clear to sign deliveries; shown to the user once, at creation.
    secret = models.CharField(max_length=100, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["organization", "-created_at", "id"])]

    def __str__(self) -> str:
        return self.url
