"""Dashboard pages for alert channels, their delivery logs, and acknowledging a DOWN monitor.

Everyone in the organization sees the channels and their logs (secrets masked); members
create, edit and test them, and acknowledge outages; deleting one needs an admin, as in
the API. A form is checked by the API's serializer and saved by the same services, so the
dashboard and the API take and refuse the same things with the same messages.

A channel's delivery log refreshes itself while an alert in it is pending: the log polls
its own rows (htmx) every 2 s, and stops once every alert has its outcome.
"""

from urllib.parse import urlencode

import orjson
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from rest_framework.exceptions import ValidationError

from accounts.dashboard import can, dashboard_view, error_text
from accounts.models import Membership
from monitors.models import Monitor
from statusapp.api.exceptions import PlanLimitReached
from webhooks.models import WebhookEndpoint
from webhooks.views import DELIVERY_BADGES

from . import forms, notify, services
from .acknowledgement import NotDown, acknowledge
from .api.serializers import AlertChannelSerializer
from .models import DEFAULT_EVENTS, Alert, AlertAttempt, AlertChannel, AlertEvent

MEMBER, ADMIN = Membership.Role.MEMBER, Membership.Role.ADMIN
PAGE_SIZE = 50
LOG_PAGE_SIZE = 20
EVENT_LABELS = {
    AlertEvent.MONITOR_DOWN: "Down",
    AlertEvent.MONITOR_UP: "Up",
    AlertEvent.MONITOR_DEGRADED: "Degraded",
    AlertEvent.SSL_EXPIRING: "Certificate expiring",
    AlertEvent.INCIDENT_CREATED: "Incident created",
    AlertEvent.INCIDENT_UPDATED: "Incident updated",
    AlertEvent.INCIDENT_RESOLVED: "Incident resolved",
}
KIND_LABELS = {"ssl_expiring": "Certificate expiring"}


def _channel(request, channel_id: str) -> AlertChannel:
    return get_object_or_404(AlertChannel, pk=channel_id, organization=request.organization)


def _event_labels(values: list[str]) -> list[str]:
    return [EVENT_LABELS.get(value, value) for value in values]


def _kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind) or kind.replace("_", " ").capitalize()


def _monitors_naming(organization) -> dict[str, int]:
    """How many of the organization's monitors name each channel in their alert channels."""
    counts: dict[str, int] = {}
    for channel_ids in Monitor.objects.filter(organization=organization).values_list("alert_channels", flat=True):
        for channel_id in set(channel_ids or ()):
            counts[channel_id] = counts.get(channel_id, 0) + 1
    return counts


def _roles(request) -> dict:
    return {"can_edit": can(request.membership, MEMBER), "can_delete": can(request.membership, ADMIN)}


# --- the delivery log ---


def _alerts(channel: AlertChannel):
    """The channel's alerts newest first, each with its attempts newest first (one prefetch)."""
    attempts = AlertAttempt.objects.order_by("-attempted_at", "-id")
    return (
        Alert.objects.filter(channel_id=channel.pk)
        .prefetch_related(Prefetch("attempt_log", queryset=attempts, to_attr="attempt_list"))
        .order_by("-created_at", "-id")
    )


def _about(alert: Alert) -> str:
    """The alert's one-line title, as its Message says it."""
    try:
        return str(orjson.loads(alert.message).get("title", ""))
    except (orjson.JSONDecodeError, AttributeError):
        return ""


def _log(request, channel: AlertChannel) -> dict:
    """A page of the channel's log (`page` in the query), and the URL that refreshes it."""
    page = Paginator(_alerts(channel), LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    alerts = list(page.object_list)
    for alert in alerts:
        alert.badge = DELIVERY_BADGES.get(alert.status, "")
        alert.kind_label = _kind_label(alert.kind)
        alert.about = _about(alert)
        alert.last_attempt = alert.attempt_list[0] if alert.attempt_list else None
    rows_url = f"{reverse('alert_channels:log', args=[channel.id])}?{urlencode({'page': page.number})}"
    return {
        "page": page,
        "alerts": alerts,
        "rows_url": rows_url,
        "polling": any(alert.status == Alert.Status.PENDING for alert in alerts),
    }


# --- channels ---


@dashboard_view()
def channel_list(request):
    latest = Alert.objects.filter(channel_id=OuterRef("pk")).order_by("-created_at", "-id")
    channels = (
        AlertChannel.objects.filter(organization=request.organization)
        .annotate(last_status=Subquery(latest.values("status")[:1]), last_at=Subquery(latest.values("created_at")[:1]))
        .order_by("-created_at", "id")
    )
    page = Paginator(channels, PAGE_SIZE).get_page(request.GET.get("page"))
    naming = _monitors_naming(request.organization)
    for channel in page.object_list:
        channel.type_label = forms.type_label(channel.type)
        channel.event_labels = _event_labels(channel.events)
        channel.monitor_count = naming.get(channel.id, 0)
        channel.last_badge = DELIVERY_BADGES.get(channel.last_status, "")
        channel.last_label = Alert.Status(channel.last_status).label if channel.last_status else ""
    context = {
        "section": "alerts",
        "title": "Alert channels",
        "page": page,
        "channels": page.object_list,
        "limit": request.organization.limits.alert_channels,
        "count": page.paginator.count,
        **_roles(request),
    }
    return render(request, "alerts/list.html", context)


@dashboard_view(MEMBER)
def channel_pick_type(request):
    context = {"section": "alerts", "title": "New alert channel", "types": forms.type_choices()}
    return render(request, "alerts/pick_type.html", context)


def _api_data(channel_type: str, post, *, creating: bool) -> dict:
    """The form as the API's body: every field of the form, always (an edit sends them all)."""
    data = {
        "name": post.get("name", "").strip(),
        "config": forms.posted_config(channel_type, post),
        "events": post.getlist("events"),
        "allMonitors": "all_monitors" in post,
        "enabled": "enabled" in post,
    }
    if creating:
        data["type"] = channel_type
    return data


def _split_errors(detail: dict) -> tuple[dict[str, str], dict[str, str]]:
    """A ValidationError's detail as the form's errors and its config fields' errors."""
    errors: dict[str, str] = {}
    config_errors: dict[str, str] = {}
    for name, value in detail.items():
        if name == "config" and isinstance(value, dict):
            config_errors = {str(field): error_text(messages_) for field, messages_ in value.items()}
        elif name in ("type", "config"):
            errors["nonFieldErrors"] = " ".join(filter(None, [errors.get("nonFieldErrors"), error_text(value)]))
        else:
            errors[name] = error_text(value)
    return errors, config_errors


def _config_errors(organization, channel_type: str, config: dict) -> dict[str, str]:
    """The config's own errors, when the serializer stopped at the other fields first: a new
    channel's form shows every error at once."""
    try:
        services.clean_config(organization=organization, type=channel_type, config=config)
    except ValidationError as exc:
        return _split_errors(exc.detail)[1]
    return {}


def _form_values(channel: AlertChannel | None, post) -> dict:
    if post is not None:
        return {
            "name": post.get("name", ""),
            "events": post.getlist("events"),
            "all_monitors": "all_monitors" in post,
            "enabled": "enabled" in post,
        }
    if channel is None:
        return {"name": "", "events": [str(event) for event in DEFAULT_EVENTS], "all_monitors": True, "enabled": True}
    return {
        "name": channel.name,
        "events": channel.events,
        "all_monitors": channel.all_monitors,
        "enabled": channel.enabled,
    }


def _form(request, channel_type: str, channel: AlertChannel | None):
    errors: dict[str, str] = {}
    config_errors: dict[str, str] = {}
    post = request.POST if request.method == "POST" else None
    if post is not None:
        data = _api_data(channel_type, post, creating=channel is None)
        serializer = AlertChannelSerializer(channel, data=data, partial=channel is not None)
        try:
            serializer.is_valid(raise_exception=True)
            if channel is None:
                created = services.channel_create(organization=request.organization, **serializer.validated_data)
                messages.success(request, f"Alert channel {created.name} created.")
                return redirect("alert_channels:detail", created.id)
            services.channel_update(channel=channel, **serializer.validated_data)
            messages.success(request, f"Alert channel {channel.name} saved.")
            return redirect("alert_channels:detail", channel.id)
        except ValidationError as exc:
            detail = exc.detail if isinstance(exc.detail, dict) else {"config": exc.detail}
            errors, config_errors = _split_errors(detail)
            if channel is None and not config_errors:
                config_errors = _config_errors(request.organization, channel_type, data["config"])
        except PlanLimitReached as exc:
            errors = {"nonFieldErrors": str(exc.detail)}
        if channel is not None:
            channel.refresh_from_db()  # what a failed update may have set on the instance is not what is stored
    context = {
        "section": "alerts",
        "title": f"New {forms.type_label(channel_type)} channel" if channel is None else "Edit alert channel",
        "channel": channel,
        "channel_type": channel_type,
        "type_label": forms.type_label(channel_type),
        "hint": forms.type_hint(channel_type),
        "inputs": forms.config_inputs(
            channel_type,
            organization=request.organization,
            channel=channel,
            post=post,
            errors=config_errors,
            suggested={"to": request.user.email} if channel is None else {},
        ),
        "values": _form_values(channel, post),
        "errors": errors,
        "event_types": AlertEvent.choices,
        "has_endpoints": channel_type != services.WEBHOOK
        or WebhookEndpoint.objects.filter(organization=request.organization).exists(),
    }
    return render(request, "alerts/form.html", context, status=400 if errors or config_errors else 200)


@dashboard_view(MEMBER)
def channel_create(request, channel_type: str):
    if channel_type not in forms.offered_types():
        raise Http404("No such channel type.")
    return _form(request, channel_type, None)


@dashboard_view(MEMBER)
def channel_edit(request, channel_id: str):
    channel = _channel(request, channel_id)
    return _form(request, channel.type, channel)


def _config_shown(channel: AlertChannel) -> list[tuple[str, str]]:
    """(label, value) of the channel's settings, secrets masked; a webhook's endpoint by its URL."""
    shown = []
    for name, value in services.masked_config(channel).items():
        if name == "endpoint":
            endpoint = WebhookEndpoint.objects.filter(organization=channel.organization, pk=value).first()
            value = endpoint.url if endpoint else f"{value} (deleted)"
        text = ", ".join(value) if isinstance(value, list) else str(value)
        shown.append((forms.field_label(channel.type, name), text))
    return shown


@dashboard_view()
def channel_detail(request, channel_id: str):
    channel = _channel(request, channel_id)
    context = {
        "section": "alerts",
        "title": channel.name,
        "channel": channel,
        "type_label": forms.type_label(channel.type),
        "event_labels": _event_labels(channel.events),
        "monitor_count": _monitors_naming(request.organization).get(channel.id, 0),
        "config": _config_shown(channel),
        **_log(request, channel),
        **_roles(request),
    }
    return render(request, "alerts/detail.html", context)


@dashboard_view(ADMIN)
def channel_delete(request, channel_id: str):
    channel = _channel(request, channel_id)
    if request.method == "POST":
        services.channel_delete(channel=channel)
        messages.success(request, f"Alert channel {channel.name} deleted.")
        return redirect("alert_channels:list")
    context = {"section": "alerts", "title": "Delete alert channel", "channel": channel}
    return render(request, "alerts/confirm_delete.html", context)


@require_POST
@dashboard_view(MEMBER)
def channel_send_test(request, channel_id: str):
    """From the channel's page (htmx) the answer is its refreshed log, the test alert on top;
    without JavaScript, the channel's page again with a message."""
    channel = _channel(request, channel_id)
    if not channel.enabled:
        messages.error(request, "This channel is disabled: enable it before sending a test.")
        return redirect("alert_channels:detail", channel.id)
    notify.send_test(channel)
    if request.headers.get("HX-Request"):
        context = {"channel": channel, "note": "Test alert queued.", **_log(request, channel)}
        return render(request, "alerts/_log.html", context)
    messages.success(request, "Test alert queued.")
    return redirect("alert_channels:detail", channel.id)


@dashboard_view()
def channel_log(request, channel_id: str):
    """The delivery log alone, a page of it as the channel's page shows it: what that page polls."""
    channel = _channel(request, channel_id)
    return render(request, "alerts/_log.html", {"channel": channel, **_log(request, channel)})


# --- acknowledging a DOWN monitor ---


@require_POST
@dashboard_view(MEMBER)
def acknowledge_monitor(request, monitor_id: str):
    monitor = get_object_or_404(Monitor, pk=monitor_id, organization=request.organization)
    try:
        monitor = acknowledge(monitor=monitor, by=request.user.email or request.user.get_username())
    except NotDown as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{monitor.name} acknowledged: no reminders or escalation until it recovers.")
    return redirect("monitors:detail", monitor.id)
