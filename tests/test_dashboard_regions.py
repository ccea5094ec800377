"""Dashboard, with checks from several regions: the form names a monitor's regions and
quorum (validated by the API's serializer), the monitor's page shows each region (a panel,
a chart line, a strip of slot verdicts, a Region column), and the overview shows which
regions are alive. With a single region, none of it shows."""

import html as html_lib
import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from monitors import regions, selectors
from monitors.checking import Observation, record_observations
from monitors.engine import CheckResult as Outcome
from monitors.models import CheckResult, Monitor, Region
from monitors.templatetags.dashboard_time import when_text

from .factories import MonitorFactory
from .test_regions import AP, EU, US, failed, ok, three_regions  # noqa: F401 (an autouse fixture)

UP, DEGRADED, DOWN = Monitor.Status.UP, Monitor.Status.DEGRADED, Monitor.Status.DOWN


def record(monitor: Monitor, slot, seen: dict[str, Outcome]) -> None:
    """What each region saw of one slot, recorded as its workers record it."""
    for region, outcome in seen.items():
        record_observations([Observation(monitor.id, slot, slot, outcome)], region)


def slots(count: int) -> list:
    """`count` slots a minute apart, oldest first, ending a minute ago."""
    newest = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=1)
    return [newest - timedelta(minutes=count - 1 - n) for n in range(count)]


def _chart_data(html: str) -> dict:
    return json.loads(re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', html).group(1))


def _strip(html: str) -> list[tuple[str, str]]:
    strip = html[html.index('<ol class="beats"') : html.index("</ol>")]
    assert strip.count("<li") == 60
    return [
        (status, html_lib.unescape(title)) for status, title in re.findall(r'<li class="(\w+)" title="([^"]*)">', strip)
    ]


def _field(html: str, marker: str) -> str:
    """The form field holding `marker`, up to its end."""
    start = html.rindex('<div class="field', 0, html.index(marker))
    return html[start : html.index("</div>", html.index(marker))]


# --- the form -----------------------------------------------------------------------------------


def test_with_several_regions_the_form_offers_each_region_and_the_confirmations(client, person, org):
    person(org, "member", client)
    html = client.get("/monitors/new").content.decode()
    assert "<legend>Regions</legend>" in html and 'name="regionsShown"' in html
    boxes = re.findall(r'<input type="checkbox" id="f-regions-\d" name="regions" value="([^"]+)"( checked)?>', html)
    assert boxes == [(EU, ""), (US, ""), (AP, "")]  # a new monitor: none ticked, all regions
    assert "None ticked: all regions" in html
    confirmations = _field(html, 'id="f-confirmations"')
    assert 'type="number" value=""' in confirmations and "empty: a majority" in confirmations
    # Not offered for a heartbeat monitor (judged from its pings, not from a place).
    fieldset = html[html.rindex("<fieldset", 0, html.index("<legend>Regions")) :]
    assert "heartbeat" not in fieldset[: fieldset.index(">")] and "http" in fieldset[: fieldset.index(">")]


def test_with_one_region_the_form_has_no_regions_and_saving_leaves_them_alone(client, person, org, settings):
    settings.STATUSAPP_REGIONS = [EU]
    person(org, "member", client)
    assert "Regions" not in client.get("/monitors/new").content.decode()
    monitor = MonitorFactory(organization=org, name="Named", regions=[EU], confirmations=1)
    page = client.get(f"/monitors/{monitor.id}/edit").content.decode()
    assert "regionsShown" not in page and 'id="f-confirmations"' not in page
    response = client.post(f"/monitors/{monitor.id}/edit", {"name": "Renamed", "interval": "60"})
    assert response.status_code == 302, response.content.decode()[:2000]
    monitor.refresh_from_db()
    assert (monitor.name, monitor.regions, monitor.confirmations) == ("Renamed", [EU], 1)


def test_the_form_saves_the_chosen_regions_and_confirmations_and_shows_them_again(client, person, org):
    person(org, "member", client)
    response = client.post(
        "/monitors/new",
        {
            "name": "Checkout",
            "type": "http",
            "url": "https://example.com/",
            "method": "GET",
            "interval": "60",
            "regionsShown": "1",
            "regions": [AP, EU],
            "confirmations": "2",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    monitor = Monitor.objects.get(organization=org)
    assert (set(monitor.regions), monitor.confirmations) == ({EU, AP}, 2)

    html = client.get(f"/monitors/{monitor.id}/edit").content.decode()
    ticked = re.findall(r'name="regions" value="([^"]+)" checked', html)
    assert sorted(ticked) == sorted([EU, AP])
    assert 'id="f-confirmations" name="confirmations" type="number" value="2"' in html

    # None ticked and no confirmations: all regions, a majority.
    response = client.post(
        f"/monitors/{monitor.id}/edit", {"name": "Checkout", "interval": "60", "regionsShown": "1", "confirmations": ""}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    monitor.refresh_from_db()
    assert (monitor.regions, monitor.confirmations) == ([], None)


@pytest.mark.parametrize(
    ("ticked", "confirmations", "field", "message"),
    [
        ([EU], "2", "confirmations", "Must not exceed the number of regions it is checked from (1)."),
        ([], "4", "confirmations", "Must not exceed the number of regions it is checked from (3)."),
        ([EU, US], "0", "confirmations", "Ensure this value is greater than or equal to 1."),
        ([EU], "two", "confirmations", "A valid integer is required."),
        ([EU, "mars-north"], "", "regions", "Unknown region: mars-north."),
    ],
)
def test_bad_regions_or_confirmations_show_the_error_next_to_the_field_and_save_nothing(
    client, person, org, ticked, confirmations, field, message
):
    person(org, "member", client)
    monitor = MonitorFactory(organization=org, name="Kept", regions=[US, AP], confirmations=2)
    post = {"name": "Changed", "interval": "60", "regionsShown": "1", "regions": ticked, "confirmations": confirmations}
    response = client.post(f"/monitors/{monitor.id}/edit", post)
    assert response.status_code == 400
    html = response.content.decode()
    marker = 'id="f-confirmations"' if field == "confirmations" else 'id="regions-label"'
    shown = _field(html, marker)
    assert "invalid" in shown[: shown.index(">")]
    assert message in html[html.index(marker) : html.index("</fieldset>", html.index(marker))]
    # What was typed is shown again.
    assert sorted(re.findall(r'name="regions" value="([^"]+)" checked', html)) == sorted(
        name for name in ticked if name in (EU, US, AP)
    )
    monitor.refresh_from_db()
    assert (monitor.name, monitor.regions, monitor.confirmations) == ("Kept", [US, AP], 2)

    # And a new monitor with the same mistake is not created.
    post |= {"type": "http", "url": "https://example.com/", "method": "GET"}
    assert client.post("/monitors/new", post).status_code == 400
    assert Monitor.objects.filter(organization=org).count() == 1


def test_a_heartbeat_monitor_form_sends_no_regions(client, person, org):
    person(org, "member", client)
    post = {"name": "Nightly", "type": "heartbeat", "interval": "3600", "grace": "300"}
    response = client.post("/monitors/new", post | {"regionsShown": "1", "regions": [EU], "confirmations": "3"})
    assert response.status_code == 302, response.content.decode()[:2000]
    monitor = Monitor.objects.get(organization=org)
    assert (monitor.regions, monitor.confirmations) == ([], None)


# --- the monitor's page -------------------------------------------------------------------------


@pytest.fixture
def watched(org):
    """A monitor checked from all three regions, EU and US alive, AP silent since long ago,
    with four slots:
    1. everyone UP;
    2. EU failed, US and AP passed: UP by majority;
    3. EU and US failed: DOWN;
    4. EU failed alone (AP silent, US not yet in): DOWN, EU deciding alone for the strip.
    """
    regions.report_in(EU)
    regions.report_in(US)
    Region.objects.create(name=AP, last_report_at=timezone.now() - timedelta(hours=2))
    monitor = MonitorFactory(organization=org, name="Checkout", status=UP)
    one, two, three, four = slots(4)
    record(monitor, one, {EU: ok(100), US: ok(200), AP: ok(300)})
    record(monitor, two, {EU: failed("timed out"), US: ok(210), AP: ok(310)})
    record(monitor, three, {EU: failed(), US: failed("HTTP 503")})
    record(monitor, four, {EU: failed("refused")})
    monitor.refresh_from_db()
    monitor.slots = (one, two, three, four)
    return monitor


def test_the_regions_panel_shows_each_regions_health_latest_result_and_uptime(client, person, org, watched):
    person(org, "viewer", client)
    html = client.get(f"/monitors/{watched.id}/").content.decode()
    panel = html[html.index('<section class="card regions"') :]
    panel = panel[: panel.index("</section>")]
    assert "Checked from 3 regions" in panel and "a majority of them" in panel
    rows = dict(re.findall(r'<tr data-region="([^"]+)">(.*?)</tr>', panel, re.S))
    assert list(rows) == [EU, US, AP]

    assert '<span class="badge UP"' in rows[EU] and ">Alive<" in rows[EU]
    assert ">Silent<" in rows[AP] and f"last report {when_text(timezone.now() - timedelta(hours=2))[:8]}" in rows[AP]
    # Latest results: EU's refused (slot 4), US's 503 (slot 3), AP's 310 ms (slot 2).
    assert 'class="badge DOWN">Down</span><br><span class="muted">refused</span>' in rows[EU]
    assert "HTTP 503" in rows[US]
    assert 'class="badge UP">Up</span>' in rows[AP] and "310 ms" in rows[AP]
    assert f'datetime="{watched.slots[1].isoformat()}"' in rows[AP]
    # 24h and 7d uptime from each region's own results.
    eu_24h = re.search(r'data-window="24h">(.*?)</td>', rows[EU], re.S).group(1)
    assert eu_24h.startswith("25.000%") and "4 checks, 100 ms avg" in eu_24h
    us_7d = re.search(r'data-window="7d" class="optional">(.*?)</td>', rows[US], re.S).group(1)
    assert us_7d.startswith("66.667%") and "3 checks, 205 ms avg" in us_7d
    assert "100.000%" in rows[AP] and "2 checks, 305 ms avg" in rows[AP]


def test_the_panel_names_the_confirmations_and_only_the_monitors_regions(client, person, org):
    person(org, "viewer", client)
    monitor = MonitorFactory(organization=org, regions=[AP, US], confirmations=1)
    html = client.get(f"/monitors/{monitor.id}/").content.decode()
    panel = html[html.index('<section class="card regions"') :]
    panel = panel[: panel.index("</section>")]
    assert re.findall(r'<tr data-region="([^"]+)">', panel) == [US, AP]
    assert "Checked from 2 regions" in panel and "once 1 of them sees it fail" in panel
    assert panel.count("never reported") == 2 and panel.count("No result in the last 60 checks") == 2


def test_a_monitor_checked_from_one_region_keeps_the_single_region_page(client, person, org):
    person(org, "viewer", client)
    monitor = MonitorFactory(organization=org, regions=[US])
    (slot,) = slots(1)
    record(monitor, slot, {US: ok(90)})
    html = client.get(f"/monitors/{monitor.id}/").content.decode()
    assert 'class="card regions"' not in html and '<th scope="col">Region</th>' not in html
    chart = _chart_data(html)
    assert chart == {"labels": [slot.isoformat()], "response": [90], "failed": [False], "period": "check"}
    assert _strip(html) == [("UP", f"{when_text(slot)} · Up · 90 ms")]


def test_a_heartbeat_monitor_is_never_shown_by_region(client, person, org):
    person(org, "viewer", client)
    monitor = MonitorFactory(organization=org, type="heartbeat", url="", interval=60, grace=60)
    html = client.get(f"/monitors/{monitor.id}/").content.decode()
    assert 'class="card regions"' not in html and "regions" not in _chart_data(html)


def test_the_24_hour_chart_has_a_line_per_region(client, person, org, watched):
    person(org, "viewer", client)
    chart = _chart_data(client.get(f"/monitors/{watched.id}/").content.decode())
    assert chart["period"] == "check"
    assert chart["labels"] == [slot.isoformat() for slot in watched.slots]
    assert chart["regions"] == [
        {"name": EU, "response": [100, None, None, None], "failed": [False, True, True, True]},
        {"name": US, "response": [200, 210, None, None], "failed": [False, False, True, None]},
        {"name": AP, "response": [300, 310, None, None], "failed": [False, False, None, None]},
    ]
    # Longer windows stay on the monitor's rollups (the slots' verdicts).
    week = _chart_data(client.get(f"/monitors/{watched.id}/?window=7d").content.decode())
    assert "regions" not in week and week["period"] == "hour"


def test_the_region_chart_groups_every_region_per_minute_past_the_cap(db, monkeypatch):
    monkeypatch.setattr(selectors, "RAW_CHART_POINTS", 3)
    monitor = MonitorFactory()
    minute = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=5)
    rows = []
    for n, (eu, us) in enumerate([(100, 300), (200, None), (120, 320), (220, 340)]):  # two minutes, 30 s apart
        at = minute + timedelta(seconds=30 * n)
        rows.append(
            CheckResult(monitor=monitor, scheduled_at=at, started_at=at, region=EU, status=UP, response_time=eu)
        )
        status = UP if us else DOWN
        rows.append(
            CheckResult(monitor=monitor, scheduled_at=at, started_at=at, region=US, status=status, response_time=us)
        )
    CheckResult.objects.bulk_create(rows)

    series = selectors.region_checks_chart(monitor, [EU, US, AP])
    later = minute + timedelta(minutes=1)
    assert series == {
        EU: [(minute, 150, False), (later, 170, False)],
        US: [(minute, 300, True), (later, 330, False)],
        AP: [],
    }
    # The same as one region's own chart.
    assert selectors.checks_chart(monitor, region=US) == series[US]
    assert selectors.checks_chart(monitor, region=AP) == []
    # Under the cap: every check, each region's own.
    monkeypatch.setattr(selectors, "RAW_CHART_POINTS", 4)
    series = selectors.region_checks_chart(monitor, [EU, US])
    assert [point[1:] for point in series[US]] == [(300, False), (None, True), (320, False), (340, False)]
    assert series[EU][1] == (minute + timedelta(seconds=30), 200, False)


def test_the_strip_shows_each_slots_verdict_and_each_regions_result(client, person, org, watched):
    person(org, "viewer", client)
    html = client.get(f"/monitors/{watched.id}/").content.decode()
    cells = _strip(html)
    assert [status for status, _ in cells] == ["UP", "UP", "DOWN", "DOWN"]
    one, two, three, four = watched.slots
    assert cells[0][1] == f"{when_text(one)} · Up\neu-west: Up · 100 ms\nus-east: Up · 200 ms\nap-south: Up · 300 ms"
    assert cells[1][1] == (
        f"{when_text(two)} · Up\neu-west: Down · timed out\nus-east: Up · 210 ms\nap-south: Up · 310 ms"
    )
    assert cells[2][1] == (
        f"{when_text(three)} · Down\neu-west: Down · HTTP 500\nus-east: Down · HTTP 503\nap-south: no result"
    )
    assert cells[3][1] == f"{when_text(four)} · Down\neu-west: Down · refused\nus-east: no result\nap-south: no result"

    # The polled strip is the same.
    assert _strip(client.get(f"/monitors/{watched.id}/heartbeats").content.decode()) == cells


def test_the_strip_follows_the_monitors_confirmations(client, person, org):
    person(org, "viewer", client)
    strict = MonitorFactory(organization=org, confirmations=3)
    eager = MonitorFactory(organization=org, confirmations=1)
    for monitor in (strict, eager):
        (slot,) = slots(1)
        record(monitor, slot, {EU: failed(), US: failed(), AP: ok()})
    assert _strip(client.get(f"/monitors/{strict.id}/").content.decode())[0][0] == "UP"
    (slot,) = slots(1)
    assert _strip(client.get(f"/monitors/{eager.id}/").content.decode())[0][0] == "DOWN"


def test_a_slot_without_a_result_from_the_monitors_regions_shows_its_worst_result(client, person, org):
    """Results recorded before regions were (region "") are no region's: no verdict."""
    person(org, "viewer", client)
    monitor = MonitorFactory(organization=org)
    (slot,) = slots(1)
    CheckResult.objects.create(monitor=monitor, scheduled_at=slot, started_at=slot, status=DEGRADED, response_time=900)
    cells = _strip(client.get(f"/monitors/{monitor.id}/").content.decode())
    assert cells == [
        (
            "DEGRADED",
            f"{when_text(slot)} · Degraded\nno region: Degraded · 900 ms\n"
            + "\n".join(f"{name}: no result" for name in (EU, US, AP)),
        )
    ]


def test_the_strip_holds_sixty_slots_of_every_region(client, person, org):
    person(org, "viewer", client)
    monitor = MonitorFactory(organization=org)
    start = timezone.now().replace(microsecond=0) - timedelta(hours=2)
    CheckResult.objects.bulk_create(
        CheckResult(
            monitor=monitor,
            scheduled_at=start + timedelta(minutes=n),
            started_at=start + timedelta(minutes=n),
            region=region,
            status=DOWN if n < 10 else UP,
            response_time=None if n < 10 else 50,
        )
        for n in range(70)
        for region in (EU, US, AP)
    )
    cells = _strip(client.get(f"/monitors/{monitor.id}/").content.decode())
    assert [status for status, _ in cells] == ["UP"] * 60


def test_recent_checks_list_each_regions_result_with_its_region(client, person, org, watched):
    person(org, "viewer", client)
    html = client.get(f"/monitors/{watched.id}/").content.decode()
    table = html[html.index("<h2>Recent checks</h2>") :]
    table = table[: table.index("</table>")]
    assert '<th scope="col">Region</th>' in table
    row = r'<tr><td><time[^>]*>[^<]*</time></td><td class="nowrap">([^<]*)</td><td><span class="badge (\w+)"'
    rows = re.findall(row, table)
    # Newest slot first, each slot's results in the monitor's region order.
    assert rows == [(EU, "DOWN"), (EU, "DOWN"), (US, "DOWN"), (EU, "DOWN"), (US, "UP"), (AP, "UP")] + [
        (EU, "UP"),
        (US, "UP"),
        (AP, "UP"),
    ]


def _detail_queries(client, monitor) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as page:
        assert client.get(f"/monitors/{monitor.id}/").status_code == 200
    with CaptureQueriesContext(connection) as strip:
        assert client.get(f"/monitors/{monitor.id}/heartbeats").status_code == 200
    return len(page), len(strip)


def _checked_everywhere(org, names: list[str], slot_count: int) -> Monitor:
    monitor = MonitorFactory(organization=org)
    for name in names:
        regions.report_in(name)
    for n, slot in enumerate(slots(slot_count)):
        record(monitor, slot, {name: failed() if n % 3 == 0 else ok(100 + n) for name in names})
    return monitor


def test_the_monitors_page_costs_the_same_queries_whatever_the_number_of_regions(client, person, org, settings):
    person(org, "viewer", client)
    settings.STATUSAPP_REGIONS = [EU, US]
    few = _checked_everywhere(org, [EU, US], 3)
    client.get(f"/monitors/{few.id}/")  # warm-up
    queries_few = _detail_queries(client, few)

    many_regions = [EU, US, AP, "sa-east", "af-south", "me-central"]
    settings.STATUSAPP_REGIONS = many_regions
    many = _checked_everywhere(org, many_regions, 30)
    queries_many = _detail_queries(client, many)
    assert queries_few == queries_many
    # The single-region page's queries plus the regions panel's: health and per-region uptime
    # (the strip's slots replace its latest checks, the chart's series its checks).
    settings.STATUSAPP_REGIONS = [EU]
    single = _checked_everywhere(org, [EU], 3)
    page, strip = _detail_queries(client, single)
    assert queries_many == (page + 2, strip)


# --- the overview -------------------------------------------------------------------------------


def _panel(html: str) -> str | None:
    if "data-check-regions" not in html:
        return None
    panel = html[html.index("data-check-regions") :]
    return panel[: panel.index("</section>")]


def test_the_overview_lists_each_region_alive_or_silent_with_its_last_report(client, person, org):
    person(org, "viewer", client)
    regions.report_in(EU, timezone.now() - timedelta(seconds=5))
    regions.report_in(AP, timezone.now() - timedelta(minutes=10))
    panel = _panel(client.get("/overview").content.decode())
    assert panel is not None and "Check regions" in panel and 'role="alert"' not in panel
    rows = dict(re.findall(r'<li data-region="([^"]+)">(.*?)</li>', panel))
    assert list(rows) == [EU, US, AP]
    assert ">Alive<" in rows[EU] and re.search(r">\d s ago</time>", rows[EU])
    assert ">Silent<" in rows[AP] and "10\xa0minutes ago</time>" in rows[AP]
    assert ">Silent<" in rows[US] and "never reported" in rows[US]


def test_the_overview_warns_when_no_region_is_reporting(client, person, org):
    person(org, "viewer", client)
    panel = _panel(client.get("/overview").content.decode())
    assert "No worker is reporting from any region: checks are not running." in panel


def test_with_one_region_the_overview_shows_it_only_when_it_is_silent(client, person, org, settings):
    settings.STATUSAPP_REGIONS = ["default"]
    person(org, "viewer", client)
    panel = _panel(client.get("/overview").content.decode())
    assert "No worker is reporting: checks are not running." in panel and ">Silent<" in panel

    regions.report_in("default")
    assert _panel(client.get("/overview").content.decode()) is None


def test_the_overview_costs_the_same_queries_whatever_the_number_of_regions(client, person, org, settings):
    person(org, "viewer", client)
    client.get("/overview")  # warm-up

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/overview").status_code == 200
        return len(captured)

    settings.STATUSAPP_REGIONS = ["default"]
    one = queries()
    settings.STATUSAPP_REGIONS = [EU, US, AP, "sa-east", "af-south"]
    for name in settings.STATUSAPP_REGIONS:
        regions.report_in(name)
    assert queries() == one
