'use strict';

const { everyPage } = require('../pagination');

/** /api/webhooks: signed webhook endpoints (admin keys only) and their deliveries. */
class Webhooks {
  constructor(client) {
    this._client = client;
  }

  /** One page: `{ data, pagination }`. Params: limit, page. */
  list(params = {}) {
    return this._client.request('GET', '/api/webhooks', { query: params });
  }

  iterate(params = {}) {
    return everyPage((query) => this.list(query), params);
  }

  get(id) {
    return this._client.request('GET', '/api/webhooks/{id}', { path: { id } });
  }

  /** The answer carries the signing `secret`: the only time it is shown. */
  create(body) {
    return this._client.request('POST', '/api/webhooks', { body });
  }

  /** Changes only the fields sent. */
  update(id, body) {
    return this._client.request('PUT', '/api/webhooks/{id}', { path: { id }, body });
  }

  delete(id) {
    return this._client.request('DELETE', '/api/webhooks/{id}', { path: { id } });
  }

  /** Sends a signed `webhook.test` event now; resolves to its delivery. */
  test(id) {
    return this._client.request('POST', '/api/webhooks/{id}/test', { path: { id } });
  }

  /** A new secret (in the answer only); the previous one keeps signing too for 24 hours. */
  rotateSecret(id) {
    return this._client.request('POST', '/api/webhooks/{id}/rotate-secret', { path: { id } });
  }

  /** One page of the endpoint's deliveries, newest first. Filters: status, limit, page. */
  listDeliveries(id, params = {}) {
    return this._client.request('GET', '/api/webhooks/{id}/deliveries', { path: { id }, query: params });
  }

  /** One delivery with its attempts and `payload`. */
  getDelivery(id, deliveryId) {
    return this._client.request('GET', '/api/webhooks/{id}/deliveries/{deliveryId}', { path: { id, deliveryId } });
  }

  /** Sends the same event (same body, same webhook-id) again now. */
  redeliver(id, deliveryId) {
    return this._client.request('POST', '/api/webhooks/{id}/deliveries/{deliveryId}/redeliver', {
      path: { id, deliveryId },
    });
  }
}

module.exports = { Webhooks };
