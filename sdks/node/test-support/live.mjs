// The live StatusApp these tests run against, as the server's suite hands it over
// (sdks/README.md). Without it the tests fail: they never pretend to pass.
import { StatusApp } from '../index.mjs';

const base = process.env.STATUSAPP_BASE_URL;
if (!base) {
  throw new Error(
    'STATUSAPP_BASE_URL is not set: these tests run against a live StatusApp. ' +
      'Run them through the server suite (tests/test_sdks.py -k node), which sets it and the keys.',
  );
}

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (see sdks/README.md)`);
  return value;
}

export const env = {
  baseUrl: base,
  adminKey: required('STATUSAPP_API_KEY'),
  writeKey: required('STATUSAPP_TEST_WRITE_KEY'),
  readKey: required('STATUSAPP_TEST_READ_KEY'),
  downMonitor: required('STATUSAPP_TEST_DOWN_MONITOR'),
  otherKey: required('STATUSAPP_TEST_OTHER_KEY'),
  pagedKey: required('STATUSAPP_TEST_PAGED_KEY'),
  pagedMonitors: Number(required('STATUSAPP_TEST_PAGED_MONITORS')),
  limitedKey: required('STATUSAPP_TEST_LIMITED_KEY'),
  rateLimit: Number(required('STATUSAPP_TEST_RATE_LIMIT')),
  rateWindow: Number(required('STATUSAPP_TEST_RATE_WINDOW')),
  unavailableUrl: required('STATUSAPP_TEST_UNAVAILABLE_URL'),
  // Empty organizations, one per test file that needs an organization to itself.
  spareKeys: required('STATUSAPP_TEST_SPARE_KEYS').split(','),
};

export const SPARE = { webhooks: 0, events: 1, readme: 2, package: 3 };

/** A client of the live server; the main organization's admin key unless told otherwise. */
export function client(options = {}) {
  return new StatusApp({ baseUrl: env.baseUrl, apiKey: env.adminKey, ...options });
}

let counter = 0;
/** A name no other test (or earlier run) uses. */
export function uniqueName(prefix) {
  counter += 1;
  return `${prefix} ${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A fetch that records every attempt, for tests that count retries. */
export function countingFetch() {
  const attempts = [];
  const fetchFn = async (url, init) => {
    const attempt = { url: String(url), method: init?.method ?? 'GET', at: Date.now(), status: null, error: null };
    attempts.push(attempt);
    try {
      const response = await fetch(url, init);
      attempt.status = response.status;
      attempt.retryAfter = response.headers.get('retry-after');
      return response;
    } catch (error) {
      attempt.error = error;
      throw error;
    }
  };
  return { fetch: fetchFn, attempts };
}
