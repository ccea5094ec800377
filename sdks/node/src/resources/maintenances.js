'use strict';

const { everyPage } = require('../pagination');

/** /api/maintenances: scheduled maintenance windows. */
class Maintenances {
  constructor(client) {
    this._client = client;
  }

  /** One page: `{ data, pagination }`. Filters: status, search, limit, page. */
  list(params = {}) {
    return this._client.request('GET', '/api/maintenances', { query: params });
  }

  iterate(params = {}) {
    return everyPage((query) => this.list(query), params);
  }

  get(id) {
    return this._client.request('GET', '/api/maintenances/{id}', { path: { id } });
  }

  create(body) {
    return this._client.request('POST', '/api/maintenances', { body });
  }

  /** Changes only the fields sent. */
  update(id, body) {
    return this._client.request('PUT', '/api/maintenances/{id}', { path: { id }, body });
  }

  delete(id) {
    return this._client.request('DELETE', '/api/maintenances/{id}', { path: { id } });
  }
}

module.exports = { Maintenances };
