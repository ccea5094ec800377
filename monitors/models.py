import secrets

from django.db import models

from accounts.encryption import EncryptedTextField
from accounts.models import Organization
from statusapp.api.ids import PublicIdField


def new_badge_token() -> str:
    return secrets.token_urlsafe(16)


class Monitor(models.Model):
    class Type(models.TextChoices):
        HTTP = "http", "HTTP(S)"
        KEYWORD = "keyword", "Keyword"
        TCP = "tcp", "TCP port"
        DNS = "dns", "DNS"
        SSL = "ssl", "SSL certificate"
        HEARTBEAT = "heartbeat", "Heartbeat"
        PING = "ping", "Ping (ICMP)"
        POSTGRES = "postgres", "PostgreSQL"
        MYSQL = "mysql", "MySQL / MariaDB"
        REDIS = "redis", "Redis"
        GRPC = "grpc", "gRPC health"
        SMTP = "smtp", "SMTP"

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
    # Indexed by the composite indexes that start with it (Meta.indexes): every check writes this row.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="monitors", db_index=False)
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
    # ssl, and smtp with STARTTLS: days before the certificate expires
    ssl_degraded_days = models.PositiveSmallIntegerField(default=14)
    ssl_down_days = models.PositiveSmallIntegerField(default=3)
    # tcp / dns, and the host (and port) of ping, postgres, mysql, redis, grpc and smtp
    host = models.CharField(max_length=255, blank=True)
    port = models.PositiveIntegerField(null=True, blank=True)
    record_type = models.CharField(max_length=8, choices=RecordType.choices, blank=True)
    expected_values = models.JSONField(default=list, blank=True)
    resolver = models.CharField(max_length=255, blank=True)
    # postgres / mysql / redis: the account to log in with. The password is a secret the
    # check must send: encrypted at rest, shown by the API only as a mask. One the current
    # key cannot open reads as an Undecryptable: that monitor's check fails, nothing else does.
    username = models.CharField(max_length=255, blank=True)
    password = EncryptedTextField(blank=True, editable=False, allow_undecryptable=True)
    database = models.CharField(max_length=255, blank=True)
    # postgres / mysql / redis / grpc: connect over TLS; smtp: STARTTLS, and then the
    # certificate's expiry is judged by ssl_degraded_days / ssl_down_days.
    tls = models.BooleanField(default=False)
    # grpc: the service asked of grpc.health.v1.Health/Check; "" asks about the server.
    service = models.CharField(max_length=255, blank=True)
    # ping: echo requests per check
    ping_count = models.PositiveSmallIntegerField(default=3)
    # heartbeat
    ping_token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    # Public: badges are embedded in READMEs and pages, so the token shows only this monitor's
    # status, uptime and response time, and nothing else about it.
    badge_token = models.CharField(max_length=32, unique=True, default=new_badge_token, editable=False)
    grace = models.PositiveIntegerField(default=60)

    interval = models.PositiveIntegerField(default=60)
    timeout = models.PositiveIntegerField(default=10)
    retries = models.PositiveSmallIntegerField(default=0)
    degraded_threshold = models.PositiveIntegerField(null=True, blank=True, help_text="milliseconds")

    # Seconds between the confirming re-checks of a failing monitor; None: the interval.
    retry_interval = models.PositiveIntegerField(null=True, blank=True)

    # The regions (settings.STATUSAPP_REGIONS) it is checked from, [] for all; how many of
    # them must see a slot fail for that slot to count as a failure (None: a majority).
    regions = models.JSONField(default=list, blank=True)
    confirmations = models.PositiveSmallIntegerField(null=True, blank=True)
    # The latest slot whose regions' results were judged: a slot counts once, when the
    # first of its regions' results decides it.
    judged_slot = models.DateTimeField(null=True, blank=True, editable=False)

    # Alerting (acted on by alerts/, which sits above this app). Alert channel ids (`ach_…`)
    # that cover this monitor besides those covering all monitors.
    alert_channels = models.JSONField(default=list, blank=True)
    reminder_interval = models.PositiveIntegerField(
        null=True, blank=True, help_text="minutes between reminders while DOWN and not acknowledged"
    )
    # [{"afterMinutes": N, "channels": ["ach_…"]}]: still DOWN and not acknowledged after N
    # minutes, also alert those channels.
    escalation = models.JSONField(default=list, blank=True)
    # While one of these is DOWN, this monitor's DOWN alerts are held as caused by it.
    depends_on = models.ManyToManyField("self", symmetrical=False, related_name="dependents", blank=True)
    # Someone has seen the outage: no reminders or escalation until the monitor recovers.
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.CharField(max_length=200, blank=True)

    # Consecutive failed checks; DOWN once it exceeds `retries`.
    failure_count = models.PositiveIntegerField(default=0)
    # Set by scheduled maintenance: checks still run, but results are left out of
    # uptime and no alert fires.
    in_maintenance = models.BooleanField(default=False)
    # heartbeat: the latest ping and whether it was a success, a /fail or a /start
    last_ping_at = models.DateTimeField(null=True, blank=True)
    last_ping_kind = models.CharField(max_length=8, blank=True)
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


class CheckResult(models.Model):
    """What one check saw from one region. Unique per (monitor, scheduled slot, region), so
    a re-run of a batch cannot count a slot twice."""

    # Indexed by unique_check_slot, which starts with it: one index fewer to write per check.
    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="results", db_index=False)
    scheduled_at = models.DateTimeField()
    # The region whose worker ran it ("" for results recorded before regions were).
    region = models.CharField(max_length=32, blank=True)
    started_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Monitor.Status.choices)
    response_time = models.PositiveIntegerField(null=True, blank=True, help_text="milliseconds")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)
    in_maintenance = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["monitor", "scheduled_at", "region"], name="unique_check_slot_region")
        ]
        indexes = [models.Index(fields=["scheduled_at"])]

    def __str__(self) -> str:
        return f"{self.monitor_id} @ {self.scheduled_at:%Y-%m-%d %H:%M:%S}: {self.status}"


class Region(models.Model):
    """A region's latest sign of life: its workers answer a report task on the region's
    queue every second (monitors.regions)."""

    name = models.CharField(max_length=32, primary_key=True)
    last_report_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class StatusChange(models.Model):
    """A monitor's transition, written in the transaction of the result that caused it.

    An outbox: incidents consumes these rows (and marks them processed) to open or
    resolve incidents and publish monitor.down / monitor.up.
    """

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=Monitor.Status.choices)
    to_status = models.CharField(max_length=16, choices=Monitor.Status.choices)
    error = models.CharField(max_length=200, blank=True)
    in_maintenance = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["monitor", "-created_at"]),
            models.Index(fields=["processed_at", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.monitor_id}: {self.from_status} -> {self.to_status}"


class Rollup(models.Model):
    """Check counts and response times of one monitor over one hour or one day.

    Counts are added as results are written; p95 is filled in once the period ends.
    Checks during maintenance are left out.
    """

    class Period(models.TextChoices):
        HOUR = "hour", "Hour"
        DAY = "day", "Day"

    # Indexed by unique_rollup_bucket, which starts with it.
    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="rollups", db_index=False)
    period = models.CharField(max_length=4, choices=Period.choices)
    bucket = models.DateTimeField(help_text="Start of the hour or day (UTC).")
    checks = models.PositiveIntegerField(default=0)
    up = models.PositiveIntegerField(default=0)
    degraded = models.PositiveIntegerField(default=0)
    response_time_sum = models.BigIntegerField(default=0)
    response_time_count = models.PositiveIntegerField(default=0)
    p95_response_time = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["monitor", "period", "bucket"], name="unique_rollup_bucket")]
        indexes = [models.Index(fields=["period", "bucket"])]

    def __str__(self) -> str:
        return f"{self.monitor_id} {self.period} {self.bucket:%Y-%m-%d %H:00}"

    @property
    def down(self) -> int:
        return self.checks - self.up - self.degraded

    @property
    def average_response_time(self) -> int | None:
        if not self.response_time_count:
            return None
        return round(self.response_time_sum / self.response_time_count)
