"""Dashboard pages for incidents and maintenance windows.

Incidents: the list (open ones first), create and edit forms, and an incident's page with
its timeline, a form to post an update (optionally notifying subscribers) and a Resolve
button. Maintenance windows: list, create, edit, delete. Every form is validated by the
API's own serializer (the same rules and messages) and saved by the same services.
"""

import re
from datetime import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, Prefetch, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.dashboard import api_context, can, dashboard_view, field_errors
from accounts.models import Membership
from monitors.models import Monitor

from . import maintenance as maintenance_services
from . import services
from .api.maintenance_serializers import MaintenanceSerializer
from .api.serializers import IncidentSerializer, IncidentUpdateSerializer
from .models import (
    IMPACT_COMPONENT_STATUS,
    ComponentStatus,
    Impact,
    Incident,
    IncidentStatus,
    Maintenance,
    MaintenanceStatus,
)
from .selectors import incidents_with_components

PAGE_SIZE = 50
MEMBER = Membership.Role.MEMBER
OPEN = "open"  # the list's filter for every status but RESOLVED
# What a datetime-local input sends: no zone, read in the person's time zone.
LOCAL_DATETIME = re.compile(r"\A\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?\Z")


def _can_edit(request) -> bool:
    return can(request.membership, MEMBER)


def _monitors(request):
    return Monitor.objects.filter(organization=request.organization).order_by("name", "id").only("id", "name")


# --- incidents ---


def _incidents(request, status: str):
    incidents = Incident.objects.filter(organization=request.organization)
    if status == OPEN:
        incidents = incidents.exclude(status=IncidentStatus.RESOLVED)
    elif status in IncidentStatus.values:
        incidents = incidents.filter(status=status)
    # Open incidents first, newest first; then resolved ones, most recently resolved first.
    incidents = incidents.annotate(
        closed=Case(When(status=IncidentStatus.RESOLVED, then=Value(1)), default=Value(0), output_field=IntegerField())
    ).order_by("closed", F("resolved_at").desc(nulls_first=True), "-created_at", "id")
    return incidents_with_components(incidents)


@dashboard_view()
def incident_list(request):
    status = request.GET.get("status", "")
    page = Paginator(_incidents(request, status), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "section": "incidents",
        "title": "Incidents",
        "page": page,
        "incidents": page.object_list,
        "status": status,
        "statuses": [(OPEN, "Open (not resolved)"), *IncidentStatus.choices],
        "can_edit": _can_edit(request),
    }
    return render(request, "incidents/list.html", context)


def _incident_values(incident: Incident | None, post=None) -> dict:
    """The form's values: `affected` maps each checked monitor id to its component status
    ("" for "from the impact")."""
    if post is not None:
        values = {name: post.get(name, "") for name in ("title", "description", "impact", "status")}
        values["affected"] = {
            monitor_id: post.get(f"component-{monitor_id}", "") for monitor_id in post.getlist("affected")
        }
        return values
    if incident is None:
        return {"impact": Impact.NONE, "status": IncidentStatus.INVESTIGATING, "affected": {}}
    if incident.status == IncidentStatus.RESOLVED:
        default = ComponentStatus.OPERATIONAL
    else:
        default = IMPACT_COMPONENT_STATUS[Impact(incident.impact)]
    return {
        "title": incident.title,
        "description": incident.description,
        "impact": incident.impact,
        "status": incident.status,
        "affected": {
            component.monitor_id: "" if component.status == default else component.status
            for component in incident.affected.all()
        },
    }


def _incident_data(post, editing: bool) -> dict:
    """The form as the API's body. Empty fields are left out (an empty title is then "This
    field is required."); the status of an existing incident changes through its timeline."""
    data = {"description": post.get("description", "")}
    for name in ("impact",) if editing else ("impact", "status"):
        if post.get(name):
            data[name] = post[name]
    title = post.get("title", "")
    if title.strip():
        data["title"] = title
    affected = []
    for monitor_id in post.getlist("affected"):
        status = post.get(f"component-{monitor_id}", "")
        affected.append({"id": monitor_id, "status": status} if status else monitor_id)
    data["affectedComponents"] = affected
    return data


def _incident_form(request, incident: Incident | None):
    errors = {}
    if request.method == "POST":
        serializer = IncidentSerializer(
            incident, data=_incident_data(request.POST, incident is not None), context=api_context(request)
        )
        if serializer.is_valid():
            data = dict(serializer.validated_data)
            data["affected"] = data.pop("affected", ())
            if incident is None:
                saved = services.incident_create(organization=request.organization, **data)
            else:
                saved = services.incident_update(incident=incident, **data)
            messages.success(request, f"Incident “{saved.title}” saved.")
            return redirect("incidents:detail", saved.id)
        errors = field_errors(serializer.errors)
    values = _incident_values(incident, request.POST if request.method == "POST" else None)
    monitors = list(_monitors(request))
    for monitor in monitors:
        monitor.checked = monitor.id in values["affected"]
        monitor.component_status = values["affected"].get(monitor.id, "")
    context = {
        "section": "incidents",
        "title": "New incident" if incident is None else f"Edit {incident.title}",
        "incident": incident,
        "values": values,
        "errors": errors,
        "monitors": monitors,
        "impacts": Impact.choices,
        "statuses": IncidentStatus.choices,
        "component_statuses": ComponentStatus.choices,
    }
    return render(request, "incidents/form.html", context, status=400 if errors else 200)


@dashboard_view(MEMBER)
def incident_create(request):
    return _incident_form(request, None)


def _own_incident(request, incident_id: str) -> Incident:
    queryset = incidents_with_components(Incident.objects.filter(organization=request.organization))
    return get_object_or_404(queryset, pk=incident_id)


@dashboard_view(MEMBER)
def incident_edit(request, incident_id: str):
    return _incident_form(request, _own_incident(request, incident_id))


def _public_pages(request, incident: Incident):
    """The organization's status pages that show this incident: those with one of its
    components, or every page when it names none (as the public pages decide)."""
    pages = request.organization.status_pages.order_by("name", "id").only("id", "name", "slug", "is_public")
    affected_ids = [component.monitor_id for component in incident.affected.all()]
    if affected_ids:
        pages = pages.filter(components__monitor_id__in=affected_ids).distinct()
    return list(pages)


def _detail(request, incident: Incident, update_values: dict | None = None, errors: dict | None = None):
    context = {
        "section": "incidents",
        "title": incident.title,
        "incident": incident,
        "components": incident.affected.all(),
        "updates": incident.updates.order_by("-created_at", "-id"),
        "pages": _public_pages(request, incident),
        "statuses": IncidentStatus.choices,
        "values": update_values or {"status": incident.status, "message": "", "notifySubscribers": False},
        "errors": errors or {},
        "can_edit": _can_edit(request),
    }
    return render(request, "incidents/detail.html", context, status=400 if errors else 200)


@dashboard_view()
def monitor_incidents(request, monitor_id: str):
    """The incidents that name one monitor, newest first: a fragment the monitor's page loads."""
    monitor = get_object_or_404(Monitor, pk=monitor_id, organization=request.organization)
    incidents = Incident.objects.filter(organization=request.organization, affected__monitor=monitor).order_by(
        "-created_at"
    )[:20]
    return render(request, "incidents/_monitor_incidents.html", {"incidents": incidents})


@dashboard_view()
def incident_detail(request, incident_id: str):
    return _detail(request, _own_incident(request, incident_id))


@require_POST
@dashboard_view(MEMBER)
def incident_post_update(request, incident_id: str):
    """A timeline entry, optionally with a new status and a note to the pages' subscribers."""
    incident = _own_incident(request, incident_id)
    values = {
        "message": request.POST.get("message", ""),
        "status": request.POST.get("status", ""),
        "notifySubscribers": "notifySubscribers" in request.POST,
    }
    data = {"message": values["message"], "notifySubscribers": values["notifySubscribers"]}
    if values["status"]:
        data["status"] = values["status"]
    serializer = IncidentUpdateSerializer(data=data)
    if not serializer.is_valid():
        return _detail(request, incident, values, field_errors(serializer.errors))
    services.incident_add_update(incident=incident, **serializer.validated_data)
    notified = " Subscribers will be notified." if values["notifySubscribers"] else ""
    messages.success(request, f"Update posted.{notified}")
    return redirect("incidents:detail", incident.id)


@require_POST
@dashboard_view(MEMBER)
def incident_resolve(request, incident_id: str):
    incident = _own_incident(request, incident_id)
    if incident.status == IncidentStatus.RESOLVED:
        messages.info(request, f"“{incident.title}” was already resolved.")
    else:
        services.incident_update(incident=incident, status=IncidentStatus.RESOLVED)
        messages.success(request, f"“{incident.title}” resolved.")
    return redirect("incidents:detail", incident.id)


# --- maintenance windows ---


def _with_monitors(queryset):
    return queryset.prefetch_related(Prefetch("monitors", Monitor.objects.order_by("name").only("id", "name")))


@dashboard_view()
def maintenance_list(request):
    status = request.GET.get("status", "")
    windows = Maintenance.objects.filter(organization=request.organization)
    if status in MaintenanceStatus.values:
        windows = windows.filter(status=status)
    upcoming = windows.exclude(status=MaintenanceStatus.COMPLETED).order_by("starts_at", "id")
    completed = windows.filter(status=MaintenanceStatus.COMPLETED).order_by("-starts_at", "id")
    page = Paginator(_with_monitors(completed), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "section": "incidents",
        "title": "Maintenance windows",
        "upcoming": _with_monitors(upcoming),
        "page": page,
        "completed": page.object_list,
        "status": status,
        "statuses": MaintenanceStatus.choices,
        "active_statuses": maintenance_services.ACTIVE_STATUSES,
        "can_edit": _can_edit(request),
    }
    return render(request, "incidents/maintenance_list.html", context)


def _datetime_input(value: datetime) -> str:
    """A stored time as a datetime-local value, in the active time zone."""
    value = timezone.localtime(value)
    return value.strftime("%Y-%m-%dT%H:%M" if value.second == 0 else "%Y-%m-%dT%H:%M:%S")


def _maintenance_values(window: Maintenance | None, post=None) -> dict:
    if post is not None:
        values = {name: post.get(name, "") for name in ("title", "description", "status", "startsAt", "endsAt")}
        values["monitors"] = post.getlist("monitors")
        return values
    if window is None:
        return {"status": MaintenanceStatus.SCHEDULED, "monitors": []}
    return {
        "title": window.title,
        "description": window.description,
        "status": window.status,
        "startsAt": _datetime_input(window.starts_at),
        "endsAt": _datetime_input(window.ends_at),
        "monitors": [monitor.pk for monitor in window.monitors.all()],
    }


def _zoned(value: str) -> str:
    """A datetime-local value (no zone) is a time in the active time zone, sent on with its
    UTC offset; anything else (an impossible date included) goes to the API's parser as sent."""
    if not LOCAL_DATETIME.match(value):
        return value
    try:
        local = datetime.fromisoformat(value)
    except ValueError:
        return value
    return timezone.make_aware(local).isoformat()


def _maintenance_data(post) -> dict:
    """The whole form as the API's body. Empty fields are left out: a required one is then
    "This field is required.", an empty status is the API's default."""
    data = {"description": post.get("description", ""), "monitors": post.getlist("monitors")}
    if post.get("status"):
        data["status"] = post["status"]
    if post.get("title", "").strip():
        data["title"] = post["title"]
    for name in ("startsAt", "endsAt"):
        value = post.get(name, "").strip()
        if value:
            data[name] = _zoned(value)
    return data


def _maintenance_form(request, window: Maintenance | None):
    errors = {}
    if request.method == "POST":
        serializer = MaintenanceSerializer(window, data=_maintenance_data(request.POST), context=api_context(request))
        if serializer.is_valid():
            if window is None:
                saved = maintenance_services.maintenance_create(
                    organization=request.organization, **serializer.validated_data
                )
            else:
                saved = maintenance_services.maintenance_update(maintenance=window, **serializer.validated_data)
            messages.success(request, f"Maintenance window “{saved.title}” saved.")
            return redirect("incidents:maintenance-list")
        errors = field_errors(serializer.errors)
    values = _maintenance_values(window, request.POST if request.method == "POST" else None)
    monitors = list(_monitors(request))
    for monitor in monitors:
        monitor.checked = monitor.id in values["monitors"]
    context = {
        "section": "incidents",
        "title": "New maintenance window" if window is None else f"Edit {window.title}",
        "window": window,
        "values": values,
        "errors": errors,
        "monitors": monitors,
        "statuses": MaintenanceStatus.choices,
        "time_zone": timezone.get_current_timezone_name(),
    }
    return render(request, "incidents/maintenance_form.html", context, status=400 if errors else 200)


def _own_window(request, maintenance_id: str) -> Maintenance:
    return get_object_or_404(_with_monitors(Maintenance.objects), pk=maintenance_id, organization=request.organization)


@dashboard_view(MEMBER)
def maintenance_create(request):
    return _maintenance_form(request, None)


@dashboard_view(MEMBER)
def maintenance_edit(request, maintenance_id: str):
    return _maintenance_form(request, _own_window(request, maintenance_id))


@dashboard_view(MEMBER)
def maintenance_delete(request, maintenance_id: str):
    window = _own_window(request, maintenance_id)
    if request.method == "POST":
        maintenance_services.maintenance_delete(maintenance=window)
        messages.success(request, f"Maintenance window “{window.title}” deleted.")
        return redirect("incidents:maintenance-list")
    context = {"section": "incidents", "title": "Delete maintenance window", "window": window}
    return render(request, "incidents/maintenance_confirm_delete.html", context)
