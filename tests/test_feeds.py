"""The Atom and RSS feeds of a page's incident updates, built from IncidentView values."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import pytest

from statuspages import feeds
from statuspages.snapshot import IncidentView, Update

A = "{http://www.w3.org/2005/Atom}"
PAGE = "https://status.example.com/acme/"
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def incident(id, title, updates, components=(), status="investigating"):
    updates = sorted(updates, key=lambda u: u.created_at, reverse=True)
    return IncidentView(
        id=id,
        title=title,
        status=status,
        impact="medium",
        created_at=updates[-1].created_at if updates else T0,
        updated_at=updates[0].created_at if updates else T0,
        resolved_at=None,
        updates=updates,
        components=list(components),
    )


def update(id, status, message, minutes):
    return Update(id=id, status=status, message=message, created_at=T0 + timedelta(minutes=minutes))


@pytest.fixture
def incidents():
    return [
        incident(
            "inc_b",
            "API errors",
            [update("iu_4", "investigating", "Looking into it", 30), update("iu_5", "resolved", "Fixed", 90)],
            components=[("mon_1", "API", "major_outage"), ("mon_2", "Dashboard", "degraded_performance")],
        ),
        incident(
            "inc_a",
            "Slow dashboard",
            [
                update("iu_1", "investigating", "Slow", 0),
                update("iu_2", "identified", "A bad index", 10),
                update("iu_3", "monitoring", "Watching", 60),
            ],
        ),
    ]


def atom_entries(data: bytes):
    root = ET.fromstring(data)  # noqa: S314 - our own output
    assert root.tag == f"{A}feed"
    return root, root.findall(f"{A}entry")


def rss_items(data: bytes):
    root = ET.fromstring(data)  # noqa: S314 - our own output
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    return channel, channel.findall("item")


def test_atom_has_one_entry_per_update_newest_first(incidents):
    root, entries = atom_entries(feeds.atom("Acme", PAGE, incidents))
    assert len(entries) == 5
    ids = [e.findtext(f"{A}id") for e in entries]
    assert ids == [f"tag:statusapp,2026:update:iu_{n}" for n in (5, 3, 4, 2, 1)]
    updated = [datetime.fromisoformat(e.findtext(f"{A}updated")) for e in entries]
    assert updated == sorted(updated, reverse=True)
    assert [e.findtext(f"{A}published") for e in entries] == [e.findtext(f"{A}updated") for e in entries]

    first = entries[0]
    assert first.findtext(f"{A}title") == "API errors — Resolved"
    assert first.find(f"{A}link").get("href") == PAGE + "incidents/inc_b"
    assert first.find(f"{A}content").get("type") == "html"
    assert first.findtext(f"{A}content") == "<p>Fixed</p>\n<p>Affected components: API, Dashboard</p>"
    assert [c.get("term") for c in first.findall(f"{A}category")] == ["API", "Dashboard"]
    assert entries[1].findtext(f"{A}title") == "Slow dashboard — Monitoring"
    assert entries[1].findtext(f"{A}content") == "<p>Watching</p>"

    assert root.findtext(f"{A}title") == "Acme"
    assert root.findtext(f"{A}id") == PAGE
    assert root.find(f"{A}link").get("href") == PAGE
    assert root.findtext(f"{A}updated") == "2026-03-01T13:30:00Z"  # the newest update's time
    assert root.findtext(f"{A}author/{A}name") == "Acme"


def test_rss_has_one_item_per_update_newest_first(incidents):
    channel, items = rss_items(feeds.rss("Acme", PAGE, incidents))
    assert len(items) == 5
    guids = [item.find("guid") for item in items]
    assert [g.text for g in guids] == [f"tag:statusapp,2026:update:iu_{n}" for n in (5, 3, 4, 2, 1)]
    assert {g.get("isPermaLink") for g in guids} == {"false"}
    dates = [parsedate_to_datetime(item.findtext("pubDate")) for item in items]
    assert dates == sorted(dates, reverse=True)
    assert dates[0] == T0 + timedelta(minutes=90)
    assert items[0].findtext("pubDate") == "Sun, 01 Mar 2026 13:30:00 GMT"

    assert items[0].findtext("title") == "API errors — Resolved"
    assert items[0].findtext("link") == PAGE + "incidents/inc_b"
    assert items[0].findtext("description") == "<p>Fixed</p>\n<p>Affected components: API, Dashboard</p>"
    assert [c.text for c in items[0].findall("category")] == ["API", "Dashboard"]

    assert channel.findtext("title") == "Acme"
    assert channel.findtext("link") == PAGE
    assert channel.findtext("description")
    assert parsedate_to_datetime(channel.findtext("lastBuildDate")) == T0 + timedelta(minutes=90)


def test_ids_are_stable_between_builds(incidents):
    first = [e.findtext(f"{A}id") for e in atom_entries(feeds.atom("Acme", PAGE, incidents))[1]]
    # A rebuild, after a new update, a renamed incident and a renamed page, elsewhere.
    incidents[1].title = "Dashboard slow"
    incidents[1].updates.insert(0, update("iu_6", "resolved", "Done", 120))
    second = [e.findtext(f"{A}id") for e in atom_entries(feeds.atom("Acme Inc", "https://x.test/", incidents))[1]]
    assert second[0] == "tag:statusapp,2026:update:iu_6"
    assert second[1:] == first

    rss_first = [i.findtext("guid") for i in rss_items(feeds.rss("Acme", PAGE, incidents))[1]]
    rss_second = [i.findtext("guid") for i in rss_items(feeds.rss("Acme", PAGE, incidents))[1]]
    assert rss_first == rss_second == second
    assert feeds.atom("Acme", PAGE, incidents) == feeds.atom("Acme", PAGE, incidents)


def test_at_most_50_entries_the_newest():
    many = [incident(f"inc_{n}", f"Incident {n}", [update(f"iu_{n}", "investigating", "x", n)]) for n in range(80)]
    _, entries = atom_entries(feeds.atom("Acme", PAGE, many))
    assert len(entries) == feeds.MAX_ENTRIES == 50
    assert entries[0].findtext(f"{A}id").endswith(":iu_79")
    assert entries[-1].findtext(f"{A}id").endswith(":iu_30")
    _, items = rss_items(feeds.rss("Acme", PAGE, many))
    assert len(items) == 50


def test_user_text_is_escaped():
    message = 'Oops <script>alert("x")</script> & <b>bold</b> ]]> \x00\x0b'
    title = "Tom & Jerry's <outage>"
    hostile = [
        incident("inc_x", title, [update("iu_x", "investigating", message, 0)], components=[("m", "<API & co>", "")])
    ]
    for build in (feeds.atom, feeds.rss):
        data = build("<Acme & Co>", PAGE, hostile)
        assert b"<script>" not in data
        assert b"<b>" not in data
        root = ET.fromstring(data)  # noqa: S314 - our own output; parses despite the control characters
        texts = [element.text for element in root.iter() if element.text]
        # The body is HTML, sanitized: the script is gone, other markup dropped, the rest escaped.
        expected = "<p>Oops  &amp; bold ]]&gt;</p>\n<p>Affected components: &lt;API &amp; co&gt;</p>"
        assert expected in texts
        assert f"{title} — Investigating" in texts
        assert "<Acme & Co>" in texts


HOSTILE_MESSAGES = [
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "<iframe src=https://evil.test></iframe>",
]


@pytest.mark.parametrize("message", HOSTILE_MESSAGES)
def test_an_update_cannot_put_script_in_a_reader(message):
    hostile = [incident("inc_x", "Outage", [update("iu_x", "investigating", f"Look: {message} **now**", 0)])]
    bodies = [
        atom_entries(feeds.atom("Acme", PAGE, hostile))[1][0].findtext(f"{A}content"),
        rss_items(feeds.rss("Acme", PAGE, hostile))[1][0].findtext("description"),
    ]
    for body in bodies:  # what a reader renders as HTML, once the XML is parsed
        lowered = body.lower()
        for bad in ("onerror", "onload", "javascript:", "<img", "<svg", "<iframe", "<script"):
            assert bad not in lowered, (bad, body)
        assert "<strong>now</strong>" in body  # formatting survives, as on the page


def test_empty_feeds_are_valid():
    now = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)
    root, entries = atom_entries(feeds.atom("Acme", PAGE, [], now=now))
    assert entries == []
    assert root.findtext(f"{A}updated") == "2026-04-01T08:00:00Z"
    assert root.findtext(f"{A}id") == PAGE
    channel, items = rss_items(feeds.rss("Acme", PAGE, [], now=now))
    assert items == []
    assert parsedate_to_datetime(channel.findtext("lastBuildDate")) == now

    # Without `now`, the current time; incidents without updates give no entries either.
    before = datetime.now(UTC).replace(microsecond=0)
    root, entries = atom_entries(feeds.atom("Acme", PAGE, [incident("inc_1", "Quiet", [])]))
    assert entries == []
    assert datetime.fromisoformat(root.findtext(f"{A}updated")) >= before


def test_page_url_without_trailing_slash_and_self_link(incidents):
    data = feeds.atom("Acme", "https://status.example.com/acme", incidents, feed_url=PAGE + "feed.atom")
    root, entries = atom_entries(data)
    assert entries[0].find(f"{A}link").get("href") == "https://status.example.com/acme/incidents/inc_b"
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{A}link")}
    assert links == {"alternate": PAGE, "self": PAGE + "feed.atom"}

    channel, _ = rss_items(feeds.rss("Acme", PAGE, incidents, feed_url=PAGE + "feed.rss"))
    assert channel.find(f"{A}link").get("href") == PAGE + "feed.rss"
    assert b"xmlns:atom=" in feeds.rss("Acme", PAGE, incidents, feed_url=PAGE + "feed.rss")


def test_naive_and_other_timezone_datetimes_are_utc():
    plus_two = datetime(2026, 3, 1, 16, 0, tzinfo=timezone(timedelta(hours=2)))
    naive = datetime(2026, 3, 1, 11, 0)  # noqa: DTZ001 - taken as UTC
    views = [
        incident("inc_1", "One", [Update("iu_a", "investigating", "a", plus_two)]),
        incident("inc_2", "Two", [Update("iu_b", "investigating", "b", naive)]),
    ]
    _, entries = atom_entries(feeds.atom("Acme", PAGE, views))
    assert [e.findtext(f"{A}updated") for e in entries] == ["2026-03-01T14:00:00Z", "2026-03-01T11:00:00Z"]


def test_served_feeds_carry_no_script_from_an_update(client, org):
    from incidents import services as incident_services
    from statuspages import services as page_services

    from .factories import MonitorFactory

    monitor = MonitorFactory(organization=org, name="API")
    page = page_services.status_page_create(organization=org, name="Acme", components=[(monitor, "")])
    incident = incident_services.incident_create(
        organization=org, title="Outage", description="Looking", affected=[(monitor, None)]
    )
    incident_services.incident_add_update(
        incident=incident, message="<img src=x onerror=alert(1)> see [x](javascript:alert(1))"
    )
    for kind, body_of in (
        ("rss", lambda data: [item.findtext("description") for item in rss_items(data)[1]]),
        ("atom", lambda data: [entry.findtext(f"{A}content") for entry in atom_entries(data)[1]]),
    ):
        response = client.get(f"/status/{page.slug}/feed.{kind}")
        assert response.status_code == 200
        bodies = body_of(response.content)
        assert any(">x</a>" in body for body in bodies)  # the update is there, its link made harmless
        for body in bodies:
            assert "onerror" not in body and "javascript:" not in body and "<img" not in body
