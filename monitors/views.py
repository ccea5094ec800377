"""Dashboard pages for monitors: the list (its rows refresh themselves every few seconds),
create and edit forms validated by the API's own serializer (the same rules and the same
messages), pause and resume, delete, and bulk pause or delete. The form's alerting fields
take alert channels from monitors.channel_refs: alerts, above this app, registers them.

With several regions configured the form names the regions a monitor is checked from, and
the monitor's page shows what each of them saw: a panel per region, a chart line per
region, and a heartbeat strip whose cells are each slot's verdict (monitors.regions)."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Avg, F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.dashboard import api_context, dashboard_view, error_text, field_errors
from accounts.encryption import Undecryptable
from accounts.models import Membership
from statusapp.api.exceptions import PlanLimitReached

from . import channel_refs, regions, selectors, services
from .api.serializers import MAX_ESCALATION_STEPS, TYPE_FIELDS, MonitorSerializer
from .engine import CheckResult as Outcome
from .models import CheckResult, Monitor, Rollup, StatusChange

PAGE_SIZE = 50
INTEGER_FIELDS = {
    *("interval", "timeout", "retries", "degradedThreshold", "retryInterval", "reminderInterval"),
    *("port", "grace", "sslDegradedDays", "sslDownDays", "pingCount"),
}
BOOLEAN_FIELDS = {"followRedirects", "keywordAbsent", "tls"}
# Emptied in the form: back to null (the interval, no reminders).
NULLABLE_FIELDS = {"retryInterval", "reminderInterval"}
COMMON_FIELDS = [
    "name",
    "type",
    "interval",
    "timeout",
    "retries",
    "degradedThreshold",
    "retryInterval",
    "reminderInterval",
]
# Sent by the form with its alerting fields: an empty multi-select sends nothing at all, so
# without it a post that never showed them would clear the lists.
ALERTING_MARKER = "alerting"
LIST_FIELDS = ("alertChannels", "dependsOn")
# Sent with the regions fieldset (shown only with several regions configured): no region
# ticked then means all of them, while a post without the fieldset leaves them alone.
REGIONS_MARKER = "regionsShown"
ESCALATION_ROWS = 3  # shown at least, and one free row after the steps set, up to the API's limit
MEMBER = Membership.Role.MEMBER


def _monitors(request):
    monitors = Monitor.objects.filter(organization=request.organization)
    status = request.GET.get("status", "")
    if status in Monitor.Status.values:
        monitors = monitors.filter(status=status)
    kind = request.GET.get("type", "")
    if kind in Monitor.Type.values:
        monitors = monitors.filter(type=kind)
    if request.GET.get("maintenance") == "1":
        monitors = monitors.filter(in_maintenance=True)
    search = request.GET.get("q", "").strip()
    if search:
        monitors = monitors.filter(name__icontains=search)
    return selectors.with_uptime_24h(monitors)


def _sparklines(monitor_ids: list[str]) -> dict[str, str]:
    """SVG polyline points of each monitor's hourly mean response time over 24 hours."""
    since = timezone.now() - timedelta(hours=24)
    series: dict[str, list[float]] = {monitor_id: [] for monitor_id in monitor_ids}
    rows = (
        Rollup.objects.filter(monitor_id__in=monitor_ids, period=Rollup.Period.HOUR, bucket__gt=since)
        .exclude(response_time_count=0)
        .order_by("bucket")
        .values_list("monitor_id")
        .annotate(mean=Avg(F("response_time_sum") * 1.0 / F("response_time_count")))
        .values_list("monitor_id", "mean")
    )
    for monitor_id, mean in rows:
        series[monitor_id].append(mean)
    points = {}
    for monitor_id, values in series.items():
        if len(values) < 2:
            continue
        top = max(values) or 1
        step = 100 / (len(values) - 1)
        points[monitor_id] = " ".join(f"{i * step:.1f},{24 - value / top * 22:.1f}" for i, value in enumerate(values))
    return points


def _rows_context(request) -> dict:
    page = Paginator(_monitors(request), PAGE_SIZE).get_page(request.GET.get("page"))
    monitors = list(page.object_list)
    sparklines = _sparklines([monitor.id for monitor in monitors])
    for monitor in monitors:
        monitor.sparkline = sparklines.get(monitor.id)
    return {
        "page": page,
        "monitors": monitors,
        "can_edit": request.membership.role != Membership.Role.VIEWER,
    }


@dashboard_view()
def monitor_list(request):
    context = _rows_context(request)
    context.update(
        section="monitors",
        title="Monitors",
        statuses=Monitor.Status.choices,
        types=Monitor.Type.choices,
        query=request.GET.urlencode(),
        plan_limit=_plan_limit(request),
    )
    return render(request, "monitors/list.html", context)


@dashboard_view()
def monitor_rows(request):
    """The list's rows alone: what the page polls."""
    return render(request, "monitors/_rows.html", _rows_context(request))


def _api_data(post, monitor_type: str) -> dict:
    """The form's fields as the API's body for this type: empty fields are left out."""
    data = {}
    for name in [*COMMON_FIELDS, *sorted(TYPE_FIELDS.get(monitor_type, ()))]:
        if name in BOOLEAN_FIELDS:
            data[name] = name in post
            continue
        # A password is sent as typed; left blank, it is not sent, so the stored one stays.
        value = post.get(name, "") if name == "password" else post.get(name, "").strip()
        if value == "":
            if name in NULLABLE_FIELDS and name in post:
                data[name] = None
            continue
        if name in INTEGER_FIELDS:
            data[name] = int(value) if value.lstrip("-").isdigit() else value
        elif name == "headers":
            data[name] = dict(_header(line) for line in value.splitlines() if line.strip())
        elif name == "expectedValues":
            data[name] = [item.strip() for item in value.split(",") if item.strip()]
        else:
            data[name] = value
    return data


def _escalation_steps(post) -> list[tuple[int, dict]]:
    """(form row, step) for each filled-in escalation row, by increasing minutes when they
    are numbers: the rows may be filled in any order."""
    steps = []
    for row in range(MAX_ESCALATION_STEPS):
        after = post.get(f"escalation-{row}-after", "").strip()
        channels = post.getlist(f"escalation-{row}-channels")
        if not after and not channels:
            continue
        step = {"channels": channels}
        if after:
            step["afterMinutes"] = int(after) if after.isdigit() else after
        steps.append((row, step))
    if all(isinstance(step.get("afterMinutes"), int) for _, step in steps):
        steps.sort(key=lambda row_step: row_step[1]["afterMinutes"])
    return steps


def _header(line: str) -> tuple[str, str]:
    name, _, value = line.partition(":")
    return name.strip(), value.strip()


def _form_values(monitor: Monitor | None, post=None) -> dict:
    if post is not None:
        values = {name: post.get(name, "") for name in post} | {name: name in post for name in BOOLEAN_FIELDS}
        values.update({name: post.getlist(name) for name in LIST_FIELDS})
        values["escalation"] = dict(_escalation_steps(post))
        values["regions"] = post.getlist("regions")
        return values
    if monitor is None:
        return {"type": Monitor.Type.HTTP, "followRedirects": True, "interval": 60, "regions": []}
    data = MonitorSerializer(monitor).data
    data["headers"] = "\n".join(f"{name}: {value}" for name, value in (data.get("headers") or {}).items())
    data["expectedValues"] = ", ".join(data.get("expectedValues") or [])
    data["escalation"] = dict(enumerate(data["escalation"]))
    return data


def _escalation_rows(steps: dict[int, dict], errors: dict) -> list[dict]:
    """The escalation rows to show: the steps in their rows, then empty ones."""
    count = min(MAX_ESCALATION_STEPS, max(ESCALATION_ROWS, max(steps, default=-1) + 2))
    rows = []
    for row in range(count):
        step = steps.get(row, {})
        after = step.get("afterMinutes", "")
        rows.append(
            {"row": row, "after": after, "channels": step.get("channels", []), "error": errors.get(f"escalation-{row}")}
        )
    return rows


def _alerting_choices(organization, monitor: Monitor | None, values: dict) -> dict:
    """The form's alert channels (with any chosen id that is not one, so it can be seen and
    removed) and the monitors this one may depend on."""
    channels = channel_refs.channel_choices(organization.id)
    known = {channel_id for channel_id, _ in channels}
    chosen = [
        *values.get("alertChannels", []),
        *(c for step in values.get("escalation", {}).values() for c in step["channels"]),
    ]
    for channel_id in dict.fromkeys(chosen):
        if channel_id not in known:
            channels.append((channel_id, f"{channel_id} (not found)"))
    others = Monitor.objects.filter(organization=organization).order_by("name", "id")
    if monitor is not None:
        others = others.exclude(id=monitor.id)
    return {"channel_choices": channels, "dependency_choices": list(others.values_list("id", "name"))}


def _save(request, monitor: Monitor | None, copy_of: Monitor | None = None):
    monitor_type = request.POST.get("type", "") if monitor is None else monitor.type
    data = _api_data(request.POST, monitor_type)
    copied_password = _copied_password(copy_of)
    if copied_password and "password" in TYPE_FIELDS.get(monitor_type, ()):
        data.setdefault("password", copied_password)  # left blank in a copy: the original's
    rows = []
    if ALERTING_MARKER in request.POST:
        data.update({name: request.POST.getlist(name) for name in LIST_FIELDS})
        steps = _escalation_steps(request.POST)
        data["escalation"] = [step for _, step in steps]
        rows = [row for row, _ in steps]
    if REGIONS_MARKER in request.POST and monitor_type != Monitor.Type.HEARTBEAT:
        data.update(_region_data(request.POST))
    if monitor is not None:
        data.pop("type", None)
    serializer = MonitorSerializer(monitor, data=data, partial=monitor is not None, context=api_context(request))
    if not serializer.is_valid():
        errors = field_errors(serializer.errors)
        step_errors = serializer.errors.get("escalation")
        if isinstance(step_errors, dict):  # per step: shown next to its form row
            del errors["escalation"]
            errors.update({f"escalation-{rows[step]}": error_text(detail) for step, detail in step_errors.items()})
        return None, errors
    try:
        if monitor is None:
            return services.monitor_create(organization=request.organization, **serializer.validated_data), {}
        return services.monitor_update(monitor=monitor, **serializer.validated_data), {}
    except PlanLimitReached as exc:
        return None, {"nonFieldErrors": str(exc.detail)}


def _region_data(post) -> dict:
    """The regions fieldset as the API's body: the ticked regions ([]: all of them) and the
    confirmations (empty: null, a majority)."""
    confirmations = post.get("confirmations", "").strip()
    if confirmations == "":
        confirmations = None
    elif confirmations.lstrip("-").isdigit():
        confirmations = int(confirmations)  # out of range: the serializer says so
    return {"regions": post.getlist("regions"), "confirmations": confirmations}


def _region_choices() -> list[str]:
    """The regions the form offers: none with a single region configured (nothing to choose)."""
    configured = list(settings.STATUSAPP_REGIONS)
    return configured if len(configured) > 1 else []


def _copied_password(source: Monitor | None) -> str:
    """The password a copy of `source` takes when its input is left blank: none when the
    current key cannot open the original's (the copy needs one typed in)."""
    if source is None or isinstance(source.password, Undecryptable):
        return ""
    return source.password


def _copy_values(source: Monitor) -> dict:
    """The form's values for a new monitor like `source`: its settings under the name
    "… (copy)". A heartbeat monitor's ping token is not a form value: the copy gets its own."""
    values = _form_values(source)
    suffix = " (copy)"
    values["name"] = source.name[: Monitor._meta.get_field("name").max_length - len(suffix)] + suffix
    return values


def _plan_limit(request) -> dict:
    """The plan's monitor limit and how many the organization has, for the New button."""
    return {
        "limit": request.organization.limits.monitors,
        "count": Monitor.objects.filter(organization=request.organization).count(),
        "plan": request.organization.get_plan_display(),
    }


def _at_plan_limit(request) -> str | None:
    """Why no monitor can be added now, or None."""
    plan = _plan_limit(request)
    if plan["limit"] is None or plan["count"] < plan["limit"]:
        return None
    return f"Plan limit reached: {plan['limit']} monitors on {plan['plan']}."


def _field_types() -> dict[str, str]:
    """Each type-specific field's types, as the form's `data-types` (its script shows a field
    only for them)."""
    return {
        name: " ".join(kind for kind, fields in TYPE_FIELDS.items() if name in fields)
        for name in set().union(*TYPE_FIELDS.values())
    }


def _form(request, monitor: Monitor | None, copy_of: Monitor | None = None):
    if monitor is None and request.method == "GET" and (refusal := _at_plan_limit(request)):
        # Say so now rather than offer a form that fails once filled in.
        messages.error(request, refusal)
        return redirect("monitors:list")
    errors = {}
    if request.method == "POST":
        saved, errors = _save(request, monitor, copy_of)
        if saved is not None:
            messages.success(request, f"Monitor “{saved.name}” saved.")
            return redirect("monitors:list")
    if request.method == "POST":
        values = _form_values(monitor, request.POST)
    else:
        values = _copy_values(copy_of) if copy_of is not None else _form_values(monitor)
    if copy_of is not None:
        title = f"Clone {copy_of.name}"
    else:
        title = "New monitor" if monitor is None else f"Edit {monitor.name}"
    context = {
        "section": "monitors",
        "title": title,
        "monitor": monitor,
        "copy_of": copy_of,
        "values": values,
        "errors": errors,
        "escalation_rows": _escalation_rows(values.get("escalation", {}), errors),
        **_alerting_choices(request.organization, monitor, values),
        "types": Monitor.Type.choices,
        "methods": MonitorSerializer().fields["method"].choices,
        "record_types": Monitor.RecordType.choices,
        "field_types": _field_types(),
        "region_choices": _region_choices(),
        # A heartbeat is judged from its pings, not from a place: its form has no regions.
        "region_types": " ".join(kind for kind in Monitor.Type.values if kind != Monitor.Type.HEARTBEAT),
        # Its password is never shown: a blank password input keeps the stored (or copied) one.
        "keeps_password": bool(monitor.password if monitor is not None else _copied_password(copy_of)),
    }
    return render(request, "monitors/form.html", context, status=400 if errors else 200)


# The 24-hour chart shows every check (selectors.checks_chart); longer windows the hourly
# or daily rollups: (period, buckets).
ROLLUP_WINDOWS = {"7d": (Rollup.Period.HOUR, 24 * 7), "30d": (Rollup.Period.DAY, 30), "90d": (Rollup.Period.DAY, 90)}
CHART_WINDOWS = ["24h", *ROLLUP_WINDOWS]
HEARTBEAT_CELLS = 60  # the heartbeat strip's checks, as on Uptime Kuma's monitor page
RECENT_CHECKS_SHOWN = 20


def _chart(monitor: Monitor, window: str, by_region: list[str]) -> dict:
    """For Chart.js: per check over 24 hours (`period` "check", `failed` flags; with
    `by_region`, a series per region under `regions`), else per hour (7d) or day (30d,
    90d) with the mean response time and uptime."""
    if window == "24h" and by_region:
        return _region_chart(monitor, by_region)
    if window == "24h":
        points = selectors.checks_chart(monitor)
        return {
            "labels": [at.isoformat() for at, _, _ in points],
            "response": [None if failed else response_time for _, response_time, failed in points],
            "failed": [failed for _, _, failed in points],
            "period": "check",
        }
    period, buckets = ROLLUP_WINDOWS[window]
    step = timedelta(hours=1) if period == Rollup.Period.HOUR else timedelta(days=1)
    rows = Rollup.objects.filter(monitor=monitor, period=period, bucket__gt=timezone.now() - step * buckets).order_by(
        "bucket"
    )
    return {
        "labels": [row.bucket.isoformat() for row in rows],
        "response": [
            round(row.response_time_sum / row.response_time_count) if row.response_time_count else None for row in rows
        ],
        "uptime": [round((row.up + row.degraded) * 100 / row.checks, 3) if row.checks else None for row in rows],
        "period": period,
    }


def _region_chart(monitor: Monitor, names: list[str]) -> dict:
    """The 24-hour chart with a line per region: `labels` are the times any region has a
    point at (the slots, shared by the regions checking them), and each region's
    `response` and `failed` have an entry per label (null where it has no point)."""
    series = selectors.region_checks_chart(monitor, names)
    labels = sorted({at for points in series.values() for at, _, _ in points})
    position = {at: n for n, at in enumerate(labels)}
    per_region = []
    for name in names:
        response: list[int | None] = [None] * len(labels)
        failed: list[bool | None] = [None] * len(labels)
        for at, response_time, check_failed in series[name]:
            response[position[at]] = None if check_failed else response_time
            failed[position[at]] = check_failed
        per_region.append({"name": name, "response": response, "failed": failed})
    return {"labels": [at.isoformat() for at in labels], "regions": per_region, "period": "check"}


# The day bar's one-letter classes (app.css), as on the public pages.
DAY_CLASS = {"nodata": "n", "up": "u", "minor": "m", "partial": "p", "major": "x"}


def _days(monitor: Monitor, days: int = 90) -> list[dict]:
    """The last `days` days, oldest first: each day's date, uptime % (None without checks)
    and its colour (selectors.uptime_level)."""
    today = timezone.now().date()
    start = datetime.combine(today - timedelta(days=days - 1), time.min, tzinfo=UTC)
    rows = Rollup.objects.filter(monitor=monitor, period=Rollup.Period.DAY, bucket__gte=start)
    by_day = {
        bucket.date(): (up + degraded, checks)
        for bucket, checks, up, degraded in rows.values_list("bucket", "checks", "up", "degraded")
    }
    cells = []
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        uptime = selectors.uptime_percent(*by_day.get(day, (None, None)))
        cells.append({"date": day, "uptime": uptime, "level": DAY_CLASS[selectors.uptime_level(uptime)]})
    return cells


def _heartbeats_context(checks: list) -> dict:
    """The heartbeat strip of these checks or slots (newest first): oldest first,
    left-padded with empty cells so the newest check is always on the right."""
    return {
        "heartbeats": [None] * (HEARTBEAT_CELLS - len(checks)) + checks[::-1],
        "newest_check": checks[0] if checks else None,
        "oldest_check": checks[-1] if checks else None,
    }


def _by_region(monitor: Monitor) -> list[str]:
    """The regions the monitor's page shows its checks by: those it is checked from when
    there are several, else none (the page as with a single region). A heartbeat monitor
    is judged from its pings, wherever they arrive: never by region."""
    if monitor.type == Monitor.Type.HEARTBEAT:
        return []
    checked_from = regions.of_monitor(monitor.regions)
    return checked_from if len(checked_from) > 1 else []


# Worst first: the status of a slot whose regions have not decided it (regions.verdict).
WORST_FIRST = [Monitor.Status.DOWN, Monitor.Status.DEGRADED, Monitor.Status.UP]


@dataclass
class Slot:
    """One heartbeat cell of a monitor checked from several regions: the slot's verdict
    from the results it has (its worst result when none is from the monitor's regions, as
    before regions), each region's result, and the monitor's regions without one."""

    scheduled_at: datetime
    status: str
    results: list[CheckResult]
    missing: list[str] = field(default_factory=list)

    def get_status_display(self) -> str:
        return Monitor.Status(self.status).label


def _slot(monitor: Monitor, names: list[str], scheduled_at: datetime, results: list[CheckResult]) -> Slot:
    outcomes = {
        result.region: Outcome(
            status=result.status,
            response_time_ms=result.response_time,
            error=result.error,
            status_code=result.status_code,
        )
        for result in results
    }
    verdict = regions.verdict(outcomes, names, alive=set(outcomes), confirmations=monitor.confirmations)
    if verdict is not None:
        status = verdict.status
    else:
        rank = {status: n for n, status in enumerate(WORST_FIRST)}
        status = min((result.status for result in results), key=lambda s: rank.get(s, len(WORST_FIRST)))
    order = {name: n for n, name in enumerate(names)}
    results = sorted(results, key=lambda result: (order.get(result.region, len(names)), result.region))
    missing = [name for name in names if name not in outcomes]
    return Slot(scheduled_at, status, results, missing)


def _slots(monitor: Monitor, names: list[str]) -> list[Slot]:
    """The heartbeat strip's slots of a monitor checked from these regions, newest first."""
    return [_slot(monitor, names, at, results) for at, results in selectors.latest_slots(monitor, HEARTBEAT_CELLS)]


def _recent_results(slots: list[Slot]) -> list[CheckResult]:
    """The results of the newest slots, whole slots, until RECENT_CHECKS_SHOWN rows."""
    shown: list[CheckResult] = []
    for slot in slots:
        if len(shown) >= RECENT_CHECKS_SHOWN:
            break
        shown += slot.results
    return shown


def _region_rows(monitor: Monitor, slots: list[Slot]) -> list[dict]:
    """The regions panel: each region the monitor is checked from, alive or silent, its
    latest result among the strip's slots and its 24-hour and 7-day figures. Two queries
    (health, uptime) however many regions."""
    health = {region["name"]: region for region in regions.health()}
    latest: dict[str, CheckResult] = {}
    for slot in slots:  # newest first
        for result in slot.results:
            latest.setdefault(result.region, result)
    rows = []
    for figures in selectors.region_uptime(monitor):
        name = figures["region"]
        rows.append(
            {
                "name": name,
                "alive": health[name]["alive"],
                "last_report_at": health[name]["last_report_at"],
                "latest": latest.get(name),
                "windows": figures["windows"],
            }
        )
    return rows


@dashboard_view()
def monitor_heartbeats(request, monitor_id: str):
    """The heartbeat strip alone: what the monitor's page polls."""
    monitor = get_object_or_404(Monitor, pk=monitor_id, organization=request.organization)
    by_region = _by_region(monitor)
    if by_region:
        context = _heartbeats_context(_slots(monitor, by_region)) | {"by_region": by_region}
    else:
        context = _heartbeats_context(selectors.latest_checks(monitor, HEARTBEAT_CELLS))
    return render(request, "monitors/_heartbeats.html", context)


@dashboard_view()
def monitor_detail(request, monitor_id: str):
    monitor = get_object_or_404(Monitor, pk=monitor_id, organization=request.organization)
    window = request.GET.get("window", "24h")
    if window not in CHART_WINDOWS:
        window = "24h"
    by_region = _by_region(monitor)
    if by_region:
        slots = _slots(monitor, by_region)
        context = _heartbeats_context(slots) | {
            "by_region": by_region,
            "region_rows": _region_rows(monitor, slots),
            "checks": _recent_results(slots),
        }
    else:
        checks = selectors.latest_checks(monitor, HEARTBEAT_CELLS)
        context = _heartbeats_context(checks) | {"checks": checks[:RECENT_CHECKS_SHOWN]}
    context |= {
        "section": "monitors",
        "title": monitor.name,
        "monitor": monitor,
        "window": window,
        "windows": CHART_WINDOWS,
        "chart": _chart(monitor, window, by_region),
        "days": _days(monitor),
        "summary": selectors.monitor_uptime_summary(monitor),
        "changes": StatusChange.objects.filter(monitor=monitor).order_by("-created_at")[:20],
        "depends_on": list(monitor.depends_on.order_by("name", "id").only("id", "name", "status")),
        "can_edit": request.membership.role != Membership.Role.VIEWER,
    }
    # What holds this monitor's DOWN alerts (alerts.routing holds them while a parent is DOWN).
    if monitor.status == Monitor.Status.DOWN:
        context["held_by"] = next((m for m in context["depends_on"] if m.status == Monitor.Status.DOWN), None)
    return render(request, "monitors/detail.html", context)


@dashboard_view(MEMBER)
def monitor_create(request):
    return _form(request, None)


@dashboard_view(MEMBER)
def monitor_clone(request, monitor_id: str):
    """The new-monitor form filled in with a copy of this monitor's settings; nothing is
    saved until it is submitted (to this address, as a new monitor)."""
    source = get_object_or_404(Monitor, pk=monitor_id, organization=request.organization)
    return _form(request, None, copy_of=source)


@dashboard_view(MEMBER)
def monitor_edit(request, monitor_id: str):
    return _form(request, get_object_or_404(Monitor, pk=monitor_id, organization=request.organization))


@require_POST
@dashboard_view(MEMBER)
def monitor_pause(request, monitor_id: str):
    monitor = get_object_or_404(Monitor, pk=monitor_id, organization=request.organization)
    paused = monitor.status == Monitor.Status.PAUSED
    services.monitor_update(monitor=monitor, status=services.ACTIVE if paused else Monitor.Status.PAUSED)
    messages.success(request, f"“{monitor.name}” {'resumed' if paused else 'paused'}.")
    return redirect("monitors:list")


@dashboard_view(MEMBER)
def monitor_delete(request, monitor_id: str):
    monitor = get_object_or_404(Monitor, pk=monitor_id, organization=request.organization)
    if request.method == "POST":
        services.monitor_delete(monitor=monitor)
        messages.success(request, f"“{monitor.name}” deleted.")
        return redirect("monitors:list")
    context = {"section": "monitors", "title": "Delete monitor", "monitors": [monitor]}
    return render(request, "monitors/confirm_delete.html", context)


@require_POST
@dashboard_view(MEMBER)
def monitor_bulk(request):
    """Pause, resume or delete the checked monitors (delete asks for confirmation first)."""
    action = request.POST.get("action")
    monitors = list(Monitor.objects.filter(organization=request.organization, id__in=request.POST.getlist("ids")))
    if not monitors:
        messages.error(request, "Select at least one monitor.")
        return redirect("monitors:list")
    if action in ("pause", "resume"):
        status = Monitor.Status.PAUSED if action == "pause" else services.ACTIVE
        for monitor in monitors:
            services.monitor_update(monitor=monitor, status=status)
        messages.success(request, f"{len(monitors)} monitors {action}d.")
        return redirect("monitors:list")
    if action == "delete":
        if request.POST.get("confirmed") == "yes":
            for monitor in monitors:
                services.monitor_delete(monitor=monitor)
            messages.success(request, f"{len(monitors)} monitors deleted.")
            return redirect("monitors:list")
        context = {"section": "monitors", "title": "Delete monitors", "monitors": monitors, "bulk": True}
        return render(request, "monitors/confirm_delete.html", context)
    raise Http404("Unknown action.")
