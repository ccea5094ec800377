import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, test } from 'node:test';

import { NotFoundError, ValidationError, verifySignature, Webhook, WebhookVerificationError } from '../index.mjs';
import { client, env, SPARE, uniqueName } from '../test-support/live.mjs';
import { startReceiver } from '../test-support/receiver.mjs';

// An organization of its own: its incidents are the only events this endpoint gets.
const api = client({ apiKey: env.spareKeys[SPARE.webhooks] });
let receiver;
let endpoint;

before(async () => {
  receiver = await startReceiver();
  endpoint = await api.webhooks.create({ url: `${receiver.url}/hook`, description: 'SDK tests', events: ['incident.created'] });
});
after(() => receiver.close());

/** Verifies `request` with both helpers (the guide's hex HMAC and Standard Webhooks); the parsed payload. */
function verifyBoth(request, secret) {
  assert.equal(verifySignature(request.body, request.headers['x-statusapp-signature'], secret), true);
  return new Webhook(secret).verify(request.body, request.headers);
}

test('a webhook endpoint round-trips: create, get, list, iterate, update', async () => {
  assert.match(endpoint.id, /^wh_/);
  assert.match(endpoint.secret, /^whsec_/);
  const { secret, ...shown } = endpoint;
  const fetched = await api.webhooks.get(endpoint.id);
  assert.equal(fetched.secret, undefined); // shown once
  assert.deepEqual({ ...fetched, updatedAt: shown.updatedAt }, shown);
  assert.deepEqual((await api.webhooks.list()).data.map((item) => item.id), [endpoint.id]);
  const iterated = [];
  for await (const item of api.webhooks.iterate()) iterated.push(item.id);
  assert.deepEqual(iterated, [endpoint.id]);

  const changed = await api.webhooks.update(endpoint.id, { description: 'On-call bot' });
  assert.equal(changed.description, 'On-call bot');
  assert.deepEqual(changed.events, ['incident.created']);

  const error = await api.webhooks.update(endpoint.id, { url: 'not a url' }).catch((e) => e);
  assert.ok(error instanceof ValidationError);
  assert.ok(error.fields.url);
});

test('a test delivery verifies with both helpers, and a tampered one does not', async () => {
  const before = receiver.at('/hook').length;
  const delivery = await api.webhooks.test(endpoint.id);
  assert.equal(delivery.event, 'webhook.test');
  assert.equal(delivery.status, 'delivered');
  const requests = receiver.at('/hook');
  assert.equal(requests.length, before + 1); // delivered during the request
  const request = requests.at(-1);

  const payload = verifyBoth(request, endpoint.secret);
  assert.equal(payload.id, delivery.eventId);
  assert.equal(payload.event, 'webhook.test');
  assert.deepEqual(payload, delivery.payload);
  // A fetch Headers object works as well as Node's header object.
  assert.deepEqual(new Webhook(endpoint.secret).verify(request.body.toString(), new Headers(request.headers)), payload);

  const tampered = Buffer.from(request.body.toString().replace('webhook.test', 'monitor.down'));
  assert.equal(verifySignature(tampered, request.headers['x-statusapp-signature'], endpoint.secret), false);
  assert.throws(() => new Webhook(endpoint.secret).verify(tampered, request.headers), WebhookVerificationError);

  const otherSecret = `whsec_${crypto.randomBytes(32).toString('base64')}`;
  assert.equal(verifySignature(request.body, request.headers['x-statusapp-signature'], otherSecret), false);
  assert.throws(() => new Webhook(otherSecret).verify(request.body, request.headers), /No matching signature/);

  const { 'webhook-signature': _, ...unsigned } = request.headers;
  assert.throws(() => new Webhook(endpoint.secret).verify(request.body, unsigned), /Missing/);
  // Another id (or timestamp) than the one signed is a different message.
  const moved = { ...request.headers, 'webhook-id': 'evt_someotherevent00000' };
  assert.throws(() => new Webhook(endpoint.secret).verify(request.body, moved), WebhookVerificationError);
});

test('Webhook.verify refuses a replay outside the 5-minute window', () => {
  const secret = endpoint.secret;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const body = '{"id":"evt_1","event":"monitor.down"}';
  const signed = (timestamp) => ({
    'webhook-id': 'evt_1',
    'webhook-timestamp': String(timestamp),
    'webhook-signature': `v1,${crypto.createHmac('sha256', key).update(`evt_1.${timestamp}.${body}`).digest('base64')}`,
  });
  const now = Math.floor(Date.now() / 1000);
  assert.deepEqual(new Webhook(secret).verify(body, signed(now - 60)), { id: 'evt_1', event: 'monitor.down' });
  assert.throws(() => new Webhook(secret).verify(body, signed(now - 6 * 60)), /too old/);
  assert.throws(() => new Webhook(secret).verify(body, signed(now + 6 * 60)), /too new/);
});

test('deliveries: list, get with its payload, redeliver the same event', async () => {
  const delivery = await api.webhooks.test(endpoint.id);
  const first = receiver.at('/hook').at(-1);

  const page = await api.webhooks.listDeliveries(endpoint.id, { status: 'delivered' });
  assert.ok(page.data.some((item) => item.id === delivery.id));
  const fetched = await api.webhooks.getDelivery(endpoint.id, delivery.id);
  assert.equal(fetched.eventId, delivery.eventId);
  assert.deepEqual(fetched.payload, JSON.parse(first.body));

  const redelivered = await api.webhooks.redeliver(endpoint.id, delivery.id);
  assert.equal(redelivered.id, delivery.id);
  assert.equal(redelivered.attempts, delivery.attempts + 1);
  const again = receiver.at('/hook').at(-1);
  assert.notEqual(again, first);
  assert.equal(again.headers['webhook-id'], first.headers['webhook-id']);
  assert.deepEqual(again.body, first.body);
  assert.deepEqual(verifyBoth(again, endpoint.secret), JSON.parse(first.body));

  await assert.rejects(api.webhooks.getDelivery(endpoint.id, 'dlv_doesnotexist000000'), NotFoundError);
});

test('a real event (incident.created) is delivered signed', async () => {
  const title = uniqueName('SDK webhook incident');
  const incident = await api.incidents.create({ title, status: 'INVESTIGATING' });
  const request = receiver.requests.find((item) => item.headers['x-statusapp-event'] === 'incident.created' && item.body.includes(incident.id));
  assert.ok(request, 'the incident.created event reached the receiver');
  const payload = verifyBoth(request, endpoint.secret);
  assert.equal(payload.event, 'incident.created');
  assert.equal(payload.incident.id, incident.id);
  await api.incidents.delete(incident.id);
});

test('after rotating the secret both the new and the previous one verify', async () => {
  const previous = endpoint.secret;
  const rotated = await api.webhooks.rotateSecret(endpoint.id);
  assert.match(rotated.secret, /^whsec_/);
  assert.notEqual(rotated.secret, previous);
  assert.ok(rotated.previousSecretExpiresAt);

  await api.webhooks.test(endpoint.id);
  const request = receiver.at('/hook').at(-1);
  assert.equal(request.headers['webhook-signature'].split(' ').length, 2);
  assert.equal(new Webhook(rotated.secret).verify(request.body, request.headers).event, 'webhook.test');
  assert.equal(new Webhook(previous).verify(request.body, request.headers).event, 'webhook.test');
  assert.equal(verifySignature(request.body, request.headers['x-statusapp-signature'], rotated.secret), true);
  assert.equal(verifySignature(request.body, request.headers['x-statusapp-signature-previous'], previous), true);
  endpoint = { ...endpoint, secret: rotated.secret };
});

test('a deleted endpoint is gone', async () => {
  const spare = await api.webhooks.create({ url: `${receiver.url}/spare` });
  assert.equal(await api.webhooks.delete(spare.id), undefined);
  await assert.rejects(api.webhooks.get(spare.id), NotFoundError);
  await assert.rejects(api.webhooks.test(spare.id), NotFoundError);
});
