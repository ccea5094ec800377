// The ES module face of the package: the same classes as require('@statusapp/sdk'), so an
// error thrown through one is `instanceof` the class imported through the other.
import sdk from './src/index.js';

export const {
  StatusApp,
  StatusAppError,
  APIError,
  ValidationError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  RateLimitError,
  APIConnectionError,
  WebhookVerificationError,
  verifySignature,
  Webhook,
  version,
} = sdk;
export default StatusApp;
