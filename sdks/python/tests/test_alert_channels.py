import pytest
from support import unique

import statusapp


def test_alert_channel_round_trip_and_test_alert(client, cleanup, receiver):
    # A `webhook` channel sends its alerts to one of the organization's endpoints, signed.
    endpoint = client.webhooks.create(url=receiver.url, events=["incident.resolved"])
    cleanup(client.webhooks.delete, endpoint.id)
    name = unique("SDK channel")
    channel = client.alert_channels.create(name=name, type="webhook", config={"endpoint": endpoint.id})
    cleanup(client.alert_channels.delete, channel.id)
    assert isinstance(channel, statusapp.AlertChannel)
    assert (channel.name, channel.type, channel.config) == (name, "webhook", {"endpoint": endpoint.id})
    assert (channel.enabled, channel.all_monitors) == (True, False)

    assert client.alert_channels.get(channel.id) == channel
    assert [found.id for found in client.alert_channels.list(search=name, type="webhook", enabled=True)] == [channel.id]
    assert client.alert_channels.list(search=name, enabled=False).data == []
    assert channel.id in {found.id for found in client.alert_channels.iter(type="webhook")}

    disabled = client.alert_channels.update(channel.id, enabled=False, events=["monitor.down"])
    assert (disabled.enabled, disabled.events, disabled.name) == (False, ["monitor.down"], name)
    with pytest.raises(statusapp.ValidationError):
        client.alert_channels.test(channel.id)  # a disabled channel is a 400
    client.alert_channels.update(channel.id, enabled=True)

    delivery = client.alert_channels.test(channel.id)
    assert isinstance(delivery, statusapp.AlertDelivery)
    assert (delivery.kind, delivery.status) == ("test", "delivered")
    assert delivery.attempt_log[0].status_code == 200
    received = receiver.next()
    alert = statusapp.Webhook(endpoint.secret).verify(received.body, received.headers)
    assert statusapp.verify_signature(received.body, received.headers["X-StatusApp-Signature"], endpoint.secret)
    assert (alert["event"], alert["id"]) == ("alert.test", delivery.id)

    deliveries = client.alert_channels.deliveries(channel.id)
    assert [found.id for found in deliveries] == [delivery.id]
    assert [found.id for found in client.alert_channels.iter_deliveries(channel.id)] == [delivery.id]

    client.alert_channels.delete(channel.id)
    with pytest.raises(statusapp.NotFoundError):
        client.alert_channels.get(channel.id)


def test_a_channel_without_its_config_is_refused(client):
    with pytest.raises(statusapp.ValidationError) as raised:
        client.alert_channels.create(name=unique("SDK broken channel"), type="slack", config={})
    assert raised.value.fields
