"""Alerting at scale: N monitors with 3 alert channels each go DOWN at once.

Usage: .venv/bin/python bench/alerts.py [--monitors 5000] [--per-org 10] [--concurrency 2]

The monitors sit in N/10 organizations; each organization has 3 Slack channels covering
all its monitors (subscribed to monitor.down), each on its own path of a local receiver
(bench/alert_receiver.py, one aiohttp process): 1,500 channels taking 10 alerts each,
15,000 alerts. One celery beat and one worker (prefork, --concurrency processes) run the
product's tasks. The monitors go DOWN through the check engine's write path: DOWN
outcomes recorded by monitors.checking.record_observations in batches of
CHECK_BATCH_SIZE, as check batches record them; from there the auto-incidents, the alert
rows, their leases and the POSTs are all the product's.

Two runs, each on a fresh set of organizations:
  1. every channel answers at once;
  2. 10% of the channels (by position) answer after 2 s and 1% never answer (they time
     out after WEBHOOK_TIMEOUT and are retried; the run does not wait for them).
Printed per run: alerts/s to the fast channels (their alerts / time from the first DOWN
transition to the last of them received), p50/p95/p99 and max DOWN-to-received
(StatusChange.created_at to the receiver's arrival time), when the last transition was
claimed by an incidents batch and when the first and last alert rows were written, how
many fast alerts arrived (each (monitor, channel) once: repeats are counted) and the
alert rows by status. Then what
the slow and hanging channels cost the others: the channels that are fast in run 2 (by
position), their alerts/s and p99 in run 2 against the same positions in run 1. And the
CPU the run had: a busy machine (other people's processes) shows there.

Needs PostgreSQL and Redis on 127.0.0.1 (DATABASE_URL, default .../statusapp_alerts, is
created if missing, migrated and wiped; CELERY_BROKER_URL, default Redis db 13, is flushed).
"""

import argparse
import json
import os
import random
import subprocess
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from harness import (
    PYTHON,
    ROOT,
    ensure_database,
    free_port,
    machine_busy,
    own_cpu,
    percentile,
    setup_environment,
    start_celery,
    stop,
    tree_cpu,
)

setup_environment("statusapp_alerts")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/13")
os.environ["STATUSAPP_ALLOW_PRIVATE_TARGETS"] = "1"
CHANNELS_PER_ORG = 3


def start_receiver(slow: set[int], hanging: set[int]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    paths = [",".join(map(str, sorted(positions))) for positions in (slow, hanging)]
    process = subprocess.Popen([PYTHON, str(ROOT / "bench" / "alert_receiver.py"), str(port), *paths])
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/dump", timeout=1)  # noqa: S310 (loopback)
            return process, base
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the receiver did not start")


def cpu(processes: list[subprocess.Popen], receiver: subprocess.Popen) -> float:
    """CPU seconds of the celery processes (with their pools), the receiver and this process."""
    return tree_cpu([process.pid for process in (*processes, receiver)]) + own_cpu([os.getpid()])


def create_organizations(run: int, organizations: int, per_org: int, receiver: str) -> tuple[list, dict]:
    """The run's organizations, channels and monitors: (monitor ids, channel position by monitor id)."""
    from accounts.models import Organization
    from alerts.models import AlertChannel
    from monitors.models import Monitor

    orgs = Organization.objects.bulk_create(
        Organization(name=f"Bench {run}-{i}", slug=f"bench-{run}-{i}", plan="enterprise") for i in range(organizations)
    )
    channels = []
    for i, org in enumerate(orgs):
        for c in range(CHANNELS_PER_ORG):
            channel = AlertChannel(
                organization=org, name=f"ops {c}", type="slack", events=["monitor.down"], all_monitors=True
            )
            channel.config = {"url": f"{receiver}/r/{i * CHANNELS_PER_ORG + c}"}
            channels.append(channel)
    AlertChannel.objects.bulk_create(channels, batch_size=5000)
    monitors = Monitor.objects.bulk_create(
        (
            Monitor(
                organization=org,
                name=f"Service {i}-{j}",
                type="http",
                url="https://example.com/",
                status="UP",
                retries=0,
            )
            for i, org in enumerate(orgs)
            for j in range(per_org)
        ),
        batch_size=5000,
    )
    org_of = {monitor.id: n // per_org for n, monitor in enumerate(monitors)}
    return [monitor.id for monitor in monitors], org_of


def go_down(monitor_ids: list[str]) -> None:
    """A DOWN outcome for every monitor, recorded in check-batch-sized transactions (in an
    order mixing organizations, as the scheduler's claims do)."""
    from django.conf import settings

    from monitors.checking import Observation, record_observations
    from monitors.engine import CheckResult

    order = list(monitor_ids)
    random.Random(14).shuffle(order)
    size = settings.CHECK_BATCH_SIZE
    for start in range(0, len(order), size):
        now = datetime.now(UTC)
        outcome = CheckResult(status="DOWN", response_time_ms=None, error="HTTP 503", status_code=503)
        record_observations([Observation(m, now, now, outcome) for m in order[start : start + size]])


def positions(channels: int, slow_share: float, hanging_share: float) -> tuple[set[int], set[int]]:
    """The channels (by position) that answer after 2 s, and those that never answer."""
    slow = {i for i in range(channels) if i % 100 < slow_share * 100}
    hanging = {i for i in range(channels) if 100 - hanging_share * 100 <= i % 100}
    return slow, hanging


def figures_for(result: dict, channels: set[int]) -> dict:
    """Alerts/s and latency of these channels' alerts: their count / first DOWN to the last of them."""
    times = [(at, latency) for (_, path), (at, latency) in result["receipts"].items() if path in channels]
    if not times:
        return {"count": 0, "rate": 0.0, "p50": float("nan"), "p95": float("nan"), "p99": float("nan")}
    latencies = sorted(latency for _, latency in times)
    return {
        "count": len(times),
        "rate": len(times) / (max(at for at, _ in times) - result["first_down"]),
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "max": latencies[-1],
    }


def run(number: int, args, tmp: Path, slow_share: float, hanging_share: float) -> dict:
    from django.db import connection
    from django.db.models import Count, Max, Min

    from alerts.models import Alert
    from monitors.models import StatusChange

    organizations = args.monitors // args.per_org
    channels = organizations * CHANNELS_PER_ORG
    slow, hanging = positions(channels, slow_share, hanging_share)
    fast = set(range(channels)) - slow - hanging
    receiver, base = start_receiver(slow, hanging)
    processes = start_celery(tmp, 1, args.concurrency)
    try:
        monitor_ids, org_of = create_organizations(number, organizations, args.per_org, base)
        connection.close()
        time.sleep(3)  # worker and beat up
        started = time.time()
        cpu_before, machine_before = cpu(processes, receiver), machine_busy()
        go_down(monitor_ids)
        down_seconds = time.time() - started
        expected = {
            (m, org_of[m] * CHANNELS_PER_ORG + c)
            for m in monitor_ids
            for c in range(CHANNELS_PER_ORG)
            if org_of[m] * CHANNELS_PER_ORG + c not in hanging
        }
        received: list = []
        deadline = time.time() + args.timeout
        while time.time() < deadline:
            time.sleep(1)
            with urllib.request.urlopen(f"{base}/dump") as response:  # noqa: S310 (loopback)
                received.extend(json.load(response))
            if len({(m, int(path)) for _, path, m in received}) >= len(expected):
                break
        used, (busy, total) = cpu(processes, receiver) - cpu_before, machine_busy()
        busy, total = busy - machine_before[0], total - machine_before[1]
        available = (time.time() - started) * os.cpu_count()
        changes = StatusChange.objects.filter(monitor_id__in=monitor_ids, to_status="DOWN")
        downs = {m: created.timestamp() for m, created in changes.values_list("monitor_id", "created_at")}
        claimed = changes.aggregate(last=Max("processed_at"))["last"]
        rows = Alert.objects.filter(monitor_id__in=monitor_ids)
        written = rows.aggregate(first=Min("created_at"), last=Max("created_at"), n=Count("id"))
        by_status = dict(rows.values("status").annotate(n=Count("id")).values_list("status", "n"))
        connection.close()
    finally:
        stop([*processes, receiver])

    first_down = min(downs.values())
    receipts: dict[tuple[str, int], tuple[float, float]] = {}  # (monitor, channel) -> (arrival, latency)
    for at, path, monitor_id in sorted(received):
        receipts.setdefault((monitor_id, int(path)), (at, at - downs[monitor_id]))
    result = {"receipts": receipts, "first_down": first_down}
    mine = figures_for(result, fast)
    fast_expected = sum(1 for _, channel in expected if channel in fast)
    missing = len({pair for pair in expected if pair[1] in fast} - receipts.keys())
    print(
        f"run {number} ({len(slow)} slow channels, {len(hanging)} hanging, of {channels}): "
        f"{mine['count']}/{fast_expected} fast-channel alerts at {mine['rate']:.0f}/s, "
        f"DOWN-to-received p50 {mine['p50']:.2f} s p95 {mine['p95']:.2f} s p99 {mine['p99']:.2f} s "
        f"max {mine['max']:.2f} s\n"
        f"  {len(downs)} DOWN transitions recorded in {down_seconds:.1f} s; all claimed by incidents batches by "
        f"+{claimed.timestamp() - first_down:.1f} s; {written['n']} alert rows written from "
        f"+{written['first'].timestamp() - first_down:.1f} s to +{written['last'].timestamp() - first_down:.1f} s\n"
        f"  received {len(receipts)}/{len(expected)} of the alerts to non-hanging channels "
        f"(fast ones missing: {missing}); repeated receipts {len(received) - len(receipts)}; "
        f"alert rows by status {by_status}\n"
        f"  CPU from the first DOWN to the end of the wait: {busy / total * available:.0f} CPU-s busy of "
        f"{available:.0f} ({100 * busy / total:.0f}%); the worker, beat, receiver and this process {used:.0f}, "
        f"PostgreSQL and everything else on the machine the rest",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--monitors", type=int, default=5_000)
    parser.add_argument("--per-org", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=2)  # the Procfile's worker, as installed
    parser.add_argument("--timeout", type=int, default=180, help="seconds to wait for the alerts of a run")
    args = parser.parse_args()
    ensure_database()
    import django

    django.setup()
    from django.db import connection

    with connection.cursor() as cursor:  # a database of its own: TRUNCATE beats a cascading delete
        cursor.execute("TRUNCATE accounts_organization CASCADE")
    connection.close()
    subprocess.run(["redis-cli", "-n", os.environ["CELERY_BROKER_URL"].rsplit("/", 1)[1], "flushdb"], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        first = run(1, args, Path(tmp), 0, 0)
        second = run(2, args, Path(tmp), 0.10, 0.01)
    channels = args.monitors // args.per_org * CHANNELS_PER_ORG
    slow, hanging = positions(channels, 0.10, 0.01)
    others = set(range(channels)) - slow - hanging
    with_slow, without = figures_for(second, others), figures_for(first, others)
    lost = 1 - with_slow["rate"] / without["rate"]
    print(
        f"the {len(others)} fast channels ({with_slow['count']} alerts) with 10% slow and 1% hanging channels: "
        f"{with_slow['rate']:.0f}/s p99 {with_slow['p99']:.2f} s, against {without['rate']:.0f}/s "
        f"p99 {without['p99']:.2f} s with every channel fast: throughput {lost:+.0%} "
        f"lost, p99 {with_slow['p99'] / without['p99'] - 1:+.0%} (target: at most 20% cost)"
    )


if __name__ == "__main__":
    main()
