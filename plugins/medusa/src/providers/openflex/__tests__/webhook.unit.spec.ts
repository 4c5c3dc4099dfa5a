import OpenFlexProviderService from "../service"
import { signPayload } from "../lib/signature"
import { toCents } from "../lib/amount"

const SECRET = "whsec_unit"
const logs: string[] = []
const logger = { info: () => undefined, warn: (m: string) => void logs.push(m), error: (m: string) => void logs.push(m) }

function provider(extra: Record<string, unknown> = {}) {
  return new OpenFlexProviderService({ logger } as any, {
    baseUrl: "http://127.0.0.1:1",
    clientId: "ofk_train_x",
    clientSecret: "ofs_train_unitTestSecretUnitTestSecretUnitTestSecret11Ix3vo",
    storeId: "str_1",
    webhookSecret: `${SECRET},whsec_old`,
    ...extra,
  } as any)
}

function event(type: string, object: Record<string, unknown>, environment = "training") {
  return JSON.stringify({ id: "evt_1", object: "event", type, environment, created: "2026-11-25T12:00:00Z", data: { object } })
}

async function deliver(p: OpenFlexProviderService, body: string, header?: string) {
  const raw = Buffer.from(body)
  return p.getWebhookActionAndData({
    data: JSON.parse(body),
    rawData: raw,
    headers: { "openflex-signature": header ?? signPayload(raw, [SECRET], Math.floor(Date.now() / 1000)) },
  })
}

const checkout = { id: "chk_1", object: "checkout", status: "completed", amount: 136729, reference: "payses_1", auto_capture: false }

describe("getWebhookActionAndData", () => {
  it("maps checkout.completed to authorized, with the session and the exact amount", async () => {
    const r = await deliver(provider(), event("checkout.completed", checkout))
    expect(r.action).toBe("authorized")
    expect(r.data!.session_id).toBe("payses_1")
    expect(toCents(r.data!.amount)).toBe(136729) // exactly: no float on the way
  })

  it("maps auto-captured checkouts and full captures to captured", async () => {
    expect((await deliver(provider(), event("checkout.completed", { ...checkout, auto_capture: true }))).action).toBe("captured")
    const auth = { id: "auth_1", status: "captured", amount: 5000, captured_amount: 5000, reference: "payses_2" }
    const r = await deliver(provider(), event("authorization.captured", auth))
    expect(r).toMatchObject({ action: "captured", data: { session_id: "payses_2" } })
    expect(Number(r.data!.amount)).toBe(50)
    expect((await deliver(provider(), event("authorization.captured", { ...auth, status: "partially_captured" }))).action).toBe(
      "not_supported"
    )
  })

  it("maps checkout.cancelled to canceled", async () => {
    const r = await deliver(provider(), event("checkout.cancelled", { ...checkout, status: "cancelled" }))
    expect(r.action).toBe("canceled")
  })

  it("accepts the old secret during a roll", async () => {
    const body = event("checkout.completed", checkout)
    const r = await deliver(provider(), body, signPayload(body, ["whsec_old"], Math.floor(Date.now() / 1000)))
    expect(r.action).toBe("authorized")
  })

  it.each([
    ["an unknown event", event("application.approved", { id: "app_1" }), undefined],
    ["a purchase not made by this provider", event("checkout.completed", { ...checkout, reference: "order-77" }), undefined],
    ["another environment's event", event("checkout.completed", checkout, "production"), undefined],
    ["a forged signature", event("checkout.completed", checkout), "t=1800000000,v1=" + "ab".repeat(32)],
    ["no signature", event("checkout.completed", checkout), ""],
    ["a stale signature", event("checkout.completed", checkout), signPayload(event("checkout.completed", checkout), [SECRET], 1_000_000)],
  ])("ignores %s", async (_what, body, header) => {
    expect(await deliver(provider(), body, header)).toEqual({ action: "not_supported" })
  })

  it("verifies the raw body, not the parsed one", async () => {
    const body = event("checkout.completed", checkout)
    const header = signPayload(body, [SECRET], Math.floor(Date.now() / 1000))
    const reencoded = JSON.stringify(JSON.parse(body), null, 2)
    expect(await deliver(provider(), reencoded, header)).toEqual({ action: "not_supported" })
    // a Buffer that went through Medusa's event bus as JSON
    const p = provider()
    const r = await p.getWebhookActionAndData({
      data: {},
      rawData: JSON.parse(JSON.stringify(Buffer.from(body))),
      headers: { "OpenFlex-Signature": header },
    })
    expect(r.action).toBe("authorized")
  })

  it("ignores everything without a webhook secret", async () => {
    const r = await deliver(provider({ webhookSecret: undefined }), event("checkout.completed", checkout))
    expect(r).toEqual({ action: "not_supported" })
    expect(logs.some((l) => l.includes("no webhookSecret"))).toBe(true)
  })
})
