import re
from urllib.parse import urlsplit

from django.conf import settings
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

from accounts.encryption import MASK, MASKED_VALUE
from monitors import channel_refs, selectors
from monitors.models import CheckResult, Monitor
from monitors.services import ACTIVE, InvalidDependency, check_dependencies
from outbound import guard
from statusapp.api.fields import TargetUrlField, isoformat, refuse_literal_private_address
from statusapp.api.serializers import StrictSerializer

URL_TYPES = {Monitor.Type.HTTP, Monitor.Type.KEYWORD, Monitor.Type.SSL}
HTTP_TYPES = {Monitor.Type.HTTP, Monitor.Type.KEYWORD}
HOST_TYPES = {Monitor.Type.TCP, Monitor.Type.DNS}
# The types that check a service on a host, with their fields in the order the API shows them.
SERVICE_FIELDS = {
    Monitor.Type.PING: ("host", "pingCount"),
    Monitor.Type.POSTGRES: ("host", "port", "username", "password", "database", "tls"),
    Monitor.Type.MYSQL: ("host", "port", "username", "password", "database", "tls"),
    Monitor.Type.REDIS: ("host", "port", "username", "password", "tls"),
    Monitor.Type.GRPC: ("host", "port", "service", "tls"),
    Monitor.Type.SMTP: ("host", "port", "tls", "sslDegradedDays", "sslDownDays"),
}
# The port a service type checks when none is given (gRPC has no usual one: it is required).
DEFAULT_PORTS = {
    Monitor.Type.POSTGRES: 5432,
    Monitor.Type.MYSQL: 3306,
    Monitor.Type.REDIS: 6379,
    Monitor.Type.SMTP: 25,
}

# Which request fields each type accepts, besides the common ones.
TYPE_FIELDS = {
    Monitor.Type.HTTP: {
        "url", "method", "headers", "body", "expectedStatusCodes", "followRedirects",
        "keyword", "keywordAbsent", "jsonPath", "jsonExpected",
    },
    Monitor.Type.KEYWORD: {
        "url", "method", "headers", "body", "expectedStatusCodes", "followRedirects",
        "keyword", "keywordAbsent",
    },
    Monitor.Type.SSL: {"url", "sslDegradedDays", "sslDownDays"},
    Monitor.Type.TCP: {"host", "port"},
    Monitor.Type.DNS: {"host", "recordType", "expectedValues", "resolver"},
    Monitor.Type.HEARTBEAT: {"grace"},
    **{kind: set(names) for kind, names in SERVICE_FIELDS.items()},
}  # fmt: skip
REQUIRED_FIELDS = {
    Monitor.Type.HTTP: ["url"],
    Monitor.Type.KEYWORD: ["url", "keyword"],
    Monitor.Type.SSL: ["url"],
    Monitor.Type.TCP: ["host", "port"],
    Monitor.Type.DNS: ["host", "recordType"],
    Monitor.Type.HEARTBEAT: [],
    Monitor.Type.PING: ["host"],
    Monitor.Type.POSTGRES: ["host"],
    Monitor.Type.MYSQL: ["host"],
    Monitor.Type.REDIS: ["host"],
    Monitor.Type.GRPC: ["host", "port"],
    Monitor.Type.SMTP: ["host"],
}

_STATUS_CODES = re.compile(r"\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*")
_HOSTNAME = re.compile(
    r"(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.?"
)
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}")
_HEADER_VALUE_FORBIDDEN = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # CTLs but tab (RFC 9110 field-value)
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
# A gRPC service's full name, like grpc.health.v1.Health or my.package.Orders.
_GRPC_SERVICE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")

# The columns to_representation reads: lists fetch just these, as light named rows.
REPRESENTATION_COLUMNS = (
    "id", "name", "type", "status", "url", "method", "request_headers", "request_body",
    "expected_status_codes", "follow_redirects", "keyword", "keyword_absent", "json_path",
    "json_expected", "ssl_degraded_days", "ssl_down_days", "host", "port", "record_type",
    "expected_values", "resolver", "username", "password", "database", "tls", "service", "ping_count",
    "ping_token", "badge_token", "grace", "interval", "timeout", "retries",
    "degraded_threshold", "retry_interval", "regions", "confirmations", "alert_channels", "reminder_interval",
    "escalation",
    "acknowledged_at", "acknowledged_by", "last_check_at", "response_time", "last_error", "created_at",
    "updated_at",
)  # fmt: skip

# The model attribute of each field SERVICE_FIELDS names, but the password (never shown).
_SERVICE_ATTRIBUTES = {
    "host": "host", "port": "port", "username": "username", "database": "database", "tls": "tls",
    "service": "service", "pingCount": "ping_count", "sslDegradedDays": "ssl_degraded_days",
    "sslDownDays": "ssl_down_days",
}  # fmt: skip

MAX_ALERT_CHANNELS = 50
MAX_ESCALATION_STEPS = 5
MAX_STEP_CHANNELS = 20
MAX_DEPENDENCIES = 50
MAX_REGIONS = 50
WEEK_MINUTES = 7 * 24 * 60


def validate_status_codes(value: str) -> str:
    compact = value.replace(" ", "")
    if not _STATUS_CODES.fullmatch(compact):
        raise serializers.ValidationError("Use codes and ranges such as '200-299,301'.")
    for part in compact.split(","):
        low, _, high = part.partition("-")
        low_code, high_code = int(low), int(high or low)
        if not (100 <= low_code <= high_code <= 599):
            raise serializers.ValidationError(f"'{part}' is not a range of HTTP status codes (100-599).")
    return compact


def validate_host(value: str) -> str:
    if not _HOSTNAME.fullmatch(value) and guard.parse_numeric_host(value) is None:
        raise serializers.ValidationError("Must be a host name or an IP address.")
    refuse_literal_private_address(value)
    return value.rstrip(".").lower()


def validate_headers(value: dict) -> dict:
    if len(value) > 50:
        raise serializers.ValidationError("At most 50 headers.")
    for name, header_value in value.items():
        if not _HEADER_NAME.fullmatch(name):
            raise serializers.ValidationError(f"'{name[:100]}' is not a valid header name.")
        # A CR or LF would end the header line and start one of the user's choosing on the wire.
        if _HEADER_VALUE_FORBIDDEN.search(header_value):
            raise serializers.ValidationError(f"The value of '{name}' must not contain control characters.")
    return value


def refuse_control_characters(value: str) -> str:
    if _CONTROL_CHARACTERS.search(value):
        raise serializers.ValidationError("Must not contain control characters.")
    return value


def validate_grpc_service(value: str) -> str:
    if value and not _GRPC_SERVICE.fullmatch(value):
        raise serializers.ValidationError("Must be a service's full name, like grpc.health.v1.Health, or empty.")
    return value


def validate_url_port(value: str) -> str:
    """URLValidator accepts any five digits as a port; only 1-65535 can be connected to."""
    try:
        port = urlsplit(value).port
    except ValueError:
        port = 0
    if port == 0:
        raise serializers.ValidationError("The URL's port must be between 1 and 65535.")
    return value


class MonitorStatusField(serializers.ChoiceField):
    """Reads as the monitor's status; written PAUSED to pause, ACTIVE to resume."""

    WRITABLE = (Monitor.Status.PAUSED, ACTIVE)

    def __init__(self, **kwargs):
        super().__init__(choices=[*Monitor.Status.values, ACTIVE], **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value not in self.WRITABLE:
            raise serializers.ValidationError("Write PAUSED to pause the monitor or ACTIVE to resume it.")
        return value


class MonitorStatusFieldSchema(OpenApiSerializerFieldExtension):
    """The schema tells what may be written from what is read."""

    target_class = MonitorStatusField

    def map_serializer_field(self, auto_schema, direction):
        if direction != "request":
            return {"type": "string", "enum": Monitor.Status.values}  # MonitorStatusEnum
        # A component of its own: drf-spectacular would name an inline enum of a "status"
        # property MonitorStatusEnum too, and keep only one of the two.
        component = ResolvedComponent(
            name="MonitorStatusWriteEnum",
            type=ResolvedComponent.SCHEMA,
            object="MonitorStatusWriteEnum",
            schema={"type": "string", "enum": list(MonitorStatusField.WRITABLE)},
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class UniqueIdListField(serializers.ListField):
    """A list of public ids, none twice."""

    child = serializers.CharField(max_length=32)

    def to_internal_value(self, data) -> list[str]:
        ids = super().to_internal_value(data)
        if len(set(ids)) != len(ids):
            raise serializers.ValidationError("An id is listed twice.")
        return ids


class UniqueIdListFieldSchema(OpenApiSerializerFieldExtension):
    target_class = UniqueIdListField

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        return {**schema, "uniqueItems": True}


class RegionListField(serializers.ListField):
    """Regions of the server's STATUSAPP_REGIONS, none twice."""

    child = serializers.CharField(max_length=32)

    def to_internal_value(self, data) -> list[str]:
        named = super().to_internal_value(data)
        unknown = [name for name in named if name not in settings.STATUSAPP_REGIONS]
        if unknown:
            known = ", ".join(settings.STATUSAPP_REGIONS)
            raise serializers.ValidationError(
                f"Unknown region: {', '.join(unknown[:5])}. This server's regions: {known}."
            )
        if len(set(named)) != len(named):
            raise serializers.ValidationError("Names a region twice.")
        return named


class RegionListFieldSchema(OpenApiSerializerFieldExtension):
    """The server's regions, as configured where the schema is generated."""

    target_class = RegionListField

    def map_serializer_field(self, auto_schema, direction):
        regions = list(settings.STATUSAPP_REGIONS)
        return {"type": "array", "items": {"type": "string", "enum": regions}, "uniqueItems": True}


class EscalationStepSerializer(StrictSerializer):
    afterMinutes = serializers.IntegerField(
        min_value=1, max_value=WEEK_MINUTES, help_text="Minutes after the monitor went DOWN."
    )
    channels = UniqueIdListField(
        min_length=1, max_length=MAX_STEP_CHANNELS, allow_empty=False, help_text="Alert channel ids (`ach_…`)."
    )

    def to_internal_value(self, data) -> dict:
        return dict(super().to_internal_value(data))


class MonitorSerializer(StrictSerializer):
    # Shown for heartbeat monitors only (see statusapp.api.schema).
    optional_read_only_fields = ("pingUrl",)

    id = serializers.CharField(read_only=True)
    name = serializers.CharField(max_length=200)
    type = serializers.ChoiceField(choices=Monitor.Type.choices)
    status = MonitorStatusField(
        required=False,
        help_text="Reads as PENDING, UP, DEGRADED, DOWN or PAUSED; write PAUSED to pause, ACTIVE to resume.",
    )
    url = TargetUrlField(required=False, validators=[validate_url_port])
    method = serializers.ChoiceField(
        choices=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"], required=False
    )
    headers = serializers.DictField(
        child=serializers.CharField(max_length=1000, allow_blank=True),
        source="request_headers",
        required=False,
        validators=[validate_headers],
    )
    body = serializers.CharField(source="request_body", max_length=65536, allow_blank=True, required=False)
    expectedStatusCodes = serializers.CharField(
        source="expected_status_codes", max_length=100, required=False, validators=[validate_status_codes]
    )
    followRedirects = serializers.BooleanField(source="follow_redirects", required=False)
    keyword = serializers.CharField(max_length=500, required=False)
    keywordAbsent = serializers.BooleanField(source="keyword_absent", required=False)
    jsonPath = serializers.CharField(source="json_path", max_length=500, allow_blank=True, required=False)
    jsonExpected = serializers.CharField(source="json_expected", max_length=500, allow_blank=True, required=False)
    sslDegradedDays = serializers.IntegerField(
        source="ssl_degraded_days", min_value=0, max_value=365, required=False,
        help_text="ssl, and smtp with tls: DEGRADED when the certificate expires within this many days (14).",
    )  # fmt: skip
    sslDownDays = serializers.IntegerField(
        source="ssl_down_days", min_value=0, max_value=365, required=False,
        help_text="ssl, and smtp with tls: DOWN when the certificate expires within this many days (3).",
    )  # fmt: skip
    host = serializers.CharField(
        max_length=253, required=False, validators=[validate_host],
        help_text="tcp, dns, ping, postgres, mysql, redis, grpc, smtp: a host name or an IP address.",
    )  # fmt: skip
    port = serializers.IntegerField(
        min_value=1, max_value=65535, required=False,
        help_text="tcp, grpc (required); postgres, mysql, redis, smtp: 5432, 3306, 6379 and 25 when left out.",
    )  # fmt: skip
    recordType = serializers.ChoiceField(source="record_type", choices=Monitor.RecordType.choices, required=False)
    expectedValues = serializers.ListField(
        source="expected_values",
        child=serializers.CharField(max_length=255),
        max_length=20,
        required=False,
    )
    resolver = serializers.IPAddressField(allow_blank=True, required=False, validators=[refuse_literal_private_address])
    username = serializers.CharField(
        max_length=255, allow_blank=True, required=False, validators=[refuse_control_characters],
        help_text="postgres, mysql: the user to log in as; redis: an ACL user (empty: the default user).",
    )  # fmt: skip
    password = serializers.CharField(
        max_length=1024, allow_blank=True, required=False, trim_whitespace=False,
        validators=[refuse_control_characters],
        help_text=f"postgres, mysql, redis: the password to log in with. Stored encrypted and never shown: it "
        f"reads as `{MASK}` when one is set, empty when none is. Sending `{MASK}` back keeps the stored one; "
        "an empty text removes it.",
    )  # fmt: skip
    database = serializers.CharField(
        max_length=255, allow_blank=True, required=False, validators=[refuse_control_characters],
        help_text="postgres, mysql: the database to connect to (empty: the server's default for the user).",
    )  # fmt: skip
    tls = serializers.BooleanField(
        required=False,
        help_text="postgres, mysql, redis, grpc: connect over TLS; smtp: require STARTTLS, and judge the "
        "certificate's expiry by sslDegradedDays and sslDownDays. False when left out.",
    )
    service = serializers.CharField(
        max_length=255, allow_blank=True, required=False, validators=[validate_grpc_service],
        help_text="grpc: the service asked about through grpc.health.v1.Health/Check; empty: the whole server.",
    )  # fmt: skip
    pingCount = serializers.IntegerField(
        source="ping_count", min_value=1, max_value=10, required=False,
        help_text="ping: echo requests sent per check (3 when left out).",
    )  # fmt: skip
    grace = serializers.IntegerField(min_value=0, max_value=86400, required=False)
    pingUrl = serializers.CharField(read_only=True, help_text="Heartbeat monitors: the URL the job pings.")
    interval = serializers.IntegerField(
        min_value=settings.MONITOR_MIN_INTERVAL,
        max_value=86400,
        required=False,
        error_messages={"min_value": "Must be at least {min_value} seconds."},
        help_text="Seconds between checks.",
    )
    timeout = serializers.IntegerField(min_value=1, max_value=300, required=False, help_text="Seconds.")
    retries = serializers.IntegerField(min_value=0, max_value=10, required=False)
    degradedThreshold = serializers.IntegerField(
        source="degraded_threshold", min_value=1, max_value=300_000, allow_null=True, required=False,
        help_text="Response time in milliseconds above which the monitor is DEGRADED.",
    )  # fmt: skip
    retryInterval = serializers.IntegerField(
        source="retry_interval",
        min_value=10,
        max_value=86400,
        allow_null=True,
        required=False,
        help_text="Seconds between the re-checks confirming a failure (see retries); null: the interval.",
    )
    regions = RegionListField(
        required=False,
        help_text="The regions it is checked from, of the server's STATUSAPP_REGIONS; empty: all of them.",
    )
    confirmations = serializers.IntegerField(
        min_value=1,
        max_value=MAX_REGIONS,
        allow_null=True,
        required=False,
        help_text="How many of its regions must see a check fail in the same slot for it to count as "
        "failed; null: a majority. Silent regions are left out: the quorum shrinks to the regions reporting.",
    )
    alertChannels = UniqueIdListField(
        source="alert_channels",
        max_length=MAX_ALERT_CHANNELS,
        required=False,
        help_text="Alert channel ids (`ach_…`) alerted about this monitor, besides the channels covering "
        "every monitor.",
    )
    reminderInterval = serializers.IntegerField(
        source="reminder_interval",
        min_value=1,
        max_value=WEEK_MINUTES,
        allow_null=True,
        required=False,
        help_text="Minutes between reminders while DOWN and not acknowledged; null: no reminders.",
    )
    escalation = serializers.ListField(
        child=EscalationStepSerializer(),
        max_length=MAX_ESCALATION_STEPS,
        required=False,
        help_text="Steps, by increasing afterMinutes: still DOWN and not acknowledged that many minutes after "
        "going DOWN, also alert the step's channels.",
    )
    dependsOn = UniqueIdListField(
        source="depends_on",
        max_length=MAX_DEPENDENCIES,
        required=False,
        help_text="Ids of monitors this one depends on: while one of them is DOWN, this monitor's DOWN "
        "alerts are held as caused by it.",
    )
    acknowledgedAt = serializers.DateTimeField(
        source="acknowledged_at",
        read_only=True,
        allow_null=True,
        help_text="When the current outage was acknowledged; null when it is not, or the monitor is not DOWN.",
    )
    acknowledgedBy = serializers.CharField(
        source="acknowledged_by", read_only=True, allow_null=True, help_text="Who acknowledged it."
    )
    lastCheck = serializers.DateTimeField(source="last_check_at", read_only=True, allow_null=True)
    responseTime = serializers.IntegerField(
        source="response_time", read_only=True, allow_null=True, help_text="milliseconds; null before the first check"
    )
    uptime = serializers.FloatField(
        read_only=True, allow_null=True, help_text="Uptime % over the last 24 hours; null without checks."
    )
    lastError = serializers.CharField(source="last_error", read_only=True)
    badgeUrl = serializers.CharField(
        read_only=True,
        help_text="A public SVG badge of the status; uptime.svg?period=30d, response.svg and shields.json "
        "sit beside it.",
    )
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)
    updatedAt = serializers.DateTimeField(source="updated_at", read_only=True)

    def validate_name(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("This field may not be blank.")
        return value.strip()

    def validate(self, attrs: dict) -> dict:
        instance = self.instance
        monitor_type = attrs.get("type") or instance.type
        allowed = TYPE_FIELDS[monitor_type]
        errors = {}
        for name in self.initial_data:
            if name in set().union(*TYPE_FIELDS.values()) - allowed:
                errors[name] = [f"Not used by {monitor_type} monitors."]

        def current(field_name: str):
            source = self.fields[field_name].source
            if source in attrs:
                return attrs[source]
            return getattr(instance, source, None) if instance is not None else None

        for name in REQUIRED_FIELDS[monitor_type]:
            if current(name) in (None, ""):
                errors.setdefault(name, [f"Required for {monitor_type} monitors."])
        if monitor_type in DEFAULT_PORTS and current("port") is None:
            attrs["port"] = DEFAULT_PORTS[monitor_type]
        if MASK in attrs.get("password", ""):
            if attrs["password"] == MASK and instance is not None and instance.password:
                del attrs["password"]  # sent back as shown: keep the stored one
            else:
                errors.setdefault("password", [MASKED_VALUE])

        interval = current("interval") or Monitor._meta.get_field("interval").default
        timeout = current("timeout")
        if timeout is None:
            attrs["timeout"] = min(Monitor._meta.get_field("timeout").default, interval - 1)
        elif timeout >= interval:
            errors["timeout"] = [f"Must be below the interval ({interval} s)."]
        if (current("sslDownDays") or 0) > (current("sslDegradedDays") or 0):
            errors["sslDownDays"] = ["Must not exceed sslDegradedDays."]
        errors.update(self._region_errors(current("regions") or [], current("confirmations")))
        errors.update(self._alerting_errors(attrs))
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    @staticmethod
    def _region_errors(named: list[str], confirmations: int | None) -> dict[str, list[str]]:
        checked_from = len(named) or len(settings.STATUSAPP_REGIONS)
        if confirmations is not None and confirmations > checked_from:
            return {"confirmations": [f"Must not exceed the number of regions it is checked from ({checked_from})."]}
        return {}

    def _alerting_errors(self, attrs: dict) -> dict[str, list[str]]:
        errors = {}
        organization_id = (
            self.instance.organization_id if self.instance is not None else self.context["request"].auth.organization.id
        )
        steps = attrs.get("escalation")
        if steps is not None:
            after = [step["afterMinutes"] for step in steps]
            if any(earlier >= later for earlier, later in zip(after, after[1:], strict=False)):
                errors["escalation"] = ["Steps must come in strictly increasing afterMinutes."]
        named_ids = {
            "alertChannels": set(attrs.get("alert_channels", ())),
            "escalation": {channel for step in steps or () for channel in step["channels"]},
        }
        every_id = set().union(*named_ids.values())
        unknown = channel_refs.unknown_channel_ids(organization_id, every_id) if every_id else set()
        for name, ids in named_ids.items():
            named = sorted(unknown & ids)
            if named:
                errors.setdefault(name, []).append(f"Unknown alert channel: {', '.join(named[:5])}.")
        if "depends_on" in attrs:
            try:
                check_dependencies(
                    organization_id=organization_id,
                    monitor_id=self.instance.id if self.instance is not None else None,
                    depends_on=attrs["depends_on"],
                )
            except InvalidDependency as exc:
                errors["dependsOn"] = [str(exc)]
        return errors

    def to_representation(self, monitor: Monitor) -> dict:
        # Written by hand: lists serialize up to 100 monitors per request, and DRF's
        # per-field machinery costs several times more. `monitor` is a Monitor or a row
        # of REPRESENTATION_COLUMNS with the same attribute names (see the list view).
        # A test keeps the keys in step with the declared fields above.
        data = {"id": monitor.id, "name": monitor.name, "type": monitor.type, "status": monitor.status}
        kind = monitor.type
        if kind in URL_TYPES:
            data["url"] = monitor.url
        if kind in HTTP_TYPES:
            data["method"] = monitor.method
            data["headers"] = monitor.request_headers
            data["body"] = monitor.request_body
            data["expectedStatusCodes"] = monitor.expected_status_codes
            data["followRedirects"] = monitor.follow_redirects
            data["keyword"] = monitor.keyword
            data["keywordAbsent"] = monitor.keyword_absent
            if kind == Monitor.Type.HTTP:
                data["jsonPath"] = monitor.json_path
                data["jsonExpected"] = monitor.json_expected
        elif kind == Monitor.Type.SSL:
            data["sslDegradedDays"] = monitor.ssl_degraded_days
            data["sslDownDays"] = monitor.ssl_down_days
        elif kind in HOST_TYPES:
            data["host"] = monitor.host
            if kind == Monitor.Type.TCP:
                data["port"] = monitor.port
            else:
                data["recordType"] = monitor.record_type
                data["expectedValues"] = monitor.expected_values
                data["resolver"] = monitor.resolver
        elif kind == Monitor.Type.HEARTBEAT:
            data["pingUrl"] = self._ping_url(monitor)
            data["grace"] = monitor.grace
        elif kind in SERVICE_FIELDS:
            for name in SERVICE_FIELDS[kind]:
                if name == "password":
                    data[name] = MASK if monitor.password else ""
                else:
                    data[name] = getattr(monitor, _SERVICE_ATTRIBUTES[name])
        data["interval"] = monitor.interval
        data["timeout"] = monitor.timeout
        data["retries"] = monitor.retries
        data["degradedThreshold"] = monitor.degraded_threshold
        data["retryInterval"] = monitor.retry_interval
        data["regions"] = monitor.regions
        data["confirmations"] = monitor.confirmations
        data["alertChannels"] = monitor.alert_channels
        data["reminderInterval"] = monitor.reminder_interval
        data["escalation"] = monitor.escalation
        data["dependsOn"] = self._depends_on(monitor)
        data["acknowledgedAt"] = isoformat(monitor.acknowledged_at)
        data["acknowledgedBy"] = monitor.acknowledged_by or None
        data["lastCheck"] = isoformat(monitor.last_check_at)
        data["responseTime"] = monitor.response_time
        data["uptime"] = self._uptime(monitor)
        data["lastError"] = monitor.last_error
        data["badgeUrl"] = self._absolute(f"/badge/{monitor.badge_token}/status.svg")
        data["createdAt"] = isoformat(monitor.created_at)
        data["updatedAt"] = isoformat(monitor.updated_at)
        return data

    def _uptime(self, monitor: Monitor) -> float | None:
        # Lists and lookups come annotated (selectors.with_uptime_24h); a monitor just
        # created or updated reads its own.
        if not hasattr(monitor, "uptime_24h"):
            return selectors.uptime_by_monitor([monitor.id], window="24h")[monitor.id]
        return None if monitor.uptime_24h is None else round(monitor.uptime_24h, 3)

    def _depends_on(self, monitor: Monitor) -> list[str]:
        # A list page hands them all in, fetched in one query (see the list view).
        pages_dependencies = self.context.get("dependencies")
        if pages_dependencies is not None:
            return pages_dependencies.get(monitor.id, [])
        return selectors.dependency_ids([monitor.id])[monitor.id]

    def _ping_url(self, monitor: Monitor) -> str:
        return self._absolute(f"/ping/{monitor.ping_token}")

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


# The columns CheckResultSerializer reads: the list fetches just these, as named rows.
CHECK_RESULT_COLUMNS = (
    "scheduled_at", "region", "started_at", "status", "response_time", "status_code", "error", "in_maintenance",
)  # fmt: skip
CHECK_RESULT_STATUSES = [Monitor.Status.UP, Monitor.Status.DEGRADED, Monitor.Status.DOWN]


class CheckResultSerializer(serializers.Serializer):
    """One raw check result (read-only)."""

    scheduledAt = serializers.DateTimeField(source="scheduled_at", read_only=True, help_text="The check's slot.")
    region = serializers.CharField(
        read_only=True, help_text="The region it ran from; empty for checks recorded before regions were."
    )
    startedAt = serializers.DateTimeField(source="started_at", read_only=True)
    status = serializers.ChoiceField(choices=CHECK_RESULT_STATUSES, read_only=True)
    responseTime = serializers.IntegerField(
        source="response_time", read_only=True, allow_null=True, help_text="milliseconds"
    )
    statusCode = serializers.IntegerField(
        source="status_code", read_only=True, allow_null=True, help_text="HTTP status code, for HTTP checks."
    )
    error = serializers.CharField(read_only=True, help_text="Empty when the check passed.")
    inMaintenance = serializers.BooleanField(
        source="in_maintenance", read_only=True, help_text="Ran during maintenance: left out of uptime."
    )

    def to_representation(self, result: CheckResult) -> dict:
        # `result` is a CheckResult or a row of CHECK_RESULT_COLUMNS.
        return {
            "scheduledAt": isoformat(result.scheduled_at),
            "region": result.region,
            "startedAt": isoformat(result.started_at),
            "status": result.status,
            "responseTime": result.response_time,
            "statusCode": result.status_code,
            "error": result.error,
            "inMaintenance": result.in_maintenance,
        }


class UptimeWindowSerializer(serializers.Serializer):
    uptime = serializers.FloatField(
        allow_null=True, help_text="(UP + DEGRADED checks) / checks in %, to 3 decimals; null without checks."
    )
    checks = serializers.IntegerField(help_text="Checks in the window, maintenance left out.")
    down = serializers.IntegerField(help_text="Checks that were DOWN.")
    averageResponseTime = serializers.IntegerField(
        source="average_response_time", allow_null=True, help_text="milliseconds, over successful checks"
    )
    p95ResponseTime = serializers.IntegerField(
        source="p95_response_time",
        allow_null=True,
        help_text="milliseconds: the average of the hours' (24h, 7d) or days' (30d, 90d) 95th percentiles, "
        "weighted by their number of measurements; the current hour or day is not in it yet.",
    )


# Fields named "24h", "7d", …: not Python identifiers, so the class is built from a dict.
UptimeWindowsSerializer = type(
    "UptimeWindowsSerializer",
    (serializers.Serializer,),
    {window: UptimeWindowSerializer(read_only=True) for window in selectors.WINDOWS},
)


class RegionUptimeWindowSerializer(serializers.Serializer):
    uptime = serializers.FloatField(allow_null=True, help_text="As the monitor's, over this region's checks.")
    checks = serializers.IntegerField(help_text="This region's checks in the window, maintenance left out.")
    down = serializers.IntegerField(help_text="Of them, those that failed.")
    averageResponseTime = serializers.IntegerField(
        source="average_response_time", allow_null=True, help_text="milliseconds, over successful checks"
    )


# Per region, the windows the raw results are kept for (CHECK_RESULT_RETENTION_DAYS).
RegionUptimeWindowsSerializer = type(
    "RegionUptimeWindowsSerializer",
    (serializers.Serializer,),
    {window: RegionUptimeWindowSerializer(read_only=True) for window in selectors.REGION_WINDOWS},
)


class RegionUptimeSerializer(serializers.Serializer):
    region = serializers.CharField(read_only=True)
    windows = RegionUptimeWindowsSerializer(read_only=True)


class MonitorUptimeSerializer(serializers.Serializer):
    monitorId = serializers.CharField(source="monitor_id", read_only=True)
    windows = UptimeWindowsSerializer(read_only=True)
    regions = RegionUptimeSerializer(
        many=True,
        read_only=True,
        help_text="What each of the monitor's regions saw over the last 24 hours and 7 days, from the raw check "
        "results: a region's failures count here even when the other regions outvoted them.",
    )
