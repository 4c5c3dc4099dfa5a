import { randomBytes } from "node:crypto"
import { ConnectionError, errorFromReply, OpenFlexError } from "./errors.js"
import type { paths } from "./openapi.js"
import type { Args, HttpMethod, ListItem, ListRoutes, Reply, Routes } from "./types.js"

/** The SDK's version, sent in the User-Agent header. */
export const VERSION = "0.1.0"

/** The address `openflex serve` listens on by default. */
export const DEFAULT_BASE_URL = "http://127.0.0.1:8080"

export type Environment = "training" | "production"

export interface OpenFlexOptions {
  /** ofk_train_… or ofk_prod_… */
  clientId: string
  /** ofs_train_… or ofs_prod_… */
  clientSecret: string
  /** Your lender's API host, such as https://api.lender.example (without /v1). */
  baseUrl?: string
  /**
   * "token" (default): an access token from POST /oauth/token, cached and
   * refreshed a minute before it expires, fetched again once when the server
   * refuses it. "basic": the key set with HTTP Basic on every request, for scripts.
   */
  auth?: "token" | "basic"
  /** How many times a failed call is retried (default 2; 0 disables retries). */
  maxRetries?: number
  /** Bound of each HTTP attempt in milliseconds (default 30000; 0: none). */
  timeoutMs?: number
  /** Your integration's name, put before the SDK's in User-Agent ("MapleDesk-POS/4.2"). */
  userAgent?: string
  /** Accept-Language: "fr-CA" gives French messages and disclosures. */
  language?: string
  /** Replaces the global fetch (a proxy agent, instrumentation). */
  fetch?: typeof fetch
  /**
   * Replaces the wait before a retry: gets the delay the client chose (backoff
   * with jitter, or the server's Retry-After). Tests pass one that records it
   * and resolves at once.
   */
  retryWait?: (ms: number, signal?: AbortSignal) => Promise<void>
  /** The clock the token's refresh is timed by (default Date.now). */
  now?: () => number
}

const RETRY_BASE_MS = 500
const RETRY_CAP_MS = 8000
/** The longest Retry-After a 429 may ask for and still be retried: longer is a limit, not a burst. */
export const MAX_RETRY_AFTER_MS = 60_000
const REFRESH_EARLY_MS = 60_000

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

let crcTable: Uint32Array | undefined
function crc32(s: string): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256)
    for (let n = 0; n < 256; n++) {
      let c = n
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
      crcTable[n] = c >>> 0
    }
  }
  let crc = 0xffffffff
  for (const b of Buffer.from(s, "utf8")) crc = crcTable[(crc ^ b) & 0xff] ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

/** The environment of a key set; throws on a mismatched, mistyped or truncated secret (before any request). */
export function keyEnvironment(clientId: string, clientSecret: string): Environment {
  let env: Environment
  if (clientId.startsWith("ofk_train_")) env = "training"
  else if (clientId.startsWith("ofk_prod_")) env = "production"
  else throw new TypeError("openflex: client ID must start with ofk_train_ or ofk_prod_")
  const want = env === "training" ? "ofs_train_" : "ofs_prod_"
  if (!clientSecret.startsWith(want)) {
    throw new TypeError(`openflex: client secret of a ${env} client ID must start with ${want}`)
  }
  if (clientSecret.length <= want.length + 6) {
    throw new TypeError("openflex: client secret is too short: was it pasted whole?")
  }
  let v = crc32(clientSecret.slice(0, -6))
  let sum = ""
  for (let i = 0; i < 6; i++) {
    sum = base62[v % 62] + sum
    v = Math.floor(v / 62)
  }
  if (sum !== clientSecret.slice(-6)) {
    throw new TypeError("openflex: client secret checksum does not match: was it pasted whole?")
  }
  return env
}

/** Retry-After as milliseconds: seconds or an HTTP date; 0 when absent or past. */
export function parseRetryAfter(v: string | null, now = Date.now()): number {
  if (!v || !v.trim()) return 0
  const s = v.trim()
  if (/^[0-9]+$/.test(s)) return Number(s) * 1000
  const t = Date.parse(s)
  return Number.isFinite(t) && t > now ? t - now : 0
}

/** The wait before retry attempt+1: exponential, capped, drawn from [d/2, d]. */
export function backoff(attempt: number): number {
  const d = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.min(attempt, 10))
  return d / 2 + Math.floor(Math.random() * (d / 2 + 1))
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(t)
      reject(signal!.reason)
    }
    signal?.addEventListener("abort", onAbort, { once: true })
  })
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "[::1]" || /^127\./.test(host)
}

/** A fresh random Idempotency-Key: 128 bits in hex. */
export function newIdempotencyKey(): string {
  return randomBytes(16).toString("hex")
}

interface Token {
  value: string
  refreshAt: number
}

interface Raw {
  method: string
  path: string
  query?: Record<string, unknown>
  body?: unknown
  idempotencyKey?: string
  signal?: AbortSignal
  language?: string
}

/**
 * The OpenFlex API client for one key set. Create one and share it: it
 * fetches and refreshes its access token itself, gives every POST an
 * Idempotency-Key reused by all its retries, and retries what is safe to
 * retry (network errors, 409 idempotency_key_in_use, 429, 5xx, after the
 * server's Retry-After when it gives one).
 *
 *   const openflex = new OpenFlex({ clientId, clientSecret, baseUrl })
 *   const checkout = await openflex.post("/v1/checkouts", { body: { amount: 129_999, currency: "CAD", … } })
 *   for await (const a of openflex.list("/v1/authorizations", { query: { status: "pending" } })) { … }
 */
export class OpenFlex {
  /** The environment of the key set: training or production. */
  readonly environment: Environment
  readonly baseUrl: string
  private readonly opts: Required<Pick<OpenFlexOptions, "auth" | "maxRetries" | "timeoutMs">> & OpenFlexOptions
  private readonly fetchFn: typeof fetch
  private readonly wait: (ms: number, signal?: AbortSignal) => Promise<void>
  private readonly now: () => number
  private readonly userAgent: string
  private token?: Token
  private tokenInFlight?: Promise<string>

  constructor(options: OpenFlexOptions) {
    this.environment = keyEnvironment(options.clientId, options.clientSecret)
    const base = new URL((options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, ""))
    if ((base.protocol !== "http:" && base.protocol !== "https:") || base.search || base.hash) {
      throw new TypeError(`openflex: base URL ${options.baseUrl}: want http(s)://host without a query`)
    }
    if (this.environment === "production" && base.protocol !== "https:" && !isLoopback(base.hostname)) {
      throw new TypeError(`openflex: PRODUCTION keys need an https base URL, not ${base}`)
    }
    if (options.maxRetries !== undefined && (!Number.isInteger(options.maxRetries) || options.maxRetries < 0)) {
      throw new TypeError("openflex: maxRetries must be a whole number ≥ 0")
    }
    this.baseUrl = base.toString().replace(/\/+$/, "")
    this.opts = { auth: "token", maxRetries: 2, timeoutMs: 30_000, ...options }
    this.fetchFn = options.fetch ?? globalThis.fetch
    this.wait = options.retryWait ?? sleep
    this.now = options.now ?? Date.now
    this.userAgent = `${options.userAgent ? options.userAgent + " " : ""}openflex-node/${VERSION} (node ${process.version})`
  }

  /** GET a /v1 route. */
  get<P extends Routes<"get">>(path: P, ...args: Args<P, "get">): Promise<Reply<P, "get">> {
    return this.call("GET", path, (args as unknown[])[0] ?? {}) as Promise<Reply<P, "get">>
  }

  /** POST to a /v1 route, with an Idempotency-Key (yours, or one made up) reused by every retry. */
  post<P extends Routes<"post">>(path: P, ...args: Args<P, "post">): Promise<Reply<P, "post">> {
    return this.call("POST", path, (args as unknown[])[0] ?? {}) as Promise<Reply<P, "post">>
  }

  /** DELETE a /v1 route. */
  delete<P extends Routes<"delete">>(path: P, ...args: Args<P, "delete">): Promise<Reply<P, "delete">> {
    return this.call("DELETE", path, (args as unknown[])[0] ?? {}) as Promise<Reply<P, "delete">>
  }

  /**
   * Every object of a list route, page after page (starting_after the last
   * id; ending_before the first when you pass ending_before, going back).
   */
  async *list<P extends ListRoutes>(path: P, ...args: Args<P, "get">): AsyncGenerator<ListItem<P>, void, undefined> {
    const o: any = { ...((args as unknown[])[0] ?? {}) }
    // No default page size: not every list route takes limit (GET /v1/plans
    // answers one page), and the server refuses a parameter a route lacks.
    const query: Record<string, unknown> = { ...(o.query ?? {}) }
    const backwards = query.ending_before !== undefined && query.ending_before !== ""
    for (;;) {
      const page: any = await this.call("GET", path, { ...o, query })
      const data: Array<{ id: string }> = page.data ?? []
      for (const item of data) {
        yield item as ListItem<P>
      }
      const cursor = backwards ? data[0]?.id : data[data.length - 1]?.id
      if (!page.has_more || !cursor) {
        return
      }
      if (backwards) query.ending_before = cursor
      else query.starting_after = cursor
    }
  }

  private async call(method: string, path: string, o: any): Promise<unknown> {
    let filled = path
    const params: Record<string, unknown> = o.path ?? {}
    filled = path.replace(/\{([^}]+)\}/g, (_, name: string) => {
      const v = params[name]
      if (v === undefined || v === null || String(v) === "" || String(v) === "." || String(v) === "..") {
        // An empty id would turn GET /v1/stores/{id} into the list of stores.
        throw new TypeError(`openflex: ${method} ${path}: path parameter ${name} is empty`)
      }
      return encodeURIComponent(String(v))
    })
    let query = o.query as Record<string, unknown> | undefined
    if (path.startsWith("/v1/public/") && (!query || query.client_id === undefined)) {
      query = { ...(query ?? {}), client_id: this.opts.clientId }
    }
    return this.request({
      method,
      path: filled,
      query,
      body: o.body,
      idempotencyKey: o.idempotencyKey,
      signal: o.signal,
      language: o.language,
    })
  }

  /**
   * One logical call of any route (the typed get/post/delete/list are
   * preferable): a POST's body is encoded once and its Idempotency-Key
   * given to every attempt.
   */
  async request(r: Raw): Promise<unknown> {
    const url = new URL(this.baseUrl + r.path)
    for (const [k, v] of Object.entries(r.query ?? {})) {
      if (v === undefined || v === null) continue
      for (const one of Array.isArray(v) ? v : [v]) {
        url.searchParams.append(k, one instanceof Date ? one.toISOString() : String(one))
      }
    }
    const isPost = r.method === "POST"
    const body = isPost ? JSON.stringify(r.body ?? {}) : undefined
    const key = isPost ? (r.idempotencyKey ?? newIdempotencyKey()) : undefined
    const isPublic = r.path.startsWith("/v1/public/")
    let refreshed = false
    for (let attempt = 0; ; ) {
      let token = ""
      try {
        const headers: Record<string, string> = {
          Accept: "application/json",
          "User-Agent": this.userAgent,
        }
        const lang = r.language ?? this.opts.language
        if (lang) headers["Accept-Language"] = lang
        if (!isPublic) {
          if (this.opts.auth === "basic") {
            headers.Authorization = this.basic()
          } else {
            token = await this.accessToken(r.signal)
            headers.Authorization = `Bearer ${token}`
          }
        }
        if (isPost) {
          headers["Content-Type"] = "application/json"
          headers["Idempotency-Key"] = key!
        }
        const res = await this.send(url.toString(), { method: r.method, headers, body }, r.signal)
        return await this.decode(res, r.method, r.path)
      } catch (err) {
        if (!(err instanceof OpenFlexError)) throw err
        if (
          err.status === 401 &&
          token &&
          !refreshed &&
          (err.code === "invalid_token" || err.code === "token_expired")
        ) {
          // Revoked or expired early: fetch another token, once, at once.
          refreshed = true
          if (this.token?.value === token) this.token = undefined
          continue
        }
        if (attempt >= this.opts.maxRetries || !this.retryable(err, r.signal)) throw err
        const wait = Math.max(backoff(attempt), err.retryAfterMs ?? 0)
        attempt++
        try {
          await this.wait(wait, r.signal)
        } catch (why) {
          throw new OpenFlexError({
            status: err.status,
            type: err.type,
            code: err.code,
            message: `${err.message} (retry abandoned: ${String((why as Error)?.message ?? why)})`,
            requestId: err.requestId,
            cause: why,
          })
        }
      }
    }
  }

  private retryable(err: OpenFlexError, signal?: AbortSignal): boolean {
    if (signal?.aborted) return false
    if (err instanceof ConnectionError) return true
    if (err.status === 429) return (err.retryAfterMs ?? 0) <= MAX_RETRY_AFTER_MS
    return err.status >= 500 || (err.status === 409 && err.code === "idempotency_key_in_use")
  }

  private basic(): string {
    // RFC 6749 §2.3.1: each part form-encoded first.
    const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, "+")
    return "Basic " + Buffer.from(`${enc(this.opts.clientId)}:${enc(this.opts.clientSecret)}`).toString("base64")
  }

  private async accessToken(signal?: AbortSignal): Promise<string> {
    if (this.token && this.now() < this.token.refreshAt) {
      return this.token.value
    }
    // One fetch at a time: concurrent calls share it.
    if (!this.tokenInFlight) {
      this.tokenInFlight = this.fetchToken(signal).finally(() => {
        this.tokenInFlight = undefined
      })
    }
    return this.tokenInFlight
  }

  private async fetchToken(signal?: AbortSignal): Promise<string> {
    const start = this.now() // the lifetime runs from before the request
    const res = await this.send(
      `${this.baseUrl}/oauth/token`,
      {
        method: "POST",
        headers: {
          Authorization: this.basic(),
          "Content-Type": "application/x-www-form-urlencoded",
          Accept: "application/json",
          "User-Agent": this.userAgent,
        },
        body: "grant_type=client_credentials",
      },
      signal,
    )
    const body: any = await this.decode(res, "POST", "/oauth/token")
    if (typeof body?.access_token !== "string" || String(body.token_type).toLowerCase() !== "bearer") {
      throw new ConnectionError({ status: res.status, type: "api_error", code: "invalid_response", message: "token response without a bearer access token" })
    }
    if (body.environment && body.environment !== this.environment) {
      throw new TypeError(`openflex: the server issued a ${body.environment} token for ${this.environment} keys`)
    }
    const lifetime = (typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : 120) * 1000
    const early = lifetime < 2 * REFRESH_EARLY_MS ? lifetime / 2 : REFRESH_EARLY_MS
    this.token = { value: body.access_token, refreshAt: start + lifetime - early }
    return body.access_token
  }

  private async send(url: string, init: RequestInit, signal?: AbortSignal): Promise<Response> {
    const signals: AbortSignal[] = []
    if (signal) signals.push(signal)
    if (this.opts.timeoutMs > 0) signals.push(AbortSignal.timeout(this.opts.timeoutMs))
    try {
      return await this.fetchFn(url, { ...init, signal: signals.length ? AbortSignal.any(signals) : undefined })
    } catch (err: any) {
      if (signal?.aborted) throw signal.reason ?? err
      const why = err?.name === "TimeoutError" ? `no reply within ${this.opts.timeoutMs} ms` : String(err?.cause?.message ?? err?.message ?? err)
      throw new ConnectionError({ status: 0, type: "api_connection_error", code: "network_error", message: `${init.method} ${new URL(url).pathname}: ${why}`, cause: err })
    }
  }

  private async decode(res: Response, method: string, path: string): Promise<unknown> {
    let text: string
    try {
      text = await res.text()
    } catch (err: any) {
      throw new ConnectionError({ status: 0, type: "api_connection_error", code: "network_error", message: `${method} ${path}: read reply: ${err?.message ?? err}`, cause: err })
    }
    const isJSON = (res.headers.get("content-type") ?? "").includes("json")
    let json: unknown
    if (isJSON && text) {
      try {
        json = JSON.parse(text)
      } catch {
        json = undefined
      }
    }
    if (res.ok) {
      if (!isJSON) return text
      if (json === undefined) {
        throw new ConnectionError({ status: res.status, type: "api_error", code: "invalid_response", message: `${method} ${path}: the reply is not JSON` })
      }
      return json
    }
    return Promise.reject(
      errorFromReply(res.status, json, text, res.headers.get("request-id") ?? undefined, parseRetryAfter(res.headers.get("retry-after")) || undefined),
    )
  }
}

export type { paths }
