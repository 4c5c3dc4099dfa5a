// Typed errors: one class per error family of the API's error envelope
// (its `type`), so callers branch with instanceof and read the stable
// `code` and the field at fault (`param`).

/** One field problem of a 400 (error.errors). */
export interface FieldError {
  param: string
  code: string
  message: string
}

export interface OpenFlexErrorInit {
  status: number
  type: string
  code: string
  message: string
  param?: string
  requestId?: string
  errors?: FieldError[]
  retryAfterMs?: number
  cause?: unknown
}

/** An error reply of the OpenFlex API, or a failure to reach it. */
export class OpenFlexError extends Error {
  /** HTTP status; 0 when no reply came (see ConnectionError). */
  readonly status: number
  /** The error family: invalid_request_error, authentication_error, credit_error, … */
  readonly type: string
  /** The stable machine-readable code: parameter_invalid, authorization_not_open, … */
  readonly code: string
  /** The field at fault, as a JSON path such as applicant.address.postal_code. */
  readonly param?: string
  /** The Request-Id of the reply: quote it to the lender's support. */
  readonly requestId?: string
  /** Every field problem of a 400, when there were several. */
  readonly errors: FieldError[]
  /** The Retry-After of the reply, in milliseconds (429, 503). */
  readonly retryAfterMs?: number

  constructor(init: OpenFlexErrorInit) {
    const field = init.param ? ` [${init.param}]` : ""
    const req = init.requestId ? `, request ${init.requestId}` : ""
    super(`OpenFlex ${init.code}${field}: ${init.message} (HTTP ${init.status || "-"}${req})`, { cause: init.cause })
    this.name = new.target.name
    this.status = init.status
    this.type = init.type
    this.code = init.code
    this.param = init.param
    this.requestId = init.requestId
    this.errors = init.errors ?? []
    this.retryAfterMs = init.retryAfterMs
  }
}

/** 400, 404, 413, 422: the request is wrong; fix it, do not retry it. */
export class InvalidRequestError extends OpenFlexError {}
/** 401: the key set or the token was refused. */
export class AuthenticationError extends OpenFlexError {}
/** 402: a credit decision (insufficient_credit, account_inactive, …). */
export class CreditError extends OpenFlexError {}
/** 403: the key set may not do this (another merchant's object, a PRODUCTION-only route). */
export class PermissionError extends OpenFlexError {}
/** 409/422 about an Idempotency-Key (in use by a call still running, or reused with another body). */
export class IdempotencyError extends OpenFlexError {}
/** 429: too many requests; retryAfterMs says when to try again. */
export class RateLimitError extends OpenFlexError {}
/** 5xx: the server failed; the client retried with the same Idempotency-Key. */
export class APIError extends OpenFlexError {}
/** No reply: the network failed, or an attempt timed out. */
export class ConnectionError extends OpenFlexError {}

const byType: Record<string, typeof OpenFlexError> = {
  invalid_request_error: InvalidRequestError,
  authentication_error: AuthenticationError,
  credit_error: CreditError,
  permission_error: PermissionError,
  idempotency_error: IdempotencyError,
  rate_limit_error: RateLimitError,
  api_error: APIError,
}

function byStatus(status: number): typeof OpenFlexError {
  if (status === 401) return AuthenticationError
  if (status === 402) return CreditError
  if (status === 403) return PermissionError
  if (status === 429) return RateLimitError
  if (status >= 500) return APIError
  return InvalidRequestError
}

/** The typed error of an error reply (the API's envelope, or RFC 6749's of /oauth/token). */
export function errorFromReply(status: number, body: unknown, text: string, requestId?: string, retryAfterMs?: number): OpenFlexError {
  const b = (body ?? {}) as Record<string, any>
  const e = b.error
  if (e && typeof e === "object") {
    const Cls = byType[e.type] ?? byStatus(status)
    return new Cls({
      status,
      type: typeof e.type === "string" ? e.type : "api_error",
      code: typeof e.code === "string" ? e.code : `http_${status}`,
      message: typeof e.message === "string" ? e.message : text.slice(0, 200),
      param: typeof e.param === "string" ? e.param : undefined,
      requestId: typeof e.request_id === "string" ? e.request_id : requestId,
      errors: Array.isArray(e.errors) ? e.errors : undefined,
      retryAfterMs,
    })
  }
  if (typeof e === "string") {
    // RFC 6749 §5.2: {"error":"invalid_client","error_description":"…"}
    const Cls = status >= 500 ? APIError : status === 429 ? RateLimitError : AuthenticationError
    return new Cls({
      status,
      type: Cls === AuthenticationError ? "authentication_error" : Cls === RateLimitError ? "rate_limit_error" : "api_error",
      code: e,
      message: typeof b.error_description === "string" ? b.error_description : e,
      requestId,
      retryAfterMs,
    })
  }
  const Cls = byStatus(status)
  return new Cls({
    status,
    type: status >= 500 ? "api_error" : "invalid_request_error",
    code: `http_${status}`,
    message: text.slice(0, 200) || `HTTP ${status}`,
    requestId,
    retryAfterMs,
  })
}
