"""The data tests/test_schema_fuzz.py fuzzes: two organizations with some of everything,
made through the product's own services."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from accounts.plans import Plan
from apikeys.services import api_key_create
from incidents.automation import process_status_changes
from incidents.maintenance import maintenance_create
from incidents.services import incident_add_update, incident_create
from monitors.checking import Observation, record_observations
from monitors.engine import CheckResult as Outcome
from monitors.services import monitor_create
from statuspages.services import status_page_create
from statuspages.subscriptions import subscribe
from webhooks.services import webhook_endpoint_create, webhook_send_test

from .factories import OrganizationFactory


@dataclass
class World:
    organization_id: str  # the fuzzed one
    raw_key: str  # its admin key
    known_ids: list[str]  # both organizations' objects
    other_ids: list[str]  # the other organization's objects
    other_values: list[str]  # its ids, names (all carry its tag) and secrets


@dataclass
class Objects:
    ids: list[str]
    secrets: list[str]  # what must never show outside the organization, besides the ids


def populate(organization, tag: str) -> Objects:
    """Monitors with check results (one went DOWN, which opened an incident), an incident
    with an update, a maintenance window, a status page with a subscriber, a webhook
    endpoint with a test delivery, a second API key. Every name carries `tag`."""
    http = monitor_create(organization=organization, name=f"{tag} API", type="http", url=f"https://{tag}.example.com/")
    beat = monitor_create(organization=organization, name=f"{tag} nightly job", type="heartbeat", grace=60)
    slot = datetime(2026, 1, 1, tzinfo=UTC)
    up, down = Outcome(status="UP", response_time_ms=5), Outcome(status="DOWN", response_time_ms=5, error=tag)
    record_observations(
        [Observation(http.id, slot, slot, up), Observation(http.id, slot + timedelta(minutes=1), slot, down)]
    )
    process_status_changes()
    incident = incident_create(organization=organization, title=f"{tag} outage", affected=[(http, None)])
    update = incident_add_update(incident=incident, message=f"{tag} investigating")
    now = timezone.now()
    maintenance = maintenance_create(
        organization=organization,
        title=f"{tag} upgrade",
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=2),
        monitors=[beat],
    )
    page = status_page_create(organization=organization, name=f"{tag} status", components=[(http, ""), (beat, "")])
    subscriber = subscribe(page=page, email=f"{tag}@example.com", confirmed=True)
    endpoint = webhook_endpoint_create(organization=organization, url=f"https://{tag}.example.com/hook", events=[])
    delivery = webhook_send_test(endpoint=endpoint)
    key, raw_key = api_key_create(organization=organization, name=f"{tag} key", permission="admin")
    return Objects(
        ids=[
            *(http.id, beat.id, incident.id, update.id, maintenance.id, page.id, subscriber.id),
            *(endpoint.id, delivery.id, delivery.event_id, key.id),
        ],
        secrets=[organization.id, tag, beat.ping_token, http.badge_token, endpoint.secret, key.key_id, raw_key],
    )


def make_world() -> World:
    # Enterprise without a custom limit: no rate limit, so no 429 however long the run.
    fuzzed = OrganizationFactory(plan=Plan.ENTERPRISE, custom_requests_per_hour=None)
    mine = populate(fuzzed, f"a{uuid.uuid4().hex[:10]}")
    tag = f"b{uuid.uuid4().hex[:10]}"
    other = populate(OrganizationFactory(name=f"{tag} org", slug=tag), tag)
    _, raw_key = api_key_create(organization=fuzzed, name="fuzzing", permission="admin")
    return World(
        organization_id=fuzzed.id,
        raw_key=raw_key,
        known_ids=[*mine.ids, *other.ids],
        other_ids=other.ids,
        other_values=[*other.ids, *other.secrets],
    )
