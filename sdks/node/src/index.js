'use strict';

const { StatusApp } = require('./client');
const errors = require('./errors');
const { verifySignature, Webhook } = require('./signatures');
const { version } = require('../package.json');

module.exports = {
  StatusApp,
  StatusAppError: errors.StatusAppError,
  APIError: errors.APIError,
  ValidationError: errors.ValidationError,
  AuthenticationError: errors.AuthenticationError,
  PermissionDeniedError: errors.PermissionDeniedError,
  NotFoundError: errors.NotFoundError,
  RateLimitError: errors.RateLimitError,
  APIConnectionError: errors.APIConnectionError,
  WebhookVerificationError: errors.WebhookVerificationError,
  verifySignature,
  Webhook,
  version,
};
// For `import StatusApp from '@statusapp/sdk'` through TypeScript or a bundler's CommonJS interop.
module.exports.default = StatusApp;
