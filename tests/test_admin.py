import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.urls import reverse

from apikeys.services import api_key_create
from incidents.services import incident_create

from .factories import MonitorFactory, OrganizationFactory, StatusPageFactory, WebhookEndpointFactory

PROJECT_APPS = ["accounts", "apikeys", "webhooks", "monitors", "incidents", "statuspages"]


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.com", "a-long-password-1")
    client.force_login(user)
    return client


@pytest.fixture
def objects(db):
    org = OrganizationFactory()
    monitor = MonitorFactory(organization=org)
    key, raw_key = api_key_create(organization=org, name="ci", permission="admin")
    endpoint = WebhookEndpointFactory(organization=org)
    incident = incident_create(organization=org, title="Outage", affected=[(monitor, None)])
    page = StatusPageFactory(organization=org)
    return {"key": key, "raw_key": raw_key, "endpoint": endpoint, "incident": incident, "page": page}


def test_every_project_model_is_registered_in_the_admin():
    models = [model for name in PROJECT_APPS for model in apps.get_app_config(name).get_models()]
    missing = [model.__name__ for model in models if not admin.site.is_registered(model)]
    assert missing == []


@pytest.mark.parametrize("app_label", PROJECT_APPS)
def test_changelists_render_with_search_and_filters(staff_client, objects, app_label):
    for model in apps.get_app_config(app_label).get_models():
        url = reverse(f"admin:{app_label}_{model._meta.model_name}_changelist")
        response = staff_client.get(url, {"q": "a"})
        assert response.status_code == 200, url
        model_admin = admin.site._registry[model]
        assert model_admin.search_fields, f"{model.__name__} has no search"
        assert len(model_admin.list_display) > 1, f"{model.__name__} lists only its name"


def test_change_pages_never_show_secrets(staff_client, objects):
    key, endpoint = objects["key"], objects["endpoint"]
    for obj, secrets in ((key, [objects["raw_key"], key.key_hash]), (endpoint, [endpoint.secret])):
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[quote(obj.pk)])
        html = staff_client.get(url).content.decode()
        assert obj.pk in html
        for secret in secrets:
            assert secret not in html
    listing = staff_client.get(reverse("admin:apikeys_apikey_changelist")).content.decode()
    assert key.key_hash not in listing and key.prefix in listing
