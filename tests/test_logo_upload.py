"""Status page logos, through the API and the dashboard's upload: raster images known by their
first bytes whatever the data URL, file name or upload claims, and at most 128 KB.

tests/test_status_page_public.py and tests/test_dashboard_pages.py already refuse an SVG, a
non-image and a far too big file; these add the claims that lie and the exact size limit."""

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from statuspages.models import StatusPage
from statuspages.settings_fields import MAX_LOGO_BYTES

from .factories import StatusPageFactory

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><script>alert(1)</script>"
IMAGES = {
    "image/png": PNG,
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32,
    "image/gif": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    "image/webp": b"RIFF\x1a\x00\x00\x00WEBPVP8L" + b"\x00" * 14,
}
TYPE_MESSAGE = "Must be a PNG, JPEG, GIF or WebP image."
SIZE_MESSAGE = "Must be at most 128 KB."


def sized(size: int) -> bytes:
    """A PNG's bytes padded to exactly `size` bytes."""
    return PNG + b"\0" * (size - len(PNG))


def data_url(content: bytes, claimed: str = "image/png") -> str:
    return f"data:{claimed};base64,{base64.b64encode(content).decode()}"


@pytest.fixture
def page(org) -> StatusPage:
    return StatusPageFactory(organization=org, slug="logo-checks")


def stored(page: StatusPage) -> tuple[bytes, str]:
    page.refresh_from_db()
    return bytes(page.logo), page.logo_type


# --- the API: a data URL ---


def put_logo(admin, page: StatusPage, value: str):
    return admin.put(f"/api/status-pages/{page.id}", {"logo": value}, format="json")


@pytest.mark.parametrize("content_type", list(IMAGES))
def test_api_stores_each_raster_type_by_its_bytes_whatever_the_data_url_claims(admin, client, page, content_type):
    response = put_logo(admin, page, data_url(IMAGES[content_type], claimed="image/svg+xml"))
    assert response.status_code == 200, response.content
    assert response.json()["logoUrl"] == "http://testserver/status/logo-checks/logo"
    assert stored(page) == (IMAGES[content_type], content_type)
    served = client.get("/status/logo-checks/logo")
    assert served["Content-Type"] == content_type and served.content == IMAGES[content_type]


NOT_RASTER = {"svg": SVG, "html": HTML, "gif-cut-short": b"GIF8", "wav": b"RIFF\x1a\x00\x00\x00WAVEfmt "}


@pytest.mark.parametrize("content", list(NOT_RASTER.values()), ids=list(NOT_RASTER))
def test_api_refuses_what_is_not_a_raster_image_even_claimed_as_png(admin, page, content):
    response = put_logo(admin, page, data_url(content, claimed="image/png"))
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["logo"] == [TYPE_MESSAGE]
    assert stored(page) == (b"", "")


def test_api_takes_a_logo_of_exactly_128_kb_and_refuses_one_byte_more(admin, page):
    assert MAX_LOGO_BYTES == 128 * 1024
    response = put_logo(admin, page, data_url(sized(MAX_LOGO_BYTES + 1)))
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["logo"] == [SIZE_MESSAGE]
    assert stored(page) == (b"", "")

    assert put_logo(admin, page, data_url(sized(MAX_LOGO_BYTES))).status_code == 200
    assert stored(page) == (sized(MAX_LOGO_BYTES), "image/png")


# --- the dashboard: a file upload ---


def upload(client, page: StatusPage, name: str, content: bytes, content_type: str):
    form = {"name": page.name, "slug": page.slug, "description": "", "accentColor": "#2563eb"}
    form |= {"privacy": "public", "password": "", "customDomain": ""}
    form["logo"] = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(f"/pages/{page.id}/edit", form)


@pytest.mark.parametrize("content_type", list(IMAGES))
def test_dashboard_stores_each_raster_type_by_its_bytes_whatever_the_file_claims(
    client, person, org, page, content_type
):
    person(org, "member", client)
    response = upload(client, page, "logo.svg", IMAGES[content_type], "image/svg+xml")
    assert response.status_code == 302
    assert stored(page) == (IMAGES[content_type], content_type)


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [("logo.png", SVG, "image/png"), ("logo.png", HTML, "image/png"), ("logo.gif", b"GIF8", "image/gif")],
    ids=["svg", "html", "gif"],
)
def test_dashboard_refuses_what_is_not_a_raster_image_even_named_and_sent_as_one(
    client, person, org, page, name, content, content_type
):
    person(org, "member", client)
    response = upload(client, page, name, content, content_type)
    assert response.status_code == 400
    assert TYPE_MESSAGE in response.content.decode()
    assert stored(page) == (b"", "")


def test_dashboard_takes_a_logo_of_exactly_128_kb_and_refuses_one_byte_more(client, person, org, page):
    person(org, "member", client)
    response = upload(client, page, "logo.png", sized(MAX_LOGO_BYTES + 1), "image/png")
    assert response.status_code == 400
    assert SIZE_MESSAGE in response.content.decode()
    assert stored(page) == (b"", "")

    assert upload(client, page, "logo.png", sized(MAX_LOGO_BYTES), "image/png").status_code == 302
    assert stored(page) == (sized(MAX_LOGO_BYTES), "image/png")
