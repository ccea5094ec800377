"""`manage.py verify_integrity` is clean on sound data and names each kind of damage."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from incidents.models import AffectedComponent, ComponentStatus
from incidents.services import incident_create
from monitors.models import Monitor, StatusChange
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
