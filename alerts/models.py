import orjson
from django.db import models

from accounts.encryption import EncryptedTextField, Undecryptable
from accounts.models import Organization
from monitors.models import Monitor
from statusapp.api.ids import PublicIdField
from webhooks.models import AttemptLog, DeliveryState, DeliveryTarget


class AlertEvent(models.TextChoices):
    MONITOR_DOWN = "monitor.down", "Monitor down (confirmed after retries)"
    MONITOR_UP = "monitor.up", "Monitor back up"
    MONITOR_DEGRADED = "monitor.degraded", "Monitor degraded"
    SSL_EXPIRING = "ssl.expiring", "Certificate expiring"
    INCIDENT_CREATED = "incident.created", "Incident created"
    INCIDENT_UPDATED = "incident.updated", "Incident updated"
    INCIDENT_RESOLVED = "incident.resolved", "Incident resolved"


DEFAULT_EVENTS = [AlertEvent.MONITOR_DOWN, AlertEvent.MONITOR_UP, AlertEvent.SSL_EXPIRING]


class AlertChannel(DeliveryTarget):
    """Where alerts reach people: an address, a chat webhook, a paging service."""

    class Type(models.TextChoices):
        EMAIL = "email", "Email"
        SLACK = "slack", "Slack (also Mattermost, Rocket.Chat)"
        DISCORD = "discord", "Discord"
        TEAMS = "teams", "Microsoft Teams"
        GOOGLECHAT = "googlechat", "Google Chat"
        TELEGRAM = "telegram", "Telegram"
        PAGERDUTY = "pagerduty", "PagerDuty"
        OPSGENIE = "opsgenie", "Opsgenie"
        NTFY = "ntfy", "ntfy"
        PUSHOVER = "pushover", "Pushover"
        SMS = "sms", "SMS (Twilio)"
        WEBHOOK = "webhook", "Signed webhook"
        APPRISE = "apprise", "Apprise"

    id = PublicIdField("ach")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="alert_channels")
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=16, choices=Type.choices)
    # The type's settings as JSON, encrypted: tokens, routing keys and webhook URLs are
    # secrets StatusApp must send on. One the current key cannot open reads as an
    # Undecryptable: that channel's alerts fail, nobody else's; a new config repairs it.
    config_json = EncryptedTextField(allow_undecryptable=True)
    events = models.JSONField(default=list)
    all_monitors = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["organization", "-created_at", "id"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.type})"

    @property
    def config_readable(self) -> bool:
        return not isinstance(self.config_json, Undecryptable)

    @property
    def config(self) -> dict:
        """The settings; none ({}) while they cannot be decrypted, so a new config keeps nothing of them."""
        return orjson.loads(self.config_json) if self.config_readable else {}

    @config.setter
    def config(self, value: dict) -> None:
        self.config_json = orjson.dumps(value).decode()


class Outage(models.Model):
    """A monitor's spell of DOWN, as alerting sees it: when reminders and escalation steps
    went out, and whether a parent monitor's outage explains it."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="outages")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    # The latest DOWN alert or reminder; None while the DOWN alert is held back (a parent
    # monitor is DOWN, or the monitor is flapping).
    last_alert_at = models.DateTimeField(null=True, blank=True)
    escalation_steps_sent = models.PositiveSmallIntegerField(default=0)
    # The DOWN alerts were held: this parent was DOWN when this monitor went down.
    held_by = models.ForeignKey(Monitor, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["monitor", "-started_at"]), models.Index(fields=["ended_at"])]

    def __str__(self) -> str:
        return f"{self.monitor_id} down since {self.started_at:%Y-%m-%d %H:%M:%S}"

    @property
    def dedup_key(self) -> str:
        """PagerDuty's dedup_key and Opsgenie's alias: one incident per outage, however
        often a trigger or reminder is sent."""
        return f"statusapp-{self.monitor_id}-{self.pk}"


class Alert(DeliveryState):
    """One alert for one channel: the message, rendered for the channel when sent."""

    id = PublicIdField("alr")
    channel = models.ForeignKey(AlertChannel, on_delete=models.CASCADE, related_name="alerts", db_index=False)
    monitor = models.ForeignKey(Monitor, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=24)
    message = models.TextField(help_text="The Message as JSON; nothing secret is in it.")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["channel", "-created_at", "-id"]),
            models.Index(fields=["channel", "status", "lease_until"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} -> {self.channel_id}: {self.status}"


class AlertAttempt(AttemptLog):
    delivery = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="attempt_log", db_index=False)

    class Meta:
        ordering = ["-attempted_at", "-id"]
        indexes = [models.Index(fields=["delivery", "-attempted_at"])]


class CertificateNotice(models.Model):
    """An ssl.expiring alert sent for one threshold (days before expiry) of a monitor's
    current certificate; cleared when a renewed certificate is seen."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="+")
    threshold = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["monitor", "threshold"], name="one_notice_per_threshold")]

    def __str__(self) -> str:
        return f"{self.monitor_id}: {self.threshold} days"
