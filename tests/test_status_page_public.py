"""The public status page: what it shows, to whom, and how it is cached."""

import json
import re
import secrets
import time
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import generation
from incidents import services as incident_services
from incidents.maintenance import refresh_monitor_flags
from incidents.models import Incident, IncidentUpdate, Maintenance
from monitors.models import Monitor, Rollup
from statuspages import access, page_cache, services, snapshot
from statuspages.models import StatusPage

from .factories import MonitorFactory

DOWN, DEGRADED, UP = Monitor.Status.DOWN, Monitor.Status.DEGRADED, Monitor.Status.UP
PAGE_PATHS = [
    "",
    "history",
    "api/v2/summary.json",
    "api/v2/status.json",
    "api/v2/components.json",
    "api/v2/incidents.json",
    "api/v2/incidents/unresolved.json",
    "api/v2/scheduled-maintenances.json",
    "api/v2/scheduled-maintenances/upcoming.json",
    "api/v2/scheduled-maintenances/active.json",
    "feed.atom",
    "feed.rss",
    "badge.svg",
]


def midnight(days_ago: int) -> datetime:
    return datetime.combine(timezone.now().date() - timedelta(days=days_ago), datetime.min.time(), tzinfo=UTC)


def add_days(monitor: Monitor, uptimes: list[float | None]) -> None:
    """Daily rollups, uptimes[0] being today's; None leaves the day without checks."""
    Rollup.objects.bulk_create(
        Rollup(monitor=monitor, period="day", bucket=midnight(ago), checks=10_000, up=round(uptime * 100), degraded=0)
        for ago, uptime in enumerate(uptimes)
        if uptime is not None
    )


@pytest.fixture
def acme(org):
    """A page with two groups, a DOWN and a DEGRADED component, one in maintenance, an open
    incident, and a monitor of the same organization that is not on the page."""
    api = MonitorFactory(organization=org, name="Public API", status=DOWN)
    web = MonitorFactory(organization=org, name="Website", status=DEGRADED)
    db = MonitorFactory(organization=org, name="Database", status=UP)
    cdn = MonitorFactory(organization=org, name="CDN", status=UP)
    hidden = MonitorFactory(organization=org, name="Hidden billing worker", status=DOWN)
    page = services.status_page_create(
        organization=org,
        name="Acme",
        slug="acme",
        description="Acme's services",
        components=[(api, "Core"), (web, "Core"), (db, "Data"), (cdn, "")],
    )
    incident = incident_services.incident_create(
        organization=org,
        title="API errors",
        description="We are looking into errors on the API.",
        impact="high",
        affected=[(api, None), (hidden, None)],
    )
    incident_services.incident_update(incident=incident, status="IDENTIFIED", update="A bad deploy; rolling back.")
    maintenance = Maintenance.objects.create(
        organization=org,
        title="Database upgrade",
        status="in_progress",
        starts_at=timezone.now() - timedelta(minutes=5),
        ends_at=timezone.now() + timedelta(hours=1),
    )
    maintenance.monitors.set([db])
    refresh_monitor_flags([db.id])
    add_days(api, [90.0, 99.95, None, 100.0])
    add_days(hidden, [50.0])
    return {"page": page, "api": api, "web": web, "db": db, "cdn": cdn, "hidden": hidden, "incident": incident}


def resolved_incident(org, title: str, days_ago: int, *, impact: str = "low", affected=(), message: str = "Fixed."):
    """An incident opened `days_ago` days ago (an hour after that day's noon, UTC) and
    resolved an hour later with `message`."""
    incident = incident_services.incident_create(
        organization=org, title=title, description="Looking into it.", impact=impact, affected=list(affected)
    )
    incident_services.incident_update(incident=incident, status="RESOLVED", update=message)
    opened = midnight(days_ago) + timedelta(hours=13)
    Incident.objects.filter(pk=incident.pk).update(created_at=opened, resolved_at=opened + timedelta(hours=1))
    first, last = IncidentUpdate.objects.filter(incident=incident).order_by("created_at", "id")
    IncidentUpdate.objects.filter(pk=first.pk).update(created_at=opened)
    IncidentUpdate.objects.filter(pk=last.pk).update(created_at=opened + timedelta(hours=1))
    generation.bump([org.id])  # as a write through the services would
    return incident


def section(page_html: str, css_class: str) -> str:
    match = re.search(rf'<section class="{css_class}".*?</section>', page_html, re.S)
    assert match, css_class
    return match.group(0)


def html(client, path: str = "/status/acme/") -> str:
    response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


def component_block(page_html: str, name: str) -> str:
    match = re.search(
        rf'<div class="component" data-status="(\w+)">\s*<div class="row"><span class="name">{name}<', page_html
    )
    assert match, name
    return match.group(1)


def test_page_shows_banner_groups_statuses_incident_and_maintenance(client, acme):
    page = html(client)

    assert "<h1>Partial System Outage</h1>" in page
    assert component_block(page, "Public API") == "major_outage"
    assert component_block(page, "Website") == "degraded_performance"
    assert component_block(page, "Database") == "under_maintenance"
    assert component_block(page, "CDN") == "operational"
    assert re.search(
        r'<h3 class="group-name">Core</h3>.*Public API.*Website.*<h3 class="group-name">Data</h3>.*Database', page, re.S
    )
    # The incident's timeline, newest first, naming only the page's components.
    timeline = page[page.index("API errors") : page.index("</article>", page.index("API errors"))]
    assert timeline.index("Identified") < timeline.index("Investigating")
    assert "A bad deploy; rolling back." in timeline
    assert "Affects Public API" in timeline
    assert "Database upgrade" in page and "In progress" in page
    assert 'action="http://testserver/status/acme/subscribe"' in page


def test_bars_have_a_cell_per_day_coloured_by_uptime_with_tooltip_data(client, acme):
    page = html(client)
    attributes, cells = re.search(r'Public API<.*?<div class="bar" ([^>]*)>(.*?)</div>', page, re.S).groups()
    levels = re.findall(r"<i(?: class=(\w))?></i>", cells)
    data = dict(re.findall(r'data-([a-z]+)="([^"]*)"', attributes))

    assert len(levels) == 90
    assert levels[-4:] == ["", "n", "", "x"]  # 3 days ago 100%, no checks, 99.95%, today 90%
    assert set(levels[:-4]) == {"n"}
    assert data["end"] == timezone.now().date().isoformat()
    uptimes = data["uptimes"].split(",")
    assert len(uptimes) == 90 and uptimes[-4:] == ["100", "", "99.95", "90"]
    assert json.loads(unescape(data["incidents"])) == {"89": ["API errors"]}
    assert "96.65% uptime over 90 days" in page  # (9,000 + 9,995 + 10,000) / 30,000


def test_a_component_not_on_the_page_appears_nowhere(client, acme):
    hidden = acme["hidden"]
    for path in PAGE_PATHS:
        body = client.get(f"/status/acme/{path}").content.decode()
        assert hidden.id not in body, path
        assert hidden.name not in body, path
    incident_page = html(client, f"/status/acme/incidents/{acme['incident'].id}")
    assert hidden.name not in incident_page


def test_an_incident_only_about_other_components_is_not_on_the_page(client, acme, org):
    other = incident_services.incident_create(
        organization=org, title="Billing delays", description="", impact="low", affected=[(acme["hidden"], None)]
    )
    for path in ("", "history", "api/v2/incidents.json", "feed.atom"):
        assert "Billing delays" not in client.get(f"/status/acme/{path}").content.decode(), path
    assert client.get(f"/status/acme/incidents/{other.id}").status_code == 404


def test_json_uses_statuspage_names_and_enums_and_agrees_with_the_banner(client, acme):
    summary = client.get("/status/acme/api/v2/summary.json").json()
    status = client.get("/status/acme/api/v2/status.json").json()

    assert set(summary) == {"page", "components", "incidents", "scheduled_maintenances", "status"}
    assert set(summary["page"]) >= {"id", "name", "url", "time_zone", "updated_at"}
    assert status["status"] == summary["status"] == {"indicator": "major", "description": "Partial System Outage"}
    assert f"<h1>{status['status']['description']}</h1>" in html(client)
    by_name = {c["name"]: c for c in summary["components"] if not c["group"]}
    assert by_name["Public API"]["status"] == "major_outage"
    assert by_name["Website"]["status"] == "degraded_performance"
    assert by_name["Database"]["status"] == "under_maintenance"
    for component in summary["components"]:
        assert component["status"] in {
            "operational",
            "degraded_performance",
            "partial_outage",
            "major_outage",
            "under_maintenance",
        }
    [incident] = summary["incidents"]
    assert incident["status"] == "identified"
    assert incident["impact"] == "major"
    assert [u["status"] for u in incident["incident_updates"]] == ["identified", "investigating"]
    assert incident["shortlink"] == f"http://testserver/status/acme/incidents/{acme['incident'].id}"
    [maintenance] = summary["scheduled_maintenances"]
    assert maintenance["status"] == "in_progress"
    assert client.get("/status/acme/api/v2/scheduled-maintenances/upcoming.json").json()["scheduled_maintenances"] == []
    assert client.get("/status/acme/api/v2/summary.json")["Access-Control-Allow-Origin"] == "*"


# Statuspage's status.description for each indicator, as its own pages pair them.
@pytest.mark.parametrize(
    ("statuses", "impact", "declared", "banner", "indicator"),
    [
        ([UP, UP], None, "operational", "All Systems Operational", "none"),
        ([UP, DEGRADED], None, "operational", "Partially Degraded Service", "minor"),  # a lone slow component
        ([UP, UP], "none", "degraded_performance", "Partially Degraded Service", "minor"),
        ([UP, UP], "none", "partial_outage", "Minor Service Outage", "minor"),
        ([UP, UP], "low", "operational", "Minor Service Outage", "minor"),
        ([UP, DEGRADED], "medium", "operational", "Minor Service Outage", "minor"),
        ([DOWN, UP], None, "operational", "Partial System Outage", "major"),
        ([UP, UP], "high", "operational", "Partial System Outage", "major"),
        ([DOWN, DOWN], "critical", "operational", "Major Service Outage", "critical"),
    ],
)
def test_banner_json_and_badge_agree_with_statuspage_wording(
    client, org, statuses, impact, declared, banner, indicator
):
    monitors = [MonitorFactory(organization=org, status=status) for status in statuses]
    services.status_page_create(organization=org, name="P", slug="p", components=[(m, "") for m in monitors])
    if impact:
        incident_services.incident_create(
            organization=org, title="Trouble", description="", impact=impact, affected=[(monitors[0], declared)]
        )
    page = html(client, "/status/p/")
    assert f'<section class="banner indicator-{indicator}" role="status">\n  <h1>{banner}</h1>' in page
    expected = {"indicator": indicator, "description": banner}
    assert client.get("/status/p/api/v2/status.json").json()["status"] == expected
    assert client.get("/status/p/api/v2/summary.json").json()["status"] == expected
    assert f"status: {banner}" in client.get("/status/p/badge.svg").content.decode()


def test_maintenance_alone_shows_under_maintenance(client, org):
    monitor = MonitorFactory(organization=org, status=UP)
    services.status_page_create(organization=org, name="P", slug="p", components=[(monitor, "")])
    window = Maintenance.objects.create(
        organization=org, title="Upgrade", status="in_progress", starts_at=timezone.now(), ends_at=timezone.now()
    )
    window.monitors.set([monitor])
    refresh_monitor_flags([monitor.id])

    assert (
        '<section class="banner indicator-none maintenance" role="status">\n  <h1>Service Under Maintenance</h1>'
        in (html(client, "/status/p/"))
    )
    expected = {"indicator": "none", "description": "Service Under Maintenance"}
    assert client.get("/status/p/api/v2/status.json").json()["status"] == expected
    assert client.get("/status/p/api/v2/summary.json").json()["status"] == expected


def test_past_incidents_show_the_last_15_days_newest_first(client, acme, org):
    three = resolved_incident(
        org, "Slow logins", 3, impact="medium", affected=[(acme["api"], None)], message="All **fine** now."
    )
    later = resolved_incident(org, "Search errors", 3, impact="critical", affected=[(acme["web"], None)])
    Incident.objects.filter(pk=later.pk).update(created_at=midnight(3) + timedelta(hours=20))
    everywhere = resolved_incident(org, "Email delays", 14, impact="none")  # names no component: on every page
    resolved_incident(org, "Ancient outage", 20, affected=[(acme["api"], None)])
    resolved_incident(org, "Billing hiccup", 1, affected=[(acme["hidden"], None)])  # not on this page
    generation.bump([org.id])

    past = section(html(client), "past-incidents")

    assert '<h2 id="past-incidents">Past incidents</h2>' in past
    days = [
        re.match(r'\s*<h3><time datetime="([\d-]+)">([^<]+)</time></h3>(.*)', day, re.S).groups()
        for day in past.split('<div class="past-day">')[1:]
    ]
    dates = [timezone.now().date() - timedelta(days=n) for n in range(15)]
    assert [(day, label) for day, label, _body in days] == [(d.isoformat(), f"{d:%b} {d.day}, {d.year}") for d in dates]
    by_day = {n: body for n, (_day, _label, body) in enumerate(days)}
    # Day 3: both incidents, the later one first, each linking to its page, coloured by impact.
    titles = re.findall(r'<article class="past-incident impact-(\w+)">\s*<h4><a href="([^"]+)">([^<]+)</a>', by_day[3])
    assert titles == [
        ("critical", f"http://testserver/status/acme/incidents/{later.id}", "Search errors"),
        ("medium", f"http://testserver/status/acme/incidents/{three.id}", "Slow logins"),
    ]
    # The last update: its status, its text (Markdown) and its time.
    slow = by_day[3][by_day[3].index("Slow logins") :]
    assert "<strong>Resolved</strong> – <p>All <strong>fine</strong> now.</p>" in slow
    posted = midnight(3) + timedelta(hours=14)
    assert f'<time datetime="{posted.isoformat()}">{posted:%b} {posted.day}, 14:00 UTC</time>' in slow
    assert "Email delays" in by_day[14] and everywhere.id in by_day[14]
    for n in set(range(15)) - {3, 14}:
        assert '<p class="no-incidents">No incidents reported.</p>' in by_day[n], n
    assert "Ancient outage" not in past  # 20 days ago
    assert "Billing hiccup" not in past  # only about a component of another page
    assert "API errors" not in past  # still open: it is under Active incidents
    assert '<a href="http://testserver/status/acme/history">' in past


def test_past_incidents_show_at_most_the_newest_past_limit(client, acme, org, monkeypatch):
    monkeypatch.setattr(snapshot, "PAST_LIMIT", 2)
    for days_ago in (1, 2, 4):
        resolved_incident(org, f"Flap {days_ago} days ago", days_ago, affected=[(acme["api"], None)])

    past = section(html(client), "past-incidents")

    assert re.findall(r"Flap \d days ago", past) == ["Flap 1 days ago", "Flap 2 days ago"]
    assert past.count('<p class="no-incidents">No incidents reported.</p>') == 13


def test_a_resolved_incident_moves_to_past_incidents_at_once(client, acme, redis_url):
    assert "API errors" in section(html(client), "incidents")
    html(client)  # cached now

    incident_services.incident_update(incident=acme["incident"], status="RESOLVED", update="Rolled back.")

    page = html(client)
    assert '<section class="incidents"' not in page
    today = section(page, "past-incidents").split('<div class="past-day">')[1]
    assert "API errors" in today and "Rolled back." in today


def test_incident_page_shows_its_title_once(client, acme):
    page = html(client, f"/status/acme/incidents/{acme['incident'].id}")

    assert page.count("API errors") == 2  # the <title> and the <h1>
    assert "<title>API errors · Acme</title>" in page
    assert re.search(r"<h1>API errors <span", page)
    assert "A bad deploy; rolling back." in page


def test_public_pages_say_status_once_and_no_internal_words(client, acme):
    services.status_page_update(page=acme["page"], name="Acme Status")
    resolved = resolved_incident(acme["page"].organization, "Old outage", 2)
    paths = ["", "history", f"incidents/{resolved.id}", f"incidents/{acme['incident'].id}"]
    for path in paths:
        page = html(client, f"/status/acme/{path}")
        title = re.search(r"<title>([^<]*)</title>", page).group(1)
        text = re.sub(r"<[^>]*>", " ", page)  # what a reader sees, not class names
        assert title.endswith("Acme Status") and not re.search(r"status\s+status", text, re.I), (path, title)
        assert "seed" not in page.lower(), path
    assert "<title>Acme Status</title>" in html(client)
    services.status_page_update(page=StatusPage.objects.get(pk=acme["page"].pk), name="Acme")
    assert "<title>Acme Status</title>" in html(client)
    for path in PAGE_PATHS:
        assert b"seed" not in client.get(f"/status/acme/{path}").content.lower(), path


def test_history_groups_incidents_by_month_and_each_has_a_page(client, acme):
    resolved = incident_services.incident_create(
        organization=acme["page"].organization, title="Old outage", description="", impact="low", affected=[]
    )
    incident_services.incident_update(incident=resolved, status="RESOLVED", update="Fixed.")
    history = html(client, "/status/acme/history")
    assert f"<h2>{timezone.now():%B %Y}</h2>" in history
    assert "Old outage" in history and "API errors" in history

    page = html(client, f"/status/acme/incidents/{resolved.id}")
    assert "Old outage" in page and "Fixed." in page
    assert client.get("/status/acme/incidents/inc_doesnotexist").status_code == 404


def test_feeds_have_an_entry_per_update(client, acme):
    atom = client.get("/status/acme/feed.atom")
    rss = client.get("/status/acme/feed.rss")
    assert atom["Content-Type"].startswith("application/atom+xml")
    assert rss["Content-Type"].startswith("application/rss+xml")
    assert atom.content.count(b"<entry>") == 2
    assert rss.content.count(b"<item>") == 2


def test_an_unknown_page_is_a_404_page(client, db):
    response = client.get("/status/nope/")
    assert response.status_code == 404
    assert b"There is no status page here." in response.content


# --- private pages ---


def test_a_password_page_refuses_a_visitor_without_it(client, acme):
    page = acme["page"]
    services.status_page_update(page=page, is_public=False, password_hash=_hash("correct horse"))

    for path in ("", "history", "api/v2/summary.json", "feed.atom", "badge.svg"):
        response = client.get(f"/status/acme/{path}")
        assert response.status_code == 401, path
        assert b"API errors" not in response.content
        assert b"Public API" not in response.content

    wrong = client.post("/status/acme/", {"password": "wrong horse"})
    assert wrong.status_code == 401 and b"That password is not right." in wrong.content
    right = client.post("/status/acme/", {"password": "correct horse"})
    assert right.status_code == 302
    assert "Partial System Outage" in html(client)
    assert client.get("/status/acme/")["Cache-Control"] == "private, no-cache"

    services.status_page_update(page=StatusPage.objects.get(pk=page.pk), password_hash=_hash("new password"))
    assert client.get("/status/acme/").status_code == 401  # a new password locks the old cookie out


def _hash(password: str) -> str:
    from statuspages.settings_fields import password_hash

    return password_hash(password)


def test_a_members_only_page_needs_a_member_of_the_organization(client, acme, org, django_user_model):
    services.status_page_update(page=acme["page"], is_public=False)
    assert client.get("/status/acme/").status_code == 403

    outsider = django_user_model.objects.create_user("outsider", password=secrets.token_hex(8))
    client.force_login(outsider)
    assert client.get("/status/acme/").status_code == 403

    member = django_user_model.objects.create_user("member", password=secrets.token_hex(8))
    org.memberships.create(user=member, role="viewer")
    client.force_login(member)
    assert "Partial System Outage" in html(client)


# --- custom domain ---


def test_a_custom_domain_serves_its_page(client, acme, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "status.acme.test"]
    services.status_page_update(page=acme["page"], custom_domain="status.acme.test")
    assert client.get("/", HTTP_HOST="status.acme.test").status_code != 200  # not routed until verified
    # (the checks themselves, against real DNS and HTTP servers: test_custom_domain_verification.py)
    StatusPage.objects.filter(pk=acme["page"].pk).update(custom_domain_verified=True)

    root = client.get("/", HTTP_HOST="status.acme.test")
    assert root.status_code == 200 and b"Partial System Outage" in root.content
    assert b'href="http://status.acme.test/history"' in root.content
    assert client.get("/api/v2/status.json", HTTP_HOST="status.acme.test").json()["status"]["indicator"] == "major"
    assert client.get("/api/monitors", HTTP_HOST="status.acme.test").status_code == 404
    assert client.get("/", HTTP_HOST="testserver").url == "/setup"  # StatusApp's own host: the dashboard


# --- caching ---


def test_responses_revalidate_with_etag_and_last_modified(client, acme):
    first = client.get("/status/acme/")
    assert first["ETag"] and first["Last-Modified"]
    assert first["Cache-Control"] == "public, max-age=30"

    assert client.get("/status/acme/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get("/status/acme/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert client.get("/status/acme/", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_cached_page_costs_no_query_and_a_change_shows_at_once(client, acme, redis_url):
    html(client)
    html(client)
    with CaptureQueriesContext(connection) as captured:
        html(client)
    assert len(captured.captured_queries) == 0

    incident_services.incident_update(incident=acme["incident"], status="MONITORING", update="Fix deployed.")
    assert "Fix deployed." in html(client)
    Monitor.objects.filter(pk=acme["web"].pk).update(status=UP)  # as the engine writes it, with a bump
    generation.bump([acme["page"].organization_id])
    assert component_block(html(client), "Website") == "operational"


def test_a_change_made_in_another_process_shows_within_a_second(client, acme, redis_url, monkeypatch):
    html(client)
    html(client)
    Monitor.objects.filter(pk=acme["web"].pk).update(status=UP)
    generation._renew({acme["page"].organization_id})  # another process's bump: this one is not told

    assert component_block(html(client), "Website") == "degraded_performance"
    real = time.monotonic
    monkeypatch.setattr(time, "monotonic", lambda: real() + access.GENERATION_WITHIN)
    assert component_block(html(client), "Website") == "operational"


def test_a_stale_page_is_rebuilt_once_while_others_serve_the_old_copy(acme, redis_url, monkeypatch):
    builds = []

    def build():
        builds.append(1)
        return b"v%d" % len(builds), "text/plain"

    key = f"test-{secrets.token_hex(4)}"
    current = generation.current(acme["page"].organization_id)
    assert page_cache.get(key, current, build).body == b"v1"
    assert page_cache.get(key, current, build).body == b"v1"
    generation.bump([acme["page"].organization_id])
    moved = generation.current(acme["page"].organization_id)
    # Another process holds the rebuild lock: this one serves the stale copy.
    from django.core.cache import cache

    cache.add(f"page-lock:{key}", "someone", 30)
    assert page_cache.get(key, moved, build).body == b"v1"
    assert len(builds) == 1
    cache.delete(f"page-lock:{key}")
    assert page_cache.get(key, moved, build).body == b"v2"


def test_query_count_does_not_grow_with_components_days_or_incidents(client, org, redis_url):
    def queries(components: int, days: int) -> int:
        monitors = [MonitorFactory(organization=org, status=UP) for _ in range(components)]
        slug = f"q{components}-{days}"
        services.status_page_create(organization=org, name=slug, slug=slug, components=[(m, "G") for m in monitors])
        for index, monitor in enumerate(monitors):
            add_days(monitor, [99.5] * days)
            incident_services.incident_create(
                organization=org, title="x", description="", impact="low", affected=[(monitor, None)]
            )
            resolved_incident(org, f"past {index}", index % 15, affected=[(monitor, None)])
        generation.bump([org.id])
        with CaptureQueriesContext(connection) as captured:
            page = html(client, f"/status/{slug}/")
        assert page.count('<article class="past-incident') == components
        return len(captured.captured_queries)

    # Expect 10 queries: the page (by slug, then by id for the build), its components,
    # open incidents, their updates, their components, maintenance, daily rollups,
    # incidents per day, past incidents with their last update.
    assert queries(2, 3) == queries(12, 90) == 10


# --- badges ---


def test_monitor_badges_show_that_monitor_only(client, acme):
    api = acme["api"]
    status = client.get(f"/badge/{api.badge_token}/status.svg")
    assert status.status_code == 200 and status["Content-Type"] == "image/svg+xml"
    assert b">down<" in status.content
    assert api.name.encode() not in status.content
    uptime = client.get(f"/badge/{api.badge_token}/uptime.svg?period=90d")
    assert b"uptime 90d" in uptime.content
    assert client.get(f"/badge/{api.badge_token}/uptime.svg?period=1y").status_code == 400
    shields = client.get(f"/badge/{api.badge_token}/shields.json?type=status").json()
    assert shields == {"schemaVersion": 1, "label": "status", "message": "down", "color": shields["color"]}
    assert client.get("/badge/not-a-real-token-at-all/status.svg").status_code == 404
    assert client.get(f"/badge/{api.badge_token}/shields.json?type=secret").status_code == 404


def test_page_badge_matches_the_banner(client, acme):
    badge = client.get("/status/acme/badge.svg").content
    assert b"Partial System Outage" in badge


# --- settings through the API ---


PNG = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def test_api_sets_look_access_groups_and_domain(acme, make_client, org):
    admin = make_client(org, "admin")
    page = acme["page"]
    body = {
        "accentColor": "#ff6600",
        "logo": PNG,
        "password": "s3cret-pass",
        "isPublic": False,
        "customDomain": "Status.Acme.Example",
        "components": [{"id": acme["api"].id, "group": "Core"}, acme["cdn"].id],
    }
    response = admin.put(f"/api/status-pages/{page.id}", body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["accentColor"] == "#ff6600"
    assert data["hasPassword"] is True and "password" not in data
    assert data["customDomain"] == "status.acme.example"
    assert data["logoUrl"] == "http://testserver/status/acme/logo"
    assert data["components"] == [acme["api"].id, acme["cdn"].id]
    assert data["groups"] == [{"name": "Core", "components": [acme["api"].id]}]
    stored = StatusPage.objects.get(pk=page.id)
    assert stored.password_hash.startswith("pbkdf2_") and "s3cret" not in stored.password_hash
    assert stored.logo_type == "image/png"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("accentColor", "red"),
        ("accentColor", "#12345"),
        ("logo", "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="),
        ("logo", "https://example.com/logo.png"),
        ("logo", "data:image/png;base64," + "A" * 180_000),
        ("logo", "data:image/png;base64,AAAA"),
        ("password", "short"),
        ("customDomain", "not a host"),
        ("customDomain", "127.0.0.1"),
        ("customDomain", "localhost"),
        ("components", [{"id": "mon_x", "group": 5}]),
        ("components", [{"id": "mon_x", "colour": "red"}]),
    ],
)
def test_api_refuses_bad_settings_and_stores_nothing(acme, make_client, org, field, value):
    admin = make_client(org, "admin")
    page = acme["page"]
    before = StatusPage.objects.filter(pk=page.id).values().get()
    response = admin.put(f"/api/status-pages/{page.id}", {field: value}, format="json")
    assert response.status_code == 400, response.content
    assert field in json.dumps(response.json()["error"])
    assert StatusPage.objects.filter(pk=page.id).values().get() == before


def test_a_custom_domain_belongs_to_one_page(acme, make_client, org):
    admin = make_client(org, "admin")
    services.status_page_update(page=acme["page"], custom_domain="status.acme.example")
    other = services.status_page_create(organization=org, name="Other", slug="other")
    # An unproved claim keeps nobody out (test_custom_domain_verification.py); a verified one does.
    StatusPage.objects.filter(pk=acme["page"].pk).update(custom_domain_verified=True)
    response = admin.put(f"/api/status-pages/{other.id}", {"customDomain": "STATUS.acme.example"}, format="json")
    assert response.status_code == 400
    assert "already uses" in json.dumps(response.json())


def test_logo_is_served_with_its_type(client, acme):
    from statuspages.settings_fields import logo_from_data_url

    services.status_page_update(page=acme["page"], logo=logo_from_data_url(PNG))
    response = client.get("/status/acme/logo")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    assert 'src="http://testserver/status/acme/logo"' in html(client)


def test_api_clears_logo_and_domain_with_empty_strings(acme, make_client, org):
    admin = make_client(org, "admin")
    other = services.status_page_create(organization=org, name="Other", slug="other")
    for page in (acme["page"], other):
        response = admin.put(f"/api/status-pages/{page.id}", {"logo": "", "customDomain": ""}, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["customDomain"] is None and response.json()["logoUrl"] is None
    assert StatusPage.objects.filter(custom_domain__isnull=True).count() == 2
