import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { NotFoundError, ValidationError } from '../index.mjs';
import { client, uniqueName } from '../test-support/live.mjs';
import { startReceiver } from '../test-support/receiver.mjs';

const api = client();
let receiver;

before(async () => {
  receiver = await startReceiver();
});
after(() => receiver.close());

test('an alert channel round-trips and its test alert reaches the receiver', async () => {
  const name = uniqueName('SDK slack');
  const channel = await api.alertChannels.create({
    name,
    type: 'slack',
    config: { url: `${receiver.url}/slack` },
    events: ['monitor.down', 'monitor.up'],
  });
  assert.match(channel.id, /^ach_/);
  assert.equal(channel.config.url, `${receiver.url}/slack`); // in full, this once
  try {
    const fetched = await api.alertChannels.get(channel.id);
    assert.equal(fetched.name, name);
    assert.deepEqual(fetched.events, ['monitor.down', 'monitor.up']);
    assert.deepEqual((await api.alertChannels.list({ search: name, type: 'slack' })).data.map((item) => item.id), [channel.id]);
    const iterated = [];
    for await (const item of api.alertChannels.iterate({ search: name, enabled: true })) iterated.push(item.id);
    assert.deepEqual(iterated, [channel.id]);

    const renamed = await api.alertChannels.update(channel.id, { name: `${name} (ops)` });
    assert.equal(renamed.name, `${name} (ops)`);
    assert.equal(renamed.type, 'slack');

    const alert = await api.alertChannels.test(channel.id);
    assert.equal(alert.kind, 'test');
    assert.equal(alert.status, 'delivered');
    const [request] = receiver.at('/slack');
    assert.equal(request.method, 'POST');
    assert.match(JSON.parse(request.body).text, /test/i);

    const deliveries = await api.alertChannels.listDeliveries(channel.id, { status: 'delivered' });
    assert.deepEqual(deliveries.data.map((item) => item.id), [alert.id]);
    assert.equal(deliveries.data[0].attemptLog[0].statusCode, 200);

    const disabled = await api.alertChannels.update(channel.id, { enabled: false });
    assert.equal(disabled.enabled, false);
    const refused = await api.alertChannels.test(channel.id).catch((e) => e);
    assert.ok(refused instanceof ValidationError);
    assert.match(refused.message, /disabled/);
  } finally {
    await api.alertChannels.delete(channel.id);
  }
  await assert.rejects(api.alertChannels.get(channel.id), NotFoundError);
});

test('an invalid channel config is a 400 naming the field', async () => {
  const error = await api.alertChannels.create({ name: uniqueName('SDK bad'), type: 'slack', config: { url: 'ftp://x' } }).catch((e) => e);
  assert.ok(error instanceof ValidationError);
  assert.equal(error.status, 400);
  assert.ok(Object.keys(error.fields).length > 0, JSON.stringify(error.fields));
});
