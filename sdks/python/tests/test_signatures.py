"""The webhook helpers on their own; test_webhooks.py checks them on deliveries of the server."""

import hashlib
import hmac
import json
import time

import pytest

import statusapp

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def guide_verify_signature(payload, signature, secret):
    """The API guide's function, as printed there."""
    expected = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(signature, expected)


def test_the_standard_webhooks_example_signature():
    # The example of the Standard Webhooks specification.
    signature = statusapp.Webhook(SECRET).sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, '{"test": 2432232314}')
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_verify_signature_agrees_with_the_guide():
    body = json.dumps({"event": "monitor.down", "monitor": {"name": "Café API"}}, ensure_ascii=False)
    signature = hmac.new(SECRET.encode(), body.encode(), hashlib.sha256).hexdigest()
    assert guide_verify_signature(body, signature, SECRET)
    assert statusapp.verify_signature(body, signature, SECRET)
    assert statusapp.verify_signature(body.encode(), signature, SECRET)  # the raw bytes as well

    assert not statusapp.verify_signature(body + " ", signature, SECRET)
    assert not statusapp.verify_signature(body, signature, SECRET + "x")
    tampered = signature[:-1] + ("1" if signature.endswith("0") else "0")
    assert not statusapp.verify_signature(body, tampered, SECRET)
    assert not statusapp.verify_signature(body, "", SECRET)
    assert not statusapp.verify_signature(body, None, SECRET)


def signed_headers(webhook: statusapp.Webhook, body: str, **overrides: str) -> dict:
    now = int(time.time())
    signature = webhook.sign("evt_1", now, body)
    return {"webhook-id": "evt_1", "webhook-timestamp": str(now), "webhook-signature": signature, **overrides}


def test_verify_returns_the_event_whatever_the_headers_case():
    webhook = statusapp.Webhook(SECRET)
    body = '{"event": "incident.created"}'
    headers = {name.upper(): value for name, value in signed_headers(webhook, body).items()}
    assert webhook.verify(body, headers) == {"event": "incident.created"}
    assert webhook.verify(body.encode(), headers) == {"event": "incident.created"}


def test_one_matching_signature_of_several_is_enough():
    webhook = statusapp.Webhook(SECRET)
    body = '{"event": "monitor.up"}'
    right = signed_headers(webhook, body)["webhook-signature"]
    other = statusapp.Webhook("whsec_" + "B" * 44).sign("evt_1", int(time.time()), body)
    assert webhook.verify(body, signed_headers(webhook, body, **{"webhook-signature": f"{other} {right}"}))
    # The same digest under another version tag is not a v1 signature.
    with pytest.raises(statusapp.WebhookVerificationError):
        webhook.verify(body, signed_headers(webhook, body, **{"webhook-signature": "v2," + right[3:]}))


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_missing_header_is_named(missing):
    webhook = statusapp.Webhook(SECRET)
    headers = signed_headers(webhook, "{}")
    del headers[missing]
    with pytest.raises(statusapp.WebhookVerificationError, match=missing):
        webhook.verify("{}", headers)


def test_a_timestamp_that_is_not_a_number_is_refused():
    webhook = statusapp.Webhook(SECRET)
    with pytest.raises(statusapp.WebhookVerificationError, match="timestamp"):
        webhook.verify("{}", signed_headers(webhook, "{}", **{"webhook-timestamp": "yesterday"}))


def test_a_secret_that_is_not_base64_is_refused():
    with pytest.raises(ValueError, match="whsec_"):
        statusapp.Webhook("whsec_not base64!")
