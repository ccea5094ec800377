'use strict';

const { everyCursor } = require('../pagination');

/** /api/events: what happened, newest first, each exactly as webhook receivers got it. */
class Events {
  constructor(client) {
    this._client = client;
  }

  /** One page: `{ data, pagination: { limit, nextCursor } }`. Params: type, limit, cursor. */
  list(params = {}) {
    return this._client.request('GET', '/api/events', { query: params });
  }

  /** Every event, following `nextCursor`: events published meanwhile never shift the walk. */
  iterate(params = {}) {
    return everyCursor((query) => this.list(query), params);
  }

  get(id) {
    return this._client.request('GET', '/api/events/{id}', { path: { id } });
  }
}

module.exports = { Events };
