/**
 * The Payment Module with the OpenFlex provider, against a real OpenFlex
 * server (this repository's binary) and a fresh TRAINING merchant. Needs
 * PostgreSQL (DB_HOST=localhost, DB_PORT, DB_USERNAME): scripts/test-medusa.
 */
import { dirname, join } from "node:path"
import { moduleIntegrationTestRunner, TestDatabaseUtils } from "@medusajs/test-utils"
import { Modules } from "@medusajs/framework/utils"
import type { IPaymentModuleService } from "@medusajs/framework/types"
import {
  completeHostedCheckout,
  cancelHostedCheckout,
  OpenFlexServer,
  Storefront,
} from "../../../../integration-tests/openflex"
import OpenFlexProviderService from "../service"
import { signPayload } from "../lib/signature"

jest.setTimeout(120_000)

const PROVIDER_ID = "pp_openflex_openflex"
const DB_NAME = "medusa-payment-openflex-integration"

const openflex = new OpenFlexServer()
const storefront = new Storefront()
const WEBHOOK_SECRET = "whsec_module_test_secret"

// The runner copies moduleOptions when this file loads, but keeps the
// provider entries by reference: they are filled in once OpenFlex runs.
const providerOptions: Record<string, unknown> = {}

beforeAll(async () => {
  await storefront.start()
  await openflex.start({ trustedUrls: [storefront.origin] })
  Object.assign(providerOptions, {
    baseUrl: openflex.url,
    clientId: openflex.clientId,
    clientSecret: openflex.clientSecret,
    storeId: openflex.storeId,
    webhookSecret: WEBHOOK_SECRET,
    successUrl: `${storefront.origin}/checkout/success`,
    cancelUrl: `${storefront.origin}/checkout/cancel`,
  })
  await TestDatabaseUtils.dbTestUtilFactory().create(DB_NAME)
})

afterAll(async () => {
  await openflex.stop()
  await storefront.stop()
})

/** The provider itself, outside the module, for calls the module does not expose. */
function provider(extra: Record<string, unknown> = {}) {
  return new OpenFlexProviderService({ logger: silentLogger } as any, { ...(providerOptions as any), ...extra })
}

const warnings: string[] = []
const silentLogger = {
  info: () => undefined,
  warn: (m: string) => void warnings.push(m),
  error: (m: string) => void warnings.push(m),
}

moduleIntegrationTestRunner<IPaymentModuleService>({
  moduleName: Modules.PAYMENT,
  dbName: DB_NAME,
  resolve: dirname(require.resolve("@medusajs/payment/package.json")),
  moduleOptions: {
    providers: [{ resolve: join(__dirname, ".."), id: "openflex", options: providerOptions }],
  },
  testSuite: ({ service }) => {
    async function session(amount: number | string = 120, data: Record<string, unknown> = {}) {
      const collection = await service.createPaymentCollections({ currency_code: "cad", amount })
      const s = await service.createPaymentSession(collection.id, {
        provider_id: PROVIDER_ID,
        amount,
        currency_code: "cad",
        data,
      })
      return { collection, session: s }
    }

    async function authorized(amount: number | string = 120) {
      const { session: s } = await session(amount)
      await completeHostedCheckout(s.data!.url as string, openflex)
      const payment = await service.authorizePaymentSession(s.id, {})
      if (!payment) {
        throw new Error("no payment after the checkout was completed")
      }
      return { session: s, payment }
    }

    it("is registered under pp_openflex_openflex", async () => {
      const providers = await service.listPaymentProviders()
      expect(providers.map((p) => p.id)).toContain(PROVIDER_ID)
    })

    it("opens a hosted checkout for the exact amount, with the session as reference", async () => {
      const { session: s } = await session("1299.99", { language: "fr-CA" })
      expect(s.status).toBe("pending")
      expect(s.data).toMatchObject({
        checkout_id: expect.stringMatching(/^chk_/),
        url: expect.stringContaining(`${openflex.url}/checkout/`),
        amount: 129999,
        currency: "CAD",
        session_id: s.id,
        checkout_status: "open",
        language: "fr",
      })
      const c = await openflex.api("GET", `/v1/checkouts/${s.data!.checkout_id}`)
      expect(c).toMatchObject({
        status: "open",
        amount: 129999,
        currency: "CAD",
        reference: s.id,
        store_id: openflex.storeId,
        auto_capture: false,
        language: "fr",
        success_url: `${storefront.origin}/checkout/success`,
        cancel_url: `${storefront.origin}/checkout/cancel`,
      })
    })

    it("is not authorized before the shopper confirms, then authorized", async () => {
      const { session: s } = await session(120)
      await expect(service.authorizePaymentSession(s.id, {})).rejects.toThrow(/was not authorized/)
      const where = await completeHostedCheckout(s.data!.url as string, openflex)
      expect(where).toBe(`${storefront.origin}/checkout/success?checkout_id=${s.data!.checkout_id}`)
      const payment = (await service.authorizePaymentSession(s.id, {}))!
      expect(payment.data).toMatchObject({ authorization_id: expect.stringMatching(/^auth_/), authorization_status: "pending" })
      const auth = await openflex.api("GET", `/v1/authorizations/${payment.data!.authorization_id}`)
      expect(auth).toMatchObject({ status: "pending", amount: 12000, reference: s.id })
    })

    it("captures, then refunds partially twice", async () => {
      const { payment } = await authorized("150.00")
      const authId = payment.data!.authorization_id as string
      await service.capturePayment({ payment_id: payment.id })
      let auth = await openflex.api("GET", `/v1/authorizations/${authId}`)
      expect(auth).toMatchObject({ status: "captured", captured_amount: 15000 })
      expect(auth.captures).toHaveLength(1)
      await service.refundPayment({ payment_id: payment.id, amount: 30 })
      await service.refundPayment({ payment_id: payment.id, amount: "20.55" })
      const captureId = auth.captures[0].id
      const returns = await openflex.api("GET", `/v1/returns?capture_id=${captureId}`)
      expect(returns.data.map((r: any) => r.amount).sort()).toEqual([2055, 3000])
      auth = await openflex.api("GET", `/v1/authorizations/${authId}`)
      expect(auth.returned_amount).toBe(5055)
      const p = await service.retrievePayment(payment.id, { relations: ["refunds", "captures"] })
      expect(p.refunds!.map((r) => Number(r.amount)).sort()).toEqual([20.55, 30])
      expect(p.data).toMatchObject({ returned_amount: 5055, return_ids: expect.arrayContaining([expect.stringMatching(/^ret_/)]) })
    })

    it("refuses a refund above what was captured", async () => {
      const { payment } = await authorized(40)
      await service.capturePayment({ payment_id: payment.id })
      const current = await service.retrievePayment(payment.id)
      await expect(
        provider().refundPayment({ amount: 40.01, data: current.data!, context: { idempotency_key: "ref_test_over" } })
      ).rejects.toThrow(/40.01 CAD is more than what can still be returned \(40.00 CAD\)/)
    })

    it("rounds totals kept to full precision (taxes) to the cent, half up, like Medusa", async () => {
      // 19.99 + 13 % HST = 22.5887: the checkout is for $22.59
      const { session: s, payment } = await authorized("22.5887")
      expect(s.data!.amount).toBe(2259)
      await service.capturePayment({ payment_id: payment.id })
      const auth = await openflex.api("GET", `/v1/authorizations/${payment.data!.authorization_id}`)
      expect(auth).toMatchObject({ amount: 2259, captured_amount: 2259 })
      // Medusa refunds what it captured, to full precision: all of it goes back
      await service.refundPayment({ payment_id: payment.id, amount: "22.5887" })
      const after = await openflex.api("GET", `/v1/captures/${auth.captures[0].id}`)
      expect(after).toMatchObject({ returned_amount: 2259, remaining_amount: 0 })
    })

    it("never returns more than was captured when half cents add up", async () => {
      const { payment } = await authorized("10.004") // $10.00 at OpenFlex
      await service.capturePayment({ payment_id: payment.id })
      await service.refundPayment({ payment_id: payment.id, amount: "5.005" }) // $5.01
      await service.refundPayment({ payment_id: payment.id, amount: "4.999" }) // $5.00, but only $4.99 is left
      const auth = await openflex.api("GET", `/v1/authorizations/${payment.data!.authorization_id}`)
      expect(auth).toMatchObject({ captured_amount: 1000, returned_amount: 1000 })
    })

    it("replays Medusa's retries: the same idempotency key never captures or returns twice", async () => {
      const { payment } = await authorized(80)
      const direct = provider()
      const c1 = await direct.capturePayment({ data: payment.data!, context: { idempotency_key: "capt_retry_1" } })
      const c2 = await direct.capturePayment({ data: payment.data!, context: { idempotency_key: "capt_retry_1" } })
      expect(c2.data!.capture_ids).toEqual(c1.data!.capture_ids)
      const r1 = await direct.refundPayment({ amount: 25, data: c1.data!, context: { idempotency_key: "ref_retry_1" } })
      const r2 = await direct.refundPayment({ amount: 25, data: c1.data!, context: { idempotency_key: "ref_retry_1" } })
      expect(r2.data!.return_ids).toEqual(r1.data!.return_ids)
      const auth = await openflex.api("GET", `/v1/authorizations/${payment.data!.authorization_id}`)
      expect(auth.captures).toHaveLength(1)
      expect(auth.captured_amount).toBe(8000)
      expect(auth.returned_amount).toBe(2500)
      // A new key is a new refund.
      await direct.refundPayment({ amount: 25, data: c1.data!, context: { idempotency_key: "ref_retry_2" } })
      const after = await openflex.api("GET", `/v1/authorizations/${payment.data!.authorization_id}`)
      expect(after.returned_amount).toBe(5000)
    })

    it("cancels by releasing the authorization", async () => {
      const { payment } = await authorized(60)
      await service.cancelPayment(payment.id)
      const auth = await openflex.api("GET", `/v1/authorizations/${payment.data!.authorization_id}`)
      expect(auth).toMatchObject({ status: "released", released_amount: 6000 })
      // a second cancel is harmless
      await expect(provider().cancelPayment({ data: payment.data!, context: { idempotency_key: "pay_again" } })).resolves.toBeDefined()
    })

    it("releases the hold when a completed but unused session is deleted", async () => {
      const { session: s } = await session(70)
      await completeHostedCheckout(s.data!.url as string, openflex)
      const c = await openflex.api("GET", `/v1/checkouts/${s.data!.checkout_id}`)
      await service.deletePaymentSession(s.id)
      const auth = await openflex.api("GET", `/v1/authorizations/${c.authorization_id}`)
      expect(auth.status).toBe("released")
    })

    it("reports a cancelled checkout as canceled", async () => {
      const { session: s } = await session(90)
      const where = await cancelHostedCheckout(s.data!.url as string, openflex)
      expect(where).toContain("/checkout/cancel?checkout_id=")
      const status = await provider().getPaymentStatus({ data: s.data! })
      expect(status.status).toBe("canceled")
      await expect(service.authorizePaymentSession(s.id, {})).rejects.toThrow(/was not authorized/)
    })

    it("follows a changed cart total with a new checkout, releasing the old hold", async () => {
      const direct = provider()
      const init = await direct.initiatePayment({
        amount: 100,
        currency_code: "cad",
        data: { session_id: "payses_update_test", success_url: `${storefront.origin}/ok`, cancel_url: `${storefront.origin}/no` },
        context: { idempotency_key: "payses_update_test" },
      })
      const same = await direct.updatePayment({ amount: "100.00", currency_code: "cad", data: init.data! })
      expect(same.data!.checkout_id).toBe(init.data!.checkout_id)
      await completeHostedCheckout(init.data!.url as string, openflex)
      const authorized = await direct.authorizePayment({ data: init.data! })
      expect(authorized.status).toBe("authorized")
      const changed = await direct.updatePayment({ amount: 125, currency_code: "cad", data: authorized.data! })
      expect(changed.status).toBe("pending")
      expect(changed.data).toMatchObject({ amount: 12500, checkout_status: "open", success_url: `${storefront.origin}/ok` })
      expect(changed.data!.checkout_id).not.toBe(init.data!.checkout_id)
      expect(changed.data!.authorization_id).toBeUndefined()
      const old = await openflex.api("GET", `/v1/authorizations/${authorized.data!.authorization_id}`)
      expect(old.status).toBe("released")
      const c = await openflex.api("GET", `/v1/checkouts/${changed.data!.checkout_id}`)
      expect(c).toMatchObject({ amount: 12500, reference: "payses_update_test", status: "open" })
    })

    it("captures at once with autoCapture", async () => {
      const direct = provider({ autoCapture: true })
      const init = await direct.initiatePayment({
        amount: 55,
        currency_code: "cad",
        data: { session_id: "payses_autocapture_test" },
        context: { idempotency_key: "payses_autocapture_test" },
      })
      await completeHostedCheckout(init.data!.url as string, openflex)
      const r = await direct.authorizePayment({ data: init.data! })
      expect(r.status).toBe("captured")
      expect(r.data).toMatchObject({ authorization_status: "captured", captured_amount: 5500 })
    })

    it("surfaces OpenFlex errors with their code and request id", async () => {
      const collection = await service.createPaymentCollections({ currency_code: "cad", amount: 10 })
      await expect(
        service.createPaymentSession(collection.id, {
          provider_id: PROVIDER_ID,
          amount: 10,
          currency_code: "cad",
          data: { success_url: "https://not-trusted.example/ok", cancel_url: "https://not-trusted.example/no" },
        })
      ).rejects.toThrow(/OpenFlex url_not_trusted \[success_url\].*HTTP 400, request req_/)
    })

    it("refuses other currencies and amounts below a cent", async () => {
      const usd = await service.createPaymentCollections({ currency_code: "usd", amount: 10 })
      await expect(
        service.createPaymentSession(usd.id, { provider_id: PROVIDER_ID, amount: 10, currency_code: "usd", data: {} })
      ).rejects.toThrow(/CAD only/)
      const cad = await service.createPaymentCollections({ currency_code: "cad", amount: "0.004" })
      await expect(
        service.createPaymentSession(cad.id, { provider_id: PROVIDER_ID, amount: "0.004", currency_code: "cad", data: {} })
      ).rejects.toThrow(/greater than zero/)
    })

    it("maps signed webhooks and ignores forged ones", async () => {
      const { session: s } = await session(33)
      await completeHostedCheckout(s.data!.url as string, openflex)
      const events = await openflex.api("GET", "/v1/events?type=checkout.completed&limit=100")
      const ev = events.data.find((e: any) => e.data.object.id === s.data!.checkout_id)
      expect(ev).toBeDefined()
      const body = Buffer.from(JSON.stringify(ev))
      const now = Math.floor(Date.now() / 1000)
      const good = await service.getWebhookActionAndData({
        provider: "openflex_openflex",
        payload: { data: ev, rawData: body, headers: { "openflex-signature": signPayload(body, [WEBHOOK_SECRET], now) } },
      })
      expect(good.action).toBe("authorized")
      expect(good.data!.session_id).toBe(s.id)
      expect(Number(good.data!.amount)).toBe(33)

      for (const header of [signPayload(body, ["whsec_wrong"], now), signPayload(body, [WEBHOOK_SECRET], now - 600), "", "t=1,v1=00"]) {
        const bad = await service.getWebhookActionAndData({
          provider: "openflex_openflex",
          payload: { data: ev, rawData: body, headers: { "openflex-signature": header } },
        })
        expect(bad).toEqual({ action: "not_supported" })
      }
      // the body must be the one signed, byte for byte
      const tampered = Buffer.from(body.toString().replace('"amount":3300', '"amount":3'))
      const bad = await service.getWebhookActionAndData({
        provider: "openflex_openflex",
        payload: { data: {}, rawData: tampered, headers: { "openflex-signature": signPayload(body, [WEBHOOK_SECRET], now) } },
      })
      expect(bad.action).toBe("not_supported")
    })
  },
})
