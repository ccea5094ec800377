import json
import time

import pytest
import requests
from support import unique

import statusapp


def verifies(received, secret) -> bool:
    """Both helpers agree on whether this delivery comes from the server."""
    hex_ok = statusapp.verify_signature(received.body, received.headers.get("X-StatusApp-Signature"), secret)
    try:
        statusapp.Webhook(secret).verify(received.body, received.headers)
        standard_ok = True
    except statusapp.WebhookVerificationError:
        standard_ok = False
    assert hex_ok == standard_ok
    return hex_ok


def test_webhook_endpoint_round_trip(client, cleanup, receiver):
    endpoint = client.webhooks.create(url=receiver.url, description="SDK", events=["incident.created"])
    cleanup(client.webhooks.delete, endpoint.id)
    assert isinstance(endpoint, statusapp.WebhookEndpoint)
    assert endpoint.id.startswith("wh_")
    assert endpoint.secret.startswith("whsec_")  # shown once, at creation
    assert (endpoint.url, endpoint.events, endpoint.enabled) == (receiver.url, ["incident.created"], True)

    fetched = client.webhooks.get(endpoint.id)
    assert fetched.secret is None
    assert fetched.url == endpoint.url
    assert endpoint.id in [found.id for found in client.webhooks.list()]
    assert endpoint.id in {found.id for found in client.webhooks.iter()}

    events = ["incident.created", "incident.resolved"]
    updated = client.webhooks.update(endpoint.id, events=events, enabled=False)
    assert (updated.events, updated.enabled, updated.description) == (events, False, "SDK")
    with pytest.raises(statusapp.ValidationError):
        client.webhooks.test(endpoint.id)  # a disabled endpoint sends nothing

    client.webhooks.delete(endpoint.id)
    with pytest.raises(statusapp.NotFoundError):
        client.webhooks.get(endpoint.id)


def test_a_delivered_webhook_verifies_and_a_tampered_one_does_not(client, cleanup, receiver):
    endpoint = client.webhooks.create(url=receiver.url)
    cleanup(client.webhooks.delete, endpoint.id)
    secret = endpoint.secret

    delivery = client.webhooks.test(endpoint.id)  # sent during the request
    assert isinstance(delivery, statusapp.Delivery)
    assert (delivery.event, delivery.status) == ("webhook.test", "delivered")
    received = receiver.next()
    assert verifies(received, secret)
    event = statusapp.Webhook(secret).verify(received.body, received.headers)
    assert event == delivery.payload
    assert event["event"] == "webhook.test"
    assert received.headers["webhook-id"] == delivery.event_id

    body = received.body.decode()
    tampered_body = body.replace("webhook.test", "monitor.down").encode()
    assert tampered_body != received.body
    assert not verifies(received.__class__(received.path, received.headers, tampered_body), secret)
    assert not verifies(received, "whsec_" + "A" * 44)  # another endpoint's secret

    headers = dict(received.headers)
    headers["X-StatusApp-Signature"] = "0" * 64
    headers["webhook-signature"] = "v1," + "A" * 43 + "="
    assert not statusapp.verify_signature(received.body, headers["X-StatusApp-Signature"], secret)
    with pytest.raises(statusapp.WebhookVerificationError, match="signature"):
        statusapp.Webhook(secret).verify(received.body, headers)

    headers = dict(received.headers)
    headers["webhook-timestamp"] = str(int(headers["webhook-timestamp"]) + 1)  # signed, so it cannot be moved
    with pytest.raises(statusapp.WebhookVerificationError, match="signature"):
        statusapp.Webhook(secret).verify(received.body, headers)


def test_a_replayed_delivery_is_refused(client, cleanup, receiver):
    endpoint = client.webhooks.create(url=receiver.url)
    cleanup(client.webhooks.delete, endpoint.id)
    client.webhooks.test(endpoint.id)
    received = receiver.next()

    # The same delivery re-signed with another time, as a replay (or a far-off clock) presents it.
    webhook = statusapp.Webhook(endpoint.secret)
    message_id = received.headers["webhook-id"]
    for offset, problem in ((-301, "too old"), (301, "future")):
        sent_at = int(time.time()) + offset
        headers = {
            **received.headers,
            "webhook-timestamp": str(sent_at),
            "webhook-signature": webhook.sign(message_id, sent_at, received.body),
        }
        with pytest.raises(statusapp.WebhookVerificationError, match=problem):
            webhook.verify(received.body, headers)
        lenient = statusapp.Webhook(endpoint.secret, tolerance=600)
        assert lenient.verify(received.body, headers)["event"] == "webhook.test"


def test_deliveries_and_redeliver(client, cleanup, receiver):
    endpoint = client.webhooks.create(url=receiver.url, events=["monitor.down"])
    cleanup(client.webhooks.delete, endpoint.id)
    # A real event: a heartbeat's /fail ping takes the monitor DOWN.
    monitor = client.monitors.create(name=unique("SDK webhook source"), type="heartbeat", interval=60, grace=60)
    cleanup(client.monitors.delete, monitor.id)
    requests.post(monitor.ping_url + "/fail", timeout=10).raise_for_status()
    first = receiver.next_event("monitor.down")
    assert verifies(first, endpoint.secret)
    assert json.loads(first.body)["monitor"]["id"] == monitor.id

    deliveries = client.webhooks.deliveries(endpoint.id, status="delivered")
    assert [d.event for d in deliveries] == ["monitor.down"]
    assert [d.id for d in client.webhooks.iter_deliveries(endpoint.id)] == [deliveries.data[0].id]
    assert client.webhooks.deliveries(endpoint.id, status="failed").data == []
    delivery = client.webhooks.get_delivery(endpoint.id, deliveries.data[0].id)
    assert delivery.event_id == first.headers["webhook-id"]
    assert delivery.payload == json.loads(first.body)
    assert delivery.attempt_log[0].status_code == 200
    assert isinstance(delivery.attempt_log[0], statusapp.DeliveryAttempt)

    redelivered = client.webhooks.redeliver(endpoint.id, delivery.id)
    assert redelivered.id == delivery.id
    assert redelivered.attempts == delivery.attempts + 1
    again = receiver.next()
    assert again.body == first.body
    assert again.headers["webhook-id"] == first.headers["webhook-id"]  # the same event, for deduplication
    assert verifies(again, endpoint.secret)


def test_rotate_secret_signs_with_both_during_the_overlap(client, cleanup, receiver):
    endpoint = client.webhooks.create(url=receiver.url)
    cleanup(client.webhooks.delete, endpoint.id)

    rotated = client.webhooks.rotate_secret(endpoint.id)
    assert rotated.secret.startswith("whsec_")
    assert rotated.secret != endpoint.secret
    assert rotated.previous_secret_expires_at is not None

    client.webhooks.test(endpoint.id)
    received = receiver.next()
    assert len(received.headers["webhook-signature"].split()) == 2
    assert verifies(received, rotated.secret)
    statusapp.Webhook(endpoint.secret).verify(received.body, received.headers)  # the old one still verifies
    assert statusapp.verify_signature(
        received.body, received.headers["X-StatusApp-Signature-Previous"], endpoint.secret
    )
