"""Heartbeat pings: `/ping/<token>`, `/ping/<token>/fail` and `/ping/<token>/start`.

No API key: the token is the secret, so it is never logged (see `statusapp.log_redaction`).

Speed is a feature: a success ping on an UP monitor (nearly every ping) is ONE query, a
conditional `UPDATE ... WHERE ping_token = %s AND status = 'UP'`, healthchecks-style: act on
the number of rows it updated. Only when it updated none does a locked read decide what
happens, with the ORM (a transition, with its StatusChange in the same transaction; a paused
monitor; an unknown token). A plain Django view, no DRF: none of its machinery is needed here.
"""

import re

from django.db import connections, router, transaction
from django.db.models import F
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts import generation

from .models import Monitor, StatusChange
from .signals import status_changes_recorded

SUCCESS, FAIL, START = "success", "fail", "start"
FAIL_ERROR = "fail signal received"
# A POST body (a cron job's output, say) is accepted but not stored; reading a little of
# it lets a small body be consumed before the answer, and no more is ever read.
MAX_BODY_READ = 8 * 1024

HEARTBEAT = Monitor.Type.HEARTBEAT.value
UP, DOWN, PAUSED = Monitor.Status.UP.value, Monitor.Status.DOWN.value, Monitor.Status.PAUSED.value
# What services.monitor_create issues (token_urlsafe), within the column's 64 characters:
# anything else cannot be a token and costs no query.
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")

# The steady-state statements, one per kind: the status and error the ping confirms are in
# the WHERE, so one UPDATE records the ping when nothing the API shows changes, and its row
# count says whether it did. Written out rather than built with QuerySet.update(): building and
# compiling that UPDATE took about as long as running it (profiled: ~0.5 ms a ping on this
# machine under load), and this is the statement nearly every ping runs.
_STEADY_SQL = {
    SUCCESS: (
        "UPDATE monitors_monitor SET last_ping_at = %s, last_ping_kind = %s, failure_count = 0, last_error = %s"
        " WHERE ping_token = %s AND type = %s AND status = %s AND last_error = %s"
    ),
    FAIL: (
        "UPDATE monitors_monitor"
        " SET last_ping_at = %s, last_ping_kind = %s, failure_count = failure_count + 1, last_error = %s"
        " WHERE ping_token = %s AND type = %s AND status = %s AND last_error = %s"
    ),
    # A /start after a /fail keeps the fail: the job has not succeeded yet.
    START: (
        "UPDATE monitors_monitor"
        " SET last_ping_kind = CASE WHEN last_ping_kind = 'fail' THEN last_ping_kind ELSE %s END"
        " WHERE ping_token = %s AND type = %s"
    ),
}
STEADY_STATUS = {SUCCESS: UP, FAIL: DOWN}
ERROR = {SUCCESS: "", FAIL: FAIL_ERROR}
# PostgreSQL: `SET LOCAL synchronous_commit = off` inside the statement itself (a WHERE term
# that is always true), so its one-statement transaction commits without waiting for the
# WAL flush. See `_steady_update`.
_NO_FLUSH_WAIT = " AND set_config('synchronous_commit', 'off', true) IS NOT NULL"


def record_ping(token: str, kind: str) -> bool:
    """Record one ping of kind success, fail or start; False when no heartbeat monitor has `token`.

    success: last ping now; DOWN or PENDING becomes UP at once (failure count 0).
    fail: last ping now; the monitor goes DOWN at once, whatever its retries.
    start: only the kind is recorded (no status change, last ping time unchanged), and a
    pending fail stays.
    A PAUSED monitor records the ping and stays PAUSED.
    """
    if kind not in _STEADY_SQL:
        raise ValueError(f"unknown ping kind {kind!r}")
    if not TOKEN_RE.match(token):
        return False
    now = timezone.now()
    if _steady_update(token, kind, now):
        return True
    if kind == START:
        return False
    return _record_transition(token, kind, now)


def _steady_update(token: str, kind: str, now) -> bool:
    """The common case in one statement: True when the monitor already had the status this ping
    confirms (any status, for /start) and the ping is recorded.

    On PostgreSQL, outside a caller's transaction, the statement commits without waiting for
    its WAL flush (an fsync): measured here, that flush was 2.7 ms of a single UPDATE's 2.8 ms,
    and 232 against 754 pings/s under gunicorn. What is given up: if PostgreSQL itself crashes
    (not the app), the last moments of steady-state pings (at most 3 x wal_writer_delay, 0.6 s
    by default) may be lost; the database stays consistent. Transitions and their
    StatusChange (the outbox) always commit durably: they are written by `_record_transition`.
    """
    connection = connections[router.db_for_write(Monitor)]
    sql = _STEADY_SQL[kind]
    if kind == START:
        params = [START, token, HEARTBEAT]
    else:
        at = connection.ops.adapt_datetimefield_value(now)
        params = [at, kind, ERROR[kind], token, HEARTBEAT, STEADY_STATUS[kind], ERROR[kind]]
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        sql += _NO_FLUSH_WAIT
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount > 0


@transaction.atomic
def _record_transition(token: str, kind: str, now) -> bool:
    """The rare case, under the row's lock: a transition, a changed error, a paused monitor or an
    unknown token."""
    row = (
        Monitor.objects.select_for_update()
        .filter(ping_token=token, type=HEARTBEAT)
        .order_by()
        .values_list("pk", "organization_id", "status", "in_maintenance")
        .first()
    )
    if row is None:
        return False
    pk, organization_id, status, in_maintenance = row
    generation.bump([organization_id])
    fields = {"last_ping_at": now, "last_ping_kind": kind}
    if status == PAUSED:
        Monitor.objects.filter(pk=pk).update(**fields)
        return True
    target = STEADY_STATUS[kind]
    fields["last_error"] = ERROR[kind]
    fields["failure_count"] = 0 if kind == SUCCESS else F("failure_count") + 1
    # A concurrent ping may have made the transition since the first UPDATE: then none is written.
    if status != target:
        fields["status"] = target
        if status == DOWN:  # recovered: the acknowledgement was of this outage
            fields.update(acknowledged_at=None, acknowledged_by="")
        StatusChange.objects.create(
            monitor_id=pk, from_status=status, to_status=target, error=ERROR[kind], in_maintenance=in_maintenance
        )
        status_changes_recorded.send(sender=StatusChange, count=1)
    Monitor.objects.filter(pk=pk).update(**fields)
    return True


def _text(request, body: str, status: int = 200) -> HttpResponse:
    # No body at all for HEAD: WSGI servers drop it anyway, and gunicorn logs a warning each time.
    content = "" if request.method == "HEAD" else body
    return HttpResponse(content, status=status, content_type="text/plain; charset=utf-8")


def _ping(request, token: str, kind: str) -> HttpResponse:
    if request.method == "POST":
        request.read(MAX_BODY_READ)
    if not record_ping(token, kind):
        return _text(request, "not found", status=404)
    return _text(request, "OK")


@csrf_exempt
@require_http_methods(["GET", "POST", "HEAD"])
def ping(request, token: str) -> HttpResponse:
    return _ping(request, token, SUCCESS)


@csrf_exempt
@require_http_methods(["GET", "POST", "HEAD"])
def ping_fail(request, token: str) -> HttpResponse:
    return _ping(request, token, FAIL)


@csrf_exempt
@require_http_methods(["GET", "POST", "HEAD"])
def ping_start(request, token: str) -> HttpResponse:
    return _ping(request, token, START)
