export {
  backoff,
  DEFAULT_BASE_URL,
  keyEnvironment,
  MAX_RETRY_AFTER_MS,
  newIdempotencyKey,
  OpenFlex,
  parseRetryAfter,
  VERSION,
} from "./client.js"
export type { Environment, OpenFlexOptions } from "./client.js"
export {
  APIError,
  AuthenticationError,
  ConnectionError,
  CreditError,
  IdempotencyError,
  InvalidRequestError,
  OpenFlexError,
  PermissionError,
  RateLimitError,
} from "./errors.js"
export type { FieldError } from "./errors.js"
export type {
  Args,
  CallOptions,
  components,
  HttpMethod,
  ListItem,
  ListRoutes,
  Operation,
  paths,
  Reply,
  RequestOptions,
  Routes,
  Schemas,
} from "./types.js"
export {
  DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
  signWebhook,
  verifyWebhook,
  WEBHOOK_SIGNATURE_HEADER,
  WebhookSignatureError,
} from "./webhook.js"
export type { VerifyOptions, WebhookErrorCode, WebhookEvent } from "./webhook.js"
