/**
 * A small OpenFlex API client: OAuth client-credentials token (cached,
 * refreshed a minute before it expires and once on invalid_token /
 * token_expired), JSON in and out, Idempotency-Key on every POST, bounded
 * retries of what is safe to retry. No Medusa import.
 */
import { randomUUID } from "node:crypto"

export interface ClientConfig {
  baseUrl: string
  clientId: string
  clientSecret: string
  timeoutMs?: number
  maxRetries?: number
  userAgent?: string
  /** For tests: replaces global fetch. */
  fetch?: typeof fetch
  /** For tests: replaces the wait between retries. */
  sleep?: (ms: number) => Promise<void>
}

/** An error reply of the OpenFlex API, or a failure to reach it. */
export class OpenFlexError extends Error {
  /** HTTP status; 0 when the server could not be reached. */
  readonly status: number
  /** The stable error code (parameter_invalid, authorization_not_open, …) or "network_error". */
  readonly code: string
  readonly type: string
  readonly param?: string
  readonly requestId?: string
  readonly errors?: Array<{ param?: string; code?: string; message?: string }>

  constructor(init: {
    status: number
    code: string
    type?: string
    message: string
    param?: string
    requestId?: string
    errors?: Array<{ param?: string; code?: string; message?: string }>
  }) {
    const where = init.requestId ? `, request ${init.requestId}` : ""
    const field = init.param ? ` [${init.param}]` : ""
    super(`OpenFlex ${init.code}${field}: ${init.message} (HTTP ${init.status || "-"}${where})`)
    this.name = "OpenFlexError"
    this.status = init.status
    this.code = init.code
    this.type = init.type ?? "api_error"
    this.param = init.param
    this.requestId = init.requestId
    this.errors = init.errors
  }
}

export interface Checkout {
  id: string
  object: "checkout"
  environment: string
  created: string
  status: "open" | "completed" | "cancelled" | "expired"
  amount: number
  currency: string
  store_id: string
  reference: string
  flow: string
  auto_capture: boolean
  success_url: string
  cancel_url: string
  /** null: the merchant left it to the shopper's browser (Accept-Language) */
  language: "en" | "fr" | null
  expires_at: string
  url?: string
  authorization_id: string | null
  application_id: string | null
  account_number: string | null
}

export interface Capture {
  id: string
  authorization_id: string
  amount: number
  returned_amount: number
  remaining_amount: number
  reference: string
  created: string
}

export interface Authorization {
  id: string
  object: "authorization"
  status: "pending" | "partially_captured" | "captured" | "released" | "expired"
  amount: number
  currency: string
  captured_amount: number
  released_amount: number
  remaining_amount: number
  returned_amount: number
  expires_at: string
  store_id: string
  reference: string
  metadata: Record<string, string>
  captures: Capture[]
}

export interface Return {
  id: string
  capture_id: string
  authorization_id: string
  amount: number
  reference: string
  remaining_capture_amount?: number
  remaining_authorization_amount?: number
}

export interface List<T> {
  object: "list"
  data: T[]
  has_more: boolean
}

export interface CheckoutParams {
  amount: number
  currency: "CAD"
  store_id: string
  reference?: string
  flow?: string
  auto_capture?: boolean
  success_url: string
  cancel_url: string
  language?: string
  customer?: Record<string, string>
}

const RETRYABLE_CODES = new Set(["idempotency_key_in_use", "rate_limited"])

export class OpenFlexClient {
  private readonly base: string
  private readonly timeoutMs: number
  private readonly maxRetries: number
  private readonly fetchFn: typeof fetch
  private readonly sleep: (ms: number) => Promise<void>
  private token?: { value: string; refreshAt: number }
  private tokenInFlight?: Promise<string>

  constructor(private readonly cfg: ClientConfig) {
    this.base = cfg.baseUrl.replace(/\/+$/, "")
    this.timeoutMs = cfg.timeoutMs ?? 15_000
    this.maxRetries = cfg.maxRetries ?? 2
    this.fetchFn = cfg.fetch ?? fetch
    this.sleep = cfg.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)))
  }

  // --- resources -----------------------------------------------------------

  createCheckout(params: CheckoutParams, idempotencyKey: string): Promise<Checkout> {
    return this.request("POST", "/v1/checkouts", params, idempotencyKey)
  }

  getCheckout(id: string): Promise<Checkout> {
    return this.request("GET", `/v1/checkouts/${encodeURIComponent(id)}`)
  }

  getAuthorization(id: string): Promise<Authorization> {
    return this.request("GET", `/v1/authorizations/${encodeURIComponent(id)}`)
  }

  capture(id: string, params: { amount?: number; reference?: string; final?: boolean }, idempotencyKey: string): Promise<Authorization> {
    return this.request("POST", `/v1/authorizations/${encodeURIComponent(id)}/captures`, params, idempotencyKey)
  }

  release(id: string, idempotencyKey: string): Promise<Authorization> {
    return this.request("POST", `/v1/authorizations/${encodeURIComponent(id)}/release`, {}, idempotencyKey)
  }

  createReturn(captureId: string, params: { amount: number; reference?: string; reason?: string }, idempotencyKey: string): Promise<Return> {
    return this.request("POST", `/v1/captures/${encodeURIComponent(captureId)}/returns`, params, idempotencyKey)
  }

  listReturns(captureId: string): Promise<List<Return>> {
    return this.request("GET", `/v1/returns?capture_id=${encodeURIComponent(captureId)}&limit=100`)
  }

  // --- plumbing ------------------------------------------------------------

  /** A fresh random key, for calls Medusa gives no idempotency key for. */
  static randomKey(prefix: string): string {
    return `${prefix}:${randomUUID()}`
  }

  private async accessToken(force = false): Promise<string> {
    if (!force && this.token && Date.now() < this.token.refreshAt) {
      return this.token.value
    }
    if (!this.tokenInFlight) {
      this.tokenInFlight = this.fetchToken().finally(() => {
        this.tokenInFlight = undefined
      })
    }
    return this.tokenInFlight
  }

  private async fetchToken(): Promise<string> {
    const basic = Buffer.from(`${this.cfg.clientId}:${this.cfg.clientSecret}`, "utf8").toString("base64")
    const res = await this.send(`${this.base}/oauth/token`, {
      method: "POST",
      headers: {
        Authorization: `Basic ${basic}`,
        "Content-Type": "application/x-www-form-urlencoded",
        Accept: "application/json",
      },
      body: "grant_type=client_credentials",
    })
    const text = await res.text()
    let body: any
    try {
      body = JSON.parse(text)
    } catch {
      body = undefined
    }
    if (!res.ok || !body?.access_token) {
      // RFC 6749 §5.2 errors: {"error":"invalid_client","error_description":…}
      const code = typeof body?.error === "string" ? body.error : "token_error"
      throw new OpenFlexError({
        status: res.status,
        code,
        type: "authentication_error",
        message: body?.error_description ?? `could not get an access token (${text.slice(0, 200)})`,
        requestId: res.headers.get("request-id") ?? undefined,
      })
    }
    const ttl = typeof body.expires_in === "number" ? body.expires_in : 1200
    this.token = { value: body.access_token, refreshAt: Date.now() + Math.max(ttl - 60, ttl / 2) * 1000 }
    return this.token.value
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    const ctl = new AbortController()
    const timer = setTimeout(() => ctl.abort(), this.timeoutMs)
    try {
      return await this.fetchFn(url, { ...init, signal: ctl.signal })
    } catch (err: any) {
      const why = err?.name === "AbortError" ? `no answer within ${this.timeoutMs} ms` : String(err?.cause?.message ?? err?.message ?? err)
      throw new OpenFlexError({ status: 0, code: "network_error", type: "api_connection_error", message: `${init.method} ${url}: ${why}` })
    } finally {
      clearTimeout(timer)
    }
  }

  /**
   * One API call. POSTs carry idempotencyKey (required), so retrying them
   * is safe: the server answers a retry with the first reply.
   */
  async request<T>(method: "GET" | "POST", path: string, body?: unknown, idempotencyKey?: string): Promise<T> {
    if (method === "POST" && !idempotencyKey) {
      throw new Error(`OpenFlex client: POST ${path} needs an Idempotency-Key`)
    }
    const payload = method === "POST" ? JSON.stringify(body ?? {}) : undefined
    let refreshed = false
    for (let attempt = 0; ; attempt++) {
      let err: OpenFlexError
      let retryAfterMs = 0
      try {
        const token = await this.accessToken()
        const headers: Record<string, string> = {
          Authorization: `Bearer ${token}`,
          Accept: "application/json",
          "User-Agent": this.cfg.userAgent ?? "openflex-medusa",
        }
        if (payload !== undefined) {
          headers["Content-Type"] = "application/json"
          headers["Idempotency-Key"] = idempotencyKey!
        }
        const res = await this.send(this.base + path, { method, headers, body: payload })
        const text = await res.text()
        let json: any
        try {
          json = text ? JSON.parse(text) : undefined
        } catch {
          json = undefined
        }
        if (res.ok) {
          if (json === undefined) {
            throw new OpenFlexError({ status: res.status, code: "invalid_response", message: `${method} ${path}: the reply is not JSON` })
          }
          return json as T
        }
        const e = json?.error ?? {}
        err = new OpenFlexError({
          status: res.status,
          code: typeof e.code === "string" ? e.code : `http_${res.status}`,
          type: e.type,
          message: typeof e.message === "string" ? e.message : text.slice(0, 200) || res.statusText,
          param: e.param,
          requestId: e.request_id ?? res.headers.get("request-id") ?? undefined,
          errors: Array.isArray(e.errors) ? e.errors : undefined,
        })
        const ra = Number(res.headers.get("retry-after"))
        if (Number.isFinite(ra) && ra > 0) {
          retryAfterMs = Math.min(ra, 10) * 1000
        }
        if (res.status === 401 && !refreshed && (err.code === "invalid_token" || err.code === "token_expired")) {
          refreshed = true
          this.token = undefined
          attempt--
          continue
        }
      } catch (e: any) {
        if (!(e instanceof OpenFlexError)) {
          throw e
        }
        err = e
      }
      const retryable = err.status === 0 || err.status >= 500 || RETRYABLE_CODES.has(err.code)
      if (!retryable || attempt >= this.maxRetries) {
        throw err
      }
      const backoff = Math.max(retryAfterMs, 250 * 2 ** attempt + Math.floor(Math.random() * 100))
      await this.sleep(backoff)
    }
  }
}
