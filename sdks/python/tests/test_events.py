import requests
from support import unique

import statusapp


def test_events_list_get_and_iter(client, cleanup):
    # A heartbeat's /fail ping takes it DOWN: a real monitor.down event.
    monitor = client.monitors.create(name=unique("SDK evented"), type="heartbeat", interval=60, grace=60)
    cleanup(client.monitors.delete, monitor.id)
    incident = client.incidents.create(title=unique("SDK evented incident"))
    cleanup(client.incidents.delete, incident.id)
    requests.post(monitor.ping_url + "/fail", timeout=10).raise_for_status()

    down = next(event for event in client.events.list(type="monitor.down") if event.monitor.id == monitor.id)
    assert isinstance(down, statusapp.Event)
    assert down.id.startswith("evt_")
    assert (down.event, down.monitor.name, down.monitor.status) == ("monitor.down", monitor.name, "DOWN")
    assert down.incident.status == "ACTIVE"  # the outage's incident, as in the guide's payload
    assert client.events.get(down.id) == down

    created = next(event for event in client.events.iter(type="incident.created") if event.incident.id == incident.id)
    assert created.incident.title == incident.title
    assert created.monitor is None


def test_events_walk_by_cursor(client, cleanup):
    for _ in range(3):
        cleanup(client.incidents.delete, client.incidents.create(title=unique("SDK cursor")).id)

    first = client.events.list(limit=2)
    assert len(first) == 2
    assert first.pagination.page is None
    assert first.pagination.next_cursor
    walked = first.data + client.events.list(cursor=first.pagination.next_cursor, limit=2).data
    everything = [event.id for event in client.events.iter()]
    assert [event.id for event in walked] == everything[:4]  # newest first, no overlap
    assert len(set(everything)) == len(everything)
