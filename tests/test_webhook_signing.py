"""Delivery signatures, checked as receivers check them: with the API guide's
`verify_signature` (pasted verbatim below) and with the `standardwebhooks` package.

Every body checked here went over HTTP to a real receiver on 127.0.0.1.
"""

import hashlib
import hmac
import json
import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from webhooks.models import Delivery, Event, WebhookEndpoint
from webhooks.publishing import publish
from webhooks.services import new_secret, webhook_secret_rotate, webhook_send_test

from . import test_webhook_delivery as delivery_tests
from .test_webhook_delivery import (
    APPS,
    endpoint_for,
    header,
    monitor_down,
    monitor_up,
    retry_due,
    settle,
    wait_attempts,
)
from .webhook_receiver import Answer

pytestmark = pytest.mark.django_db(transaction=True, available_apps=APPS)

# The delivery tests' fixtures: a receiver factory; private targets allowed and, after
# each test, the recorder idle.
make_receiver = delivery_tests.make_receiver
_delivery_settings = delivery_tests._delivery_settings


# From the API guide ("Verifying Webhook Signatures"), verbatim:
# fmt: off
def verify_signature(payload, signature, secret):
    expected = hmac.new(
        secret.encode(),
        payload.encode(),
        hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(signature, expected)
# fmt: on


def standard_headers(request) -> dict[str, str]:
    return {name: header(request, name) for name in ("webhook-id", "webhook-timestamp", "webhook-signature")}


def test_the_api_guides_verify_signature_accepts_every_delivery_and_rejects_tampering(org, make_receiver):
    first, second = make_receiver(), make_receiver()
    endpoints = [
        endpoint_for(org, first, ["monitor.down", "monitor.up"]),
        endpoint_for(org, second, ["monitor.down", "monitor.up"]),
    ]
    publish([monitor_down(org, name='Café ☕ "main" \\ </script>'), monitor_up(org)])
    settle()
    webhook_send_test(endpoint=endpoints[0])  # the test event: that endpoint alone, signed all the same
    settle()

    assert [len(first.requests), len(second.requests)] == [3, 2]
    for receiver, endpoint, other in ((first, *endpoints), (second, *reversed(endpoints))):
        for request in receiver.requests:
            payload = request.body.decode()
            assert payload == Event.objects.get(pk=json.loads(payload)["id"]).body
            signature = header(request, "X-StatusApp-Signature")
            assert re.fullmatch(r"[0-9a-f]{64}", signature)
            assert header(request, "X-StatusApp-Signature-Previous") is None

            assert verify_signature(payload, signature, endpoint.secret)

            assert not verify_signature(payload + " ", signature, endpoint.secret)
            assert not verify_signature(payload.replace('"event"', '"Event"', 1), signature, endpoint.secret)
            assert not verify_signature(payload, signature, other.secret)
            # Keyed with the whole secret string, prefix included.
            assert not verify_signature(payload, signature, endpoint.secret.removeprefix("whsec_"))
    assert json.loads(first.requests[2].body)["event"] == "webhook.test"


def test_the_standard_webhooks_signature_verifies_with_the_standardwebhooks_package(org, make_receiver):
    receiver = make_receiver()
    endpoint = endpoint_for(org, receiver)

    [event] = publish([monitor_down(org, name="Café ☕")])

    settle()
    [request] = receiver.requests
    headers = standard_headers(request)
    assert headers["webhook-id"] == event.id == json.loads(request.body)["id"]
    assert abs(int(headers["webhook-timestamp"]) - request.at) <= 2
    assert re.fullmatch(r"v1,[A-Za-z0-9+/]{43}=", headers["webhook-signature"])
    assert Webhook(endpoint.secret).verify(request.body, headers) == json.loads(request.body)

    timestamp = int(headers["webhook-timestamp"])
    forgeries = {
        "body with a trailing space": (request.body + b" ", headers),
        "body changed": (request.body.replace(b"Caf", b"caf"), headers),
        "another timestamp (a replay)": (request.body, {**headers, "webhook-timestamp": str(timestamp + 1)}),
        "another message id": (request.body, {**headers, "webhook-id": "evt_" + "0" * 20}),
    }
    for name, (body, forged_headers) in forgeries.items():
        with pytest.raises(WebhookVerificationError):
            Webhook(endpoint.secret).verify(body, forged_headers)
            pytest.fail(f"verified: {name}")
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(request.body, headers)


def test_a_retry_sends_the_same_bytes_and_message_id_with_a_fresh_timestamp(org, make_receiver):
    receiver = make_receiver(Answer(status=500), default=Answer())
    endpoint = endpoint_for(org, receiver)
    [event] = publish([monitor_down(org)])
    delivery = Delivery.objects.get()
    wait_attempts(delivery.id, 1)
    # Into the next second, so that a fresh timestamp has to differ.
    time.sleep(max(0.0, int(header(receiver.requests[0], "webhook-timestamp")) + 1.05 - time.time()))

    retry_due(delivery.id)

    wait_attempts(delivery.id, 2)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED
    first, second = receiver.requests
    assert first.body == second.body == Event.objects.get().body.encode()
    assert header(first, "webhook-id") == header(second, "webhook-id") == event.id
    first_time, second_time = int(header(first, "webhook-timestamp")), int(header(second, "webhook-timestamp"))
    assert second_time > first_time
    assert abs(second_time - second.at) <= 2
    assert header(first, "X-StatusApp-Signature") == header(second, "X-StatusApp-Signature")
    for request in (first, second):
        Webhook(endpoint.secret).verify(request.body, standard_headers(request))
        assert verify_signature(request.body.decode(), header(request, "X-StatusApp-Signature"), endpoint.secret)
    # The first attempt's signature does not pass with the retry's timestamp.
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(
            second.body, {**standard_headers(second), "webhook-signature": header(first, "webhook-signature")}
        )


def test_after_a_rotation_both_secrets_sign_until_the_overlap_ends(org, make_receiver):
    receiver = make_receiver()
    endpoint = endpoint_for(org, receiver)
    old = endpoint.secret

    webhook_secret_rotate(endpoint=endpoint)

    endpoint.refresh_from_db()
    new = endpoint.secret
    assert new != old and new.startswith("whsec_")
    assert endpoint.previous_secret == old
    overlap = endpoint.previous_secret_expires_at - timezone.now()
    assert timedelta(hours=23, minutes=59) < overlap <= timedelta(hours=24)

    publish([monitor_down(org)])
    settle()
    [request] = receiver.requests
    body, headers = request.body, standard_headers(request)
    signatures = headers["webhook-signature"].split(" ")
    assert len(signatures) == 2 and all(signature.startswith("v1,") for signature in signatures)
    assert Webhook(new).verify(body, headers)
    assert Webhook(old).verify(body, headers)
    for signature, secret in zip(signatures, (new, old), strict=True):
        Webhook(secret).verify(body, {**headers, "webhook-signature": signature})
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)
    assert verify_signature(body.decode(), header(request, "X-StatusApp-Signature"), new)
    assert not verify_signature(body.decode(), header(request, "X-StatusApp-Signature"), old)
    assert verify_signature(body.decode(), header(request, "X-StatusApp-Signature-Previous"), old)

    # The overlap is over: the new secret alone.
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        previous_secret_expires_at=timezone.now() - timedelta(seconds=1)
    )
    publish([monitor_down(org)])
    settle()
    request = receiver.requests[1]
    body, headers = request.body, standard_headers(request)
    assert headers["webhook-signature"].count("v1,") == 1
    assert header(request, "X-StatusApp-Signature-Previous") is None
    Webhook(new).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(body, headers)
    assert verify_signature(body.decode(), header(request, "X-StatusApp-Signature"), new)
    assert not verify_signature(body.decode(), header(request, "X-StatusApp-Signature"), old)

    # Rotated again: the newest and the one before; the first is gone for good.
    webhook_secret_rotate(endpoint=endpoint)
    endpoint.refresh_from_db()
    newest = endpoint.secret
    publish([monitor_down(org)])
    settle()
    request = receiver.requests[2]
    body, headers = request.body, standard_headers(request)
    assert headers["webhook-signature"].count("v1,") == 2
    Webhook(newest).verify(body, headers)
    Webhook(new).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(body, headers)
    assert verify_signature(body.decode(), header(request, "X-StatusApp-Signature-Previous"), new)
    assert len(receiver.requests) == 3
