'use strict';

const crypto = require('node:crypto');
const { WebhookVerificationError } = require('./errors');

const SECRET_PREFIX = 'whsec_';
// How far a webhook's timestamp may be from now (either way) before it is taken as a replay.
const TOLERANCE_SECONDS = 5 * 60;

function toBuffer(body) {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  throw new TypeError('body must be the raw request body: a string, Buffer, Uint8Array or ArrayBuffer');
}

function equalInConstantTime(a, b) {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}

/**
 * The API guide's check of `X-StatusApp-Signature`: the hex HMAC-SHA256 of the raw body,
 * keyed with the whole secret string. Compared in constant time.
 */
function verifySignature(body, signature, secret) {
  if (typeof signature !== 'string' || typeof secret !== 'string' || secret === '') return false;
  const expected = crypto.createHmac('sha256', secret).update(toBuffer(body)).digest('hex');
  return equalInConstantTime(signature.trim().toLowerCase(), expected);
}

/** A header's value from a plain object (any case, string or array values) or a fetch `Headers`. */
function header(headers, name) {
  if (headers && typeof headers.get === 'function') return headers.get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(', ') : value;
  }
  return undefined;
}

/** Standard Webhooks verification (webhook-id, webhook-timestamp, webhook-signature). */
class Webhook {
  /** @param {string} secret the endpoint's `whsec_…` secret */
  constructor(secret) {
    if (typeof secret !== 'string' || secret === '') throw new TypeError('secret must be the whsec_… string');
    const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
    this._key = Buffer.from(encoded, 'base64');
    if (this._key.length === 0) throw new TypeError('secret must be the whsec_… string');
  }

  /**
   * The parsed JSON payload when `headers` sign `body` with this secret within 5 minutes of now;
   * otherwise throws WebhookVerificationError. `body` must be the raw bytes as received.
   */
  verify(body, headers) {
    const raw = toBuffer(body);
    const id = header(headers, 'webhook-id');
    const timestamp = header(headers, 'webhook-timestamp');
    const signatures = header(headers, 'webhook-signature');
    if (!id || !timestamp || !signatures) {
      throw new WebhookVerificationError('Missing webhook-id, webhook-timestamp or webhook-signature header');
    }
    if (!/^\d+$/.test(timestamp)) throw new WebhookVerificationError('Invalid webhook-timestamp');
    const age = Math.floor(Date.now() / 1000) - Number(timestamp);
    if (age > TOLERANCE_SECONDS) throw new WebhookVerificationError('Webhook timestamp too old');
    if (age < -TOLERANCE_SECONDS) throw new WebhookVerificationError('Webhook timestamp too new');

    const expected = crypto
      .createHmac('sha256', this._key)
      .update(Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), raw]))
      .digest('base64');
    // A space-separated list: a rotated secret signs with both for a while.
    const matched = signatures.split(' ').some((entry) => {
      const [version, signature] = entry.split(',', 2);
      return version === 'v1' && signature !== undefined && equalInConstantTime(signature, expected);
    });
    if (!matched) throw new WebhookVerificationError('No matching signature');

    try {
      return JSON.parse(raw.toString('utf8'));
    } catch (cause) {
      throw new WebhookVerificationError('The signed body is not JSON', { cause });
    }
  }
}

module.exports = { verifySignature, Webhook };
