"""The subscribe form sends emails: one address may use it only so often."""

from django.core import mail

from statuspages import public_views
from statuspages.models import Subscriber
from statuspages.services import status_page_create


def test_an_address_subscribing_too_often_gets_429_and_no_email(client, org):
    status_page_create(organization=org, name="P", slug="p")
    for n in range(public_views.SUBSCRIBE_LIMIT):
        response = client.post("/status/p/subscribe", {"email": f"x{n}@example.com"}, REMOTE_ADDR="192.0.2.5")
        assert response.status_code == 200
    sent = len(mail.outbox)

    refused = client.post("/status/p/subscribe", {"email": "victim@example.com"}, REMOTE_ADDR="192.0.2.5")
    assert refused.status_code == 429 and refused["Retry-After"] == "3600"
    assert public_views.TOO_MANY in refused.content.decode()
    assert len(mail.outbox) == sent
    assert not Subscriber.objects.filter(email="victim@example.com").exists()

    as_json = client.post(
        "/status/p/subscribe", {"email": "v@example.com"}, content_type="application/json", REMOTE_ADDR="192.0.2.5"
    )
    assert as_json.status_code == 429 and as_json.json()["error"]["code"] == "rate_limited"
    other = client.post("/status/p/subscribe", {"email": "someone@example.com"}, REMOTE_ADDR="192.0.2.6")
    assert other.status_code == 200
