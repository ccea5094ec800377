"""Webhook delivery at scale: N monitors in N/10 organizations flip DOWN at once.

Usage: .venv/bin/python bench/webhooks.py [--monitors 10000] [--per-org 10] [--concurrency 4]

Each organization has one endpoint, subscribed to monitor.down, on a local receiver
(bench/webhook_receiver.py, one aiohttp process). One celery beat and one worker (prefork,
--concurrency processes) run the product's tasks. The monitors flip DOWN at once: one
transaction writes their 10,000 transitions to the StatusChange outbox (as a check batch
writes its transitions) and announces them; from there the auto-incident consumer, the
events, their deliveries and the signed POSTs are all the product's.

Two runs, each on a fresh set of organizations:
  1. every receiver answers at once;
  2. 10% of the endpoints answer after 2 s and 1% never answer (they time out and are
     retried; the run does not wait for them).
Printed per run: deliveries/s (deliveries to the prompt endpoints / time from the first
flip to the last of them) and p50/p99 flip-to-delivery (StatusChange.created_at to the
receiver's answer). Then how much the slow and hanging endpoints cut the others'
throughput: the deliveries/s of the endpoints that are prompt in run 2 (8,900 of 10,000,
by position) in run 2, against the same positions' deliveries/s in run 1, where the other
1,100 endpoints took the same deliveries but answered at once.

Needs PostgreSQL and Redis on 127.0.0.1 (DATABASE_URL, default .../statusapp_webhooks, is
created if missing and migrated, and wiped; CELERY_BROKER_URL, default Redis db 12, is flushed).
"""

import argparse
import json
import os
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from harness import PYTHON, ROOT, ensure_database, free_port, setup_environment

setup_environment("statusapp_webhooks")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/12")
os.environ["STATUSAPP_ALLOW_PRIVATE_TARGETS"] = "1"
CELERY = str(Path(PYTHON).parent / "celery")


def start_receiver(slow: set[int], hanging: set[int]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [
            PYTHON,
            str(ROOT / "bench" / "webhook_receiver.py"),
            str(port),
            ",".join(map(str, sorted(slow))),
            ",".join(map(str, sorted(hanging))),
        ]
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/dump", timeout=1)  # noqa: S310 (loopback)
            return process, base
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the receiver did not start")


def start_celery(tmp: Path, concurrency: int) -> list[subprocess.Popen]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    log = open(tmp / "celery.log", "ab")  # noqa: SIM115 (closed with the processes)
    beat = [CELERY, "-A", "statusapp", "beat", "--schedule", str(tmp / "beat"), "--loglevel", "WARNING"]
    worker = [CELERY, "-A", "statusapp", "worker", "--concurrency", str(concurrency), "--loglevel", "WARNING"]
    return [subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log) for command in (beat, worker)]


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()


def create_organizations(run: int, organizations: int, per_org: int, receiver: str) -> list:
    from accounts.models import Organization
    from monitors.models import Monitor
    from webhooks.models import WebhookEndpoint
    from webhooks.services import new_secret

    orgs = Organization.objects.bulk_create(
        Organization(name=f"Bench {run}-{i}", slug=f"bench-{run}-{i}", plan="enterprise") for i in range(organizations)
    )
    WebhookEndpoint.objects.bulk_create(
        WebhookEndpoint(organization=org, url=f"{receiver}/r/{i}", events=["monitor.down"], secret=new_secret())
        for i, org in enumerate(orgs)
    )
    monitors = Monitor.objects.bulk_create(
        (
            Monitor(organization=org, name=f"Service {i}-{j}", type="http", url="https://example.com/", status="UP")
            for i, org in enumerate(orgs)
            for j in range(per_org)
        ),
        batch_size=5000,
    )
    return [monitor.id for monitor in monitors]


def flip(monitor_ids: list[str]) -> None:
    """Every monitor DOWN at once: one transaction writes their transitions to the
    StatusChange outbox, as a check batch does, and announces them."""
    from django.db import transaction
    from django.utils import timezone

    from monitors.models import Monitor, StatusChange
    from monitors.signals import status_changes_recorded

    with transaction.atomic():
        Monitor.objects.filter(id__in=monitor_ids).update(
            status="DOWN", failure_count=1, last_check_at=timezone.now(), last_error="HTTP 503"
        )
        StatusChange.objects.bulk_create(
            StatusChange(monitor_id=monitor_id, from_status="UP", to_status="DOWN", error="HTTP 503")
            for monitor_id in monitor_ids
        )
        status_changes_recorded.send(sender=StatusChange, count=len(monitor_ids))


def percentile(values: list[float], pct: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * pct / 100))]


def positions(organizations: int, slow_share: float, hanging_share: float) -> tuple[set[int], set[int]]:
    """The endpoints (by position) that answer after 2 s, and those that never answer."""
    slow = {i for i in range(organizations) if i % 100 < slow_share * 100}
    hanging = {i for i in range(organizations) if 100 - hanging_share * 100 <= i % 100}
    return slow, hanging


def rate(result: dict, endpoints: set[int]) -> float:
    """Deliveries/s to these endpoints: their deliveries / first flip to the last of them."""
    times = [at for at, position in result["deliveries"] if position in endpoints]
    return len(times) / (max(times) - result["first_flip"]) if times else 0.0


def run(number: int, args, tmp: Path, slow_share: float, hanging_share: float) -> dict:
    from django.db import connection

    from monitors.models import StatusChange

    organizations = args.monitors // args.per_org
    slow, hanging = positions(organizations, slow_share, hanging_share)
    receiver, base = start_receiver(slow, hanging)
    processes = start_celery(tmp, args.concurrency)
    try:
        monitor_ids = create_organizations(number, organizations, args.per_org, base)
        connection.close()
        time.sleep(3)  # worker and beat up
        started = time.time()
        flip(monitor_ids)
        flipped = time.time() - started
        prompt = organizations - len(slow) - len(hanging)
        expected_prompt, expected = prompt * args.per_org, (organizations - len(hanging)) * args.per_org
        received: list = []
        deadline = time.time() + args.timeout
        while time.time() < deadline:
            time.sleep(1)
            with urllib.request.urlopen(f"{base}/dump") as response:  # noqa: S310 (loopback)
                received.extend(json.load(response))
            if len({monitor_id for _, _, monitor_id in received}) >= expected:
                break
        flips = {
            monitor_id: created.timestamp()
            for monitor_id, created in StatusChange.objects.filter(monitor_id__in=monitor_ids).values_list(
                "monitor_id", "created_at"
            )
        }
        connection.close()
    finally:
        stop([*processes, receiver])
    first_flip = min(flips.values())
    delivered: dict[str, tuple[float, int]] = {}
    for at, path, monitor_id in received:
        if monitor_id not in delivered:
            delivered[monitor_id] = (at, int(path))
    prompt_times = [at for at, path in delivered.values() if path not in slow and path not in hanging]
    latencies = [at - flips[m] for m, (at, path) in delivered.items() if path not in slow and path not in hanging]
    result = {
        "flip_seconds": flipped,
        "delivered": len(delivered),
        "expected": expected,
        "prompt_delivered": len(prompt_times),
        "prompt_expected": expected_prompt,
        "prompt_rate": len(prompt_times) / (max(prompt_times) - first_flip) if prompt_times else 0.0,
        "p50": percentile(latencies, 50) if latencies else float("nan"),
        "p99": percentile(latencies, 99) if latencies else float("nan"),
        "max": max(latencies) if latencies else float("nan"),
        "duplicates": len(received) - len(delivered),
        "deliveries": list(delivered.values()),
        "first_flip": first_flip,
    }
    print(
        f"run {number}: {result['prompt_delivered']}/{expected_prompt} prompt deliveries at "
        f"{result['prompt_rate']:.0f}/s, flip-to-delivery p50 {result['p50']:.2f} s p99 {result['p99']:.2f} s "
        f"max {result['max']:.2f} s; "
        f"all delivered {result['delivered']}/{expected} (slow endpoints {len(slow)}, hanging {len(hanging)}); "
        f"flipping took {flipped:.1f} s; duplicate receipts {result['duplicates']}",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--monitors", type=int, default=10_000)
    parser.add_argument("--per-org", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--timeout", type=int, default=120, help="seconds to wait for the deliveries of a run")
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
    organizations = args.monitors // args.per_org
    slow, hanging = positions(organizations, 0.10, 0.01)
    others = set(range(organizations)) - slow - hanging
    with_slow, without = rate(second, others), rate(first, others)
    print(
        f"the {len(others)} prompt endpoints' throughput with 10% slow and 1% hanging endpoints: {with_slow:.0f}/s "
        f"against {without:.0f}/s with every endpoint prompt, {1 - with_slow / without:+.0%} lost (target: at most "
        f"20%; against run 1's all-endpoint rate, {1 - with_slow / first['prompt_rate']:+.0%})"
    )


if __name__ == "__main__":
    main()
