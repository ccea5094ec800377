'use strict';

const { everyPage } = require('../pagination');

/** /api/alert-channels: where alerts reach people (email, chat, paging, signed webhooks). */
class AlertChannels {
  constructor(client) {
    this._client = client;
  }

  /** One page: `{ data, pagination }`. Filters: type, enabled, search, limit, page. */
  list(params = {}) {
    return this._client.request('GET', '/api/alert-channels', { query: params });
  }

  iterate(params = {}) {
    return everyPage((query) => this.list(query), params);
  }

  /** Secret config values come back masked. */
  get(id) {
    return this._client.request('GET', '/api/alert-channels/{id}', { path: { id } });
  }

  /** The answer shows the config in full, secrets included: the only time they are shown. */
  create(body) {
    return this._client.request('POST', '/api/alert-channels', { body });
  }

  /** Changes only the fields sent; secrets left out of `config` (or sent as their mask) are kept. */
  update(id, body) {
    return this._client.request('PUT', '/api/alert-channels/{id}', { path: { id }, body });
  }

  delete(id) {
    return this._client.request('DELETE', '/api/alert-channels/{id}', { path: { id } });
  }

  /** Sends a test alert now; resolves to its delivery. */
  test(id) {
    return this._client.request('POST', '/api/alert-channels/{id}/test', { path: { id } });
  }

  /** One page of the channel's alerts, newest first. Filters: status, limit, page. */
  listDeliveries(id, params = {}) {
    return this._client.request('GET', '/api/alert-channels/{id}/deliveries', { path: { id }, query: params });
  }
}

module.exports = { AlertChannels };
