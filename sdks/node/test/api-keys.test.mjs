import assert from 'node:assert/strict';
import { test } from 'node:test';

import { AuthenticationError, PermissionDeniedError } from '../index.mjs';
import { client, uniqueName } from '../test-support/live.mjs';

const api = client();

test('an API key round-trips: create, use, get, list, iterate, revoke', async () => {
  const name = uniqueName('SDK key');
  const created = await api.apiKeys.create({ name, permission: 'read' });
  assert.match(created.id, /^key_/);
  assert.match(created.key, /^sk_live_/);
  assert.ok(created.key.startsWith(created.prefix));

  // The new key reads, and only reads.
  const reader = client({ apiKey: created.key });
  assert.ok(Array.isArray((await reader.monitors.list()).data));
  await assert.rejects(reader.incidents.create({ title: 'not allowed' }), PermissionDeniedError);

  const { key, ...shown } = created;
  const fetched = await api.apiKeys.get(created.id);
  assert.equal(fetched.key, undefined); // the secret is shown once
  assert.equal(fetched.name, shown.name);
  assert.equal(fetched.permission, 'read');
  assert.deepEqual((await api.apiKeys.list({ search: name })).data.map((item) => item.id), [created.id]);
  const iterated = [];
  for await (const item of api.apiKeys.iterate({ search: name })) iterated.push(item.id);
  assert.deepEqual(iterated, [created.id]);

  assert.equal(await api.apiKeys.delete(created.id), undefined);
  assert.ok((await api.apiKeys.get(created.id)).revokedAt);
  await assert.rejects(reader.monitors.list(), AuthenticationError);
});
