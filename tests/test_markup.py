"""User-written text is Markdown, shown sanitized: formatting survives, script does not."""

import secrets

import pytest
from django.contrib.auth import get_user_model

from accounts.models import Membership
from incidents.services import incident_create, incident_update
from statuspages.services import status_page_create
from statuspages.templatetags.markup import render

from .factories import MonitorFactory

HOSTILE = (
    "**Fixed** the [database](https://db.example.com)\n"
    "<script>alert('x')</script><img src=x onerror=alert(1)>"
    "[click](javascript:alert(1)) <a href='https://e.example' onclick='steal()'>e</a>"
    "<style>body{display:none}</style><iframe src='https://evil.example'></iframe>"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("**bold** and *em*", "<p><strong>bold</strong> and <em>em</em></p>"),
        ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
        ("`code`", "<p><code>code</code></p>"),
        ("one\ntwo", "<p>one<br>\ntwo</p>"),
        ("", ""),
    ],
)
def test_markdown_formatting_survives(text, expected):
    assert render(text) == expected


def test_hostile_html_is_removed():
    html = render(HOSTILE)
    assert '<a href="https://db.example.com" rel="nofollow noopener noreferrer">database</a>' in html
    for banned in ("<script", "alert", "onerror", "onclick", "javascript:", "<img", "<style", "<iframe", "steal"):
        assert banned not in html, banned


def test_public_page_and_dashboard_show_messages_sanitized(client, org):
    monitor = MonitorFactory(organization=org)
    status_page_create(organization=org, name="P", slug="p", description=HOSTILE, components=[(monitor, "")])
    incident = incident_create(organization=org, title="Outage", description="Looking", affected=[(monitor, None)])
    incident_update(incident=incident, update=HOSTILE)

    public = client.get("/status/p/").content.decode()
    assert "<strong>Fixed</strong>" in public
    assert "<script>alert" not in public and "onerror" not in public and "javascript:" not in public

    user = get_user_model().objects.create_user(f"viewer-{secrets.token_hex(3)}")
    Membership.objects.create(user=user, organization=org, role="viewer")
    client.force_login(user)
    dashboard = client.get(f"/incidents/{incident.id}/").content.decode()
    assert "<strong>Fixed</strong>" in dashboard
    assert "<script>alert" not in dashboard and "onerror" not in dashboard and "javascript:" not in dashboard
