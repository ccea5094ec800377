import uuid

import pytest
from support import env, unique

import statusapp


def test_status_page_round_trip(client, cleanup):
    down = env("STATUSAPP_TEST_DOWN_MONITOR")
    slug = f"sdk-{uuid.uuid4().hex[:10]}"
    name = unique("SDK page")
    page = client.status_pages.create(
        name=name, slug=slug, components=[{"id": down, "group": "API"}], accent_color="#112233"
    )
    cleanup(client.status_pages.delete, page.id)
    assert isinstance(page, statusapp.StatusPage)
    assert page.id.startswith("sp_")
    assert (page.slug, page.accent_color, page.components) == (slug, "#112233", [down])
    assert page.groups == [statusapp.StatusPageGroup(name="API", components=[down])]
    assert page.url.endswith(f"/status/{slug}/")
    assert page.has_password is False

    assert client.status_pages.get(page.id) == page
    assert [found.id for found in client.status_pages.list(search=name)] == [page.id]

    updated = client.status_pages.update(page.id, description="All our services", is_public=False)
    assert (updated.description, updated.is_public, updated.slug) == ("All our services", False, slug)

    client.status_pages.delete(page.id)
    with pytest.raises(statusapp.NotFoundError):
        client.status_pages.get(page.id)


def test_verify_domain(client, cleanup):
    page = client.status_pages.create(name=unique("SDK domain page"))
    cleanup(client.status_pages.delete, page.id)
    check = client.status_pages.verify_domain(page.id)
    assert isinstance(check, statusapp.CustomDomainCheck)
    assert (check.custom_domain, check.custom_domain_verified, check.verified_by) == (None, False, None)
    assert check.message

    # The domain's name does not resolve: checked, and still not verified.
    page = client.status_pages.update(page.id, custom_domain=f"status-{uuid.uuid4().hex[:8]}.invalid")
    assert page.custom_domain_token
    check = client.status_pages.verify_domain(page.id)
    assert (check.custom_domain, check.custom_domain_verified) == (page.custom_domain, False)


def test_subscribers(client, cleanup):
    page = client.status_pages.create(name=unique("SDK subscribed page"))
    cleanup(client.status_pages.delete, page.id)
    email = f"sdk-{uuid.uuid4().hex[:8]}@example.com"

    subscriber = client.status_pages.add_subscriber(page.id, email=email.upper(), confirmed=True)
    assert isinstance(subscriber, statusapp.Subscriber)
    assert (subscriber.email, subscriber.confirmed) == (email, True)  # stored lowercased
    assert subscriber.confirmed_at is not None

    listed = client.status_pages.subscribers(page.id)
    assert [found.id for found in listed] == [subscriber.id]
    assert listed.pagination.total == 1
    assert [found.id for found in client.status_pages.iter_subscribers(page.id)] == [subscriber.id]
    assert client.status_pages.get_subscriber(page.id, subscriber.id) == subscriber

    with pytest.raises(statusapp.ValidationError) as raised:
        client.status_pages.add_subscriber(page.id, {"email": "not an address"})
    assert "email" in raised.value.fields

    client.status_pages.remove_subscriber(page.id, subscriber.id)
    with pytest.raises(statusapp.NotFoundError):
        client.status_pages.get_subscriber(page.id, subscriber.id)
    assert client.status_pages.subscribers(page.id).data == []
