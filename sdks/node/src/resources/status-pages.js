'use strict';

const { everyPage } = require('../pagination');

/** /api/status-pages and their subscribers. */
class StatusPages {
  constructor(client) {
    this._client = client;
  }

  /** One page: `{ data, pagination }`. Filters: search, limit, page. */
  list(params = {}) {
    return this._client.request('GET', '/api/status-pages', { query: params });
  }

  iterate(params = {}) {
    return everyPage((query) => this.list(query), params);
  }

  get(id) {
    return this._client.request('GET', '/api/status-pages/{id}', { path: { id } });
  }

  create(body) {
    return this._client.request('POST', '/api/status-pages', { body });
  }

  /** Changes only the fields sent. */
  update(id, body) {
    return this._client.request('PUT', '/api/status-pages/{id}', { path: { id }, body });
  }

  delete(id) {
    return this._client.request('DELETE', '/api/status-pages/{id}', { path: { id } });
  }

  /** Checks now (DNS TXT record or HTTP file) that the page's owner controls its custom domain. */
  verifyDomain(id) {
    return this._client.request('POST', '/api/status-pages/{id}/verify-domain', { path: { id } });
  }

  /** One page of the page's subscribers. Params: limit, page. */
  listSubscribers(id, params = {}) {
    return this._client.request('GET', '/api/status-pages/{id}/subscribers', { path: { id }, query: params });
  }

  /** `{ email, confirmed? }`: a confirmation email is sent unless `confirmed` is true. */
  addSubscriber(id, body) {
    return this._client.request('POST', '/api/status-pages/{id}/subscribers', { path: { id }, body });
  }

  getSubscriber(id, subscriberId) {
    return this._client.request('GET', '/api/status-pages/{id}/subscribers/{subscriberId}', {
      path: { id, subscriberId },
    });
  }

  removeSubscriber(id, subscriberId) {
    return this._client.request('DELETE', '/api/status-pages/{id}/subscribers/{subscriberId}', {
      path: { id, subscriberId },
    });
  }
}

module.exports = { StatusPages };
