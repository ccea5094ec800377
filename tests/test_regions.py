"""Checks from several regions: the quorum verdict, silent regions, dispatch per region,
and the regions in the API and /healthz. Workers of three regions running for real are
in test_regions_workers.py."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from monitors import regions, tasks
from monitors.checking import Observation, record_observations
from monitors.engine import CheckResult as Outcome
from monitors.models import CheckResult, Monitor, Region, Rollup, StatusChange
from monitors.scheduler import Claimed, batches

from .factories import MonitorFactory

EU, US, AP = "eu-west", "us-east", "ap-south"
UP, DEGRADED, DOWN, PENDING = Monitor.Status.UP, Monitor.Status.DEGRADED, Monitor.Status.DOWN, Monitor.Status.PENDING
SLOT = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def three_regions(settings):
    settings.STATUSAPP_REGIONS = [EU, US, AP]
    settings.STATUSAPP_REGION = EU
    settings.REGION_SILENT_AFTER = 30


def ok(ms: int = 100) -> Outcome:
    return Outcome(status=UP, response_time_ms=ms)


def failed(error: str = "HTTP 500") -> Outcome:
    return Outcome(status=DOWN, response_time_ms=None, error=error, status_code=500)


def alive(*names: str) -> None:
    for name in names:
        regions.report_in(name)


# --- the verdict ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seen", "expected"),
    [
        ({EU: failed()}, None),  # one of three failed: the others may still make it a failure
        ({EU: failed(), US: ok()}, None),
        ({EU: failed(), US: ok(), AP: ok()}, UP),
        ({EU: ok(), US: ok()}, UP),  # a majority passed: AP cannot change it
        ({EU: failed(), US: failed()}, DOWN),
        ({EU: ok(), US: failed(), AP: failed()}, DOWN),
    ],
)
def test_a_slot_fails_on_a_majority_of_its_regions_and_passes_once_that_cannot_happen(seen, expected):
    verdict = regions.verdict(seen, [EU, US, AP], alive={EU, US, AP}, confirmations=None)
    assert (verdict.status if verdict else None) == expected


def test_confirmations_set_the_quorum():
    everywhere = [EU, US, AP]
    assert regions.verdict({EU: failed()}, everywhere, alive=everywhere, confirmations=1).status == DOWN
    assert regions.verdict({EU: failed(), US: failed()}, everywhere, alive=everywhere, confirmations=3) is None
    assert regions.verdict({EU: ok()}, everywhere, alive=everywhere, confirmations=3).status == UP


def test_silent_regions_are_left_out_and_the_quorum_shrinks_to_the_regions_reporting():
    everywhere = [EU, US, AP]
    # AP silent: EU and US decide, and both must fail.
    assert regions.verdict({EU: failed(), US: ok()}, everywhere, alive={EU, US}, confirmations=None).status == UP
    assert regions.verdict({EU: failed(), US: failed()}, everywhere, alive={EU, US}, confirmations=None).status == DOWN
    # Only EU left: it decides alone, both ways.
    assert regions.verdict({EU: failed()}, everywhere, alive={EU}, confirmations=None).status == DOWN
    assert regions.verdict({EU: ok()}, everywhere, alive={EU}, confirmations=None).status == UP


def test_the_verdict_names_the_failing_regions_and_takes_the_median_response_time():
    down = regions.verdict(
        {EU: failed("timed out"), US: failed()}, [EU, US, AP], alive={EU, US, AP}, confirmations=None
    )
    assert down.error == "2 of 3 regions: eu-west: timed out"
    up = regions.verdict(
        {EU: ok(100), US: ok(300), AP: Outcome(status=DEGRADED, response_time_ms=900)},
        [EU, US, AP],
        alive={EU, US, AP},
        confirmations=None,
    )
    assert (up.status, up.response_time_ms) == (DEGRADED, 300)


def test_results_from_regions_the_monitor_is_not_checked_from_do_not_count():
    assert regions.verdict({AP: failed()}, [EU, US], alive={EU, US, AP}, confirmations=1) is None


def test_a_monitor_names_its_regions_or_is_checked_from_all(settings):
    assert regions.of_monitor([]) == [EU, US, AP]
    assert regions.of_monitor([AP, EU]) == [EU, AP]  # in the server's order
    assert regions.of_monitor(["gone"]) == [EU, US, AP]  # a region no longer configured


# --- recording, per slot ------------------------------------------------------------------------


def record(monitor: Monitor, region: str, outcome: Outcome, slot: datetime = SLOT) -> int:
    return record_observations([Observation(monitor.id, slot, slot, outcome)], region)


@pytest.mark.django_db
def test_one_failing_region_leaves_the_monitor_up_two_take_it_down_and_each_slot_counts_once():
    alive(EU, US, AP)
    monitor = MonitorFactory(status=UP)

    assert record(monitor, EU, failed()) == 1
    monitor.refresh_from_db()
    assert (monitor.status, monitor.judged_slot) == (UP, None)  # undecided yet
    record(monitor, US, ok(120))
    record(monitor, AP, ok(80))
    monitor.refresh_from_db()
    assert (monitor.status, monitor.judged_slot, monitor.response_time) == (UP, SLOT, 100)

    second = SLOT + timedelta(minutes=1)
    record(monitor, EU, failed(), second)
    record(monitor, US, failed(), second)
    monitor.refresh_from_db()
    assert (monitor.status, monitor.judged_slot) == (DOWN, second)
    assert monitor.last_error == "2 of 3 regions: eu-west: HTTP 500"
    record(monitor, AP, ok(), second)  # late: the slot was judged without it
    monitor.refresh_from_db()
    assert monitor.status == DOWN

    assert CheckResult.objects.filter(monitor=monitor).count() == 6  # every region's result is kept
    assert sorted(
        CheckResult.objects.filter(monitor=monitor, scheduled_at=second).values_list("region", flat=True)
    ) == [
        AP,
        EU,
        US,
    ]
    assert list(StatusChange.objects.filter(monitor=monitor).values_list("from_status", "to_status")) == [(UP, DOWN)]
    hour = Rollup.objects.get(monitor=monitor, period=Rollup.Period.HOUR)
    assert (hour.checks, hour.up) == (2, 1)  # one count per slot, its verdict


@pytest.mark.django_db
def test_a_region_recording_the_same_slot_twice_counts_once():
    alive(EU, US, AP)
    monitor = MonitorFactory(status=UP, regions=[EU, US], confirmations=1)
    assert record(monitor, EU, failed()) == 1
    assert record(monitor, EU, failed()) == 0
    monitor.refresh_from_db()
    assert (monitor.status, monitor.failure_count) == (DOWN, 1)


@pytest.mark.django_db
def test_a_silent_region_causes_no_false_down_and_hides_no_real_one():
    alive(EU, US)
    Region.objects.create(name=AP, last_report_at=timezone.now() - timedelta(seconds=31))
    monitor = MonitorFactory(status=UP)

    record(monitor, EU, failed())
    record(monitor, US, ok())
    monitor.refresh_from_db()
    assert (monitor.status, monitor.judged_slot) == (UP, SLOT)  # decided without waiting for AP

    second = SLOT + timedelta(minutes=1)
    record(monitor, EU, failed(), second)
    record(monitor, US, failed(), second)
    monitor.refresh_from_db()
    assert monitor.status == DOWN


@pytest.mark.django_db
def test_one_region_judges_each_result_as_it_comes(settings):
    settings.STATUSAPP_REGIONS = [EU]
    monitor = MonitorFactory(status=UP)
    record(monitor, EU, failed())
    monitor.refresh_from_db()
    assert (monitor.status, monitor.judged_slot) == (DOWN, SLOT)
    assert CheckResult.objects.get(monitor=monitor).region == EU


# --- dispatch ----------------------------------------------------------------------------------


def test_batches_go_to_each_alive_region_of_the_monitor_and_a_heartbeat_to_one():
    claimed = [
        Claimed("mon_all", SLOT, "http", []),
        Claimed("mon_two", SLOT, "http", [US, AP]),
        Claimed("mon_beat", SLOT, "heartbeat", []),
    ]
    sent = {region: [m for m, _ in batch] for _, region, batch in batches(claimed, {EU, US}, 100)}
    assert sent == {EU: ["mon_all", "mon_beat"], US: ["mon_all", "mon_two"]}  # AP is silent
    # None of a monitor's regions alive (a fresh install, or all down): all of them are sent it.
    sent = {region: [m for m, _ in batch] for _, region, batch in batches(claimed, set(), 100)}
    assert sent == {EU: ["mon_all", "mon_beat"], US: ["mon_all", "mon_two"], AP: ["mon_all", "mon_two"]}


@pytest.mark.django_db
def test_dispatch_asks_every_region_to_report_and_sends_batches_to_the_regions_queues(monkeypatch):
    alive(EU, US, AP)
    monitor = MonitorFactory(next_check_at=datetime.now(UTC), regions=[EU, AP])
    reports, runs = [], []
    monkeypatch.setattr(tasks.report_in, "apply_async", lambda args, queue, expires: reports.append((args, queue)))
    monkeypatch.setattr(
        tasks.run_checks, "apply_async", lambda args, queue, eta, expires: runs.append((args, queue, eta, expires))
    )
    assert tasks.dispatch_due_monitors() == 1
    assert reports == [((EU,), "checks.eu-west"), ((US,), "checks.us-east"), ((AP,), "checks.ap-south")]
    assert sorted((args[1], queue) for args, queue, _, _ in runs) == [(AP, "checks.ap-south"), (EU, "checks.eu-west")]
    assert all(args[0][0][0] == monitor.id for args, _, _, _ in runs)
    # Never delivered after its region would count as silent.
    assert all((expires - eta).total_seconds() == pytest.approx(30.05) for _, _, eta, expires in runs)


@pytest.mark.django_db
def test_a_region_is_alive_while_its_workers_report_in(settings):
    now = timezone.now()
    regions.report_in(EU, now)
    regions.report_in(US, now - timedelta(seconds=31))
    assert regions.alive(now) == {EU}
    health = {region["name"]: region["alive"] for region in regions.health(now)}
    assert health == {EU: True, US: False, AP: False}


# --- API ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_regions_and_confirmations_are_set_shown_and_validated(admin):
    body = {"name": "API", "type": "http", "url": "https://api.example.com/health", "regions": [EU, AP]}
    created = admin.post("/api/monitors", {**body, "confirmations": 2}, format="json").json()
    assert (created["regions"], created["confirmations"]) == ([EU, AP], 2)

    def errors(change: dict) -> dict:
        response = admin.post("/api/monitors", {**body, **change}, format="json")
        assert response.status_code == 400, response.json()
        return response.json()["error"]["fields"]

    assert errors({"regions": ["mars"]}) == {
        "regions": ["Unknown region: mars. This server's regions: eu-west, us-east, ap-south."]
    }
    assert errors({"regions": [EU, EU]}) == {"regions": ["Names a region twice."]}
    assert errors({"confirmations": 3}) == {
        "confirmations": ["Must not exceed the number of regions it is checked from (2)."]
    }
    assert "confirmations" in errors({"confirmations": 0})
    assert "regions" in errors({"regions": "eu-west"})

    everywhere = {"regions": [], "confirmations": None}
    changed = admin.patch(f"/api/monitors/{created['id']}", everywhere, format="json").json()
    assert (changed["regions"], changed["confirmations"]) == ([], None)


@pytest.mark.django_db
def test_checks_filter_by_region_and_uptime_is_given_per_region(admin, org):
    monitor = MonitorFactory(organization=org, regions=[EU, US])
    now = timezone.now().replace(microsecond=0)
    for minutes in range(4):
        slot = now - timedelta(minutes=minutes + 1)
        for region, outcome in ((EU, ok(100 + minutes)), (US, failed() if minutes % 2 else ok(200))):
            CheckResult.objects.create(
                monitor=monitor,
                scheduled_at=slot,
                region=region,
                started_at=slot,
                status=outcome.status,
                response_time=outcome.response_time_ms,
            )

    checks = admin.get(f"/api/monitors/{monitor.id}/checks?region={US}").json()["data"]
    assert [(c["region"], c["status"]) for c in checks] == [(US, UP), (US, DOWN), (US, UP), (US, DOWN)]
    assert len(admin.get(f"/api/monitors/{monitor.id}/checks").json()["data"]) == 8
    bad = admin.get(f"/api/monitors/{monitor.id}/checks?region=mars")
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"] == {"region": ["Must be one of: eu-west, us-east, ap-south."]}

    uptime = admin.get(f"/api/monitors/{monitor.id}/uptime").json()
    by_region = {entry["region"]: entry["windows"]["24h"] for entry in uptime["regions"]}
    assert by_region == {
        EU: {"uptime": 100.0, "checks": 4, "down": 0, "averageResponseTime": 102},
        US: {"uptime": 50.0, "checks": 4, "down": 2, "averageResponseTime": 200},
    }


@pytest.mark.django_db
def test_healthz_shows_each_region_alive_or_silent(client):
    regions.report_in(EU)
    body = client.get("/healthz").json()
    assert body["regions"][EU]["status"] == "ok"
    assert body["regions"][US] == {"status": "silent", "lastReportAt": None}
