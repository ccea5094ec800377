from django.core.validators import RegexValidator
from django.db import models

from accounts.models import Organization
from incidents.models import IncidentUpdate
from monitors.models import Monitor
from statusapp.api.ids import PublicIdField


class StatusPage(models.Model):
    id = PublicIdField("sp")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="status_pages")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    # Private pages (is_public False) ask for the password when one is set, and are
    # otherwise visible to the organization's members only.
    is_public = models.BooleanField(default=True)
    password_hash = models.CharField(max_length=128, blank=True, editable=False)
    accent_color = models.CharField(
        max_length=7, default="#2563eb", validators=[RegexValidator(r"\A#[0-9a-fA-F]{6}\Z", "A colour like #2563eb.")]
    )
    logo = models.BinaryField(blank=True, default=b"", editable=False)
    logo_type = models.CharField(max_length=32, blank=True, editable=False)
    # A custom domain is routed to the page only once its owner proved control of it
    # (domain_verification.py); until then any page may name it, so nobody can hold a
    # domain against its owner, and only one page may hold it verified.
    custom_domain = models.CharField(max_length=253, null=True, blank=True, db_index=True)
    custom_domain_token = models.CharField(max_length=64, blank=True, editable=False)
    custom_domain_verified = models.BooleanField(default=False, editable=False)
    # Subscribers always get the updates a person marks for them; the timeline entries of
    # incidents opened automatically (a monitor down, back up, resolved) only when the
    # page asks for them.
    notify_automatic_incidents = models.BooleanField(
        default=False, help_text="Also email subscribers the timeline of incidents opened automatically."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["organization", "-created_at", "id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["custom_domain"],
                condition=models.Q(custom_domain_verified=True),
                name="statuspage_one_verified_domain",
            )
        ]

    def __str__(self) -> str:
        return self.name


class StatusPageComponent(models.Model):
    """A monitor shown on a page, in a group and a position."""

    page = models.ForeignKey(StatusPage, on_delete=models.CASCADE, related_name="components")
    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="+")
    group = models.CharField(max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["page", "monitor"], name="unique_page_component")]

    def __str__(self) -> str:
        return f"{self.page_id}: {self.monitor_id}"


class Subscriber(models.Model):
    """An email address that asked for a page's incident updates. It gets them once
    confirmed, until it unsubscribes; `token` is the secret in its confirm and
    unsubscribe links."""

    id = PublicIdField("sub")
    page = models.ForeignKey(StatusPage, on_delete=models.CASCADE, related_name="subscribers")
    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["page", "email"], name="unique_page_subscriber")]

    def __str__(self) -> str:
        return self.email


class SubscriberNotification(models.Model):
    """One incident update for one subscriber: unique, so no email goes out twice."""

    update = models.ForeignKey(IncidentUpdate, on_delete=models.CASCADE, related_name="+")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["update", "subscriber"], name="unique_update_notification")]
        indexes = [models.Index(fields=["sent_at", "created_at"])]

    def __str__(self) -> str:
        return f"{self.update_id} -> {self.subscriber_id}"
