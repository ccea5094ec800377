from django.db import models

from accounts.models import Organization
from statusapp.api.ids import PublicIdField


class Monitor(models.Model):
    class Type(models.TextChoices):
        HTTP = "http", "HTTP(S)"
        KEYWORD = "keyword", "Keyword"
        TCP = "tcp", "TCP port"
        DNS = "dns", "DNS"
        SSL = "ssl", "SSL certificate"
        HEARTBEAT = "heartbeat", "Heartbeat"

    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"
        UP = "UP", "Up"
        DEGRADED = "DEGRADED", "Degraded"
        DOWN = "DOWN", "Down"
        PAUSED = "PAUSED", "Paused"

    class RecordType(models.TextChoices):
        A = "A"
        AAAA = "AAAA"
        CNAME = "CNAME"
        MX = "MX"
        NS = "NS"
        TXT = "TXT"

    id = PublicIdField("mon")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="monitors")
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=16, choices=Type.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)

    # http / keyword / ssl
    url = models.URLField(max_length=2048, blank=True)
    method = models.CharField(max_length=8, default="GET")
    request_headers = models.JSONField(default=dict, blank=True)
    request_body = models.TextField(blank=True)
    expected_status_codes = models.CharField(max_length=100, default="200-299")
    follow_redirects = models.BooleanField(default=True)
    keyword = models.CharField(max_length=500, blank=True)
    keyword_absent = models.BooleanField(default=False)
    json_path = models.CharField(max_length=500, blank=True)
    json_expected = models.CharField(max_length=500, blank=True)
    ssl_degraded_days = models.PositiveSmallIntegerField(default=14)
    ssl_down_days = models.PositiveSmallIntegerField(default=3)
    # tcp / dns
    host = models.CharField(max_length=255, blank=True)
    port = models.PositiveIntegerField(null=True, blank=True)
    record_type = models.CharField(max_length=8, choices=RecordType.choices, blank=True)
    expected_values = models.JSONField(default=list, blank=True)
    resolver = models.CharField(max_length=255, blank=True)
    # heartbeat
    ping_token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    grace = models.PositiveIntegerField(default=60)

    interval = models.PositiveIntegerField(default=60)
    timeout = models.PositiveIntegerField(default=10)
    retries = models.PositiveSmallIntegerField(default=0)
    degraded_threshold = models.PositiveIntegerField(null=True, blank=True, help_text="milliseconds")

    last_check_at = models.DateTimeField(null=True, blank=True)
    response_time = models.PositiveIntegerField(null=True, blank=True, help_text="milliseconds")
    last_error = models.CharField(max_length=500, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [
            models.Index(fields=["organization", "-created_at", "id"]),
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["next_check_at"]),
        ]

    def __str__(self) -> str:
        return self.name
