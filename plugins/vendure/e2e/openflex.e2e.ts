// The plugin in a whole Vendure (@vendure/testing on its SQLite test
// server) against a real OpenFlex built from this repository: checkout,
// payment on return and on the signed webhook, capture on shipment,
// partial and full refunds as returns, cancel, auto-capture, promotion,
// idempotency under Vendure's retries, and the errors a shop sees.
import assert from "node:assert/strict"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { after, before, describe, test } from "node:test"

import { OpenFlex } from "@openflex/sdk"
import { DefaultLogger, LanguageCode, LogLevel, mergeConfig, Order, Payment, RequestContextService, TransactionalConnection } from "@vendure/core"
import { createTestEnvironment, registerInitializer, SqljsInitializer, testConfig } from "@vendure/testing"
import gql from "graphql-tag"

import { openflexPaymentMethodHandler, OpenFlexPlugin } from "../src"

// The shared harness of sdk-node's tests (an ES module): OpenFlex server and shopper.
const harnessPath = resolve(__dirname, "../../../../sdk-node/test/server.mjs")
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const importESM = new Function("p", "return import(p)") as (p: string) => Promise<any>

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer()
    s.once("error", fail)
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port
      s.close(() => ok(port))
    })
  })
}

process.env.VENDURE_DISABLE_TELEMETRY ??= "true" // no telemetry from test runs
registerInitializer("sqljs", new SqljsInitializer(join(process.env.TMPDIR ?? tmpdir(), "openflex-vendure-sqljs")))

const ORDER = `id code state totalWithTax currencyCode payments { id state amount method transactionId errorMessage metadata refunds { id state total transactionId metadata } }`
const ORDER_RESULT = `... on Order { ${ORDER} } ... on ErrorResult { errorCode message }`

const q = {
  addItem: gql`mutation ($id: ID!) { addItemToOrder(productVariantId: $id, quantity: 1) { ${ORDER_RESULT} } }`,
  address: gql`mutation { setOrderShippingAddress(input: { fullName: "Émilie Tremblay", streetLine1: "1 King St W", city: "Toronto", province: "ON", postalCode: "M5V 2T6", countryCode: "CA" }) { ${ORDER_RESULT} } }`,
  shippingMethods: gql`query { eligibleShippingMethods { id } }`,
  setShipping: gql`mutation ($id: [ID!]!) { setOrderShippingMethod(shippingMethodId: $id) { ${ORDER_RESULT} } }`,
  createCheckout: gql`mutation ($input: OpenFlexCheckoutInput!) { createOpenFlexCheckout(input: $input) { id url amount expiresAt } }`,
  settleCheckout: gql`mutation ($id: String!) { settleOpenFlexCheckout(checkoutId: $id) { ${ORDER} } }`,
  addPayment: gql`mutation ($input: PaymentInput!) { addPaymentToOrder(input: $input) { ${ORDER_RESULT} ... on PaymentDeclinedError { paymentErrorMessage } ... on PaymentFailedError { paymentErrorMessage } } }`,
  activeOrder: gql`query { activeOrder { ${ORDER} } }`,
  promotion: gql`query ($amount: Money, $variant: ID) { openflexPromotion(amount: $amount, productVariantId: $variant) { available amount currencyCode monthlyPayment termMonths apr planName disclosure } }`,
  // admin
  updateChannel: gql`mutation ($input: UpdateChannelInput!) { updateChannel(input: $input) { ... on Channel { id defaultCurrencyCode } ... on ErrorResult { message } } }`,
  createProduct: gql`mutation { createProduct(input: { translations: [{ languageCode: en, name: "Sofa", slug: "sofa", description: "A sofa" }] }) { id } }`,
  createVariants: gql`mutation ($input: [CreateProductVariantInput!]!) { createProductVariants(input: $input) { id priceWithTax } }`,
  createMethod: gql`mutation ($input: CreatePaymentMethodInput!) { createPaymentMethod(input: $input) { id code } }`,
  updateMethod: gql`mutation ($input: UpdatePaymentMethodInput!) { updatePaymentMethod(input: $input) { id } }`,
  order: gql`query ($id: ID!) { order(id: $id) { ${ORDER} lines { id quantity } } }`,
  settlePayment: gql`mutation ($id: ID!) { settlePayment(id: $id) { ... on Payment { id state } ... on ErrorResult { errorCode message } ... on SettlePaymentError { paymentErrorMessage } } }`,
  cancelPayment: gql`mutation ($id: ID!) { cancelPayment(id: $id) { ... on Payment { id state metadata } ... on ErrorResult { errorCode message } ... on CancelPaymentError { paymentErrorMessage } } }`,
  fulfil: gql`mutation ($input: FulfillOrderInput!) { addFulfillmentToOrder(input: $input) { ... on Fulfillment { id state } ... on ErrorResult { errorCode message } } }`,
  ship: gql`mutation ($id: ID!) { transitionFulfillmentToState(id: $id, state: "Shipped") { ... on Fulfillment { id state } ... on ErrorResult { errorCode message } ... on FulfillmentStateTransitionError { transitionError } } }`,
  refund: gql`mutation ($input: RefundOrderInput!) { refundOrder(input: $input) { ... on Refund { id state total transactionId metadata } ... on ErrorResult { errorCode message } } }`,
}

type OrderView = {
  id: string
  code: string
  state: string
  totalWithTax: number
  currencyCode: string
  payments: Array<{ id: string; state: string; amount: number; method: string; transactionId: string; errorMessage?: string; metadata: any; refunds: any[] }>
  lines?: Array<{ id: string; quantity: number }>
}

describe("OpenFlex for Vendure", () => {
  let of: any // the OpenFlex server
  let harness: any
  let openflex: OpenFlex // the merchant's own view of OpenFlex
  let vendureOrigin = ""
  let variantId = ""
  const env = { port: 0 }
  let server: any, adminClient: any, shopClient: any

  before(async () => {
    harness = await importESM(harnessPath)
    env.port = await freePort()
    vendureOrigin = `http://localhost:${env.port}`
    of = await harness.startOpenFlex({ trustedUrls: [vendureOrigin] })
    openflex = new OpenFlex({ clientId: of.clientId, clientSecret: of.clientSecret, baseUrl: of.url })
    const config = mergeConfig(testConfig, {
      apiOptions: { port: env.port },
      logger: process.env.LOG ? new DefaultLogger({ level: LogLevel.Info }) : new DefaultLogger({ level: LogLevel.Error }),
      plugins: [OpenFlexPlugin.init({ client: { retryWait: async () => undefined } })],
    })
    ;({ server, adminClient, shopClient } = createTestEnvironment(config))
    await server.init({
      initialData: {
        defaultLanguage: LanguageCode.en,
        defaultZone: "Americas",
        taxRates: [{ name: "HST", percentage: 13 }],
        shippingMethods: [{ name: "Standard Shipping", price: 1500 }],
        paymentMethods: [],
        countries: [{ name: "Canada", code: "CA", zone: "Americas" }],
        collections: [],
      },
      customerCount: 1,
    })
    await adminClient.asSuperAdmin()
    const ch = await adminClient.query(q.updateChannel, { input: { id: "T_1", defaultCurrencyCode: "CAD", availableCurrencyCodes: ["CAD"] } })
    assert.equal(ch.updateChannel.defaultCurrencyCode, "CAD", JSON.stringify(ch))
    const { createProduct } = await adminClient.query(q.createProduct)
    const { createProductVariants } = await adminClient.query(q.createVariants, {
      input: [{ productId: createProduct.id, sku: "SOFA-1", price: 1299_00, stockOnHand: 100, translations: [{ languageCode: "en", name: "Sofa" }] }],
    })
    variantId = createProductVariants[0].id
    await adminClient.query(q.createMethod, {
      input: {
        code: "openflex",
        enabled: true,
        translations: [{ languageCode: "en", name: "Pay over time with OpenFlex" }],
        handler: {
          code: openflexPaymentMethodHandler.code,
          arguments: [
            { name: "baseUrl", value: of.url },
            { name: "clientId", value: of.clientId },
            { name: "clientSecret", value: of.clientSecret },
            { name: "storeId", value: of.storeId },
            { name: "autoCapture", value: "false" },
          ],
        },
      },
    })
  })

  after(async () => {
    await server?.destroy()
    await of?.stop()
  })

  let customerEmail = ""
  async function shopper(): Promise<void> {
    if (!customerEmail) {
      const { customers } = await adminClient.query(gql`query { customers(options: { take: 1 }) { items { emailAddress } } }`)
      customerEmail = customers.items[0].emailAddress
    }
    await shopClient.asUserWithCredentials(customerEmail, "test")
  }

  /** An order of one sofa (1,299.00 + 15.00 shipping + 13 % HST on the sofa), ready to pay. */
  async function cart(): Promise<OrderView> {
    await shopper()
    const { addItemToOrder } = await shopClient.query(q.addItem, { id: variantId })
    assert.ok(addItemToOrder.code, JSON.stringify(addItemToOrder))
    await shopClient.query(q.address)
    const { eligibleShippingMethods } = await shopClient.query(q.shippingMethods)
    const { setOrderShippingMethod } = await shopClient.query(q.setShipping, { id: [eligibleShippingMethods[0].id] })
    return setOrderShippingMethod
  }

  async function checkout(): Promise<{ id: string; url: string; amount: number }> {
    const { createOpenFlexCheckout } = await shopClient.query(q.createCheckout, {
      input: { successUrl: `${vendureOrigin}/checkout/thanks`, cancelUrl: `${vendureOrigin}/checkout/cart` },
    })
    return createOpenFlexCheckout
  }

  async function pay(): Promise<{ checkoutId: string; order: OrderView }> {
    await cart()
    const c = await checkout()
    const back = new URL(await harness.completeHostedCheckout(c.url, of.url, `${of.plan.id}:${of.plan.terms[0].months}`), c.url)
    assert.equal(back.origin + back.pathname, `${vendureOrigin}/checkout/thanks`)
    const checkoutId = back.searchParams.get("checkout_id")!
    assert.equal(checkoutId, c.id)
    const { settleOpenFlexCheckout } = await shopClient.query(q.settleCheckout, { id: checkoutId })
    return { checkoutId, order: settleOpenFlexCheckout }
  }

  /** The payment method's arguments as Vendure stores them (ConfigArgs). */
  function methodArgs(autoCapture: string, webhookSecret?: string): any {
    const a = [
      { name: "baseUrl", value: of.url },
      { name: "clientId", value: of.clientId },
      { name: "clientSecret", value: of.clientSecret },
      { name: "storeId", value: of.storeId },
      { name: "autoCapture", value: autoCapture },
    ]
    return webhookSecret ? [...a, { name: "webhookSecret", value: webhookSecret }] : a
  }

  async function adminOrder(id: string): Promise<OrderView> {
    return (await adminClient.query(q.order, { id })).order
  }

  async function authorization(id: string) {
    return openflex.get("/v1/authorizations/{id}", { path: { id } })
  }

  test("the product page's 'as low as' promotion", async () => {
    const { openflexPromotion: p } = await shopClient.query(q.promotion, { variant: variantId })
    assert.equal(p.available, true)
    assert.equal(p.amount, 1467_87, "the variant's price with 13 % HST")
    assert.equal(p.currencyCode, "CAD")
    assert.equal(p.termMonths, 12)
    // Twelve equal payments at 0 %: the cents left over go on the last one.
    assert.ok(Math.abs(p.monthlyPayment * 12 - p.amount) < 12, `monthly ${p.monthlyPayment} for ${p.amount}`)
    const byAmount = (await shopClient.query(q.promotion, { amount: 500_00 })).openflexPromotion
    assert.equal(byAmount.amount, 500_00)
    await assert.rejects(shopClient.query(q.promotion, {}), /positive amount/)
  })

  test("authorize on return, capture on fulfilment, refund in part then in full", async () => {
    const { checkoutId, order } = await pay()
    assert.equal(order.state, "PaymentAuthorized")
    assert.equal(order.payments.length, 1)
    const payment = order.payments[0]
    assert.equal(payment.state, "Authorized")
    assert.equal(payment.amount, order.totalWithTax)
    assert.match(payment.transactionId, /^auth_/)
    let a = await authorization(payment.transactionId)
    assert.equal(a.status, "pending")
    assert.equal(a.amount, order.totalWithTax)
    assert.equal(a.reference, order.code)

    // The shopper's page reloads: the same checkout again changes nothing.
    const again = await shopClient.query(q.settleCheckout, { id: checkoutId }).catch((e: Error) => e)
    const view = await adminOrder(order.id)
    assert.equal(view.payments.length, 1, `a second settle made another payment (${again})`)

    // Fulfilling the order captures the authorization; then it ships.
    const lines = view.lines!.map((l) => ({ orderLineId: l.id, quantity: l.quantity }))
    const { addFulfillmentToOrder: f } = await adminClient.query(q.fulfil, {
      input: { lines, handler: { code: "manual-fulfillment", arguments: [{ name: "method", value: "Courier" }, { name: "trackingCode", value: "TRK-1" }] } },
    })
    assert.ok(f.id, JSON.stringify(f))
    const fulfilled = await adminOrder(order.id)
    assert.equal(fulfilled.payments[0].state, "Settled")
    assert.equal(fulfilled.state, "PaymentSettled")
    const { transitionFulfillmentToState: shipped } = await adminClient.query(q.ship, { id: f.id })
    assert.equal(shipped.state, "Shipped", JSON.stringify(shipped))
    const afterShip = await adminOrder(order.id)
    assert.equal(afterShip.payments[0].state, "Settled")
    assert.equal(afterShip.state, "Shipped")
    a = await authorization(payment.transactionId)
    assert.equal(a.status, "captured")
    assert.equal(a.captured_amount, order.totalWithTax)

    // A partial refund is an OpenFlex return of that amount.
    const { refundOrder: r1 } = await adminClient.query(q.refund, {
      input: { lines: [], shipping: 0, adjustment: 0, amount: 300_00, paymentId: payment.id, reason: "scratched leg" },
    })
    assert.equal(r1.state, "Settled", JSON.stringify(r1))
    assert.match(r1.transactionId, /^ret_/)
    a = await authorization(payment.transactionId)
    assert.equal(a.returned_amount, 300_00)

    // The rest, in full.
    const rest = order.totalWithTax - 300_00
    const { refundOrder: r2 } = await adminClient.query(q.refund, {
      input: { lines: [], shipping: 0, adjustment: 0, amount: rest, paymentId: payment.id, reason: "returned" },
    })
    assert.equal(r2.state, "Settled", JSON.stringify(r2))
    a = await authorization(payment.transactionId)
    assert.equal(a.returned_amount, order.totalWithTax)
    assert.equal(a.captures[0].remaining_amount, 0)
  })

  test("Vendure's retries never move money twice", async () => {
    const { order } = await pay()
    const ctxService = server.app.get(RequestContextService)
    const connection = server.app.get(TransactionalConnection)
    const ctx = await ctxService.create({ apiType: "admin" })
    const args = methodArgs("false")
    const fullOrder = (await connection.getRepository(ctx, Order).findOne({ where: { id: order.id.replace("T_", "") as any } }))!
    const payment = (await connection.getRepository(ctx, Payment).findOne({ where: { id: order.payments[0].id.replace("T_", "") as any }, relations: ["refunds"] }))!

    // settle twice (a retried job, an admin's second click): one capture.
    const s1 = await openflexPaymentMethodHandler.settlePayment(ctx, fullOrder, payment, args, undefined as any)
    const s2 = await openflexPaymentMethodHandler.settlePayment(ctx, fullOrder, payment, args, undefined as any)
    assert.equal(s1.success, true, JSON.stringify(s1))
    assert.equal(s2.success, true, JSON.stringify(s2))
    let a = await authorization(payment.transactionId)
    assert.equal(a.captures.length, 1)
    assert.equal(a.captured_amount, order.totalWithTax)

    // The same refund retried (Vendure retries a failed refund with the same
    // payment and amount, nothing refunded in between): one return.
    const input = { lines: [], shipping: 0, adjustment: 0, amount: 100_00, paymentId: payment.id } as any
    const f1: any = await openflexPaymentMethodHandler.createRefund(ctx, input, 100_00, fullOrder, payment, args, undefined as any)
    const f2: any = await openflexPaymentMethodHandler.createRefund(ctx, input, 100_00, fullOrder, payment, args, undefined as any)
    assert.equal(f1.state, "Settled", JSON.stringify(f1))
    assert.equal(f2.transactionId, f1.transactionId)
    a = await authorization(payment.transactionId)
    assert.equal(a.returned_amount, 100_00)
  })

  test("cancel releases the hold, and a retried cancel succeeds", async () => {
    const { order } = await pay()
    const payment = order.payments[0]
    const { cancelPayment } = await adminClient.query(q.cancelPayment, { id: payment.id })
    assert.equal(cancelPayment.state, "Cancelled", JSON.stringify(cancelPayment))
    const a = await authorization(payment.transactionId)
    assert.equal(a.status, "released")
    assert.equal(a.released_amount, order.totalWithTax)

    const ctx = await server.app.get(RequestContextService).create({ apiType: "admin" })
    const args = methodArgs("false")
    const retried = await openflexPaymentMethodHandler.cancelPayment!(ctx, { code: order.code } as any, { id: payment.id, transactionId: payment.transactionId, metadata: {} } as any, args, undefined as any)
    assert.equal(retried?.success, true, JSON.stringify(retried))
  })

  test("a refund of a never-captured payment fails clearly", async () => {
    const { order } = await pay()
    const payment = order.payments[0]
    // Vendure refuses to refund an order whose payment is only authorized…
    const { refundOrder } = await adminClient.query(q.refund, { input: { lines: [], shipping: 0, adjustment: 0, amount: 10_00, paymentId: payment.id } })
    assert.equal(refundOrder.errorCode, "REFUND_ORDER_STATE_ERROR", JSON.stringify(refundOrder))
    // …and the handler, asked anyway, says what to do instead.
    const ctx = await server.app.get(RequestContextService).create({ apiType: "admin" })
    const r: any = await openflexPaymentMethodHandler.createRefund(ctx, { paymentId: payment.id } as any, 10_00, { code: order.code } as any,
      { id: payment.id, transactionId: payment.transactionId, refunds: [] } as any, methodArgs("false"), undefined as any)
    assert.equal(r.state, "Failed", JSON.stringify(r))
    assert.match(r.metadata.errorMessage, /was never captured: cancel the payment/)
    assert.equal((await authorization(payment.transactionId)).returned_amount, 0)
    await adminClient.query(q.cancelPayment, { id: payment.id })
  })

  test("capture at checkout: the payment is Settled at once", async () => {
    const { paymentMethods } = await adminClient.query(gql`query { paymentMethods { items { id code } } }`)
    const id = paymentMethods.items.find((m: any) => m.code === "openflex").id
    const setCapture = (v: string) => adminClient.query(q.updateMethod, { input: { id, handler: { code: "openflex", arguments: methodArgs(v) } } })
    await setCapture("true")
    try {
      const { order } = await pay()
      assert.equal(order.state, "PaymentSettled")
      assert.equal(order.payments[0].state, "Settled")
      const a = await authorization(order.payments[0].transactionId)
      assert.equal(a.status, "captured")
    } finally {
      await setCapture("false")
    }
  })

  test("the signed webhook pays the order when the shopper never comes back; a forged one is refused", async () => {
    const endpoint: any = await openflex.post("/v1/webhook_endpoints", { body: { url: `${vendureOrigin}/payments/openflex`, events: ["checkout.completed"] } })
    const { paymentMethods } = await adminClient.query(gql`query { paymentMethods { items { id code } } }`)
    const id = paymentMethods.items.find((m: any) => m.code === "openflex").id
    await adminClient.query(q.updateMethod, { input: { id, handler: { code: "openflex", arguments: methodArgs("false", endpoint.secret) } } })

    const forged = await fetch(`${vendureOrigin}/payments/openflex`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "OpenFlex-Signature": `t=${Math.floor(Date.now() / 1000)},v1=${"0".repeat(64)}` },
      body: JSON.stringify({ id: "evt_x", type: "checkout.completed", data: { object: { id: "chk_x", reference: "X" } } }),
    })
    assert.equal(forged.status, 400)

    const o = await cart()
    const c = await checkout()
    await harness.completeHostedCheckout(c.url, of.url, `${of.plan.id}:${of.plan.terms[0].months}`)
    // No settleOpenFlexCheckout: the shopper closed the tab.
    const paid = await harness.eventually("the webhook to pay the order", async () => {
      const v = await adminOrder(o.id)
      return v.state === "PaymentAuthorized" ? v : undefined
    })
    assert.equal(paid.payments.length, 1)
    assert.equal(paid.payments[0].state, "Authorized")
    // The shopper does come back after all: nothing changes.
    await shopClient.query(q.settleCheckout, { id: c.id }).catch(() => undefined)
    assert.equal((await adminOrder(o.id)).payments.length, 1)
  })

  test("failures are clear payment errors", async () => {
    await cart()
    const c = await checkout()
    // Not completed: declined with the reason.
    const { addPaymentToOrder: declined } = await shopClient.query(q.addPayment, { input: { method: "openflex", metadata: { checkoutId: c.id } } })
    assert.equal(declined.errorCode, "PAYMENT_DECLINED_ERROR", JSON.stringify(declined))
    assert.match(declined.paymentErrorMessage, /is open: the shopper has not completed it/)
    // Without a checkout id.
    const { addPaymentToOrder: missing } = await shopClient.query(q.addPayment, { input: { method: "openflex", metadata: {} } })
    assert.match(missing.paymentErrorMessage, /metadata\.checkoutId is missing/)
    // A cancelled checkout cannot pay.
    await harness.cancelHostedCheckout(c.url, of.url)
    await assert.rejects(shopClient.query(q.settleCheckout, { id: c.id }), /is cancelled/)
    // A Trust URL the key set does not have.
    await assert.rejects(
      shopClient.query(q.createCheckout, { input: { successUrl: "https://elsewhere.example/thanks", cancelUrl: "https://elsewhere.example/cart" } }),
      /url_not_trusted/,
    )
  })
})
