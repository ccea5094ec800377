import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  APIConnectionError,
  APIError,
  AuthenticationError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  StatusApp,
  StatusAppError,
  ValidationError,
} from '../index.mjs';
import { client, countingFetch, env, uniqueName } from '../test-support/live.mjs';
import { closedPortUrl, startSilentServer } from '../test-support/receiver.mjs';

const api = client();

async function failure(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the call to fail');
}

test('401: an unknown key is an AuthenticationError', async () => {
  const error = await failure(client({ apiKey: 'sk_live_nottherealone_xxxxxxxxxxxxxxxx' }).monitors.list());
  assert.ok(error instanceof AuthenticationError);
  assert.ok(error instanceof APIError);
  assert.ok(error instanceof StatusAppError);
  assert.equal(error.status, 401);
  assert.equal(error.code, 'unauthorized');
  assert.equal(error.message, 'Invalid, expired or revoked API key.');
  assert.equal(error.headers.get('content-type'), 'application/json');
});

test('403: a read key that writes is a PermissionDeniedError', async () => {
  const reader = client({ apiKey: env.readKey });
  const error = await failure(reader.monitors.create({ name: uniqueName('SDK forbidden'), type: 'http', url: 'https://example.com' }));
  assert.ok(error instanceof PermissionDeniedError);
  assert.equal(error.status, 403);
  assert.equal(error.code, 'forbidden');
  // A write key may create but not delete (admin only).
  const writer = client({ apiKey: env.writeKey });
  const monitor = await writer.monitors.create({ name: uniqueName('SDK writer'), type: 'http', url: 'https://example.com' });
  await assert.rejects(writer.monitors.delete(monitor.id), PermissionDeniedError);
  await api.monitors.delete(monitor.id);
});

test("404: another organization's monitor is a NotFoundError", async () => {
  const other = client({ apiKey: env.otherKey });
  const theirs = await other.monitors.create({ name: uniqueName('SDK theirs'), type: 'http', url: 'https://example.com' });
  try {
    const error = await failure(api.monitors.get(theirs.id));
    assert.ok(error instanceof NotFoundError);
    assert.equal(error.status, 404);
    assert.equal(error.code, 'not_found');
    await assert.rejects(api.monitors.update(theirs.id, { name: 'mine now' }), NotFoundError);
    await assert.rejects(api.monitors.delete(theirs.id), NotFoundError);
    assert.equal((await other.monitors.get(theirs.id)).name, theirs.name);
  } finally {
    await other.monitors.delete(theirs.id);
  }
});

test('400: an invalid body is a ValidationError with its fields', async () => {
  const error = await failure(api.monitors.create({ name: uniqueName('SDK invalid'), type: 'http', url: 'not a url', interval: 'often' }));
  assert.ok(error instanceof ValidationError);
  assert.equal(error.status, 400);
  assert.equal(error.code, 'invalid_request');
  assert.ok(error.message);
  assert.deepEqual(Object.keys(error.fields).sort(), ['interval', 'url']);
  assert.ok(error.fields.url.every((message) => typeof message === 'string'));
  // A bad query parameter too.
  await assert.rejects(api.monitors.list({ page: 0 }), ValidationError);
});

/** Spends the limited organization's window; resolves to the RateLimitError that ends it. */
async function exhaustRateLimit() {
  const limited = client({ apiKey: env.limitedKey, maxRetries: 0 });
  for (let n = 0; n <= env.rateLimit * 3; n += 1) {
    const error = await limited.monitors.list().catch((e) => e);
    if (error instanceof RateLimitError) return error;
    if (error instanceof Error) throw error;
  }
  assert.fail(`no 429 after ${env.rateLimit * 3} requests`);
}

test('429 with retries off: a RateLimitError carrying retryAfter', async () => {
  const error = await exhaustRateLimit();
  assert.equal(error.status, 429);
  assert.equal(error.code, 'rate_limited');
  assert.ok(Number.isInteger(error.retryAfter), String(error.retryAfter));
  assert.ok(error.retryAfter >= 1 && error.retryAfter <= env.rateWindow, String(error.retryAfter));
  assert.equal(error.headers.get('x-ratelimit-limit'), String(env.rateLimit));
  assert.equal(error.headers.get('x-ratelimit-remaining'), '0');
});

test('429 with retries on: the call waits Retry-After and succeeds, a write included, once', async () => {
  let counting;
  let name;
  let monitor;
  let elapsed;
  for (let tries = 0; tries < 3; tries += 1) {
    await exhaustRateLimit();
    counting = countingFetch();
    const limited = client({ apiKey: env.limitedKey, maxRetries: 3, fetch: counting.fetch });
    name = uniqueName('SDK after the limit');
    const started = Date.now();
    monitor = await limited.monitors.create({ name, type: 'http', url: 'https://example.com' });
    elapsed = Date.now() - started;
    if (counting.attempts[0].status === 429) break; // else the window turned over in between: again
  }

  assert.equal(monitor.name, name);
  const statuses = counting.attempts.map((attempt) => attempt.status);
  assert.equal(statuses.at(-1), 201);
  assert.ok(statuses.slice(0, -1).length >= 1 && statuses.slice(0, -1).every((status) => status === 429), String(statuses));
  const waited = counting.attempts.slice(0, -1).reduce((sum, attempt) => sum + Number(attempt.retryAfter) * 1000, 0);
  assert.ok(waited >= 1000);
  assert.ok(elapsed >= waited, `elapsed ${elapsed} ms < Retry-After ${waited} ms`);
  // Each retry started only once its Retry-After had passed.
  for (let n = 1; n < counting.attempts.length; n += 1) {
    const gap = counting.attempts[n].at - counting.attempts[n - 1].at;
    assert.ok(gap >= Number(counting.attempts[n - 1].retryAfter) * 1000 - 5, `retry ${n} after ${gap} ms`);
  }
  // Retried on 429 only: the monitor exists once.
  await new Promise((resolve) => setTimeout(resolve, env.rateWindow * 1000));
  const found = await client({ apiKey: env.limitedKey }).monitors.list({ search: name });
  assert.equal(found.pagination.total, 1);
});

test('503 is retried after Retry-After, then surfaces as an APIError', async () => {
  const counting = countingFetch();
  const down = client({ baseUrl: env.unavailableUrl, maxRetries: 1, fetch: counting.fetch });
  const started = Date.now();
  const error = await failure(down.monitors.list());
  const elapsed = Date.now() - started;

  assert.ok(error instanceof APIError);
  assert.equal(error.status, 503);
  assert.equal(error.code, 'service_unavailable');
  assert.equal(error.headers.get('retry-after'), '5');
  assert.deepEqual(counting.attempts.map((attempt) => attempt.status), [503, 503]);
  assert.ok(elapsed >= 5000, `retried after ${elapsed} ms, before Retry-After`);
  assert.ok(counting.attempts[1].at - counting.attempts[0].at >= 5000 - 5);
});

test('503 with retries off fails at once', async () => {
  const counting = countingFetch();
  const down = client({ baseUrl: env.unavailableUrl, maxRetries: 0, fetch: counting.fetch });
  const started = Date.now();
  const error = await failure(down.incidents.create({ title: 'x' }));
  assert.equal(error.status, 503);
  assert.equal(counting.attempts.length, 1);
  assert.ok(Date.now() - started < 2000);
});

test('connection errors: GETs are retried, writes never', async () => {
  const baseUrl = await closedPortUrl();
  const reads = countingFetch();
  const reader = client({ baseUrl, maxRetries: 2, fetch: reads.fetch });
  const error = await failure(reader.monitors.list());
  assert.ok(error instanceof APIConnectionError);
  assert.ok(!(error instanceof APIError));
  assert.match(error.message, /GET http:\/\/127\.0\.0\.1:\d+\/api\/monitors failed: ECONNREFUSED/);
  assert.equal(reads.attempts.length, 3);

  const writes = countingFetch();
  const writer = client({ baseUrl, maxRetries: 2, fetch: writes.fetch });
  await assert.rejects(writer.monitors.create({ name: 'x', type: 'http', url: 'https://example.com' }), APIConnectionError);
  await assert.rejects(writer.monitors.delete('mon_x'), APIConnectionError);
  assert.equal(writes.attempts.length, 2); // one each
});

test('a server that never answers times out as an APIConnectionError', async () => {
  const silent = await startSilentServer();
  try {
    const slow = client({ baseUrl: silent.url, timeout: 300, maxRetries: 0 });
    const started = Date.now();
    const error = await failure(slow.monitors.get('mon_x'));
    assert.ok(error instanceof APIConnectionError);
    assert.match(error.message, /timed out after 300 ms/);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 290 && elapsed < 3000, `${elapsed} ms`);
  } finally {
    await silent.close();
  }
});

test('the client takes its key and base URL from the environment, and refuses to start without a key', async () => {
  const saved = { key: process.env.STATUSAPP_API_KEY, base: process.env.STATUSAPP_BASE_URL };
  try {
    const fromEnv = new StatusApp();
    assert.equal(fromEnv.baseUrl, env.baseUrl.replace(/\/$/, ''));
    assert.ok(Array.isArray((await fromEnv.monitors.list()).data));

    delete process.env.STATUSAPP_BASE_URL;
    assert.equal(new StatusApp().baseUrl, 'http://127.0.0.1:8000');
    assert.equal(new StatusApp({ baseUrl: 'http://example.test/' }).baseUrl, 'http://example.test');

    delete process.env.STATUSAPP_API_KEY;
    assert.throws(() => new StatusApp(), /No API key/);
    assert.throws(() => new StatusApp({ apiKey: 'k', maxRetries: -1 }), TypeError);
    assert.throws(() => new StatusApp({ apiKey: 'k', timeout: 0 }), TypeError);
  } finally {
    process.env.STATUSAPP_API_KEY = saved.key;
    process.env.STATUSAPP_BASE_URL = saved.base;
  }
});
