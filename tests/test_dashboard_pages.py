"""Dashboard: status pages (list, create, edit, delete) by role."""

import base64
import re

import pytest
from django.contrib.auth.hashers import check_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from statuspages import services
from statuspages.models import StatusPage, StatusPageComponent

from .factories import MonitorFactory, StatusPageFactory

PASSWORD = "a long enough pass-phrase 7"
PAGE_PASSWORD = "open sesame 42"
# A 1x1 transparent PNG.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Stored hashed all the same, without PBKDF2's deliberate slowness on every login.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def form(**changes) -> dict:
    """A valid form body, as the browser sends it."""
    data = {
        "name": "Acme status",
        "slug": "",
        "description": "",
        "accentColor": "#2563eb",
        "privacy": "public",
        "password": "",
        "customDomain": "",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def components_of(page: StatusPage) -> list[tuple[str, str, int]]:
    return list(
        StatusPageComponent.objects.filter(page=page)
        .order_by("position")
        .values_list("monitor_id", "group", "position")
    )


def error_of(html: str, field: str) -> str:
    """The error paragraph of a field, which its input points at."""
    assert re.search(rf'aria-describedby="([^"]* )?e-{re.escape(field)}"', html), f"nothing points at e-{field}"
    error = html[html.index(f'id="e-{field}"') :]
    return error[: error.index("</p>")]


def snapshot(page: StatusPage) -> tuple:
    page.refresh_from_db()
    return (
        page.name,
        page.slug,
        page.accent_color,
        page.custom_domain,
        page.is_public,
        page.password_hash,
        bytes(page.logo),
        page.logo_type,
        components_of(page),
    )


# --- the list ---


def test_list_shows_own_pages_with_address_privacy_and_components(client, person, org, other_org):
    person(org, "viewer", client)
    monitor = MonitorFactory(organization=org)
    public = services.status_page_create(
        organization=org, name="Public one", slug="public-one", components=[(monitor, "")]
    )
    StatusPageFactory(organization=org, name="Members only", slug="members-only", is_public=False)
    StatusPageFactory(organization=other_org, name="Not ours", slug="not-ours")

    html = client.get("/pages/").content.decode()
    assert "Public one" in html and "Members only" in html and "Not ours" not in html
    assert 'href="/status/public-one/"' in html and 'href="/status/members-only/"' in html
    row = html[html.index(f'data-page="{public.id}"') :]
    row = row[: row.index("</tr>")]
    assert "Public" in row and "<td>1</td>" in row and "Preview" in row
    assert "Private, for the organization&#x27;s members only" in html
    # A viewer reads only.
    assert "New status page" not in html and "/edit" not in html and "/delete" not in html


def test_list_offers_create_edit_and_delete_to_members(client, person, org):
    person(org, "member", client)
    page = StatusPageFactory(organization=org)
    html = client.get("/pages/").content.decode()
    assert 'href="/pages/new"' in html
    assert f'href="/pages/{page.id}/edit"' in html and f'href="/pages/{page.id}/delete"' in html
    assert "No status pages yet" not in html


# --- create and edit ---


def test_member_creates_a_page_with_groups_and_order(client, person, org):
    person(org, "member", client)
    api, web, db = (MonitorFactory(organization=org, name=name) for name in ("API", "Web", "Database"))
    unused = MonitorFactory(organization=org, name="Unused")
    page = client.get("/pages/new").content.decode()
    assert 'type="color"' in page and 'type="file"' in page and 'enctype="multipart/form-data"' in page
    for monitor in (api, web, db, unused):
        assert f'name="components" value="{monitor.id}"' in page

    body = form(name="Acme status", description="All of Acme", accentColor="#ff0066")
    body.update(
        {
            "components": [api.id, web.id, db.id],
            f"group-{api.id}": "Backend",
            f"position-{api.id}": "2",
            f"group-{web.id}": "",
            f"position-{web.id}": "1",
            f"group-{db.id}": "Backend",
            f"position-{db.id}": "3",
            f"group-{unused.id}": "Ignored",
            f"position-{unused.id}": "4",
        }
    )
    response = client.post("/pages/new", body)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response.url == "/pages/"
    created = StatusPage.objects.get(organization=org)
    assert (created.name, created.slug, created.description, created.accent_color) == (
        "Acme status",
        "acme-status",  # made from the name
        "All of Acme",
        "#ff0066",
    )
    assert created.is_public and created.password_hash == "" and created.custom_domain is None
    assert components_of(created) == [(web.id, "", 0), (api.id, "Backend", 1), (db.id, "Backend", 2)]
    assert "saved" in client.get("/pages/").content.decode()


def test_edit_shows_the_page_and_saves_new_groups_and_order(client, person, org):
    person(org, "member", client)
    first, second, third = (MonitorFactory(organization=org, name=f"M{i}") for i in range(3))
    page = services.status_page_create(
        organization=org,
        name="Old",
        slug="old",
        components=[(second, "Core"), (first, "")],
        custom_domain="status.example.com",
    )
    html = client.get(f"/pages/{page.id}/edit").content.decode()
    assert 'value="Old"' in html and 'value="old"' in html and 'value="status.example.com"' in html
    assert 'href="/status/old/"' in html and "Preview" in html
    # The page's components first, in their order, then the others.
    assert html.index(f'value="{second.id}"') < html.index(f'value="{first.id}"') < html.index(f'value="{third.id}"')
    assert f'name="group-{second.id}" value="Core"' in html
    assert f'name="position-{second.id}" value="1"' in html and f'name="position-{third.id}" value="3"' in html

    body = form(name="New", slug="new-slug", customDomain="")
    body.update(
        {
            "components": [first.id, third.id],
            f"group-{first.id}": " Edge ",
            f"position-{first.id}": "5",
            f"group-{third.id}": "Edge",
            f"position-{third.id}": "2",
            f"position-{second.id}": "1",
        }
    )
    response = client.post(f"/pages/{page.id}/edit", body)
    assert response.status_code == 302, response.content.decode()[:3000]
    page.refresh_from_db()
    assert (page.name, page.slug, page.custom_domain) == ("New", "new-slug", None)
    assert components_of(page) == [(third.id, "Edge", 0), (first.id, "Edge", 1)]


def test_up_and_down_buttons_reorder_without_saving(client, person, org):
    person(org, "member", client)
    first, second = MonitorFactory(organization=org, name="A"), MonitorFactory(organization=org, name="B")
    page = services.status_page_create(organization=org, name="P", slug="p", components=[(first, ""), (second, "")])
    body = form(name="Renamed", slug="p")
    body.update(
        {
            "components": [first.id, second.id],
            f"position-{first.id}": "1",
            f"position-{second.id}": "2",
            "move": f"{second.id}:up",
        }
    )
    response = client.post(f"/pages/{page.id}/edit", body)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(f'value="{second.id}"') < html.index(f'value="{first.id}"')
    assert f'name="position-{second.id}" value="1"' in html and 'value="Renamed"' in html
    page.refresh_from_db()
    assert page.name == "P" and components_of(page) == [(first.id, "", 0), (second.id, "", 1)]


BAD_FORMS = [
    ({"accentColor": "red"}, "accentColor", "does not match the required pattern"),
    ({"accentColor": "#12345"}, "accentColor", "does not match the required pattern"),
    ({"slug": "taken"}, "slug", "This slug is already taken."),
    ({"slug": "not a slug!"}, "slug", "Enter a valid"),
    ({"customDomain": "not a domain"}, "customDomain", "Must be a host name like status.example.com."),
    ({"customDomain": "localhost"}, "customDomain", "Must be a host name"),
    ({"customDomain": "taken.example.com"}, "customDomain", "Another page already uses this domain."),
    ({"name": "  "}, "name", "This field may not be blank."),
    ({"privacy": "password"}, "password", "needs one"),
    ({"privacy": "password", "password": "short"}, "password", "Must be at least 8 characters."),
    ({"privacy": "sideways"}, "privacy", "Choose who may see the page."),
]
BAD_LOGOS = [
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/svg+xml"),
    ("notes.txt", b"just some text", "text/plain"),
    ("huge.png", PNG + b"\0" * (128 * 1024), "image/png"),
]


@pytest.fixture
def taken(org, other_org):
    StatusPageFactory(
        organization=other_org, slug="taken", custom_domain="taken.example.com", custom_domain_verified=True
    )


@pytest.mark.parametrize(("changes", "field", "message"), BAD_FORMS)
def test_bad_forms_show_the_message_next_to_the_field_and_change_nothing(
    client, person, org, taken, changes, field, message
):
    person(org, "member", client)
    monitor = MonitorFactory(organization=org)
    page = services.status_page_create(
        organization=org, name="Mine", slug="mine", components=[(monitor, "G")], accent_color="#000000"
    )
    before = snapshot(page)
    body = form(name="Changed", slug="changed")
    body.update(changes)
    body.update({"components": [], f"position-{monitor.id}": "1"})
    response = client.post(f"/pages/{page.id}/edit", body)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in error_of(html, field)
    assert 'aria-invalid="true"' in html
    assert snapshot(page) == before


@pytest.mark.parametrize(("changes", "field", "message"), BAD_FORMS[:7])
def test_bad_new_pages_are_not_created(client, person, org, taken, changes, field, message):
    person(org, "member", client)
    response = client.post("/pages/new", form(**changes))
    assert response.status_code == 400
    assert message in error_of(response.content.decode(), field)
    assert not StatusPage.objects.filter(organization=org).exists()


@pytest.mark.parametrize(("filename", "content", "content_type"), BAD_LOGOS)
def test_bad_logos_are_refused_next_to_the_field(client, person, org, filename, content, content_type):
    person(org, "member", client)
    page = StatusPageFactory(organization=org)
    before = snapshot(page)
    upload = SimpleUploadedFile(filename, content, content_type=content_type)
    response = client.post(f"/pages/{page.id}/edit", form(name="Changed", slug=page.slug, logo=upload))
    assert response.status_code == 400
    error = error_of(response.content.decode(), "logo")
    expected = "Must be at most 128 KB." if filename == "huge.png" else "Must be a PNG, JPEG, GIF or WebP image."
    assert expected in error
    assert snapshot(page) == before


def test_component_errors_show_next_to_their_row(client, person, org, other_org):
    person(org, "member", client)
    monitor = MonitorFactory(organization=org)
    body = form(components=[monitor.id], **{f"group-{monitor.id}": "x" * 101, f"position-{monitor.id}": "first"})
    html = client.post("/pages/new", body).content.decode()
    assert "group must be text of at most 100 characters." in error_of(html, f"group-{monitor.id}")
    assert "Must be a whole number." in error_of(html, f"position-{monitor.id}")

    assert not StatusPage.objects.exists()

    # Only the organization's own monitors are offered: another's id is not taken.
    theirs = MonitorFactory(organization=other_org)
    response = client.post("/pages/new", form(components=[theirs.id], **{f"position-{theirs.id}": "1"}))
    assert response.status_code == 302
    assert components_of(StatusPage.objects.get(organization=org)) == []


def test_logo_upload_and_removal(client, person, org):
    person(org, "member", client)
    page = StatusPageFactory(organization=org, slug="logo-page")
    upload = SimpleUploadedFile("logo.png", PNG, content_type="application/octet-stream")
    assert client.post(f"/pages/{page.id}/edit", form(slug="logo-page", logo=upload)).status_code == 302
    page.refresh_from_db()
    assert bytes(page.logo) == PNG and page.logo_type == "image/png"
    html = client.get(f"/pages/{page.id}/edit").content.decode()
    assert 'src="/status/logo-page/logo"' in html and 'name="removeLogo"' in html

    # Saving without a file keeps it; the checkbox removes it.
    assert client.post(f"/pages/{page.id}/edit", form(slug="logo-page")).status_code == 302
    page.refresh_from_db()
    assert bytes(page.logo) == PNG
    assert client.post(f"/pages/{page.id}/edit", form(slug="logo-page", removeLogo="on")).status_code == 302
    page.refresh_from_db()
    assert bytes(page.logo) == b"" and page.logo_type == ""


def test_password_is_stored_hashed_never_shown_and_kept_when_blank(client, person, org):
    person(org, "member", client)
    response = client.post("/pages/new", form(slug="secret", privacy="password", password=PAGE_PASSWORD))
    assert response.status_code == 302
    page = StatusPage.objects.get(slug="secret")
    assert not page.is_public and page.password_hash != PAGE_PASSWORD
    assert check_password(PAGE_PASSWORD, page.password_hash)

    html = client.get(f"/pages/{page.id}/edit").content.decode()
    assert PAGE_PASSWORD not in html and page.password_hash not in html
    assert 'name="password" type="password"' in html and 'name="password" type="password" value' not in html
    assert 'value="password" checked' in html and "The page has a password." in html

    # A bad form shown again does not echo the password either.
    html = client.post(
        f"/pages/{page.id}/edit", form(slug="secret", privacy="password", password="another one 9", accentColor="x")
    ).content.decode()
    assert "another one 9" not in html and PAGE_PASSWORD not in html

    # Blank keeps it.
    assert client.post(f"/pages/{page.id}/edit", form(slug="secret", privacy="password")).status_code == 302
    page.refresh_from_db()
    assert check_password(PAGE_PASSWORD, page.password_hash)
    assert "Private, with a password" in client.get("/pages/").content.decode()

    # A new one replaces it.
    client.post(f"/pages/{page.id}/edit", form(slug="secret", privacy="password", password="brand new pass"))
    page.refresh_from_db()
    assert check_password("brand new pass", page.password_hash)

    # "Remove the password" with a public page removes it.
    client.post(f"/pages/{page.id}/edit", form(slug="secret", privacy="public", removePassword="on"))
    page.refresh_from_db()
    assert page.is_public and page.password_hash == ""


def test_removing_the_password_of_a_password_page_needs_another_privacy(client, person, org):
    person(org, "member", client)
    page = services.status_page_create(
        organization=org, name="P", slug="p", is_public=False, password_hash="pbkdf2_sha256$fake"
    )
    response = client.post(f"/pages/{page.id}/edit", form(slug="p", privacy="password", removePassword="on"))
    assert response.status_code == 400
    assert "needs one" in error_of(response.content.decode(), "password")
    page.refresh_from_db()
    assert page.password_hash == "pbkdf2_sha256$fake"

    # Members only: the password goes, else whoever knows it would still get in.
    assert client.post(f"/pages/{page.id}/edit", form(slug="p", privacy="members")).status_code == 302
    page.refresh_from_db()
    assert not page.is_public and page.password_hash == ""
    assert 'value="members" checked' in client.get(f"/pages/{page.id}/edit").content.decode()


def test_the_plan_limit_is_shown(client, person, org):
    org.plan = "free"
    org.save()
    person(org, "member", client)
    StatusPageFactory(organization=org)
    response = client.post("/pages/new", form())
    assert response.status_code == 400
    assert "The free plan allows 1 status pages." in response.content.decode()
    assert StatusPage.objects.filter(organization=org).count() == 1


# --- delete ---


def test_delete_asks_first(client, person, org):
    person(org, "member", client)
    page = StatusPageFactory(organization=org, name="Doomed", slug="doomed")
    confirm = client.get(f"/pages/{page.id}/delete")
    assert b"cannot be undone" in confirm.content and b"/status/doomed/" in confirm.content
    assert StatusPage.objects.filter(pk=page.pk).exists()
    response = client.post(f"/pages/{page.id}/delete")
    assert response.status_code == 302 and response.url == "/pages/"
    assert not StatusPage.objects.filter(pk=page.pk).exists()


# --- permissions and CSRF ---


def test_viewer_cannot_create_edit_or_delete(client, person, org):
    person(org, "viewer", client)
    page = StatusPageFactory(organization=org, name="Kept")
    assert client.get("/pages/").status_code == 200
    assert client.get("/pages/new").status_code == 403
    assert client.post("/pages/new", form(name="X")).status_code == 403
    assert client.get(f"/pages/{page.id}/edit").status_code == 403
    assert client.post(f"/pages/{page.id}/edit", form(name="Y", slug=page.slug)).status_code == 403
    assert client.get(f"/pages/{page.id}/delete").status_code == 403
    assert client.post(f"/pages/{page.id}/delete").status_code == 403
    page.refresh_from_db()
    assert page.name == "Kept" and StatusPage.objects.count() == 1


def test_another_organizations_page_is_a_404(client, person, org, other_org):
    person(org, "admin", client)
    theirs = StatusPageFactory(organization=other_org, name="Theirs")
    assert client.get(f"/pages/{theirs.id}/edit").status_code == 404
    assert client.post(f"/pages/{theirs.id}/edit", form(name="Mine now", slug=theirs.slug)).status_code == 404
    assert client.get(f"/pages/{theirs.id}/delete").status_code == 404
    assert client.post(f"/pages/{theirs.id}/delete").status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"


def test_signed_out_visitors_go_to_the_login(client, db):
    assert client.get("/pages/").url.startswith("/login")


def test_forms_need_the_csrf_token(person, org):
    client = Client(enforce_csrf_checks=True)
    person(org, "member", client)
    page = StatusPageFactory(organization=org, name="Kept")
    assert client.post("/pages/new", form(name="X")).status_code == 403
    assert client.post(f"/pages/{page.id}/edit", form(name="Y", slug=page.slug)).status_code == 403
    assert client.post(f"/pages/{page.id}/delete").status_code == 403
    page.refresh_from_db()
    assert page.name == "Kept" and StatusPage.objects.count() == 1
