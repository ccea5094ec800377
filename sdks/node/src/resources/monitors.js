'use strict';

const { everyPage } = require('../pagination');

/** /api/monitors */
class Monitors {
  constructor(client) {
    this._client = client;
  }

  /** One page: `{ data, pagination }`. Filters: status, category, type, search, limit, page. */
  list(params = {}) {
    return this._client.request('GET', '/api/monitors', { query: params });
  }

  /** Every monitor matching the filters, a page fetched only when needed. */
  iterate(params = {}) {
    return everyPage((query) => this.list(query), params);
  }

  get(id) {
    return this._client.request('GET', '/api/monitors/{id}', { path: { id } });
  }

  create(body) {
    return this._client.request('POST', '/api/monitors', { body });
  }

  /** Changes only the fields sent. */
  update(id, body) {
    return this._client.request('PUT', '/api/monitors/{id}', { path: { id }, body });
  }

  delete(id) {
    return this._client.request('DELETE', '/api/monitors/{id}', { path: { id } });
  }

  pause(id) {
    return this.update(id, { status: 'PAUSED' });
  }

  /** Checks start again; the monitor is PENDING until the next one. */
  resume(id) {
    return this.update(id, { status: 'ACTIVE' });
  }

  /** A DOWN monitor's outage has been seen: reminders and escalation stop until it recovers. */
  acknowledge(id) {
    return this._client.request('POST', '/api/monitors/{id}/acknowledge', { path: { id } });
  }

  /** One page of check results, newest first. Filters: status, limit, page. */
  checks(id, params = {}) {
    return this._client.request('GET', '/api/monitors/{id}/checks', { path: { id }, query: params });
  }

  /** Uptime and response times over 24h, 7d, 30d and 90d. */
  uptime(id) {
    return this._client.request('GET', '/api/monitors/{id}/uptime', { path: { id } });
  }
}

module.exports = { Monitors };
