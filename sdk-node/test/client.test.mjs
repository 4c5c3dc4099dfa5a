// The client against a real OpenFlex server (test/server.mjs): tokens,
// Basic auth, idempotent retries through a fault-injecting proxy, cursor
// iteration and typed errors.
import assert from "node:assert/strict"
import { createRequire } from "node:module"
import { after, before, describe, test } from "node:test"
import {
  AuthenticationError,
  ConnectionError,
  IdempotencyError,
  InvalidRequestError,
  OpenFlex,
  OpenFlexError,
  RateLimitError,
  APIError,
} from "../dist/esm/index.js"
import { applicant, startOpenFlex, startProxy, waits } from "./server.mjs"

let of
before(async () => {
  of = await startOpenFlex({ trustedUrls: ["https://shop.example"] })
})
after(async () => {
  await of?.stop()
})

function client(extra = {}) {
  const w = waits()
  const c = new OpenFlex({ clientId: of.clientId, clientSecret: of.clientSecret, baseUrl: of.url, retryWait: w.wait, ...extra })
  return { c, w }
}

async function approvedAccount(c) {
  const app = await c.post("/v1/applications", {
    body: { store_id: of.storeId, applicant: applicant("A-RR_L"), consent: { credit_check: true, terms_accepted: true } },
  })
  assert.equal(app.status, "approved")
  return app.account
}

const authorize = (c, acct, amount, extra = {}) =>
  c.post("/v1/authorizations", {
    body: { account_number: acct.account_number, amount, currency: "CAD", store_id: of.storeId, channel: "online", reference: "node-sdk" },
    ...extra,
  })

async function available(c, acct) {
  return (await c.get("/v1/accounts/{number}", { path: { number: acct.account_number } })).available_credit
}

describe("authentication", () => {
  test("one token for many calls, refreshed when due, replaced once when refused", async () => {
    let clock = Date.now()
    const px = await startProxy(of.url)
    try {
      const c = new OpenFlex({ clientId: of.clientId, clientSecret: of.clientSecret, baseUrl: px.url, now: () => clock, userAgent: "MapleDesk/1.0", language: "fr-CA" })
      await c.get("/v1/stores")
      await c.get("/v1/plans")
      const toks = px.matching("POST", "/oauth/token")
      assert.equal(toks.length, 1)
      assert.equal(toks[0].body, "grant_type=client_credentials")
      assert.match(toks[0].authorization, /^Basic /)
      const first = px.matching("GET", "/v1/stores")[0].authorization
      assert.match(first, /^Bearer oft_train_/)

      clock += 24 * 3600 * 1000 // past the token's lifetime
      await c.get("/v1/stores")
      assert.equal(px.matching("POST", "/oauth/token").length, 2)
      const refreshed = px.matching("GET", "/v1/stores").at(-1).authorization
      assert.notEqual(refreshed, first)

      // The public route takes the Client ID, never a token.
      const promo = await c.get("/v1/public/promotions", { query: { amount: 1_299_99 } })
      assert.ok(promo)
      const pub = px.matching("GET", "/v1/public/promotions")
      assert.equal(pub.length, 1)
      assert.equal(pub[0].authorization, "")
    } finally {
      await px.close()
    }
  })

  test("a refused token is fetched again once, the POST retried with its key", async () => {
    let refuse = true
    const px = await startProxy(of.url, (req, ex) => {
      if (ex.path === "/v1/applications" && refuse) {
        refuse = false
        return { status: 401, body: { error: { type: "authentication_error", code: "invalid_token", message: "revoked", request_id: "req_x" } } }
      }
    })
    try {
      const { c, w } = client({ baseUrl: px.url })
      await c.get("/v1/stores")
      await approvedAccount(c)
      const posts = px.matching("POST", "/v1/applications")
      assert.deepEqual(posts.map((p) => p.status), [401, 201])
      assert.equal(posts[0].idempotencyKey, posts[1].idempotencyKey)
      assert.equal(px.matching("POST", "/oauth/token").length, 2)
      assert.deepEqual(w.all, [])
    } finally {
      await px.close()
    }
  })

  test("Basic auth sends the key set on every request, no token", async () => {
    const px = await startProxy(of.url)
    try {
      const { c } = client({ baseUrl: px.url, auth: "basic" })
      const stores = await c.get("/v1/stores")
      assert.equal(stores.data[0].id, of.storeId)
      assert.equal(px.matching("POST", "/oauth/token").length, 0)
      assert.match(px.matching("GET", "/v1/stores")[0].authorization, /^Basic /)
    } finally {
      await px.close()
    }
  })

  test("a wrong secret is an AuthenticationError, not retried", async () => {
    const keys = of.newKeys()
    const { c, w } = client({ clientId: keys.client_id, clientSecret: of.clientSecret.replace(/^ofs_train_/, "ofs_train_") })
    // Same-environment secret of another key set: well-formed, refused by the server.
    const err = await c.get("/v1/stores").catch((e) => e)
    assert.ok(err instanceof AuthenticationError, String(err))
    assert.equal(err.status, 401)
    assert.equal(err.code, "invalid_client")
    assert.deepEqual(w.all, [])
  })

  test("keys are checked before any request", () => {
    assert.throws(() => new OpenFlex({ clientId: "ofk_train_x", clientSecret: of.clientSecret.slice(0, -1) + "0" }), /checksum/)
    assert.throws(() => new OpenFlex({ clientId: "ofk_prod_x", clientSecret: of.clientSecret }), /ofs_prod_/)
    assert.throws(() => new OpenFlex({ clientId: "nope", clientSecret: of.clientSecret }), /ofk_train_/)
  })
})

describe("idempotent retries", () => {
  test("connection dropped after the server committed: one key, money moved once", async () => {
    const { c: direct } = client()
    const acct = await approvedAccount(direct)
    const before = await available(direct, acct)
    let drops = 1
    const px = await startProxy(of.url, (req, ex) => (ex.path === "/v1/authorizations" && drops-- > 0 ? "drop-after" : undefined))
    try {
      const { c, w } = client({ baseUrl: px.url })
      const auth = await authorize(c, acct, 100_00)
      const posts = px.matching("POST", "/v1/authorizations")
      assert.equal(posts.length, 2)
      assert.ok(posts[0].idempotencyKey && posts[0].idempotencyKey === posts[1].idempotencyKey)
      assert.equal(posts[0].body, posts[1].body)
      assert.equal(posts[1].replayed, true, "the retry is answered with the first reply")
      assert.equal(w.all.length, 1)
      assert.equal(await available(direct, acct), before - 100_00)
      assert.equal(auth.amount, 100_00)
    } finally {
      await px.close()
    }
  })

  test("409 in flight, 429 and 503 are retried with the same key, after Retry-After", async () => {
    const { c: direct } = client()
    const acct = await approvedAccount(direct)
    const before = await available(direct, acct)
    const script = [
      { status: 409, body: { error: { type: "idempotency_error", code: "idempotency_key_in_use", message: "in flight", request_id: "req_1" } } },
      { status: 429, headers: { "Retry-After": "3" }, body: { error: { type: "rate_limit_error", code: "rate_limited", message: "slow", request_id: "req_2" } } },
      { status: 503, body: { error: { type: "api_error", code: "unavailable", message: "later", request_id: "req_3" } } },
    ]
    const px = await startProxy(of.url, (req, ex) => (ex.path === "/v1/authorizations" ? script.shift() : undefined))
    try {
      const { c, w } = client({ baseUrl: px.url, maxRetries: 3 })
      await authorize(c, acct, 25_00, { idempotencyKey: "order-1042/authorize" })
      const keys = px.matching("POST", "/v1/authorizations").map((e) => e.idempotencyKey)
      assert.deepEqual(keys, Array(4).fill("order-1042/authorize"))
      assert.equal(w.all.length, 3)
      assert.ok(w.all[1] >= 3000, `waited ${w.all[1]} ms after Retry-After: 3`)
      assert.equal(await available(direct, acct), before - 25_00)
    } finally {
      await px.close()
    }
  })

  test("retries run out: the last error, typed", async () => {
    const px = await startProxy(of.url, (req, ex) =>
      ex.path === "/v1/stores" ? { status: 500, body: { error: { type: "api_error", code: "internal_error", message: "boom", request_id: "req_9" } } } : undefined,
    )
    try {
      const { c, w } = client({ baseUrl: px.url, maxRetries: 2 })
      const err = await c.get("/v1/stores").catch((e) => e)
      assert.ok(err instanceof APIError)
      assert.equal(err.requestId, "req_9")
      assert.equal(px.matching("GET", "/v1/stores").length, 3)
      assert.equal(w.all.length, 2)
    } finally {
      await px.close()
    }
  })

  test("a 429 asking for more than a minute is returned, not slept on", async () => {
    const px = await startProxy(of.url, (req, ex) =>
      ex.path === "/v1/stores" ? { status: 429, headers: { "Retry-After": "600" }, body: { error: { type: "rate_limit_error", code: "rate_limited", message: "limit", request_id: "req_4" } } } : undefined,
    )
    try {
      const { c, w } = client({ baseUrl: px.url })
      const err = await c.get("/v1/stores").catch((e) => e)
      assert.ok(err instanceof RateLimitError)
      assert.equal(err.retryAfterMs, 600_000)
      assert.deepEqual(w.all, [])
    } finally {
      await px.close()
    }
  })

  test("an unreachable server is a ConnectionError after the retries", async () => {
    const px = await startProxy(of.url)
    const url = px.url
    await px.close()
    const { c, w } = client({ baseUrl: url })
    const err = await c.get("/v1/stores").catch((e) => e)
    assert.ok(err instanceof ConnectionError, String(err))
    assert.equal(err.status, 0)
    assert.equal(w.all.length, 2)
  })

  test("one caller key twice: one authorization, one hold; another body is refused", async () => {
    const { c } = client()
    const acct = await approvedAccount(c)
    const before = await available(c, acct)
    const a = await authorize(c, acct, 33_00, { idempotencyKey: "till-7/sale-1" })
    const b = await authorize(c, acct, 33_00, { idempotencyKey: "till-7/sale-1" })
    assert.equal(a.id, b.id)
    assert.equal(await available(c, acct), before - 33_00)
    const err = await authorize(c, acct, 34_00, { idempotencyKey: "till-7/sale-1" }).catch((e) => e)
    assert.ok(err instanceof IdempotencyError || err instanceof InvalidRequestError, String(err))
    assert.equal(err.status, 422)
  })
})

describe("lists and errors", () => {
  test("list() pages through every object with the cursor", async () => {
    const { c } = client()
    const acct = await approvedAccount(c)
    const made = []
    for (let i = 0; i < 5; i++) made.push((await authorize(c, acct, 1_00 + i)).id)
    const seen = []
    for await (const a of c.list("/v1/authorizations", { query: { account_number: acct.account_number, limit: 2 } })) seen.push(a.id)
    assert.deepEqual([...seen].sort(), [...made].sort())
    assert.equal(new Set(seen).size, 5)
    // Backwards from the oldest: the four newer ones.
    const oldest = seen.at(-1)
    const back = []
    for await (const a of c.list("/v1/authorizations", { query: { account_number: acct.account_number, limit: 2, ending_before: oldest } })) back.push(a.id)
    assert.equal(back.length, 4)
    assert.ok(!back.includes(oldest))
    // A list without pages (no limit parameter): one page, every plan.
    const plans = []
    for await (const p of c.list("/v1/plans")) plans.push(p.id)
    assert.deepEqual(plans, [of.plan.id])
  })

  test("bad input: InvalidRequestError with the field, every problem listed", async () => {
    const { c, w } = client()
    const err = await c.post("/v1/authorizations", { body: { account_number: "123", amount: -5, currency: "CAD", store_id: of.storeId } }).catch((e) => e)
    assert.ok(err instanceof InvalidRequestError, String(err))
    assert.equal(err.status, 400)
    assert.ok(err.param, "param names the field")
    assert.ok(err.errors.length >= 1)
    assert.match(err.requestId, /^req_/)
    assert.deepEqual(w.all, [], "a 400 is never retried")
    const missing = await c.get("/v1/authorizations/{id}", { path: { id: "auth_doesnotexist" } }).catch((e) => e)
    assert.ok(missing instanceof InvalidRequestError && missing.status === 404, String(missing))
    await assert.rejects(c.get("/v1/authorizations/{id}", { path: { id: "" } }), TypeError)
    assert.ok(err instanceof OpenFlexError && err instanceof Error)
  })

  test("capture, return, and a checkout", async () => {
    const { c } = client()
    const acct = await approvedAccount(c)
    const auth = await authorize(c, acct, 200_00)
    const captured = await c.post("/v1/authorizations/{id}/captures", { path: { id: auth.id }, body: { amount: 150_00 } })
    assert.equal(captured.captured_amount, 150_00)
    const ret = await c.post("/v1/captures/{id}/returns", { path: { id: captured.captures[0].id }, body: { amount: 50_00 } })
    assert.equal(ret.amount, 50_00)
    const checkout = await c.post("/v1/checkouts", {
      body: { amount: 129_999, currency: "CAD", store_id: of.storeId, reference: "order-1", success_url: "https://shop.example/thanks", cancel_url: "https://shop.example/cart" },
    })
    assert.equal(checkout.status, "open")
    assert.ok(checkout.url)
  })
})

test("the CommonJS build loads with require()", () => {
  const require = createRequire(import.meta.url)
  const cjs = require("../dist/cjs/index.js")
  assert.equal(typeof cjs.OpenFlex, "function")
  assert.equal(typeof cjs.verifyWebhook, "function")
})
