import assert from 'node:assert/strict';
import { test } from 'node:test';

import { NotFoundError } from '../index.mjs';
import { client, uniqueName } from '../test-support/live.mjs';

const api = client();

test('an incident round-trips with its timeline: create, get, list, update, add and get an update, delete', async () => {
  const monitor = await api.monitors.create({ name: uniqueName('SDK incident target'), type: 'http', url: 'https://example.com' });
  const title = uniqueName('SDK incident');
  try {
    const incident = await api.incidents.create({
      title,
      description: 'Planned maintenance on primary database',
      status: 'INVESTIGATING',
      affectedComponents: [monitor.id],
      impact: 'high',
    });
    assert.match(incident.id, /^inc_/);
    assert.equal(incident.impact, 'high');
    assert.deepEqual(incident.affectedComponents, [monitor.id]);
    assert.deepEqual(incident.components.map((component) => component.id), [monitor.id]);

    const fetched = await api.incidents.get(incident.id);
    assert.equal(fetched.title, title);
    assert.ok(Array.isArray(fetched.updates));

    const listed = await api.incidents.list({ search: title, status: 'INVESTIGATING' });
    assert.deepEqual(listed.data.map((item) => item.id), [incident.id]);
    const iterated = [];
    for await (const item of api.incidents.iterate({ search: title })) iterated.push(item.id);
    assert.deepEqual(iterated, [incident.id]);

    const entry = await api.incidents.addUpdate(incident.id, {
      message: 'Investigating database connectivity issues',
      status: 'IDENTIFIED',
      notifySubscribers: true,
    });
    assert.match(entry.id, /^upd_/);
    assert.equal(entry.message, 'Investigating database connectivity issues');
    assert.equal(entry.notifySubscribers, true);
    assert.deepEqual(await api.incidents.getUpdate(incident.id, entry.id), entry);
    assert.equal((await api.incidents.get(incident.id)).status, 'IDENTIFIED');

    const resolved = await api.incidents.update(incident.id, {
      status: 'RESOLVED',
      update: 'Issue resolved. All systems operational.',
    });
    assert.equal(resolved.status, 'RESOLVED');
    assert.ok(resolved.resolvedAt);
    assert.equal(resolved.updates[0].message, 'Issue resolved. All systems operational.');
    assert.equal((await api.incidents.list({ search: title, status: 'INVESTIGATING' })).data.length, 0);

    await api.incidents.delete(incident.id);
    await assert.rejects(api.incidents.get(incident.id), NotFoundError);
    await assert.rejects(api.incidents.getUpdate(incident.id, entry.id), NotFoundError);
  } finally {
    await api.monitors.delete(monitor.id);
  }
});
