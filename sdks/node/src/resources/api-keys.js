'use strict';

const { everyPage } = require('../pagination');

/** /api/api-keys (admin keys only). Keys cannot be changed: revoke one and create another. */
class ApiKeys {
  constructor(client) {
    this._client = client;
  }

  /** One page: `{ data, pagination }`. Filters: search, limit, page. */
  list(params = {}) {
    return this._client.request('GET', '/api/api-keys', { query: params });
  }

  iterate(params = {}) {
    return everyPage((query) => this.list(query), params);
  }

  get(id) {
    return this._client.request('GET', '/api/api-keys/{id}', { path: { id } });
  }

  /** `{ name, permission, expiresAt? }`; the answer's `key` is the only time the secret is shown. */
  create(body) {
    return this._client.request('POST', '/api/api-keys', { body });
  }

  /** Revokes the key. */
  delete(id) {
    return this._client.request('DELETE', '/api/api-keys/{id}', { path: { id } });
  }
}

module.exports = { ApiKeys };
