'use strict';

const { APIConnectionError, APIError, StatusAppError, errorFromResponse, retryAfterSeconds } = require('./errors');
const { version } = require('../package.json');
const { AlertChannels } = require('./resources/alert-channels');
const { ApiKeys } = require('./resources/api-keys');
const { Events } = require('./resources/events');
const { Incidents } = require('./resources/incidents');
const { Maintenances } = require('./resources/maintenances');
const { Monitors } = require('./resources/monitors');
const { StatusPages } = require('./resources/status-pages');
const { Webhooks } = require('./resources/webhooks');

const DEFAULT_BASE_URL = 'http://127.0.0.1:8000';
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RETRIES = 2;
// A Retry-After longer than this (an hourly limit spent) is handed to the caller as the error
// rather than waited out inside a call that seems to hang.
const MAX_RETRY_WAIT_MS = 60_000;
const RETRIED_STATUSES = new Set([429, 503]);

function environment(name) {
  return typeof process === 'undefined' ? undefined : process.env[name] || undefined;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** 0.5 s, 1 s, 2 s, ... up to 8 s: the wait before retry number `attempt + 1` when the server names none. */
function backoffMs(attempt) {
  return Math.min(500 * 2 ** attempt, 8000);
}

class StatusApp {
  /**
   * @param {object} [options]
   * @param {string} [options.apiKey] defaults to the STATUSAPP_API_KEY environment variable
   * @param {string} [options.baseUrl] the install's root; defaults to STATUSAPP_BASE_URL, then http://127.0.0.1:8000
   * @param {number} [options.timeout] milliseconds per attempt (default 30000)
   * @param {number} [options.maxRetries] retries after a 429/503 (any method) or a connection error (GET only); 0 turns them off
   * @param {typeof fetch} [options.fetch] the fetch implementation (default: the global one)
   */
  constructor({ apiKey, baseUrl, timeout = DEFAULT_TIMEOUT_MS, maxRetries = DEFAULT_MAX_RETRIES, fetch } = {}) {
    this.apiKey = apiKey ?? environment('STATUSAPP_API_KEY');
    if (!this.apiKey) {
      throw new StatusAppError('No API key: pass { apiKey } or set STATUSAPP_API_KEY.');
    }
    this.baseUrl = (baseUrl ?? environment('STATUSAPP_BASE_URL') ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    if (!Number.isFinite(timeout) || timeout <= 0) throw new TypeError('timeout must be a positive number of ms');
    if (!Number.isInteger(maxRetries) || maxRetries < 0) throw new TypeError('maxRetries must be an integer >= 0');
    this.timeout = timeout;
    this.maxRetries = maxRetries;
    this._fetch = fetch ?? globalThis.fetch;

    this.monitors = new Monitors(this);
    this.incidents = new Incidents(this);
    this.statusPages = new StatusPages(this);
    this.webhooks = new Webhooks(this);
    this.alertChannels = new AlertChannels(this);
    this.maintenances = new Maintenances(this);
    this.apiKeys = new ApiKeys(this);
    this.events = new Events(this);
  }

  /**
   * One API operation: `request('GET', '/api/monitors/{id}', { path: { id } })`.
   * Resolves to the parsed JSON body (undefined for 204), rejects with an APIError or APIConnectionError.
   */
  async request(method, template, { path = {}, query, body } = {}) {
    const url = this._url(template, path, query);
    const headers = { Authorization: `Bearer ${this.apiKey}`, Accept: 'application/json', 'User-Agent': `statusapp-node/${version}` };
    const init = { method, headers };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }

    for (let attempt = 0; ; attempt += 1) {
      let response;
      let text;
      try {
        response = await this._fetch(url, { ...init, signal: AbortSignal.timeout(this.timeout) });
        text = await response.text();
      } catch (cause) {
        // A write may have reached the server before the connection broke: only reads are repeated.
        if (method === 'GET' && attempt < this.maxRetries) {
          await sleep(backoffMs(attempt));
          continue;
        }
        throw connectionError(cause, method, url, this.timeout);
      }

      if (response.ok) return parseBody(response, text);

      const error = errorFromResponse(response.status, response.headers, parseJson(text));
      if (RETRIED_STATUSES.has(response.status) && attempt < this.maxRetries) {
        const retryAfter = retryAfterSeconds(response.headers);
        const wait = retryAfter === null ? backoffMs(attempt) : retryAfter * 1000;
        if (wait <= MAX_RETRY_WAIT_MS) {
          await sleep(wait);
          continue;
        }
      }
      throw error;
    }
  }

  _url(template, path, query) {
    const filled = template.replace(/\{(\w+)\}/g, (_, name) => {
      const value = path[name];
      if (value === undefined || value === null || value === '') {
        throw new TypeError(`${name} is required for ${template}`);
      }
      return encodeURIComponent(String(value));
    });
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue;
      for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
    }
    const qs = search.toString();
    return `${this.baseUrl}${filled}${qs ? `?${qs}` : ''}`;
  }
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function parseBody(response, text) {
  if (response.status === 204 || text === '') return undefined;
  const parsed = parseJson(text);
  if (parsed === null && text.trim() !== 'null') {
    throw new APIError({
      status: response.status,
      message: `Expected JSON from the server, got ${response.headers.get('content-type') || 'no content type'}`,
      headers: response.headers,
    });
  }
  return parsed;
}

function connectionError(cause, method, url, timeout) {
  const where = `${method} ${url.split('?')[0]}`;
  if (cause?.name === 'TimeoutError') {
    return new APIConnectionError(`${where} timed out after ${timeout} ms`, { cause });
  }
  const reason = cause?.cause?.code || cause?.cause?.message || cause?.message || String(cause);
  return new APIConnectionError(`${where} failed: ${reason}`, { cause });
}

module.exports = { StatusApp };
