"""The first-run setup and sign-up give the new owner an email channel covering every monitor."""

import pytest
from django.contrib.auth import get_user_model

from accounts.models import Organization
from alerts.models import DEFAULT_EVENTS, AlertChannel

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough pass-phrase 7"


def form(**changes) -> dict:
    data = {
        "organization": "Acme",
        "username": "ada",
        "email": "ada@example.com",
        "password": PASSWORD,
        "password_again": PASSWORD,
    }
    return data | changes


def test_first_run_setup_creates_the_owners_email_channel(client):
    response = client.post("/setup", form())

    assert response.status_code == 302
    organization = Organization.objects.get(name="Acme")
    channel = AlertChannel.objects.get(organization=organization)
    assert channel.name == "Email to ada@example.com"
    assert channel.type == "email"
    assert channel.config == {"to": ["ada@example.com"]}
    assert channel.all_monitors is True
    assert channel.enabled is True
    assert channel.events == [str(event) for event in DEFAULT_EVENTS]


def test_sign_up_creates_the_new_owners_channel_in_the_new_organization_only(client, settings):
    settings.STATUSAPP_ALLOW_SIGNUP = True
    assert client.post("/setup", form()).status_code == 302
    client.logout()

    response = client.post("/signup", form(organization="Beta", username="bea", email="bea@example.com"))

    assert response.status_code == 302
    beta = Organization.objects.get(name="Beta")
    assert list(AlertChannel.objects.filter(organization=beta).values_list("name", "all_monitors")) == [
        ("Email to bea@example.com", True)
    ]
    assert AlertChannel.objects.filter(organization__name="Acme").count() == 1


def test_a_refused_setup_creates_no_channel(client):
    response = client.post("/setup", form(password_again="something else entirely 9"))

    assert response.status_code == 200
    assert not get_user_model().objects.exists()
    assert not AlertChannel.objects.exists()


def test_an_address_too_long_for_the_user_table_is_refused_in_the_form(client):
    address = "a" * 250 + "@example.com"

    response = client.post("/setup", form(email=address))

    assert response.status_code == 200
    assert "at most 254 characters" in response.content.decode()
    assert not get_user_model().objects.exists()
    assert not AlertChannel.objects.exists()
