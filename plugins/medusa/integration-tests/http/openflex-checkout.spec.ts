/**
 * A whole Medusa application (medusa-config.ts of this folder) with the
 * OpenFlex provider, over HTTP, against a real OpenFlex server: the
 * storefront's cart -> payment session -> hosted checkout (completed here
 * with the checkout page's own form posts) -> cart completion -> order ->
 * admin capture -> partial refunds; order cancel; webhooks signed by
 * OpenFlex itself, and a forged one. Needs PostgreSQL: scripts/test-medusa.
 */
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { Modules } from "@medusajs/framework/utils"
import type { AxiosInstance } from "axios"
import {
  completeHostedCheckout,
  eventually,
  freePort,
  OpenFlexServer,
  Storefront,
} from "../openflex"
import { signPayload } from "../../src/providers/openflex/lib/signature"

jest.setTimeout(240_000)

const PROVIDER_ID = "pp_openflex_openflex"
const WEBHOOK_PATH = "/hooks/payment/openflex_openflex"

const openflex = new OpenFlexServer()
const storefront = new Storefront()
let medusaPort = 0
let webhookSecret = ""

// Runs before the Medusa runner's own beforeAll: the app reads OpenFlex's
// address and keys from the environment when it boots.
beforeAll(async () => {
  await storefront.start()
  medusaPort = await freePort()
  process.env.PORT = String(medusaPort)
  await openflex.start({ trustedUrls: [storefront.origin] })
  const endpoint = await openflex.api(
    "POST",
    "/v1/webhook_endpoints",
    {
      url: `${storefront.origin}/webhooks/openflex`,
      events: ["checkout.completed", "checkout.cancelled", "authorization.captured"],
    },
    "medusa-test-webhook-endpoint"
  )
  webhookSecret = endpoint.secret
  Object.assign(process.env, {
    OPENFLEX_BASE_URL: openflex.url,
    OPENFLEX_CLIENT_ID: openflex.clientId,
    OPENFLEX_CLIENT_SECRET: openflex.clientSecret,
    OPENFLEX_STORE_ID: openflex.storeId,
    OPENFLEX_WEBHOOK_SECRET: webhookSecret,
  })
})

afterAll(async () => {
  storefront.forwardTo = undefined
  await openflex.stop()
  await storefront.stop()
})

interface Shop {
  admin: { headers: Record<string, string> }
  store: { headers: Record<string, string> }
  regionId: string
  variantId: string
}

async function setUpShop(api: AxiosInstance, container: any): Promise<Shop> {
  // An admin user, the way `medusa user` makes one.
  const email = "admin@openflex.test"
  const password = "supersecret"
  const userModule = container.resolve(Modules.USER)
  const authModule = container.resolve(Modules.AUTH)
  const user = await userModule.createUsers({ email })
  const { authIdentity } = await authModule.register("emailpass", { body: { email, password } })
  await authModule.updateAuthIdentities({ id: authIdentity.id, app_metadata: { user_id: user.id } })
  const { data: login } = await api.post("/auth/user/emailpass", { email, password })
  const admin = { headers: { Authorization: `Bearer ${login.token}` } }

  const { data: sc } = await api.post("/admin/sales-channels", { name: "Web" }, admin)
  const salesChannelId = sc.sales_channel.id
  const { data: key } = await api.post("/admin/api-keys", { title: "storefront", type: "publishable" }, admin)
  await api.post(`/admin/api-keys/${key.api_key.id}/sales-channels`, { add: [salesChannelId] }, admin)
  const store = { headers: { "x-publishable-api-key": key.api_key.token } }

  const { data: region } = await api.post(
    "/admin/regions",
    { name: "Canada", currency_code: "cad", countries: ["ca"], payment_providers: [PROVIDER_ID] },
    admin
  )

  // Ontario: 13 % HST on everything, so totals carry fractions of a cent.
  await api.post(
    "/admin/tax-regions",
    { country_code: "ca", provider_id: "tp_system", default_tax_rate: { name: "HST", rate: 13, code: "HST" } },
    admin
  )

  const { data: loc } = await api.post("/admin/stock-locations", { name: "Toronto warehouse" }, admin)
  const locationId = loc.stock_location.id
  await api.post(`/admin/stock-locations/${locationId}/sales-channels`, { add: [salesChannelId] }, admin)
  await api.post(`/admin/stock-locations/${locationId}/fulfillment-providers`, { add: ["manual_manual"] }, admin)
  const { data: withSet } = await api.post(
    `/admin/stock-locations/${locationId}/fulfillment-sets?fields=*fulfillment_sets`,
    { name: "Shipping", type: "shipping" },
    admin
  )
  const setId = withSet.stock_location.fulfillment_sets[0].id
  const { data: zoned } = await api.post(
    `/admin/fulfillment-sets/${setId}/service-zones?fields=*service_zones`,
    { name: "Canada", geo_zones: [{ type: "country", country_code: "ca" }] },
    admin
  )
  const zoneId = zoned.fulfillment_set.service_zones[0].id
  let { data: profiles } = await api.get("/admin/shipping-profiles", admin)
  let profileId = profiles.shipping_profiles[0]?.id
  if (!profileId) {
    const { data: p } = await api.post("/admin/shipping-profiles", { name: "Default", type: "default" }, admin)
    profileId = p.shipping_profile.id
  }
  await api.post(
    "/admin/shipping-options",
    {
      name: "Standard",
      service_zone_id: zoneId,
      shipping_profile_id: profileId,
      provider_id: "manual_manual",
      price_type: "flat",
      type: { label: "Standard", description: "3-5 days", code: "standard" },
      prices: [{ currency_code: "cad", amount: 10 }],
    },
    admin
  )
  const { data: product } = await api.post(
    "/admin/products",
    {
      title: "Maple sofa",
      status: "published",
      shipping_profile_id: profileId,
      sales_channels: [{ id: salesChannelId }],
      options: [{ title: "Colour", values: ["Red"] }],
      variants: [
        { title: "Red", manage_inventory: false, options: { Colour: "Red" }, prices: [{ currency_code: "cad", amount: 1199.99 }] },
      ],
    },
    admin
  )
  return { admin, store, regionId: region.region.id, variantId: product.product.variants[0].id }
}

const address = {
  first_name: "Zoë",
  last_name: "Tremblay",
  address_1: "1 King St W",
  city: "Toronto",
  province: "ON",
  postal_code: "M5H 1A1",
  country_code: "ca",
  phone: "416-555-0199",
}

/** A cart with the sofa and shipping, and an OpenFlex payment session. */
async function cartWithSession(api: AxiosInstance, shop: Shop) {
  const { data: c } = await api.post(
    "/store/carts",
    { region_id: shop.regionId, email: "zoe@example.com", items: [{ variant_id: shop.variantId, quantity: 1 }] },
    shop.store
  )
  const cartId = c.cart.id
  await api.post(`/store/carts/${cartId}`, { shipping_address: address, billing_address: address }, shop.store)
  const { data: opts } = await api.get(`/store/shipping-options?cart_id=${cartId}`, shop.store)
  await api.post(`/store/carts/${cartId}/shipping-methods`, { option_id: opts.shipping_options[0].id }, shop.store)
  const { data: pc } = await api.post("/store/payment-collections", { cart_id: cartId }, shop.store)
  const { data: withSession } = await api.post(
    `/store/payment-collections/${pc.payment_collection.id}/payment-sessions`,
    {
      provider_id: PROVIDER_ID,
      data: { success_url: `${storefront.origin}/checkout/openflex/return`, cancel_url: `${storefront.origin}/cart` },
    },
    shop.store
  )
  const session = withSession.payment_collection.payment_sessions.find((s: any) => s.provider_id === PROVIDER_ID)
  return { cartId, session }
}

async function orderOf(api: AxiosInstance, shop: Shop, orderId: string) {
  const { data } = await api.get(
    `/admin/orders/${orderId}?fields=id,status,total,*payment_collections,*payment_collections.payments,*payment_collections.payments.captures,*payment_collections.payments.refunds`,
    shop.admin
  )
  return data.order
}

medusaIntegrationTestRunner({
  inApp: true,
  testSuite: ({ api, getContainer }) => {
    let shop: Shop
    beforeEach(async () => {
      storefront.forwardTo = undefined
      shop = await setUpShop(api, getContainer())
    })

    it("lists OpenFlex as the region's payment provider", async () => {
      const { data } = await api.get(`/store/payment-providers?region_id=${shop.regionId}`, shop.store)
      expect(data.payment_providers.map((p: any) => p.id)).toEqual([PROVIDER_ID])
    })

    it("cart -> hosted checkout -> order -> capture -> two partial refunds", async () => {
      const { cartId, session } = await cartWithSession(api, shop)
      // (1,199.99 + 10.00 shipping) + 13 % HST = 1,367.2887, which Medusa
      // keeps to full precision: the checkout is for $1,367.29.
      const { data: totals } = await api.get(`/store/carts/${cartId}?fields=total,tax_total`, shop.store)
      expect(Number(totals.cart.total)).toBeCloseTo(1367.2887, 6)
      expect(session.data).toMatchObject({ amount: 136729, currency: "CAD", checkout_status: "open", session_id: session.id })
      expect(session.data.url).toMatch(new RegExp(`^${openflex.url}/checkout/`))
      const checkout = await openflex.api("GET", `/v1/checkouts/${session.data.checkout_id}`)
      expect(checkout).toMatchObject({ amount: 136729, reference: session.id, status: "open", store_id: openflex.storeId })

      // Completing before the shopper confirmed does not make an order.
      const early = await api.post(`/store/carts/${cartId}/complete`, {}, shop.store).catch((e: any) => e.response)
      expect(early.data.type).not.toBe("order")

      const back = await completeHostedCheckout(session.data.url, openflex)
      expect(back).toBe(`${storefront.origin}/checkout/openflex/return?checkout_id=${session.data.checkout_id}`)

      const { data: done } = await api.post(`/store/carts/${cartId}/complete`, {}, shop.store)
      expect(done.type).toBe("order")
      let order = await orderOf(api, shop, done.order.id)
      const payment = order.payment_collections[0].payments[0]
      expect(payment.provider_id).toBe(PROVIDER_ID)
      const authId = payment.data.authorization_id
      expect(authId).toMatch(/^auth_/)
      let auth = await openflex.api("GET", `/v1/authorizations/${authId}`)
      expect(auth).toMatchObject({ status: "pending", amount: 136729, reference: session.id, captured_amount: 0 })

      await api.post(`/admin/payments/${payment.id}/capture`, {}, shop.admin)
      auth = await openflex.api("GET", `/v1/authorizations/${authId}`)
      expect(auth).toMatchObject({ status: "captured", captured_amount: 136729, remaining_amount: 0 })
      expect(auth.captures).toHaveLength(1)

      await api.post(`/admin/payments/${payment.id}/refund`, { amount: 100 }, shop.admin)
      await api.post(`/admin/payments/${payment.id}/refund`, { amount: 49.99 }, shop.admin)
      const capture = await openflex.api("GET", `/v1/captures/${auth.captures[0].id}`)
      expect(capture).toMatchObject({ amount: 136729, returned_amount: 14999, remaining_amount: 121730 })
      const returns = await openflex.api("GET", `/v1/returns?capture_id=${capture.id}`)
      expect(returns.data.map((r: any) => r.amount).sort((a: number, b: number) => a - b)).toEqual([4999, 10000])
      const txns = await openflex.api("GET", `/v1/transactions?store_id=${openflex.storeId}&limit=100`)
      const mine = txns.data.filter((t: any) => t.authorization_id === authId).map((t: any) => `${t.type}:${t.amount}`)
      expect(mine.sort()).toEqual(["authorization:136729", "capture:136729", "return:10000", "return:4999"])

      order = await orderOf(api, shop, done.order.id)
      const p = order.payment_collections[0].payments[0]
      expect(p.captures.map((c: any) => Number(c.amount))).toEqual([1367.2887])
      expect(p.refunds.map((r: any) => Number(r.amount)).sort((a: number, b: number) => a - b)).toEqual([49.99, 100])
    })

    it("order cancel releases the authorization", async () => {
      const { cartId, session } = await cartWithSession(api, shop)
      await completeHostedCheckout(session.data.url, openflex)
      const { data: done } = await api.post(`/store/carts/${cartId}/complete`, {}, shop.store)
      expect(done.type).toBe("order")
      const order = await orderOf(api, shop, done.order.id)
      const authId = order.payment_collections[0].payments[0].data.authorization_id
      await api.post(`/admin/orders/${done.order.id}/cancel`, {}, shop.admin)
      const auth = await openflex.api("GET", `/v1/authorizations/${authId}`)
      expect(auth).toMatchObject({ status: "released", released_amount: 136729, captured_amount: 0 })
      const after = await orderOf(api, shop, done.order.id)
      expect(after.status).toBe("canceled")
    })

    it("order cancel after capture returns the whole capture", async () => {
      const { cartId, session } = await cartWithSession(api, shop)
      await completeHostedCheckout(session.data.url, openflex)
      const { data: done } = await api.post(`/store/carts/${cartId}/complete`, {}, shop.store)
      const order = await orderOf(api, shop, done.order.id)
      const payment = order.payment_collections[0].payments[0]
      await api.post(`/admin/payments/${payment.id}/capture`, {}, shop.admin)
      await api.post(`/admin/orders/${done.order.id}/cancel`, {}, shop.admin)
      const auth = await openflex.api("GET", `/v1/authorizations/${payment.data.authorization_id}`)
      // Medusa refunds 1,367.2887 -> $1,367.29, all of the capture
      expect(auth).toMatchObject({ status: "captured", captured_amount: 136729, returned_amount: 136729 })
    })

    it("OpenFlex's signed checkout.completed webhook completes the cart", async () => {
      storefront.forwardTo = `http://localhost:${medusaPort}${WEBHOOK_PATH}`
      const { cartId, session } = await cartWithSession(api, shop)
      await completeHostedCheckout(session.data.url, openflex)
      // OpenFlex delivers within a second or two; Medusa acts after its webhook delay (5 s).
      const orderId = await eventually(
        "the webhook to complete the cart",
        async () => {
          const { data } = await api.get(`/admin/orders?fields=id,*payment_collections,*payment_collections.payment_sessions`, shop.admin)
          const o = data.orders.find((o: any) =>
            o.payment_collections?.some((pc: any) => pc.payment_sessions?.some((s: any) => s.id === session.id))
          )
          return o?.id
        },
        60_000
      )
      expect(storefront.deliveries.some((d) => d.type === "checkout.completed" && d.forwarded && d.status === 200)).toBe(true)
      const { data: cart } = await api.get(`/store/carts/${cartId}`, shop.store).catch((e: any) => e.response)
      expect(cart.cart?.completed_at ?? "gone").toBeTruthy()
      const order = await orderOf(api, shop, orderId)
      expect(order.payment_collections[0].payments[0].data.authorization_id).toMatch(/^auth_/)
    })

    it("a forged webhook is ignored; the same event properly signed completes the cart", async () => {
      const { cartId, session } = await cartWithSession(api, shop)
      await completeHostedCheckout(session.data.url, openflex) // deliveries are dropped: forwardTo unset
      const events = await openflex.api("GET", "/v1/events?type=checkout.completed&limit=100")
      const ev = events.data.find((e: any) => e.data.object.id === session.data.checkout_id)
      expect(ev).toBeDefined()
      const body = JSON.stringify(ev)
      const now = Math.floor(Date.now() / 1000)
      const post = (signature: string) =>
        api.post(WEBHOOK_PATH, body, { headers: { "Content-Type": "application/json", "OpenFlex-Signature": signature } })

      const forged = await post(signPayload(body, ["whsec_not_the_secret"], now))
      expect(forged.status).toBe(200) // Medusa acknowledges every delivery; the provider decides
      await new Promise((r) => setTimeout(r, 8_000)) // past Medusa's 5 s webhook delay
      let { data: cart } = await api.get(`/store/carts/${cartId}`, shop.store)
      expect(cart.cart.completed_at).toBeFalsy()

      await post(signPayload(body, [webhookSecret], now))
      await eventually(
        "the signed webhook to complete the cart",
        async () => {
          const r = await api.get(`/store/carts/${cartId}`, shop.store).catch((e: any) => e.response)
          return r.status !== 200 || !!r.data.cart.completed_at
        },
        60_000
      )
    })
  },
})
