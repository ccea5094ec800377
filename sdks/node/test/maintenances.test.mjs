import assert from 'node:assert/strict';
import { test } from 'node:test';

import { NotFoundError, ValidationError } from '../index.mjs';
import { client, uniqueName } from '../test-support/live.mjs';

const api = client();

test('a maintenance window round-trips: create, get, list, iterate, update, delete', async () => {
  const monitor = await api.monitors.create({ name: uniqueName('SDK maintained'), type: 'http', url: 'https://example.com' });
  const title = uniqueName('SDK maintenance');
  try {
    const window = await api.maintenances.create({
      title,
      startsAt: '2031-01-01T00:00:00Z',
      endsAt: '2031-01-01T02:00:00Z',
      monitors: [monitor.id],
    });
    assert.equal(window.title, title);
    assert.equal(window.status, 'scheduled');
    assert.equal(window.active, false);
    assert.deepEqual(window.monitors, [monitor.id]);

    assert.deepEqual(await api.maintenances.get(window.id), window);
    assert.deepEqual((await api.maintenances.list({ search: title })).data.map((item) => item.id), [window.id]);
    const iterated = [];
    for await (const item of api.maintenances.iterate({ search: title, status: 'scheduled' })) iterated.push(item.id);
    assert.deepEqual(iterated, [window.id]);

    const moved = await api.maintenances.update(window.id, { endsAt: '2031-01-01T03:00:00Z', description: 'Longer' });
    assert.equal(moved.endsAt, '2031-01-01T03:00:00Z');
    assert.equal(moved.description, 'Longer');
    assert.equal(moved.startsAt, '2031-01-01T00:00:00Z');

    // A window that ends before it starts is refused field by field.
    const error = await api.maintenances.update(window.id, { endsAt: '2030-12-31T00:00:00Z' }).catch((e) => e);
    assert.ok(error instanceof ValidationError, String(error));
    assert.ok(Object.keys(error.fields).length > 0);

    await api.maintenances.delete(window.id);
    await assert.rejects(api.maintenances.get(window.id), NotFoundError);
  } finally {
    await api.monitors.delete(monitor.id);
  }
});
