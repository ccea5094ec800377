import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from statusapp.api.ids import PublicIdField

from .plans import PLAN_LIMITS, Plan, PlanLimits


class Organization(models.Model):
    id = PublicIdField("org")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    plan = models.CharField(max_length=20, choices=Plan.choices, default=Plan.FREE)
    # Enterprise only: requests per hour agreed with the customer; unlimited when unset.
    custom_requests_per_hour = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def limits(self) -> PlanLimits:
        return PLAN_LIMITS[self.plan]

    @property
    def requests_per_hour(self) -> int | None:
        if self.plan == Plan.ENTERPRISE:
            return self.custom_requests_per_hour
        return self.limits.requests_per_hour


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        ADMIN = "admin", "Admin"
        MEMBER = "member", "Member"
        VIEWER = "viewer", "Viewer"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="unique_membership")]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.role})"


class RequestCounter(models.Model):
    """API requests of one organization in one hourly window: the rate limiter's
    store when no Redis is configured (incremented with a conditional UPDATE)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "window_start"], name="unique_request_window")]

    def __str__(self) -> str:
        return f"{self.organization_id} @ {self.window_start:%Y-%m-%d %H:00}: {self.count}"


class AttemptCounter(models.Model):
    """Attempts under one throttle key (failed logins of a username, subscriptions from an
    address…) in the window ending at `window_ends`: `accounts.attempts`' store when no Redis
    is configured (counted with one upsert, so concurrent attempts each get their own number)."""

    key = models.CharField(max_length=255, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_ends = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count} until {self.window_ends:%H:%M:%S}"


class Invitation(models.Model):
    """A link that makes whoever opens it a member with `role` (signed in, or after creating
    an account), once, until it expires. Only a keyed hash of the link's token is stored
    (accounts/invitations.py); `email` only says whom it was meant for."""

    id = PublicIdField("inv")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    email = models.EmailField(blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.role} in {self.organization} ({self.email or 'anyone with the link'})"


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a time zone name such as Europe/Paris.")


class Profile(models.Model):
    """One person's own preferences, whatever organization they work in."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    # An IANA name; dashboard times are shown and date inputs read in it.
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])

    def __str__(self) -> str:
        return f"{self.user}: {self.time_zone}"
