"""Status pages over the API: /api/status-pages and /api/status-pages/{id}."""

import pytest

from accounts.plans import Plan
from statuspages.models import StatusPage, StatusPageComponent

from .factories import MonitorFactory, OrganizationFactory, StatusPageFactory

pytestmark = pytest.mark.django_db


def assert_error(response, status_code: int, code: str) -> dict:
    assert response.status_code == status_code, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert set(error) >= {"code", "message", "details"}
    return error


def component_ids(page: StatusPage) -> list[str]:
    return list(StatusPageComponent.objects.filter(page=page).order_by("position").values_list("monitor_id", flat=True))


@pytest.fixture
def monitors(org):
    return [MonitorFactory(organization=org) for _ in range(3)]


@pytest.fixture
def page(org, monitors):
    page = StatusPageFactory(organization=org, name="Acme Status", slug="acme", description="Original")
    StatusPageComponent.objects.create(page=page, monitor=monitors[0], position=0)
    StatusPageComponent.objects.create(page=page, monitor=monitors[1], position=1)
    return page


# --- list and detail ---


def test_list_returns_own_pages_in_list_envelope(admin, org, other_org):
    mine = {StatusPageFactory(organization=org).id, StatusPageFactory(organization=org).id}
    StatusPageFactory(organization=other_org)

    response = admin.get("/api/status-pages")

    assert response.status_code == 200
    body = response.json()
    assert {item["id"] for item in body["data"]} == mine
    assert body["pagination"] == {"page": 1, "limit": 20, "total": 2, "pages": 1}


def test_get_detail_returns_all_fields(admin, page, monitors):
    response = admin.get(f"/api/status-pages/{page.id}")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == page.id
    assert body["name"] == "Acme Status"
    assert body["slug"] == "acme"
    assert body["description"] == "Original"
    assert body["isPublic"] is True
    assert body["components"] == [monitors[0].id, monitors[1].id]
    assert body["url"].endswith("/status/acme/")
    assert body["createdAt"].endswith("Z")
    assert body["updatedAt"].endswith("Z")


def test_get_unknown_id_is_404(admin):
    assert_error(admin.get("/api/status-pages/sp_doesnotexist"), 404, "not_found")


# --- create ---


def test_create_returns_201_with_id_url_and_components_in_order(admin, org, monitors):
    ordered = [monitors[2].id, monitors[0].id, monitors[1].id]

    response = admin.post(
        "/api/status-pages",
        {"name": "Public Status", "slug": "public-status", "description": "Our services", "components": ordered},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"].startswith("sp_")
    assert body["name"] == "Public Status"
    assert body["slug"] == "public-status"
    assert body["description"] == "Our services"
    assert body["components"] == ordered
    assert body["url"].endswith("/status/public-status/")
    stored = StatusPage.objects.get(pk=body["id"])
    assert stored.organization == org
    assert stored.slug == "public-status"
    assert stored.description == "Our services"
    assert component_ids(stored) == ordered


def test_create_without_slug_derives_it_from_the_name(admin):
    response = admin.post("/api/status-pages", {"name": "Acme Cloud Status"}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["slug"] == "acme-cloud-status"
    assert response.json()["url"].endswith("/status/acme-cloud-status/")
    assert StatusPage.objects.get(pk=response.json()["id"]).slug == "acme-cloud-status"


def test_create_without_slug_avoids_a_taken_slug(admin, other_org):
    StatusPageFactory(organization=other_org, slug="acme-cloud-status")

    response = admin.post("/api/status-pages", {"name": "Acme Cloud Status"}, format="json")

    assert response.status_code == 201, response.content
    slug = response.json()["slug"]
    assert slug != "acme-cloud-status"
    assert slug.startswith("acme-cloud-status")


def test_create_with_slug_taken_in_same_org_is_400(admin, org):
    StatusPageFactory(organization=org, slug="taken")

    response = admin.post("/api/status-pages", {"name": "Another", "slug": "taken"}, format="json")

    error = assert_error(response, 400, "invalid_request")
    assert "slug" in error["fields"]
    assert StatusPage.objects.filter(slug="taken").count() == 1
    assert StatusPage.objects.filter(organization=org).count() == 1


def test_create_with_slug_taken_by_another_org_is_400(admin, org, other_org):
    StatusPageFactory(organization=other_org, slug="global-slug")

    response = admin.post("/api/status-pages", {"name": "Mine", "slug": "global-slug"}, format="json")

    error = assert_error(response, 400, "invalid_request")
    assert "slug" in error["fields"]
    assert not StatusPage.objects.filter(organization=org).exists()


@pytest.mark.parametrize("slug", ["Has Spaces", "ü", "a/b"])
def test_create_with_bad_slug_is_400(admin, org, slug):
    response = admin.post("/api/status-pages", {"name": "Status", "slug": slug}, format="json")

    error = assert_error(response, 400, "invalid_request")
    assert "slug" in error["fields"]
    assert not StatusPage.objects.filter(organization=org).exists()


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "   "}, {"name": None}])
def test_create_without_a_valid_name_is_400(admin, org, body):
    response = admin.post("/api/status-pages", body, format="json")

    error = assert_error(response, 400, "invalid_request")
    assert "name" in error["fields"]
    assert not StatusPage.objects.filter(organization=org).exists()


@pytest.mark.parametrize("field", ["id", "url", "createdAt", "updatedAt", "organization"])
def test_create_with_read_only_or_unknown_field_is_400(admin, org, field):
    response = admin.post("/api/status-pages", {"name": "Status", field: "x"}, format="json")

    error = assert_error(response, 400, "invalid_request")
    assert field in error["fields"]
    assert not StatusPage.objects.filter(organization=org).exists()


def test_create_with_unknown_monitor_in_components_is_400_and_stores_nothing(admin, org, monitors):
    response = admin.post(
        "/api/status-pages",
        {"name": "Status", "slug": "status", "components": [monitors[0].id, "mon_doesnotexist"]},
        format="json",
    )

    error = assert_error(response, 400, "invalid_request")
    assert "components" in error["fields"]
    assert "mon_doesnotexist" in error["fields"]["components"][0]
    assert not StatusPage.objects.filter(organization=org).exists()
    assert not StatusPageComponent.objects.exists()


def test_create_with_other_org_monitor_in_components_is_400_and_stores_nothing(admin, org, other_org):
    foreign = MonitorFactory(organization=other_org)

    response = admin.post(
        "/api/status-pages", {"name": "Status", "slug": "status", "components": [foreign.id]}, format="json"
    )

    error = assert_error(response, 400, "invalid_request")
    assert "components" in error["fields"]
    assert not StatusPage.objects.filter(organization=org).exists()
    assert not StatusPageComponent.objects.exists()


def test_create_with_duplicate_monitor_in_components_is_400(admin, org, monitors):
    response = admin.post(
        "/api/status-pages", {"name": "Status", "components": [monitors[0].id, monitors[0].id]}, format="json"
    )

    error = assert_error(response, 400, "invalid_request")
    assert "components" in error["fields"]
    assert not StatusPage.objects.filter(organization=org).exists()


def test_free_plan_allows_one_status_page_and_second_create_is_403(make_client):
    client = make_client(OrganizationFactory(plan=Plan.FREE), "admin")

    first = client.post("/api/status-pages", {"name": "First"}, format="json")
    second = client.post("/api/status-pages", {"name": "Second"}, format="json")

    assert first.status_code == 201, first.content
    assert second.status_code == 403, second.content
    assert "error" in second.json()
    assert list(StatusPage.objects.filter(organization=client.organization).values_list("name", flat=True)) == ["First"]


# --- update ---


def test_seed_put_updates_name_and_description_only(admin, page, monitors):
    before = StatusPage.objects.get(pk=page.pk)

    response = admin.put(
        f"/api/status-pages/{page.id}",
        {"name": "Updated Name", "description": "Updated description"},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "Updated Name"
    assert body["description"] == "Updated description"
    assert body["slug"] == "acme"
    assert body["components"] == [monitors[0].id, monitors[1].id]
    stored = StatusPage.objects.get(pk=page.pk)
    assert stored.name == "Updated Name"
    assert stored.description == "Updated description"
    assert stored.slug == before.slug
    assert stored.is_public == before.is_public
    assert stored.organization_id == before.organization_id
    assert stored.created_at == before.created_at
    assert component_ids(stored) == [monitors[0].id, monitors[1].id]


def test_put_components_replaces_the_list(admin, page, monitors):
    response = admin.put(
        f"/api/status-pages/{page.id}", {"components": [monitors[2].id, monitors[0].id]}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["components"] == [monitors[2].id, monitors[0].id]
    assert component_ids(page) == [monitors[2].id, monitors[0].id]
    assert StatusPage.objects.get(pk=page.pk).name == "Acme Status"


def test_put_empty_components_clears_the_list(admin, page):
    response = admin.put(f"/api/status-pages/{page.id}", {"components": []}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["components"] == []
    assert component_ids(page) == []


def test_put_keeping_own_slug_is_allowed(admin, page):
    response = admin.put(f"/api/status-pages/{page.id}", {"slug": "acme"}, format="json")

    assert response.status_code == 200, response.content
    assert StatusPage.objects.get(pk=page.pk).slug == "acme"


def test_put_slug_taken_by_another_page_is_400(admin, page, other_org):
    StatusPageFactory(organization=other_org, slug="elsewhere")

    response = admin.put(f"/api/status-pages/{page.id}", {"slug": "elsewhere"}, format="json")

    error = assert_error(response, 400, "invalid_request")
    assert "slug" in error["fields"]
    assert StatusPage.objects.get(pk=page.pk).slug == "acme"


@pytest.mark.parametrize("bad_id", ["unknown", "other_org"])
def test_put_with_bad_monitor_in_components_is_400_and_stores_nothing(admin, page, monitors, other_org, bad_id):
    monitor_id = "mon_doesnotexist" if bad_id == "unknown" else MonitorFactory(organization=other_org).id

    response = admin.put(
        f"/api/status-pages/{page.id}",
        {"name": "Should Not Stick", "components": [monitors[2].id, monitor_id]},
        format="json",
    )

    error = assert_error(response, 400, "invalid_request")
    assert "components" in error["fields"]
    stored = StatusPage.objects.get(pk=page.pk)
    assert stored.name == "Acme Status"
    assert component_ids(stored) == [monitors[0].id, monitors[1].id]


def test_put_read_only_field_is_400(admin, page):
    response = admin.put(f"/api/status-pages/{page.id}", {"id": "sp_other", "name": "X"}, format="json")

    error = assert_error(response, 400, "invalid_request")
    assert "id" in error["fields"]
    assert StatusPage.objects.get(pk=page.pk).name == "Acme Status"


def test_put_password_longer_than_128_characters_is_400_and_stores_nothing(admin, page):
    # The limit was checked against the stored hash, which is always short (found by fuzzing).
    response = admin.put(f"/api/status-pages/{page.id}", {"password": "p" * 129}, format="json")

    error = assert_error(response, 400, "invalid_request")
    assert list(error["fields"]) == ["password"]
    page.refresh_from_db()
    assert page.password_hash == ""


def test_put_password_of_128_characters_is_stored_hashed(admin, page):
    response = admin.put(f"/api/status-pages/{page.id}", {"password": "p" * 128}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["hasPassword"] is True
    page.refresh_from_db()
    assert page.password_hash.startswith("pbkdf2_")


# --- delete ---


def test_delete_returns_204_and_removes_page_and_components(admin, page, monitors):
    response = admin.delete(f"/api/status-pages/{page.id}")

    assert response.status_code == 204
    assert response.content == b""
    assert not StatusPage.objects.filter(pk=page.pk).exists()
    assert not StatusPageComponent.objects.filter(page_id=page.pk).exists()
    # The monitors themselves stay.
    assert all(type(m).objects.filter(pk=m.pk).exists() for m in monitors)
    assert_error(admin.get(f"/api/status-pages/{page.id}"), 404, "not_found")


# --- other organizations ---


def test_other_org_page_is_404_on_get(outsider, page):
    assert_error(outsider.get(f"/api/status-pages/{page.id}"), 404, "not_found")


def test_other_org_page_is_404_on_put_and_unchanged(outsider, page, monitors):
    response = outsider.put(f"/api/status-pages/{page.id}", {"name": "Hijacked", "components": []}, format="json")

    assert_error(response, 404, "not_found")
    stored = StatusPage.objects.get(pk=page.pk)
    assert stored.name == "Acme Status"
    assert component_ids(stored) == [monitors[0].id, monitors[1].id]


def test_other_org_page_is_404_on_delete_and_kept(outsider, page):
    assert_error(outsider.delete(f"/api/status-pages/{page.id}"), 404, "not_found")
    assert StatusPage.objects.filter(pk=page.pk).exists()


def test_other_org_page_is_invisible_in_list(outsider, page):
    response = outsider.get("/api/status-pages")

    assert response.status_code == 200
    assert response.json()["data"] == []
    assert response.json()["pagination"]["total"] == 0
    assert page.id not in response.content.decode()
