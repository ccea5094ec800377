import assert from 'node:assert/strict';
import { test } from 'node:test';

import { NotFoundError } from '../index.mjs';
import { client, countingFetch, env, SPARE, uniqueName } from '../test-support/live.mjs';

// An organization of its own: the events listed are exactly those made here.
const api = client({ apiKey: env.spareKeys[SPARE.events] });

test('events: list by cursor, iterate every page once, get one', async () => {
  const incidents = [];
  for (let n = 0; n < 3; n += 1) incidents.push(await api.incidents.create({ title: uniqueName('SDK event') }));

  const first = await api.events.list({ type: 'incident.created', limit: 2 });
  assert.equal(first.data.length, 2);
  assert.equal(first.pagination.limit, 2);
  assert.ok(first.pagination.nextCursor);
  const second = await api.events.list({ type: 'incident.created', limit: 2, cursor: first.pagination.nextCursor });
  assert.equal(second.data.length, 1);
  assert.equal(second.pagination.nextCursor, null);

  const counting = countingFetch();
  const walker = client({ apiKey: env.spareKeys[SPARE.events], fetch: counting.fetch });
  const walked = [];
  for await (const event of walker.events.iterate({ type: 'incident.created', limit: 1 })) walked.push(event);
  assert.equal(counting.attempts.length, 3); // three pages of one; the third has no nextCursor
  const ids = walked.map((event) => event.incident.id);
  assert.deepEqual(ids, incidents.map((incident) => incident.id).reverse()); // newest first

  const one = await api.events.get(walked[0].id);
  assert.deepEqual(one, walked[0]);
  assert.equal(one.event, 'incident.created');
  await assert.rejects(api.events.get('evt_doesnotexist000000'), NotFoundError);
});
