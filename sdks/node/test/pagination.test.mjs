import assert from 'node:assert/strict';
import { test } from 'node:test';

import { client, countingFetch, env } from '../test-support/live.mjs';

// The paged organization has exactly env.pagedMonitors (250) monitors and nothing else.
function pagedClient() {
  const counting = countingFetch();
  return { api: client({ apiKey: env.pagedKey, fetch: counting.fetch }), attempts: counting.attempts };
}

async function walk(iterable) {
  const ids = [];
  for await (const monitor of iterable) ids.push(monitor.id);
  return ids;
}

test('iterate walks every monitor exactly once, 100 a page', async () => {
  const { api, attempts } = pagedClient();
  const ids = await walk(api.monitors.iterate());
  assert.equal(ids.length, env.pagedMonitors);
  assert.equal(new Set(ids).size, env.pagedMonitors);
  assert.deepEqual(
    attempts.map((attempt) => new URL(attempt.url).search),
    ['?page=1&limit=100', '?page=2&limit=100', '?page=3&limit=100'],
  );

  // The same set as reading the pages one by one.
  const byPages = [];
  for (let page = 1; page <= 3; page += 1) byPages.push(...(await api.monitors.list({ page, limit: 100 })).data.map((m) => m.id));
  assert.deepEqual(ids, byPages);
});

test('iterate with a small page size still sees each monitor once', async () => {
  const { api, attempts } = pagedClient();
  const ids = await walk(api.monitors.iterate({ limit: 7 }));
  assert.equal(new Set(ids).size, env.pagedMonitors);
  assert.equal(ids.length, env.pagedMonitors);
  assert.equal(attempts.length, Math.ceil(env.pagedMonitors / 7));
});

test('iterate fetches a page only when it is needed', async () => {
  const { api, attempts } = pagedClient();
  let seen = 0;
  for await (const monitor of api.monitors.iterate({ limit: 50 })) {
    assert.match(monitor.id, /^mon_/);
    seen += 1;
    if (seen === 50) break;
  }
  assert.equal(attempts.length, 1);
});

test('list returns one page with the pagination the API sends', async () => {
  const { api } = pagedClient();
  const page = await api.monitors.list({ page: 2, limit: 100 });
  assert.equal(page.data.length, 100);
  assert.deepEqual(page.pagination, { page: 2, limit: 100, total: env.pagedMonitors, pages: 3 });
  const past = await api.monitors.list({ page: 99 });
  assert.deepEqual(past.data, []);
  assert.deepEqual(await walk(api.monitors.iterate({ status: 'DOWN' })), []);
});
