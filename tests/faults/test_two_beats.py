"""Two beat processes by mistake: no check doubled, no webhook sent twice.

Production runs exactly one `celery beat`; a second one started by mistake sends every
periodic task twice, so two claimers dispatch due monitors and two sweepers lease
pending deliveries, every second, at the same time on two workers. Claims take the
due monitors under `FOR UPDATE SKIP LOCKED` and advance their next slot in the same
transaction, and a delivery is leased by a conditional update, so neither may double:
every request the target sees is one recorded result, and the receiver gets each
event once (twice only when its first answer was a 500, retried by a sweeper).
"""

import json
import statistics
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Count

from monitors.models import CheckResult, Monitor
from monitors.schedule import slot_at_or_after
from webhooks.models import Delivery, DeliveryAttempt, Event, EventType

from ..factories import MonitorFactory, OrganizationFactory, WebhookEndpointFactory
from ..webhook_receiver import Answer, Receiver
from .conftest import say, wait_for
from .counting_target import CountingTarget, celery_errors, match

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures(celery_errors.__name__)]

# Their monitor.down events, all at once, are more than an endpoint's 8 in flight: the
# rest are sent by the sweepers (and by each send's recorder, as answers come in).
MONITORS = 30
INTERVAL = 2  # seconds
RUN = 32  # seconds with both beats, after every monitor is UP
DOWN_AT, UP_AT = 6, 16  # seconds into the run when the target starts failing, and recovers
REFUSED = 3  # the receiver's first answers are 500s: those deliveries are retried by a sweeper
UP = Monitor.Status.UP


def sent(log: str, entry: str) -> int:
    """How many times a beat's log says it sent this schedule entry."""
    return log.count(f"Sending due task {entry} ")


def test_two_beats_double_no_check_and_no_webhook(celery, integrity_clean):
    target = CountingTarget()
    receiver = Receiver(*(Answer(status=500) for _ in range(REFUSED)))
    org = OrganizationFactory()
    endpoint = WebhookEndpointFactory(organization=org, url=receiver.url, events=list(EventType.values))
    now = datetime.now(UTC)
    monitor_of: dict[str, str] = {}  # target key -> monitor id
    for i in range(MONITORS):
        monitor = MonitorFactory(organization=org, name=f"m{i}", url=target.url(f"m{i}"), interval=INTERVAL, timeout=1)
        first = slot_at_or_after(now + timedelta(seconds=1), monitor_id=monitor.id, interval=INTERVAL)
        Monitor.objects.filter(id=monitor.id).update(next_check_at=first)  # on its grid from the first check
        monitor_of[f"m{i}"] = monitor.id
    celery.worker("worker1")
    celery.worker("worker2")
    celery.beat("beat1")
    celery.beat("beat2")  # the mistake: a second beat, with a schedule file of its own
    wait_for(lambda: Monitor.objects.filter(status=UP).count() == MONITORS, 60, "every monitor to come UP")

    steady_from = datetime.now(UTC)
    started = time.monotonic()
    time.sleep(DOWN_AT)
    target.status = 500
    time.sleep(UP_AT - DOWN_AT)
    target.status = 200
    time.sleep(max(0.0, RUN - (time.monotonic() - started)))
    wait_for(lambda: Monitor.objects.filter(status=UP).count() == MONITORS, 30, "every monitor UP again")
    delivered_in = wait_for(
        lambda: Event.objects.exists() and not Delivery.objects.filter(status=Delivery.Status.PENDING).exists(),
        30,
        "every delivery finished",
    )
    say(
        "injected",
        f"two celery beats (two schedule files) for {time.monotonic() - started:.0f} s with 2 workers, "
        f"{MONITORS} monitors every {INTERVAL} s; target failing from {DOWN_AT} s to {UP_AT} s; "
        f"the receiver's first {REFUSED} answers 500",
    )

    # Stop both beats, let the workers finish what they hold, then count.
    for name in ("beat1", "beat2"):
        celery.stop(name)
    target.wait_until_quiet("the workers to finish the checks they held")
    logs = {name: (celery.directory / f"{name}.log").read_text() for name in ("beat1", "beat2")}
    for name, log in logs.items():
        assert sent(log, "dispatch-due-monitors") >= RUN, f"{name} did not keep dispatching"
        assert sent(log, "sweep-deliveries") >= RUN, f"{name} did not keep sweeping"
    say(
        "verified",
        "both beats ran throughout: "
        + ", ".join(
            f"{name} sent {sent(log, 'dispatch-due-monitors')} dispatches and {sent(log, 'sweep-deliveries')} sweeps"
            for name, log in logs.items()
        ),
    )

    # --- Checks: exactly one request per recorded result, one result per slot, on the grid.
    doubled = CheckResult.objects.values("monitor_id", "scheduled_at").annotate(n=Count("id")).filter(n__gt=1).count()
    assert doubled == 0, f"{doubled} (monitor, slot) pairs with two results"
    hits = target.hits()
    assert set(hits) <= set(monitor_of), f"requests from no monitor of ours: {set(hits) - set(monitor_of)}"
    recorded = missed = 0
    steady_slot = steady_from + timedelta(seconds=INTERVAL)
    extra, unhit, close, gaps = [], [], [], []
    for key, monitor_id in monitor_of.items():
        results = list(
            CheckResult.objects.filter(monitor_id=monitor_id)
            .order_by("scheduled_at")
            .values_list("scheduled_at", "started_at", "error")
        )
        recorded += len(results)
        slots = [slot for slot, _, _ in results]
        assert all((b - a).total_seconds() % INTERVAL == 0 for a, b in zip(slots, slots[1:], strict=False)), (
            f"{key}: a result off the monitor's grid"
        )
        steady_slots = [slot for slot in slots if slot >= steady_slot]
        missed += round((steady_slots[-1] - steady_slots[0]).total_seconds() / INTERVAL) + 1 - len(steady_slots)
        pairing = match(hits.get(key, []), [started_at.timestamp() for _, started_at, _ in results])
        extra += [(key, datetime.fromtimestamp(at, UTC)) for at in pairing.unmatched_hits]
        errors = {started_at.timestamp(): error for _, started_at, error in results}
        unhit += [(key, at, errors[at]) for at in pairing.unhit_results]
        # Spacing once every worker is up (the first checks, run late while the
        # workers started, may be closer than an interval to the next).
        steady = [started_at for _, started_at, _ in results if started_at >= steady_from]
        for a, b in zip(steady, steady[1:], strict=False):
            gap = (b - a).total_seconds()
            gaps.append(gap)
            if gap < INTERVAL / 2:
                close.append((key, a, b))
    assert not extra, (
        f"{len(extra)} requests the target got with no result of their own (a slot checked twice): {extra[:5]}"
    )
    # A check may time out before it reaches the target (a loaded machine): recorded
    # DOWN, with no request. Any other result must have had its request.
    assert all(error.startswith("timeout") for _, _, error in unhit), f"results with no request: {unhit[:5]}"
    total_hits = sum(len(times) for times in hits.values())
    assert total_hits == recorded - len(unhit)
    assert not close, f"two checks of a monitor less than {INTERVAL / 2} s apart: {close[:5]}"
    median = statistics.median(gaps)
    assert abs(median - INTERVAL) <= 0.1 * INTERVAL, f"median spacing {median:.2f} s, not {INTERVAL} s"
    say(
        "verified",
        f"no double check: the target's {total_hits} requests are exactly the {recorded} recorded results "
        f"({len(unhit)} timed out before reaching it), one per (monitor, slot), all on the monitors' grids",
    )
    say(
        "measured",
        f"spacing of a monitor's checks: median {median:.3f} s, min {min(gaps):.3f} s, max {max(gaps):.3f} s "
        f"(interval {INTERVAL} s); {missed} slots missed once the workers were up",
    )

    # --- Webhooks: each event delivered, and received once per attempt: once, or twice
    # for the deliveries whose first answer was a 500.
    events = {event.id: event for event in Event.objects.filter(organization=org)}
    deliveries = list(Delivery.objects.filter(endpoint=endpoint).values_list("id", "event_id", "status"))
    assert Counter(event_id for _, event_id, _ in deliveries) == Counter(events.keys()), "an event without one delivery"
    assert {status for _, _, status in deliveries} == {Delivery.Status.DELIVERED}
    received, refused = Counter(), Counter()
    for n, request in enumerate(receiver.requests):
        event_id = {name.lower(): value for name, value in request.headers.items()}["webhook-id"]
        assert event_id in events, f"received an event that is not ours: {event_id}"
        assert request.body == events[event_id].body.encode()
        received[event_id] += 1
        refused[event_id] += n < REFUSED
    assert set(received) == set(events), f"events never received: {sorted(set(events) - set(received))[:5]}"
    twice = {event_id: n for event_id, n in received.items() if n != 1 + refused[event_id]}
    assert not twice, f"events received more often than attempted: {twice}"
    attempts = Counter(
        DeliveryAttempt.objects.filter(delivery__endpoint=endpoint).values_list("delivery_id", flat=True)
    )
    assert sorted(attempts.values()) == sorted(1 + refused[event_id] for _, event_id, _ in deliveries)
    by_type = Counter(json.loads(event.body)["event"] for event in events.values())
    assert by_type[EventType.MONITOR_DOWN] == by_type[EventType.MONITOR_UP] == MONITORS, by_type
    say(
        "verified",
        f"{len(events)} events ({', '.join(f'{n} {kind}' for kind, n in sorted(by_type.items()))}) all "
        f"DELIVERED; the receiver got each webhook-id exactly once, the {REFUSED} answered 500 once more "
        f"(their retry): {len(receiver.requests)} requests, 0 duplicates; deliveries done {delivered_in:.1f} s "
        "after the run",
    )

    receiver.close()
    target.close()
    integrity_clean()
