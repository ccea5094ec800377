from django.db import models

from accounts.encryption import EncryptedTextField
from accounts.models import Organization
from statusapp.api.ids import PublicIdField


class EventType(models.TextChoices):
    MONITOR_DOWN = "monitor.down", "Monitor down"
    MONITOR_UP = "monitor.up", "Monitor up"
    INCIDENT_CREATED = "incident.created", "Incident created"
    INCIDENT_UPDATED = "incident.updated", "Incident updated"
    INCIDENT_RESOLVED = "incident.resolved", "Incident resolved"


# Sent by POST /api/webhooks/{id}/test to that endpoint alone; not a subscribable type.
TEST_EVENT = "webhook.test"


class DeliveryTarget(models.Model):
    """Where deliveries go (a webhook endpoint, an alert channel): enabled or not, and why."""

    class DisabledReason(models.TextChoices):
        NONE = "", "Not disabled"
        USER = "user", "Disabled by a user"
        GONE = "gone", "The receiver answered 410 Gone"
        FAILING = "failing", "Every delivery failed for days"

    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=8, choices=DisabledReason.choices, blank=True)
    # Start of the current run of failed attempts; the target is disabled when it gets too long.
    failing_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class DeliveryState(models.Model):
    """One message to one target, until it is delivered, failed or cancelled.

    PostgreSQL is the source of truth: a pending delivery is leased to the task that
    sends it (`lease_token`, `lease_until`); a lease that runs out without an outcome
    (a lost broker message, a killed worker) is taken up again by the sweeper.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class AttemptLog(models.Model):
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField()
    error = models.CharField(max_length=200, blank=True)
    response_head = models.CharField(max_length=500, blank=True, help_text="The first bytes of the response body.")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.delivery_id} @ {self.attempted_at:%Y-%m-%d %H:%M:%S}: {self.status_code or self.error}"


class WebhookEndpoint(DeliveryTarget):
    id = PublicIdField("wh")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=2048)
    description = models.CharField(max_length=500, blank=True)
    events = models.JSONField(default=list, help_text="Event types this endpoint receives.")
    # Needed in the clear to sign deliveries, so encrypted, not hashed; shown to the user
    # once, at creation. One the current key cannot open reads as an Undecryptable: that
    # endpoint's deliveries fail, nobody else's; a rotation repairs it.
    secret = EncryptedTextField(editable=False, allow_undecryptable=True)
    # After a rotation the old secret signs too, until it expires (unless it cannot be read).
    previous_secret = EncryptedTextField(blank=True, editable=False, allow_undecryptable=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["organization", "-created_at", "id"])]

    def __str__(self) -> str:
        return self.url


class Event(models.Model):
    """Something that happened, as the JSON body every receiver gets: serialized once,
    in the transaction of its cause, and sent byte for byte on every attempt."""

    id = PublicIdField("evt")
    # Indexed by the (organization, created_at, id) index below: a single-column index
    # too would be one more to write per event.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="events", db_index=False)
    type = models.CharField(max_length=32)
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at", "-id"])]

    def __str__(self) -> str:
        return f"{self.id} {self.type}"


class Delivery(DeliveryState):
    """One event for one endpoint."""

    id = PublicIdField("dlv")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    # Indexed by the (endpoint, …) indexes below; each row is written several times.
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", db_index=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["endpoint", "-created_at", "-id"]),
            models.Index(fields=["endpoint", "status", "lease_until"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} -> {self.endpoint_id}: {self.status}"


class DeliveryAttempt(AttemptLog):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log", db_index=False)

    class Meta:
        ordering = ["-attempted_at", "-id"]
        indexes = [models.Index(fields=["delivery", "-attempted_at"])]
