import {
  AbstractPaymentProvider,
  BigNumber,
  MedusaError,
  PaymentActions,
  PaymentSessionStatus,
} from "@medusajs/framework/utils"
import type {
  AuthorizePaymentInput,
  AuthorizePaymentOutput,
  CancelPaymentInput,
  CancelPaymentOutput,
  CapturePaymentInput,
  CapturePaymentOutput,
  DeletePaymentInput,
  DeletePaymentOutput,
  GetPaymentStatusInput,
  GetPaymentStatusOutput,
  InitiatePaymentInput,
  InitiatePaymentOutput,
  Logger,
  PaymentCustomerDTO,
  ProviderWebhookPayload,
  RefundPaymentInput,
  RefundPaymentOutput,
  RetrievePaymentInput,
  RetrievePaymentOutput,
  UpdatePaymentInput,
  UpdatePaymentOutput,
  WebhookActionResult,
} from "@medusajs/framework/types"
import { AmountError, fromCents, isCAD, toCents } from "./lib/amount"
import { randomUUID } from "node:crypto"
import { OpenFlex, OpenFlexError, type RequestOptions, type Schemas } from "@openflex/sdk"
import { environmentOf, OpenFlexOptions, validateOptions, webhookSecrets } from "./lib/options"
import { SignatureError, verifySignature } from "./lib/signature"
import { sessionStatus, SessionStatus, webhookAction } from "./lib/status"

type Authorization = Schemas["Authorization"]
type Checkout = Schemas["Checkout"]
type CheckoutParams = NonNullable<RequestOptions<"/v1/checkouts", "post">["body"]>

/** A fresh random Idempotency-Key, for calls Medusa gives no key for. */
function randomKey(prefix: string): string {
  return `${prefix}:${randomUUID()}`
}

/**
 * What the provider keeps in Medusa's payment session (and then payment)
 * `data`. The storefront sees the session's data: it holds ids, statuses,
 * amounts and the hosted checkout URL, never the customer's account number.
 */
export interface OpenFlexPaymentData extends Record<string, unknown> {
  /** Medusa's payment session id (payses_…), sent to OpenFlex as the checkout's reference. */
  session_id?: string
  checkout_id?: string
  /** The hosted checkout page: redirect the shopper here, or open it with the drop-in. */
  url?: string
  checkout_status?: string
  expires_at?: string
  /** OpenFlex amount of the checkout, in cents. */
  amount?: number
  currency?: "CAD"
  authorization_id?: string
  authorization_status?: string
  captured_amount?: number
  returned_amount?: number
  released_amount?: number
  capture_ids?: string[]
  return_ids?: string[]
  success_url?: string
  cancel_url?: string
  language?: string
}

type InjectedDependencies = { logger?: Logger }

/** The keys of OpenFlexPaymentData that describe a checkout's state. */
const PROVIDER_KEYS = [
  "checkout_id",
  "url",
  "checkout_status",
  "expires_at",
  "amount",
  "currency",
  "authorization_id",
  "authorization_status",
  "captured_amount",
  "returned_amount",
  "released_amount",
  "capture_ids",
  "return_ids",
  "status",
] as const

const PROVINCES = new Set(["AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"])

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined
}

/**
 * OpenFlex consumer financing as a Medusa payment provider: the shopper
 * pays on OpenFlex's hosted checkout (sign in or apply, pick a plan,
 * confirm); the result is an authorization on their OpenFlex credit line
 * that Medusa captures, refunds (returns) and cancels (releases).
 */
export default class OpenFlexProviderService extends AbstractPaymentProvider<OpenFlexOptions> {
  static identifier = "openflex"

  protected readonly options_: OpenFlexOptions
  protected readonly client_: OpenFlex
  protected readonly logger_: Pick<Logger, "info" | "warn" | "error">
  protected readonly environment_: "training" | "production"

  static validateOptions(options: Record<string, unknown>): void {
    try {
      validateOptions(options)
    } catch (e: any) {
      throw new MedusaError(MedusaError.Types.INVALID_DATA, e.message)
    }
  }

  constructor(container: InjectedDependencies, options: OpenFlexOptions) {
    super(container as any, options)
    validateOptions(options)
    this.options_ = options
    this.environment_ = environmentOf(options.clientId)!
    let logger: Logger | undefined
    try {
      logger = container.logger
    } catch {
      // An awilix cradle throws for a name it cannot resolve.
    }
    this.logger_ = logger ?? console
    this.client_ = new OpenFlex({
      baseUrl: options.baseUrl,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      timeoutMs: options.timeoutMs,
      maxRetries: options.maxRetries,
      userAgent: "openflex-medusa/0.1",
    })
    if (webhookSecrets(options.webhookSecret).length === 0) {
      this.logger_.warn(
        "OpenFlex provider: no webhookSecret: OpenFlex webhooks will be ignored, and carts complete only when the storefront completes them"
      )
    }
  }

  // --- helpers -------------------------------------------------------------

  /** Surfaces an OpenFlex failure as a Medusa error, code and request id in the message. */
  protected toMedusaError(err: unknown, doing: string): Error {
    if (err instanceof MedusaError) {
      return err
    }
    if (err instanceof OpenFlexError) {
      let type: string = MedusaError.Types.UNEXPECTED_STATE
      if (err.status === 400) {
        type = MedusaError.Types.INVALID_DATA
      } else if (err.status === 402) {
        type = MedusaError.Types.PAYMENT_AUTHORIZATION_ERROR
      } else if (err.status === 404) {
        type = MedusaError.Types.NOT_FOUND
      } else if (err.status === 409) {
        type = err.code === "idempotency_key_in_use" ? MedusaError.Types.CONFLICT : MedusaError.Types.NOT_ALLOWED
      }
      return new MedusaError(type, `${doing} failed: ${err.message}`)
    }
    if (err instanceof AmountError) {
      return new MedusaError(MedusaError.Types.INVALID_DATA, `${doing}: ${err.message}`)
    }
    return err instanceof Error ? err : new Error(String(err))
  }

  protected async call<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (err) {
      throw this.toMedusaError(err, doing)
    }
  }

  /**
   * Medusa amount -> OpenFlex cents. Medusa keeps totals to full precision
   * (tax: 19.99 + 13 % = 22.5887) and compares them at currency precision,
   * rounding half up; OpenFlex takes whole cents. So amounts are rounded to
   * the cent the same way, in decimal arithmetic (never floats).
   */
  protected cents(amount: unknown, doing: string): number {
    try {
      return toCents(amount, { rounding: "half_up" })
    } catch (err) {
      throw this.toMedusaError(err, doing)
    }
  }

  /** An Idempotency-Key from Medusa's own key, so Medusa's retries replay. */
  protected key(op: string, context: { idempotency_key?: string } | undefined, fallback?: string): string {
    const base = str(context?.idempotency_key) ?? fallback
    return base ? `medusa:${op}:${base}` : randomKey(`medusa:${op}`)
  }

  protected checkoutData(c: Checkout): OpenFlexPaymentData {
    const d: OpenFlexPaymentData = {
      checkout_id: c.id,
      checkout_status: c.status,
      expires_at: c.expires_at,
      amount: c.amount,
      currency: "CAD",
    }
    if (c.url) {
      d.url = c.url
    }
    if (c.authorization_id) {
      d.authorization_id = c.authorization_id
    }
    return d
  }

  protected authorizationData(a: Authorization): OpenFlexPaymentData {
    return {
      authorization_id: a.id,
      authorization_status: a.status,
      captured_amount: a.captured_amount,
      returned_amount: a.returned_amount,
      released_amount: a.released_amount,
      capture_ids: a.captures.map((c) => c.id),
    }
  }

  /** Reads the checkout and its authorization: the truth, whatever data says. */
  protected async readState(data: OpenFlexPaymentData | undefined, doing: string) {
    const checkoutId = str(data?.checkout_id)
    let checkout: Checkout | undefined
    let authorizationId = str(data?.authorization_id)
    if (checkoutId) {
      checkout = await this.call(doing, () => this.client_.get("/v1/checkouts/{id}", { path: { id: checkoutId } }))
      authorizationId = checkout.authorization_id ?? authorizationId
    }
    if (!checkout && !authorizationId) {
      throw new MedusaError(MedusaError.Types.INVALID_DATA, `${doing}: this payment has no OpenFlex checkout`)
    }
    const authorization = authorizationId
      ? await this.call(doing, () => this.client_.get("/v1/authorizations/{id}", { path: { id: authorizationId! } }))
      : undefined
    const merged: OpenFlexPaymentData = { ...(data ?? {}) }
    if (checkout) {
      Object.assign(merged, this.checkoutData(checkout))
      merged.url = data?.url // the hosted URL is only in the creation reply
      if (merged.url === undefined) {
        delete merged.url
      }
    }
    if (authorization) {
      Object.assign(merged, this.authorizationData(authorization))
    }
    let status: SessionStatus = checkout
      ? sessionStatus(checkout, authorization)
      : sessionStatus({ status: "completed", authorization_id: authorizationId }, authorization)
    // Never report money that does not match the order: same session, same amount, CAD.
    if (status === "authorized" || status === "captured") {
      const problems: string[] = []
      const session = str(data?.session_id)
      if (checkout && session && checkout.reference !== session) {
        problems.push(`checkout ${checkout.id} belongs to ${checkout.reference}, not ${session}`)
      }
      if (typeof data?.amount === "number" && authorization && authorization.amount !== data.amount) {
        problems.push(`authorization ${authorization.id} is for ${authorization.amount} cents, the session for ${data.amount}`)
      }
      if (authorization && authorization.currency !== "CAD") {
        problems.push(`authorization ${authorization.id} is in ${authorization.currency}`)
      }
      if (problems.length) {
        this.logger_.error(`OpenFlex: ${doing}: ${problems.join("; ")}`)
        status = "error"
      }
    }
    return { checkout, authorization, status, data: merged }
  }

  protected customerPrefill(customer: PaymentCustomerDTO | undefined): Record<string, string> | undefined {
    if (!customer) {
      return undefined
    }
    const out: Record<string, string> = {}
    const set = (k: string, v: unknown) => {
      const s = str(v)
      if (s && s.length <= 200) {
        out[k] = s
      }
    }
    set("first_name", customer.first_name)
    set("last_name", customer.last_name)
    set("email", customer.email)
    set("phone", customer.phone ?? customer.billing_address?.phone)
    const a = customer.billing_address
    if (a && (!a.country_code || a.country_code.toLowerCase() === "ca")) {
      set("line1", a.address_1)
      set("line2", a.address_2)
      set("city", a.city)
      set("postal_code", a.postal_code)
      const p = str(a.province)?.toUpperCase().replace(/^CA-/, "")
      if (p && PROVINCES.has(p)) {
        out.province = p
      }
    }
    return Object.keys(out).length ? out : undefined
  }

  protected async createCheckout(
    input: InitiatePaymentInput | UpdatePaymentInput,
    doing: string,
    idempotencyKey: string
  ): Promise<OpenFlexPaymentData> {
    const data = (input.data ?? {}) as OpenFlexPaymentData
    if (!isCAD(input.currency_code)) {
      throw new MedusaError(
        MedusaError.Types.INVALID_DATA,
        `${doing}: OpenFlex finances purchases in CAD only; this cart is in ${String(input.currency_code).toUpperCase()}`
      )
    }
    const amount = this.cents(input.amount, doing)
    const successUrl = str(data.success_url) ?? str(this.options_.successUrl)
    const cancelUrl = str(data.cancel_url) ?? str(this.options_.cancelUrl) ?? successUrl
    if (!successUrl || !cancelUrl) {
      throw new MedusaError(
        MedusaError.Types.INVALID_DATA,
        `${doing}: send success_url and cancel_url in the payment session data (or set the successUrl option)`
      )
    }
    const language = str(data.language)?.toLowerCase().startsWith("fr") ? "fr" : str(data.language) ? "en" : undefined
    const params: CheckoutParams = {
      amount,
      currency: "CAD",
      store_id: this.options_.storeId,
      reference: str(data.session_id),
      flow: this.options_.flow ?? "apply_or_buy",
      auto_capture: this.options_.autoCapture === true,
      success_url: successUrl,
      cancel_url: cancelUrl,
    }
    if (language) {
      params.language = language
    }
    const customer = this.customerPrefill(input.context?.customer)
    if (customer) {
      params.customer = customer
    }
    const c = await this.call(doing, () => this.client_.post("/v1/checkouts", { body: params, idempotencyKey }))
    const out: OpenFlexPaymentData = {
      ...this.checkoutData(c),
      session_id: params.reference,
      success_url: successUrl,
      cancel_url: cancelUrl,
    }
    if (language) {
      out.language = language
    }
    return out
  }

  // --- the provider interface ------------------------------------------------

  async initiatePayment(input: InitiatePaymentInput): Promise<InitiatePaymentOutput> {
    const session = str((input.data as OpenFlexPaymentData | undefined)?.session_id)
    const data = await this.createCheckout(input, "OpenFlex initiatePayment", this.key("checkout", input.context, session))
    return { id: data.checkout_id!, status: PaymentSessionStatus.PENDING, data }
  }

  async updatePayment(input: UpdatePaymentInput): Promise<UpdatePaymentOutput> {
    const data = (input.data ?? {}) as OpenFlexPaymentData
    const doing = "OpenFlex updatePayment"
    if (!isCAD(input.currency_code)) {
      throw new MedusaError(MedusaError.Types.INVALID_DATA, `${doing}: OpenFlex finances purchases in CAD only`)
    }
    const amount = this.cents(input.amount, doing)
    if (data.checkout_id && data.amount === amount) {
      const state = await this.readState(data, doing)
      return { status: state.status as PaymentSessionStatus, data: state.data }
    }
    // The amount changed: the old checkout (fixed amount) cannot follow.
    // Release what it may already hold, then open a new one.
    if (data.checkout_id) {
      await this.releaseIfHeld(data, doing, input.context?.idempotency_key)
    }
    const fresh = await this.createCheckout(input, doing, randomKey("medusa:checkout"))
    // Keep what the storefront put in the data, drop all of the old checkout's state.
    const kept: Record<string, unknown> = { ...data }
    for (const k of PROVIDER_KEYS) {
      delete kept[k]
    }
    return { status: PaymentSessionStatus.PENDING, data: { ...kept, ...fresh } }
  }

  /** Releases the authorization of a completed checkout if nothing of it was captured. */
  protected async releaseIfHeld(data: OpenFlexPaymentData, doing: string, key?: string): Promise<OpenFlexPaymentData> {
    const state = await this.readState(data, doing)
    const a = state.authorization
    if (a && a.status === "pending" && a.captured_amount === 0) {
      const released = await this.call(doing, () =>
        this.client_.post("/v1/authorizations/{id}/release", { path: { id: a.id }, idempotencyKey: this.key("release", { idempotency_key: key }, a.id) })
      )
      return { ...state.data, ...this.authorizationData(released) }
    }
    if (state.checkout?.status === "open") {
      // OpenFlex has no API to close a checkout: it expires by itself (60 min).
      this.logger_.info(`OpenFlex: checkout ${state.checkout.id} left open; it expires at ${state.checkout.expires_at}`)
    }
    return state.data
  }

  async deletePayment(input: DeletePaymentInput): Promise<DeletePaymentOutput> {
    const data = (input.data ?? {}) as OpenFlexPaymentData
    if (!data.checkout_id && !data.authorization_id) {
      return { data }
    }
    try {
      return { data: await this.releaseIfHeld(data, "OpenFlex deletePayment", input.context?.idempotency_key) }
    } catch (err: any) {
      // A cart must stay editable when OpenFlex is unreachable: an
      // unreleased hold expires by itself (30 days by default).
      this.logger_.error(`OpenFlex deletePayment: could not release ${data.authorization_id ?? data.checkout_id}: ${err?.message ?? err}`)
      return { data }
    }
  }

  async authorizePayment(input: AuthorizePaymentInput): Promise<AuthorizePaymentOutput> {
    const state = await this.readState(input.data as OpenFlexPaymentData, "OpenFlex authorizePayment")
    return { status: state.status as PaymentSessionStatus, data: state.data }
  }

  async getPaymentStatus(input: GetPaymentStatusInput): Promise<GetPaymentStatusOutput> {
    const state = await this.readState(input.data as OpenFlexPaymentData, "OpenFlex getPaymentStatus")
    return { status: state.status as PaymentSessionStatus, data: state.data }
  }

  async retrievePayment(input: RetrievePaymentInput): Promise<RetrievePaymentOutput> {
    const state = await this.readState(input.data as OpenFlexPaymentData, "OpenFlex retrievePayment")
    return { data: { ...state.data, status: state.status } }
  }

  /**
   * Captures what remains of the authorization. Medusa passes no amount to
   * providers (only its capture id as idempotency key), so the first capture
   * of a payment posts the whole authorization at OpenFlex; later ones find
   * nothing left and succeed without a call.
   */
  async capturePayment(input: CapturePaymentInput): Promise<CapturePaymentOutput> {
    const doing = "OpenFlex capturePayment"
    const state = await this.readState(input.data as OpenFlexPaymentData, doing)
    const a = state.authorization
    if (!a) {
      throw new MedusaError(MedusaError.Types.NOT_ALLOWED, `${doing}: the shopper has not completed the OpenFlex checkout`)
    }
    if (a.status === "captured" || (a.remaining_amount === 0 && a.captured_amount > 0)) {
      return { data: state.data }
    }
    if (a.status !== "pending" && a.status !== "partially_captured") {
      throw new MedusaError(MedusaError.Types.NOT_ALLOWED, `${doing}: authorization ${a.id} is ${a.status}`)
    }
    const reference = str(input.context?.idempotency_key)
    let captured: Authorization
    try {
      captured = await this.client_.post("/v1/authorizations/{id}/captures", { path: { id: a.id }, body: reference ? { reference } : {}, idempotencyKey: this.key("capture", input.context, a.id) })
    } catch (err) {
      if (err instanceof OpenFlexError && err.code === "authorization_not_open") {
        const again = await this.call(doing, () => this.client_.get("/v1/authorizations/{id}", { path: { id: a.id } }))
        if (again.status === "captured") {
          return { data: { ...state.data, ...this.authorizationData(again) } }
        }
      }
      throw this.toMedusaError(err, doing)
    }
    return { data: { ...state.data, ...this.authorizationData(captured) } }
  }

  /**
   * Returns the amount on the authorization's captures (a partial refund is
   * a partial return; several are fine). When several captures have room,
   * the oldest are used first; with Medusa's refund id as reference and in
   * the Idempotency-Key, a retried refund finds and replays its own returns.
   */
  async refundPayment(input: RefundPaymentInput): Promise<RefundPaymentOutput> {
    const doing = "OpenFlex refundPayment"
    let amount = this.cents(input.amount, doing)
    const data = input.data as OpenFlexPaymentData
    const state = await this.readState(data, doing)
    const a = state.authorization
    if (!a || a.captures.length === 0) {
      throw new MedusaError(MedusaError.Types.NOT_ALLOWED, `${doing}: nothing was captured at OpenFlex for this payment`)
    }
    const reference = str(input.context?.idempotency_key)
    const captures = [...a.captures].sort((x, y) => (x.created < y.created ? -1 : x.created > y.created ? 1 : 0))
    // Room on each capture, counting this refund's own earlier returns (a retry) as room.
    const room = new Map<string, number>()
    for (const c of captures) {
      let r = c.remaining_amount
      if (reference && captures.length > 1 && c.returned_amount > 0) {
        const rets = await this.call(doing, () => this.client_.get("/v1/returns", { query: { capture_id: c.id, limit: 100 } }))
        r += rets.data.filter((x) => x.reference === reference).reduce((s, x) => s + x.amount, 0)
      }
      room.set(c.id, r)
    }
    const total = [...room.values()].reduce((s, r) => s + r, 0)
    if (amount === total + 1 && toCents(input.amount, { rounding: "down", allowZero: true }) <= total) {
      // Half a cent rounded up past what is left (refunds of a total kept
      // to full precision): return what is left.
      amount = total
    }
    if (amount > total) {
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        `${doing}: ${fromCents(amount)} CAD is more than what can still be returned (${fromCents(total)} CAD)`
      )
    }
    let left = amount
    const returnIds = [...((data?.return_ids as string[] | undefined) ?? [])]
    for (const c of captures) {
      if (left === 0) {
        break
      }
      const part = Math.min(left, room.get(c.id) ?? 0)
      if (part <= 0) {
        continue
      }
      const params: { amount: number; reference?: string } = { amount: part }
      if (reference) {
        params.reference = reference
      }
      const key = captures.length > 1 ? this.key(`refund:${c.id}`, input.context) : this.key("refund", input.context)
      const ret = await this.call(doing, () => this.client_.post("/v1/captures/{id}/returns", { path: { id: c.id }, body: params, idempotencyKey: key }))
      if (!returnIds.includes(ret.id)) {
        returnIds.push(ret.id)
      }
      left -= part
    }
    const after = await this.call(doing, () => this.client_.get("/v1/authorizations/{id}", { path: { id: a.id } }))
    return { data: { ...state.data, ...this.authorizationData(after), return_ids: returnIds } }
  }

  /** Releases the authorization (order canceled before capture). */
  async cancelPayment(input: CancelPaymentInput): Promise<CancelPaymentOutput> {
    const doing = "OpenFlex cancelPayment"
    const data = (input.data ?? {}) as OpenFlexPaymentData
    if (!data.checkout_id && !data.authorization_id) {
      return { data }
    }
    const state = await this.readState(data, doing)
    const a = state.authorization
    if (!a) {
      if (state.checkout?.status === "open") {
        this.logger_.info(`OpenFlex: checkout ${state.checkout.id} left open; it expires at ${state.checkout.expires_at}`)
      }
      return { data: state.data }
    }
    if (a.status === "released" || a.status === "expired") {
      return { data: state.data }
    }
    if (a.status === "captured") {
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        `${doing}: authorization ${a.id} is fully captured; refund it instead`
      )
    }
    try {
      const released = await this.client_.post("/v1/authorizations/{id}/release", { path: { id: a.id }, idempotencyKey: this.key("release", input.context, a.id) })
      return { data: { ...state.data, ...this.authorizationData(released) } }
    } catch (err) {
      if (err instanceof OpenFlexError && err.code === "authorization_not_open") {
        const again = await this.call(doing, () => this.client_.get("/v1/authorizations/{id}", { path: { id: a.id } }))
        if (again.status === "released" || again.status === "expired") {
          return { data: { ...state.data, ...this.authorizationData(again) } }
        }
      }
      throw this.toMedusaError(err, doing)
    }
  }

  /**
   * Verifies OpenFlex-Signature over the raw body and maps the event. An
   * unsigned, forged, stale or foreign delivery is logged and answered
   * not_supported, which Medusa ignores.
   */
  async getWebhookActionAndData(payload: ProviderWebhookPayload["payload"]): Promise<WebhookActionResult> {
    const ignore = (why: string): WebhookActionResult => {
      this.logger_.warn(`OpenFlex webhook ignored: ${why}`)
      return { action: PaymentActions.NOT_SUPPORTED }
    }
    const secrets = webhookSecrets(this.options_.webhookSecret)
    if (secrets.length === 0) {
      return ignore("no webhookSecret configured")
    }
    const raw = rawBody(payload.rawData)
    if (!raw) {
      return ignore("the raw request body is not available")
    }
    const header = headerValue(payload.headers, "openflex-signature")
    try {
      verifySignature(raw, header, secrets, { toleranceSeconds: this.options_.webhookToleranceSeconds })
    } catch (err) {
      if (err instanceof SignatureError) {
        return ignore(`${err.code}: ${err.message}`)
      }
      throw err
    }
    let event: any
    try {
      event = JSON.parse(raw.toString("utf8"))
    } catch {
      return ignore("the body is not JSON")
    }
    if (event?.environment !== this.environment_) {
      return ignore(`event ${event?.id} is from ${event?.environment}, this store uses ${this.environment_} keys`)
    }
    const obj = event?.data?.object
    if (!obj || typeof obj !== "object") {
      return { action: PaymentActions.NOT_SUPPORTED }
    }
    const action = webhookAction(String(event.type), obj)
    if (action === "not_supported") {
      return { action: PaymentActions.NOT_SUPPORTED }
    }
    // Only checkouts this provider opened carry a Medusa session id as reference.
    const session = str(obj.reference)
    if (!session || !session.startsWith("payses_")) {
      return { action: PaymentActions.NOT_SUPPORTED }
    }
    const cents = event.type === "authorization.captured" ? obj.captured_amount : obj.amount
    if (!Number.isSafeInteger(cents)) {
      return ignore(`event ${event.id} has no amount`)
    }
    return {
      action: action as PaymentActions,
      data: { session_id: session, amount: new BigNumber(fromCents(cents)) },
    }
  }
}

function rawBody(raw: unknown): Buffer | undefined {
  if (Buffer.isBuffer(raw)) {
    return raw
  }
  if (typeof raw === "string") {
    return Buffer.from(raw, "utf8")
  }
  // A Buffer that went through JSON: {type: "Buffer", data: [...]}
  if (raw && typeof raw === "object" && (raw as any).type === "Buffer" && Array.isArray((raw as any).data)) {
    return Buffer.from((raw as any).data)
  }
  if (raw instanceof Uint8Array) {
    return Buffer.from(raw)
  }
  return undefined
}

function headerValue(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  if (!headers) {
    return undefined
  }
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) {
      if (Array.isArray(v)) {
        return v.join(",")
      }
      return typeof v === "string" ? v : undefined
    }
  }
  return undefined
}
