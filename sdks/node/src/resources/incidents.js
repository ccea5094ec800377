'use strict';

const { everyPage } = require('../pagination');

/** /api/incidents */
class Incidents {
  constructor(client) {
    this._client = client;
  }

  /** One page: `{ data, pagination }`. Filters: status, search, limit, page. */
  list(params = {}) {
    return this._client.request('GET', '/api/incidents', { query: params });
  }

  iterate(params = {}) {
    return everyPage((query) => this.list(query), params);
  }

  /** The incident with its timeline (`updates`). */
  get(id) {
    return this._client.request('GET', '/api/incidents/{id}', { path: { id } });
  }

  create(body) {
    return this._client.request('POST', '/api/incidents', { body });
  }

  /** Changes only the fields sent; an `update` text adds a timeline entry. */
  update(id, body) {
    return this._client.request('PUT', '/api/incidents/{id}', { path: { id }, body });
  }

  delete(id) {
    return this._client.request('DELETE', '/api/incidents/{id}', { path: { id } });
  }

  /** A timeline entry: `{ message, status?, notifySubscribers? }`. */
  addUpdate(id, body) {
    return this._client.request('POST', '/api/incidents/{id}/updates', { path: { id }, body });
  }

  getUpdate(id, updateId) {
    return this._client.request('GET', '/api/incidents/{id}/updates/{updateId}', { path: { id, updateId } });
  }
}

module.exports = { Incidents };
