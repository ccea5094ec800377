"""`manage.py verify_integrity` is clean on sound data and names each kind of damage."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from incidents.models import AffectedComponent, ComponentStatus
from incidents.services import incident_create
from monitors.models import CheckResult, Monitor, StatusChange
from webhooks.models import Delivery, Event

from .factories import MonitorFactory, WebhookEndpointFactory

LONG_AGO = timedelta(hours=1)


def verify() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify_integrity", stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def test_sound_data_is_clean(org):
    monitor = MonitorFactory(organization=org, next_check_at=timezone.now() + timedelta(seconds=30))
    incident_create(organization=org, title="Fine", impact="low", affected=[(monitor, None)])
    code, out = verify()
    assert code == 0, out
    assert out.strip().endswith("clean")


def _delivery(org, **fields) -> Delivery:
    endpoint = WebhookEndpointFactory(organization=org)
    event = Event.objects.create(organization=org, type="monitor.down", body="{}", created_at=timezone.now())
    return Delivery.objects.create(event=event, endpoint=endpoint, created_at=timezone.now(), **fields)


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        (
            "stuck deliveries",
            lambda org: _delivery(org, next_attempt_at=timezone.now() - LONG_AGO),
        ),
        (
            "unprocessed status changes",
            lambda org: StatusChange.objects.filter(
                pk=StatusChange.objects.create(
                    monitor=MonitorFactory(organization=org), from_status="UP", to_status="DOWN"
                ).pk
            ).update(created_at=timezone.now() - LONG_AGO),
        ),
        (
            "overdue monitors",
            lambda org: MonitorFactory(organization=org, next_check_at=timezone.now() - LONG_AGO),
        ),
        (
            "maintenance flags out of step",
            lambda org: MonitorFactory(organization=org, in_maintenance=True),
        ),
        (
            "paused monitors scheduled",
            lambda org: MonitorFactory(organization=org, status=Monitor.Status.PAUSED, next_check_at=timezone.now()),
        ),
    ],
)
def test_each_kind_of_damage_is_reported(org, name, damage):
    damage(org)
    code, out = verify()
    assert code == 1
    assert f"FAIL {name}: 1" in out


def _quiet_since(org, last_result_age: timedelta | None) -> Monitor:
    monitor = MonitorFactory(organization=org, interval=60, next_check_at=timezone.now() + timedelta(seconds=30))
    Monitor.objects.filter(pk=monitor.pk).update(created_at=timezone.now() - LONG_AGO)
    if last_result_age is not None:
        at = timezone.now() - last_result_age
        CheckResult.objects.create(monitor=monitor, scheduled_at=at, started_at=at, status="UP")
    return monitor


@pytest.mark.parametrize(
    ("last_result_age", "quiet"),
    [(None, True), (timedelta(minutes=9), True), (timedelta(minutes=7), False), (timedelta(seconds=5), False)],
)
def test_a_monitor_whose_checks_stopped_coming_is_reported(org, last_result_age, quiet):
    # Grace 300 s + 3 intervals of 60 s: quiet after 8 minutes without a result.
    _quiet_since(org, last_result_age)
    code, out = verify()
    assert (code, "FAIL monitors gone quiet: 1" in out) == ((1, True) if quiet else (0, False)), out


def test_new_paused_and_heartbeat_monitors_are_not_quiet(org):
    MonitorFactory(organization=org, interval=60, next_check_at=timezone.now() + timedelta(seconds=30))
    paused = _quiet_since(org, None)
    Monitor.objects.filter(pk=paused.pk).update(status=Monitor.Status.PAUSED, next_check_at=None)
    heartbeat = _quiet_since(org, None)
    Monitor.objects.filter(pk=heartbeat.pk).update(type=Monitor.Type.HEARTBEAT)
    code, out = verify()
    assert code == 0, out


def test_a_component_of_another_organization_is_reported(org, other_org):
    incident = incident_create(organization=org, title="X", impact="low", affected=[])
    AffectedComponent.objects.create(
        incident=incident, monitor=MonitorFactory(organization=other_org), status=ComponentStatus.MAJOR_OUTAGE
    )
    code, out = verify()
    assert code == 1 and "FAIL cross-organization incident components: 1" in out


def test_a_leased_delivery_is_not_stuck(org):
    _delivery(org, next_attempt_at=timezone.now() - LONG_AGO, lease_token="x", lease_until=timezone.now() + LONG_AGO)
    assert verify()[0] == 0
