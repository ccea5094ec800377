'use strict';

/** The base of every error this package throws. */
class StatusAppError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = this.constructor.name;
  }
}

/** The server answered with an error: `status` is the HTTP status, the rest its `{"error": {...}}` body. */
class APIError extends StatusAppError {
  constructor({ status, code = null, message, details = '', fields = {}, headers = new Headers() }) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.details = details;
    this.fields = fields;
    this.headers = headers;
  }
}

class ValidationError extends APIError {}
class AuthenticationError extends APIError {}
class PermissionDeniedError extends APIError {}
class NotFoundError extends APIError {}

class RateLimitError extends APIError {
  constructor(init) {
    super(init);
    /** Seconds to wait before the next request (the `Retry-After` header), or null when absent. */
    this.retryAfter = retryAfterSeconds(this.headers);
  }
}

/** The request did not get an answer: refused, reset, or timed out. */
class APIConnectionError extends StatusAppError {}

/** A webhook whose signature, headers or timestamp do not hold. */
class WebhookVerificationError extends StatusAppError {}

const ERRORS_BY_STATUS = {
  400: ValidationError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  429: RateLimitError,
};

/** `Retry-After` in seconds (delta-seconds or an HTTP date), or null. */
function retryAfterSeconds(headers) {
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** The error for an answer of `status` whose body (parsed JSON, or null) is `body`. */
function errorFromResponse(status, headers, body) {
  const error = body && typeof body === 'object' && body.error && typeof body.error === 'object' ? body.error : {};
  const ErrorClass = ERRORS_BY_STATUS[status] || APIError;
  return new ErrorClass({
    status,
    code: error.code ?? null,
    message: error.message,
    details: error.details ?? '',
    fields: error.fields ?? {},
    headers,
  });
}

module.exports = {
  StatusAppError,
  APIError,
  ValidationError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  RateLimitError,
  APIConnectionError,
  WebhookVerificationError,
  errorFromResponse,
  retryAfterSeconds,
};
