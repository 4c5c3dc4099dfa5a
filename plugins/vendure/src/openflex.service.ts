import { Inject, Injectable } from "@nestjs/common"
import { OpenFlex, OpenFlexError, verifyWebhook, WebhookSignatureError, type Schemas } from "@openflex/sdk"
import {
  ActiveOrderService,
  CreatePaymentErrorResult,
  CreatePaymentResult,
  ID,
  isGraphQlErrorResult,
  Logger,
  Order,
  OrderService,
  Payment,
  PaymentMethod,
  ProductVariantService,
  RequestContext,
  RequestContextService,
  TransactionalConnection,
  UserInputError,
} from "@vendure/core"
import { randomUUID } from "node:crypto"

import { HANDLER_CODE, loggerCtx, PLUGIN_OPTIONS } from "./constants"
import type { OpenFlexPluginOptions } from "./types"

/** The payment method's arguments, as the admin configured them. */
export interface HandlerArgs {
  baseUrl: string
  clientId: string
  clientSecret: string
  storeId: string
  webhookSecret?: string
  autoCapture?: boolean
}

export interface CheckoutInput {
  successUrl: string
  cancelUrl: string
  language?: "en" | "fr" | null
  paymentMethodCode?: string | null
}

export interface PromotionResult {
  available: boolean
  amount: number
  currencyCode: "CAD"
  monthlyPayment?: number
  termMonths?: number
  apr?: string
  planName?: string
  disclosure?: string
}

type Checkout = Schemas["Checkout"]
type Authorization = Schemas["Authorization"]

/** Vendure's args are ConfigArgs ({name, value} strings): the handler's HandlerArgs from them. */
function argsOf(method: PaymentMethod): HandlerArgs {
  const v: Record<string, string> = {}
  for (const a of method.handler.args) v[a.name] = a.value
  return {
    baseUrl: v.baseUrl ?? "",
    clientId: v.clientId ?? "",
    clientSecret: v.clientSecret ?? "",
    storeId: v.storeId ?? "",
    webhookSecret: v.webhookSecret,
    autoCapture: v.autoCapture === "true",
  }
}

/** The secrets of a webhookSecret argument: one, or two comma-separated while rolling. */
function secretsOf(s: string | undefined): string[] {
  return (s ?? "")
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean)
}

/** What Vendure's own refund total counts (getPaymentRefundTotal): every refund not Failed. */
function refundedSoFar(payment: Payment): number {
  return (payment.refunds ?? []).filter((r) => r.state !== "Failed").reduce((sum, r) => sum + r.total, 0)
}

/**
 * Everything the plugin asks of OpenFlex, through the Node.js SDK (tokens,
 * retries with idempotency keys, typed errors).
 */
@Injectable()
export class OpenFlexService {
  private readonly clients = new Map<string, OpenFlex>()

  constructor(
    @Inject(PLUGIN_OPTIONS) private readonly options: OpenFlexPluginOptions,
    private readonly connection: TransactionalConnection,
    private readonly activeOrderService: ActiveOrderService,
    private readonly orderService: OrderService,
    private readonly productVariantService: ProductVariantService,
    private readonly requestContextService: RequestContextService,
  ) {}

  /** One client per key set (it caches its token). */
  client(args: HandlerArgs): OpenFlex {
    for (const name of ["baseUrl", "clientId", "clientSecret", "storeId"] as const) {
      if (!args[name]) {
        throw new Error(`OpenFlex payment method: the ${name} argument is empty`)
      }
    }
    const k = `${args.baseUrl}\n${args.clientId}\n${args.clientSecret}`
    let c = this.clients.get(k)
    if (!c) {
      c = new OpenFlex({
        baseUrl: args.baseUrl,
        clientId: args.clientId,
        clientSecret: args.clientSecret,
        userAgent: "openflex-vendure/0.1",
        ...this.options.client,
      })
      this.clients.set(k, c)
    }
    return c
  }

  /** The channel's enabled OpenFlex payment methods (code given: that one). */
  async methods(ctx: RequestContext, code?: string | null): Promise<PaymentMethod[]> {
    const all = await this.connection
      .getRepository(ctx, PaymentMethod)
      .createQueryBuilder("method")
      .leftJoin("method.channels", "channel")
      .where("channel.id = :channelId", { channelId: ctx.channelId })
      .andWhere("method.enabled = :enabled", { enabled: true })
      .getMany()
    return all.filter((m) => m.handler.code === HANDLER_CODE && (!code || m.code === code))
  }

  async method(ctx: RequestContext, code?: string | null): Promise<{ method: PaymentMethod; args: HandlerArgs }> {
    const [method] = await this.methods(ctx, code)
    if (!method) {
      throw new UserInputError(code ? `No enabled OpenFlex payment method "${code}" in this channel` : "No enabled OpenFlex payment method in this channel")
    }
    return { method, args: argsOf(method) }
  }

  /** Whether the payment method of this code pays with OpenFlex. */
  async isOpenFlexMethod(ctx: RequestContext, code: string): Promise<boolean> {
    const m = await this.connection.getRepository(ctx, PaymentMethod).findOne({ where: { code } })
    return m?.handler.code === HANDLER_CODE
  }

  /**
   * A hosted checkout for the active order's total: moves the order to
   * ArrangingPayment, so its total cannot change while the shopper pays.
   */
  async createCheckout(ctx: RequestContext, input: CheckoutInput): Promise<{ id: string; url: string; expiresAt: string; amount: number }> {
    let order = await this.activeOrderService.getActiveOrder(ctx, undefined)
    if (!order) {
      throw new UserInputError("There is no active order to pay")
    }
    if (order.currencyCode !== "CAD") {
      throw new UserInputError(`OpenFlex finances Canadian dollars only, and the order is in ${order.currencyCode}`)
    }
    if (order.totalWithTax <= 0) {
      throw new UserInputError("The order's total is zero: there is nothing to finance")
    }
    const { args } = await this.method(ctx, input.paymentMethodCode)
    if (order.state === "AddingItems") {
      const moved = await this.orderService.transitionToState(ctx, order.id, "ArrangingPayment")
      if (isGraphQlErrorResult(moved)) {
        throw new UserInputError(`${moved.message}: ${moved.transitionError}`)
      }
      order = moved
    } else if (order.state !== "ArrangingPayment") {
      throw new UserInputError(`The order is ${order.state}: only an order arranging payment can start an OpenFlex checkout`)
    }
    const customer = order.customer
    try {
      const c = await this.client(args).post("/v1/checkouts", {
        body: {
          amount: order.totalWithTax,
          currency: "CAD",
          store_id: args.storeId,
          reference: order.code,
          auto_capture: args.autoCapture === true,
          success_url: input.successUrl,
          cancel_url: input.cancelUrl,
          ...(input.language ? { language: input.language } : {}),
          ...(customer
            ? { customer: { first_name: customer.firstName || undefined, last_name: customer.lastName || undefined, email: customer.emailAddress || undefined } }
            : {}),
        },
        // Each click on "Pay with OpenFlex" is a new checkout; the SDK reuses
        // this key across its own retries of the call.
        idempotencyKey: `vendure:checkout:${order.code}:${randomUUID()}`,
      })
      return { id: c.id, url: c.url ?? "", expiresAt: c.expires_at, amount: c.amount }
    } catch (err) {
      if (err instanceof OpenFlexError) {
        throw new UserInputError(`OpenFlex could not start the checkout: ${err.message}`)
      }
      throw err
    }
  }

  /**
   * The Payment a completed checkout makes (createPayment): Authorized, or
   * Settled when it was captured at checkout. Throws when the checkout is not
   * this order's, not for its amount, or not completed.
   */
  async paymentFromCheckout(ctx: RequestContext, order: Order, amount: number, args: HandlerArgs, checkoutId: string): Promise<CreatePaymentResult | CreatePaymentErrorResult> {
    const client = this.client(args)
    const c: Checkout = await client.get("/v1/checkouts/{id}", { path: { id: checkoutId } })
    if (c.reference !== order.code) {
      throw new Error(`OpenFlex checkout ${c.id} is for order ${c.reference || "(none)"}, not ${order.code}`)
    }
    if (c.status !== "completed" || !c.authorization_id) {
      throw new Error(`OpenFlex checkout ${c.id} is ${c.status}: the shopper has not completed it`)
    }
    if (c.amount !== amount) {
      throw new Error(`OpenFlex checkout ${c.id} is for ${c.amount} cents, the order's payment for ${amount}: start a new checkout`)
    }
    const a: Authorization = await client.get("/v1/authorizations/{id}", { path: { id: c.authorization_id } })
    let state: "Authorized" | "Settled"
    if (a.status === "captured") state = "Settled"
    else if (a.status === "pending" || a.status === "partially_captured") state = "Authorized"
    else throw new Error(`OpenFlex authorization ${a.id} is ${a.status}`)
    return {
      amount,
      state,
      transactionId: a.id,
      metadata: {
        checkoutId: c.id,
        authorizationId: a.id,
        captured: state === "Settled",
        public: { checkoutId: c.id, authorizationId: a.id },
      },
    }
  }

  /** Captures what remains of the payment's authorization (settlePayment). */
  async capture(ctx: RequestContext, order: Order, payment: Payment, args: HandlerArgs): Promise<Record<string, unknown>> {
    const client = this.client(args)
    const id = payment.transactionId
    let a: Authorization
    try {
      a = await client.post("/v1/authorizations/{id}/captures", {
        path: { id },
        body: { reference: order.code },
        idempotencyKey: `vendure:settle:${payment.id}`,
      })
    } catch (err) {
      if (!(err instanceof OpenFlexError) || err.code !== "authorization_not_open") throw err
      // Captured already (at checkout, or by an earlier settle): settled.
      a = await client.get("/v1/authorizations/{id}", { path: { id } })
      if (a.status !== "captured") throw err
    }
    return { ...payment.metadata, captured: true, captureIds: a.captures.map((c) => c.id) }
  }

  /**
   * Returns amount of the payment's captures (createRefund). The key is
   * derived from what Vendure counts as refunded before this refund, so
   * Vendure retrying a failed refund replays the return instead of making a
   * second one.
   */
  async refund(ctx: RequestContext, order: Order, payment: Payment, amount: number, args: HandlerArgs, reason?: string): Promise<{ returnIds: string[]; metadata: Record<string, unknown> }> {
    const client = this.client(args)
    const a: Authorization = await client.get("/v1/authorizations/{id}", { path: { id: payment.transactionId } })
    const open = a.captures.filter((c) => c.remaining_amount > 0)
    if (open.length === 0) {
      throw new Error(
        a.captures.length === 0
          ? `OpenFlex authorization ${a.id} was never captured: cancel the payment (release the hold) instead of refunding it`
          : `OpenFlex authorization ${a.id} has been returned in full`,
      )
    }
    const returnable = open.reduce((s, c) => s + c.remaining_amount, 0)
    if (amount > returnable) {
      throw new Error(`OpenFlex can return at most ${returnable} cents of authorization ${a.id}, not ${amount}`)
    }
    const base = `vendure:refund:${payment.id}:${refundedSoFar(payment)}:${amount}`
    const returnIds: string[] = []
    let left = amount
    for (const c of open) {
      if (left === 0) break
      const take = Math.min(left, c.remaining_amount)
      const r = await client.post("/v1/captures/{id}/returns", {
        path: { id: c.id },
        body: { amount: take, reference: order.code, ...(reason ? { reason: reason.slice(0, 200) } : {}) },
        idempotencyKey: `${base}:${c.id}`,
      })
      returnIds.push(r.id)
      left -= take
    }
    return { returnIds, metadata: { returnIds, authorizationId: a.id } }
  }

  /** Releases the payment's hold (cancelPayment). */
  async release(ctx: RequestContext, order: Order, payment: Payment, args: HandlerArgs): Promise<Record<string, unknown>> {
    const client = this.client(args)
    const id = payment.transactionId
    if (!id) return { released: false } // declined before any authorization
    try {
      const a = await client.post("/v1/authorizations/{id}/release", { path: { id }, idempotencyKey: `vendure:cancel:${payment.id}` })
      return { ...payment.metadata, released: true, releasedAmount: a.released_amount }
    } catch (err) {
      if (!(err instanceof OpenFlexError) || err.code !== "authorization_not_open") throw err
      const a = await client.get("/v1/authorizations/{id}", { path: { id } })
      if (a.status === "released" || a.status === "expired") {
        return { ...payment.metadata, released: true, releasedAmount: a.released_amount }
      }
      throw new Error(`OpenFlex authorization ${id} is ${a.status}: refund the payment instead of cancelling it`)
    }
  }

  /**
   * Adds the completed checkout to its order, once: on the shopper's return
   * and on the webhook, whichever is first; the other finds it done.
   */
  async settleCheckout(ctx: RequestContext, orderId: ID, checkoutId: string): Promise<Order> {
    return this.connection.withTransaction(ctx, async (tx) => {
      let order = await this.orderService.findOne(tx, orderId, ["payments"])
      if (!order) throw new UserInputError(`No order ${orderId}`)
      const { method, args } = await this.method(tx)
      const c: Checkout = await this.client(args).get("/v1/checkouts/{id}", { path: { id: checkoutId } })
      if (c.reference !== order.code) {
        throw new UserInputError(`OpenFlex checkout ${checkoutId} is not for order ${order.code}`)
      }
      const done = order.payments.find((p) => p.transactionId === c.authorization_id && (p.state === "Authorized" || p.state === "Settled"))
      if (done) return order
      if (order.state === "AddingItems") {
        const moved = await this.orderService.transitionToState(tx, order.id, "ArrangingPayment")
        if (isGraphQlErrorResult(moved)) throw new UserInputError(`${moved.message}: ${moved.transitionError}`)
      }
      const paid = await this.orderService.addPaymentToOrder(tx, order.id, { method: method.code, metadata: { checkoutId } })
      if (isGraphQlErrorResult(paid)) {
        const why = "paymentErrorMessage" in paid ? `: ${(paid as any).paymentErrorMessage}` : ""
        throw new UserInputError(`${paid.message}${why}`)
      }
      order = paid
      return order
    })
  }

  /** The webhook: verified against every OpenFlex method's secret, then checkout.completed settles its order. */
  async handleWebhook(rawBody: Buffer, signature: string | undefined): Promise<{ status: number; message: string }> {
    const ctx0 = await this.requestContextService.create({ apiType: "admin" })
    const methods = (await this.connection.getRepository(ctx0, PaymentMethod).find({ relations: ["channels"] })).filter(
      (m) => m.handler.code === HANDLER_CODE,
    )
    const secrets = methods.flatMap((m) => secretsOf(argsOf(m).webhookSecret))
    if (secrets.length === 0) {
      return { status: 400, message: "no OpenFlex payment method has a webhook secret" }
    }
    let event
    try {
      event = verifyWebhook(rawBody, signature, secrets, { toleranceSeconds: this.options.webhookToleranceSeconds })
    } catch (err) {
      if (err instanceof WebhookSignatureError || err instanceof SyntaxError) {
        Logger.warn(`webhook refused: ${err.message}`, loggerCtx)
        return { status: 400, message: err.message }
      }
      throw err
    }
    if (event.type !== "checkout.completed") {
      return { status: 200, message: `ignored ${event.type}` }
    }
    const checkout = (event.data as any)?.object as Checkout | undefined
    if (!checkout?.id || !checkout.reference) {
      return { status: 200, message: "checkout without a reference: not a Vendure order" }
    }
    const order = await this.connection.getRepository(ctx0, Order).findOne({ where: { code: checkout.reference }, relations: ["channels"] })
    if (!order) {
      return { status: 200, message: `no order ${checkout.reference}` }
    }
    // The order's own channel (every order is in the default channel too).
    const channel = order.channels.find((ch) => ch.code !== "__default_channel__") ?? order.channels[0]
    // By token: the channel as Vendure caches it, its tax zones included.
    const ctx = await this.requestContextService.create({ apiType: "admin", channelOrToken: channel.token })
    try {
      await this.settleCheckout(ctx, order.id, checkout.id)
      return { status: 200, message: `order ${order.code} paid` }
    } catch (err) {
      // 500: OpenFlex delivers again later (a database hiccup, a restart).
      Logger.error(`webhook for order ${order.code}, checkout ${checkout.id}: ${(err as Error).message}`, loggerCtx)
      return { status: err instanceof UserInputError ? 200 : 500, message: (err as Error).message }
    }
  }

  /** "As low as $X/month" for a price (cents, with tax) or a product variant's price in this channel. */
  async promotion(ctx: RequestContext, amount?: number | null, productVariantId?: ID | null): Promise<PromotionResult> {
    if (productVariantId != null) {
      const v = await this.productVariantService.findOne(ctx, productVariantId)
      if (!v) throw new UserInputError(`No product variant ${productVariantId}`)
      amount = v.priceWithTax
    }
    if (amount == null || !Number.isInteger(amount) || amount <= 0) {
      throw new UserInputError("openflexPromotion needs a positive amount in cents or a productVariantId")
    }
    const { args } = await this.method(ctx)
    const p = await this.client(args).get("/v1/public/promotions", {
      query: { amount },
      language: String(ctx.languageCode).startsWith("fr") ? "fr-CA" : "en-CA",
    })
    return {
      available: p.available,
      amount: p.amount,
      currencyCode: "CAD",
      monthlyPayment: p.monthly_payment,
      termMonths: p.term_months,
      apr: p.apr,
      planName: p.plan_name,
      disclosure: p.disclosure,
    }
  }
}
