"""A webhook endpoint's signing secret or an alert channel's config that the current
STATUSAPP_ENCRYPTION_KEY cannot open (the key was changed or lost) breaks that endpoint or
channel alone: its deliveries and alerts are cancelled unsent with an attempt saying why and
a logged error naming it (never the secret), the rest of their batch is sent as usual, the
API and the dashboard still show it, and a new secret or config repairs it. A previous
secret (a rotation's overlap) that cannot be opened just stops signing.

Broken rows are made as a key change makes them: saved under another key. Sends run through
Celery eager against real receivers on 127.0.0.1, as in test_webhook_delivery and
test_alert_delivery.
"""

import hashlib
import hmac
import json
import logging

import pytest
from django.db import connection

from accounts.encryption import decrypt
from alerts.api.serializers import UNREADABLE
from alerts.models import Alert, AlertAttempt, AlertChannel
from alerts.notify import send_test
from alerts.services import mask
from monitors.models import Monitor
from webhooks.models import Delivery, DeliveryAttempt
from webhooks.publishing import publish
from webhooks.tasks import sweep_deliveries

from .factories import MonitorFactory
from .test_alert_types_e2e import APPS, make_channel, observe
from .test_alert_types_e2e import settle as settle_alerts
from .test_webhook_delivery import endpoint_for, header, monitor_down
from .test_webhook_delivery import settle as settle_deliveries
from .webhook_receiver import Receiver

pytestmark = pytest.mark.django_db(transaction=True, available_apps=APPS)

OLD_KEY = "the key these secrets were saved with, long enough"
ERROR = "secret cannot be decrypted: was STATUSAPP_ENCRYPTION_KEY changed?"
SLACK_PATH = "/services/T000/B000/xyz"
NEW_SLACK_PATH = "/services/T000/B000/after-the-key-change"


@pytest.fixture(autouse=True)
def _loopback(settings):
    settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = True


@pytest.fixture
def under_old_key(settings):
    """Runs `make` with the old key current, as before the key was changed."""

    def run(make):
        current = settings.STATUSAPP_ENCRYPTION_KEY
        settings.STATUSAPP_ENCRYPTION_KEY = OLD_KEY
        try:
            return make()
        finally:
            settings.STATUSAPP_ENCRYPTION_KEY = current

    return run


def two_receivers():
    healthy, broken = Receiver(), Receiver()
    yield healthy, broken
    healthy.close()
    broken.close()


receivers = pytest.fixture(two_receivers)  # the endpoints'
channel_receivers = pytest.fixture(two_receivers)  # the channels': a monitor going down reaches both


def stored(table: str, column: str, row_id: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [row_id])  # noqa: S608 - the tests' own names
        return cursor.fetchone()[0]


def attempt_log(model, delivery_id: str) -> list[tuple[int | None, str]]:
    return list(model.objects.filter(delivery_id=delivery_id).values_list("status_code", "error"))


def errors_logged(caplog, logger: str) -> list[str]:
    return [
        record.getMessage() for record in caplog.records if record.name == logger and record.levelno >= logging.ERROR
    ]


# --- webhook endpoints ---


@pytest.fixture
def endpoints(org, receivers, under_old_key):
    """(healthy, broken): both subscribed to monitor.down; the broken one's secret saved under the old key."""
    healthy_receiver, broken_receiver = receivers
    broken = under_old_key(lambda: endpoint_for(org, broken_receiver))
    return endpoint_for(org, healthy_receiver), broken


def test_an_undecryptable_endpoint_secret_cancels_its_delivery_alone_and_says_why(endpoints, receivers, caplog, org):
    healthy, broken = endpoints
    healthy_receiver, broken_receiver = receivers

    with caplog.at_level(logging.ERROR):
        [event] = publish([monitor_down(org)])  # one batch: both endpoints' deliveries
        settle_deliveries()

    sent = Delivery.objects.get(event=event, endpoint=healthy)
    refused = Delivery.objects.get(event=event, endpoint=broken)
    assert (sent.status, attempt_log(DeliveryAttempt, sent.id)) == ("delivered", [(200, "")])
    assert [json.loads(request.body)["id"] for request in healthy_receiver.requests] == [event.id]
    assert (refused.status, attempt_log(DeliveryAttempt, refused.id)) == ("cancelled", [(None, ERROR)])
    assert broken_receiver.requests == []
    ciphertext = stored("webhooks_webhookendpoint", "secret", broken.id)
    [logged] = errors_logged(caplog, "webhooks.webhook_queue")
    assert logged == f"webhook endpoint {broken.id}: {ERROR}"
    assert ciphertext not in caplog.text
    # Finished: the sweeper has nothing to retry.
    assert sweep_deliveries() == 0 and broken_receiver.requests == []


def test_the_api_and_dashboard_show_an_endpoint_whose_secret_cannot_be_read(endpoints, admin, client, person, org):
    healthy, broken = endpoints
    person(org, "admin", client)
    publish([monitor_down(org)])
    settle_deliveries()

    listed = admin.get("/api/webhooks")
    detail = admin.get(f"/api/webhooks/{broken.id}")
    deliveries = admin.get(f"/api/webhooks/{broken.id}/deliveries")

    assert (listed.status_code, detail.status_code, deliveries.status_code) == (200, 200, 200)
    assert {endpoint["id"] for endpoint in listed.json()["data"]} == {healthy.id, broken.id}
    assert "secret" not in detail.json()
    [delivery] = deliveries.json()["data"]
    assert delivery["status"] == "cancelled"
    assert [attempt["error"] for attempt in delivery["attemptLog"]] == [ERROR]
    delivery_page = f"/webhooks/{broken.id}/deliveries/{delivery['id']}"
    for page in (
        "/webhooks/",
        f"/webhooks/{broken.id}/",
        f"/webhooks/{broken.id}/edit",
        f"/webhooks/{broken.id}/deliveries",
    ):
        response = client.get(page)
        assert response.status_code == 200, page
        assert broken.url in response.content.decode(), page
    assert ERROR in client.get(delivery_page).content.decode()


def test_a_change_that_keeps_the_secret_leaves_its_ciphertext_as_it_was(endpoints, admin, settings):
    _, broken = endpoints
    before = stored("webhooks_webhookendpoint", "secret", broken.id)

    changed = admin.put(f"/api/webhooks/{broken.id}", {"description": "after the key change"}, format="json")

    assert changed.status_code == 200, changed.content
    assert stored("webhooks_webhookendpoint", "secret", broken.id) == before
    settings.STATUSAPP_ENCRYPTION_KEY = OLD_KEY  # the old key, put back, still opens it
    assert decrypt(before).startswith("whsec_")


def test_rotating_repairs_the_endpoint_and_the_unreadable_old_secret_does_not_sign(endpoints, receivers, admin, org):
    _, broken = endpoints
    _, broken_receiver = receivers

    rotated = admin.post(f"/api/webhooks/{broken.id}/rotate-secret")

    assert rotated.status_code == 200, rotated.content
    secret = rotated.json()["secret"]
    assert rotated.json()["previousSecretExpiresAt"] is None  # no overlap: the old secret cannot sign
    [event] = publish([monitor_down(org)])
    settle_deliveries()
    assert Delivery.objects.get(event=event, endpoint=broken).status == "delivered"
    [request] = broken_receiver.requests
    expected = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    assert header(request, "X-StatusApp-Signature") == expected
    assert header(request, "X-StatusApp-Signature-Previous") is None
    assert len(header(request, "webhook-signature").split()) == 1


# --- alert channels ---


@pytest.fixture
def channels(org, channel_receivers, endpoints, under_old_key):
    """(healthy, broken, broken endpoint's): slack channels to the healthy and the broken receiver,
    the second's config saved under the old key; a signed-webhook channel to the broken endpoint."""
    healthy_receiver, broken_receiver = channel_receivers
    _, broken_endpoint = endpoints
    broken = under_old_key(lambda: make_channel(org, "slack", {"url": broken_receiver.url + SLACK_PATH}, name="Old"))
    healthy = make_channel(org, "slack", {"url": healthy_receiver.url + SLACK_PATH}, name="Ops")
    via_endpoint = make_channel(org, "webhook", {"endpoint": broken_endpoint.id}, name="Signed")
    return healthy, broken, via_endpoint


def test_an_undecryptable_channel_config_cancels_its_alert_alone_and_says_why(
    channels, endpoints, channel_receivers, receivers, caplog
):
    healthy, broken, via_endpoint = channels
    _, broken_endpoint = endpoints
    healthy_receiver, broken_receiver = channel_receivers
    monitor = MonitorFactory(organization=healthy.organization, name="Billing API", status=Monitor.Status.UP)

    with caplog.at_level(logging.ERROR):
        observe(monitor, "DOWN", "HTTP 503")  # one batch: an alert to each channel
        settle_alerts()

    sent, refused, refused_signed = (Alert.objects.get(channel=channel, kind="down") for channel in channels)
    assert (sent.status, attempt_log(AlertAttempt, sent.id)) == ("delivered", [(200, "")])
    assert len(healthy_receiver.requests) == 1
    assert (refused.status, attempt_log(AlertAttempt, refused.id)) == ("cancelled", [(None, ERROR)])
    assert (refused_signed.status, attempt_log(AlertAttempt, refused_signed.id)) == ("cancelled", [(None, ERROR)])
    assert broken_receiver.requests == [] and receivers[1].requests == []  # nor the broken endpoint
    assert sorted(errors_logged(caplog, "alerts.alert_queue")) == sorted(
        [
            f"alert channel {broken.id}: {ERROR}",
            f"alert channel {via_endpoint.id} (webhook endpoint {broken_endpoint.id}): {ERROR}",
        ]
    )
    assert stored("alerts_alertchannel", "config_json", broken.id) not in caplog.text
    assert sweep_deliveries() == 0 and broken_receiver.requests == []


def test_the_api_and_dashboard_show_a_channel_whose_config_cannot_be_read(channels, admin, client, person, org):
    healthy, broken, _ = channels
    person(org, "admin", client)
    send_test(broken)
    settle_alerts()

    listed = admin.get("/api/alert-channels")
    detail = admin.get(f"/api/alert-channels/{broken.id}")
    deliveries = admin.get(f"/api/alert-channels/{broken.id}/deliveries")

    assert (listed.status_code, detail.status_code, deliveries.status_code) == (200, 200, 200)
    configs = {channel["id"]: channel["config"] for channel in listed.json()["data"]}
    assert configs[broken.id] == {"url": UNREADABLE}
    assert configs[healthy.id] == {"url": mask(healthy.config["url"])}
    assert detail.json()["config"] == {"url": UNREADABLE}
    [alert] = deliveries.json()["data"]
    assert (alert["status"], [attempt["error"] for attempt in alert["attemptLog"]]) == ("cancelled", [ERROR])
    for page in ("/alerts/channels/", f"/alerts/channels/{broken.id}/", f"/alerts/channels/{broken.id}/edit"):
        response = client.get(page)
        assert response.status_code == 200, page
        assert "Old" in response.content.decode(), page
    log = client.get(f"/alerts/channels/{broken.id}/log")
    assert log.status_code == 200 and ERROR in log.content.decode()


def test_a_config_shown_as_unreadable_is_refused_back_and_a_rename_keeps_the_ciphertext(channels, admin):
    _, broken, _ = channels
    before = stored("alerts_alertchannel", "config_json", broken.id)

    sent_back = admin.put(f"/api/alert-channels/{broken.id}", {"config": {"url": UNREADABLE}}, format="json")
    renamed = admin.put(f"/api/alert-channels/{broken.id}", {"name": "Old (renamed)"}, format="json")

    assert sent_back.status_code == 400, sent_back.content
    assert "This is a masked value" in sent_back.content.decode()
    assert renamed.status_code == 200, renamed.content
    assert (renamed.json()["name"], renamed.json()["config"]) == ("Old (renamed)", {"url": UNREADABLE})
    assert stored("alerts_alertchannel", "config_json", broken.id) == before


def test_a_new_config_repairs_the_channel(channels, channel_receivers, admin):
    _, broken, _ = channels
    healthy_receiver, _ = channel_receivers
    new_url = healthy_receiver.url + NEW_SLACK_PATH

    repaired = admin.put(f"/api/alert-channels/{broken.id}", {"config": {"url": new_url}}, format="json")

    assert repaired.status_code == 200, repaired.content
    assert repaired.json()["config"]["url"].endswith("/••••")
    assert AlertChannel.objects.get(id=broken.id).config == {"url": new_url}
    alert = send_test(broken)
    settle_alerts()
    alert.refresh_from_db()
    assert alert.status == "delivered"
    assert len(healthy_receiver.requests) == 1


def test_a_new_endpoint_for_a_webhook_channel_repairs_it(channels, endpoints, admin):
    healthy_endpoint, _ = endpoints
    _, _, via_endpoint = channels

    repaired = admin.put(
        f"/api/alert-channels/{via_endpoint.id}", {"config": {"endpoint": healthy_endpoint.id}}, format="json"
    )

    assert repaired.status_code == 200, repaired.content
    alert = send_test(AlertChannel.objects.get(id=via_endpoint.id))
    settle_alerts()
    alert.refresh_from_db()
    assert alert.status == "delivered"
