import assert from 'node:assert/strict';
import { test } from 'node:test';

import { NotFoundError, ValidationError } from '../index.mjs';
import { client, env, uniqueName } from '../test-support/live.mjs';

const api = client();

test('a monitor round-trips: create, get, list, update, pause, resume, delete', async () => {
  const name = uniqueName('SDK monitor');
  const created = await api.monitors.create({ name, type: 'http', url: 'https://example.com/health', interval: 60, timeout: 10 });
  assert.match(created.id, /^mon_/);
  assert.equal(created.name, name);
  assert.equal(created.type, 'http');
  assert.equal(created.status, 'PENDING');

  assert.deepEqual(await api.monitors.get(created.id), created);

  const page = await api.monitors.list({ search: name });
  assert.deepEqual(page.data.map((monitor) => monitor.id), [created.id]);
  assert.deepEqual(page.pagination, { page: 1, limit: 20, total: 1, pages: 1 });

  // PUT with a partial body changes only what it names.
  const updated = await api.monitors.update(created.id, { name: `${name} (renamed)`, interval: 120 });
  assert.equal(updated.name, `${name} (renamed)`);
  assert.equal(updated.interval, 120);
  assert.equal(updated.url, 'https://example.com/health');

  assert.equal((await api.monitors.pause(created.id)).status, 'PAUSED');
  assert.equal((await api.monitors.get(created.id)).status, 'PAUSED');
  assert.equal((await api.monitors.resume(created.id)).status, 'PENDING');

  assert.equal(await api.monitors.delete(created.id), undefined);
  await assert.rejects(api.monitors.get(created.id), NotFoundError);
});

test('a TCP monitor takes host and port', async () => {
  const monitor = await api.monitors.create({ name: uniqueName('SDK tcp'), type: 'tcp', host: '127.0.0.1', port: 5432 });
  try {
    assert.equal(monitor.host, '127.0.0.1');
    assert.equal(monitor.port, 5432);
  } finally {
    await api.monitors.delete(monitor.id);
  }
});

test('service checks take their fields, and a password reads only as its mask', async () => {
  const database = await api.monitors.create({
    name: uniqueName('SDK mysql'), type: 'mysql', host: 'mysql.example.com', username: 'probe', password: 's3cret-pass',
  });
  const smtp = await api.monitors.create({ name: uniqueName('SDK smtp'), type: 'smtp', host: 'mail.example.com', tls: true });
  try {
    assert.equal(database.port, 3306);
    assert.equal(database.username, 'probe');
    assert.equal(database.password, '••••');
    // The mask sent back keeps the password.
    const updated = await api.monitors.update(database.id, { password: database.password, database: 'shop' });
    assert.equal(updated.password, '••••');
    assert.equal(updated.database, 'shop');

    assert.equal(smtp.port, 25);
    assert.equal(smtp.tls, true);
    assert.equal(smtp.sslDegradedDays, 14);
    assert.equal(smtp.password, undefined);

    await assert.rejects(
      api.monitors.create({ name: uniqueName('SDK ping'), type: 'ping', host: 'router.example.com', pingCount: 11 }),
      (error) => error instanceof ValidationError && 'pingCount' in error.fields,
    );
  } finally {
    await api.monitors.delete(database.id);
    await api.monitors.delete(smtp.id);
  }
});

test('checks and uptime of a monitor', async () => {
  const monitor = await api.monitors.create({ name: uniqueName('SDK checks'), type: 'http', url: 'https://example.com' });
  try {
    const checks = await api.monitors.checks(monitor.id, { limit: 5 });
    assert.deepEqual(checks, { data: [], pagination: { page: 1, limit: 5, total: 0, pages: 0 } });
    const uptime = await api.monitors.uptime(monitor.id);
    assert.equal(uptime.monitorId, monitor.id);
    assert.deepEqual(Object.keys(uptime.windows).sort(), ['24h', '30d', '7d', '90d']);
    assert.equal(uptime.windows['24h'].checks, 0);
  } finally {
    await api.monitors.delete(monitor.id);
  }
});

test('acknowledge a DOWN monitor; a monitor that is not DOWN is a 400', async () => {
  const { monitor } = await api.monitors.acknowledge(env.downMonitor);
  assert.equal(monitor.id, env.downMonitor);
  assert.equal(monitor.status, 'DOWN');
  assert.match(monitor.acknowledgedBy, /API key/);
  assert.ok(monitor.acknowledgedAt);

  const up = await api.monitors.create({ name: uniqueName('SDK not down'), type: 'http', url: 'https://example.com' });
  try {
    const error = await api.monitors.acknowledge(up.id).catch((e) => e);
    assert.ok(error instanceof ValidationError);
    assert.equal(error.status, 400);
    assert.equal(error.code, 'invalid_request');
  } finally {
    await api.monitors.delete(up.id);
  }
});

test("list and iterate filter by status: the main organization's one DOWN monitor", async () => {
  const page = await api.monitors.list({ status: 'DOWN' });
  assert.deepEqual(page.data.map((monitor) => monitor.id), [env.downMonitor]);

  const down = [];
  for await (const monitor of api.monitors.iterate({ status: 'DOWN' })) down.push(monitor.id);
  assert.deepEqual(down, [env.downMonitor]);
});

test('path parameters are URL-encoded: an id cannot climb to another path', async () => {
  // Unencoded, "../monitors" would turn /api/monitors/../monitors into the list.
  await assert.rejects(api.monitors.get('../monitors'), NotFoundError);
  await assert.rejects(api.monitors.get('mon_x?status=DOWN'), NotFoundError);
  await assert.rejects(api.monitors.get(''), TypeError);
});
