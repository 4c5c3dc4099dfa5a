import { OpenFlexClient, OpenFlexError } from "../lib/client"

type Call = { url: string; method: string; headers: Record<string, string>; body?: string }

/** A scripted fetch: each reply is [status, json, headers?] or an Error to throw. */
function fakeFetch(replies: Array<[number, unknown, Record<string, string>?] | Error>) {
  const calls: Call[] = []
  const fn = async (url: string, init: any) => {
    calls.push({ url, method: init.method, headers: init.headers, body: init.body })
    const r = replies.shift()
    if (!r) {
      throw new Error(`unexpected call ${init.method} ${url}`)
    }
    if (r instanceof Error) {
      throw r
    }
    const [status, json, headers] = r
    return new Response(JSON.stringify(json), { status, headers: { "Content-Type": "application/json", ...(headers ?? {}) } })
  }
  return { fn: fn as unknown as typeof fetch, calls }
}

const token: [number, unknown] = [200, { access_token: "oft_train_1", token_type: "bearer", expires_in: 1200 }]

function client(f: typeof fetch, extra: Record<string, unknown> = {}) {
  return new OpenFlexClient({
    baseUrl: "http://openflex.test/",
    clientId: "ofk_train_id",
    clientSecret: "ofs_train_secret",
    fetch: f,
    sleep: async () => undefined,
    ...extra,
  })
}

const apiError = (status: number, code: string, extra: Record<string, unknown> = {}) =>
  [status, { error: { type: "invalid_request_error", code, message: `${code} happened`, request_id: "req_123", ...extra } }] as [
    number,
    unknown,
  ]

describe("OpenFlexClient", () => {
  it("gets a client-credentials token once and sends it", async () => {
    const f = fakeFetch([token, [200, { id: "chk_1" }], [200, { id: "chk_1" }]])
    const c = client(f.fn)
    await c.getCheckout("chk_1")
    await c.getCheckout("chk_1")
    expect(f.calls.map((x) => `${x.method} ${x.url}`)).toEqual([
      "POST http://openflex.test/oauth/token",
      "GET http://openflex.test/v1/checkouts/chk_1",
      "GET http://openflex.test/v1/checkouts/chk_1",
    ])
    expect(f.calls[0].headers.Authorization).toBe("Basic " + Buffer.from("ofk_train_id:ofs_train_secret").toString("base64"))
    expect(f.calls[0].body).toBe("grant_type=client_credentials")
    expect(f.calls[1].headers.Authorization).toBe("Bearer oft_train_1")
    expect(f.calls[1].headers["Idempotency-Key"]).toBeUndefined()
  })

  it("retries a POST with the same Idempotency-Key and body", async () => {
    const f = fakeFetch([token, apiError(503, "unavailable"), new TypeError("fetch failed"), [201, { id: "auth_1" }]])
    const a = await client(f.fn).capture("auth_1", { reference: "capt_1" }, "medusa:capture:capt_1")
    expect(a).toEqual({ id: "auth_1" })
    const posts = f.calls.slice(1)
    expect(posts).toHaveLength(3)
    for (const p of posts) {
      expect(p.headers["Idempotency-Key"]).toBe("medusa:capture:capt_1")
      expect(p.body).toBe('{"reference":"capt_1"}')
    }
  })

  it("retries idempotency_key_in_use and rate_limited, not other 4xx", async () => {
    const f = fakeFetch([token, apiError(409, "idempotency_key_in_use"), apiError(429, "rate_limited"), [200, { ok: 1 }]])
    await expect(client(f.fn).release("auth_1", "k")).resolves.toEqual({ ok: 1 })
    const g = fakeFetch([token, apiError(409, "authorization_not_open")])
    await expect(client(g.fn).release("auth_1", "k")).rejects.toMatchObject({ code: "authorization_not_open", status: 409 })
    expect(g.calls).toHaveLength(2)
  })

  it("gives up after maxRetries", async () => {
    const f = fakeFetch([token, apiError(500, "internal_error"), apiError(500, "internal_error"), apiError(500, "internal_error")])
    await expect(client(f.fn).getAuthorization("auth_1")).rejects.toMatchObject({ code: "internal_error", status: 500 })
    expect(f.calls).toHaveLength(4)
  })

  it("fetches a new token once on invalid_token", async () => {
    const f = fakeFetch([token, apiError(401, "invalid_token"), [200, { access_token: "oft_train_2", expires_in: 1200 }], [200, { id: "chk_1" }]])
    await client(f.fn).getCheckout("chk_1")
    expect(f.calls[3].headers.Authorization).toBe("Bearer oft_train_2")
    const g = fakeFetch([token, apiError(401, "invalid_token"), token, apiError(401, "invalid_token")])
    await expect(client(g.fn).getCheckout("chk_1")).rejects.toMatchObject({ code: "invalid_token" })
  })

  it("reports the error code, field and request id", async () => {
    const f = fakeFetch([token, apiError(400, "url_not_trusted", { param: "success_url" })])
    const err = await client(f.fn)
      .createCheckout({ amount: 100, currency: "CAD", store_id: "str_1", success_url: "x", cancel_url: "y" }, "k")
      .catch((e) => e)
    expect(err).toBeInstanceOf(OpenFlexError)
    expect(err.message).toBe("OpenFlex url_not_trusted [success_url]: url_not_trusted happened (HTTP 400, request req_123)")
    expect(err).toMatchObject({ status: 400, code: "url_not_trusted", param: "success_url", requestId: "req_123" })
  })

  it("reports an OAuth failure", async () => {
    const f = fakeFetch([[401, { error: "invalid_client", error_description: "unknown client" }]])
    await expect(client(f.fn).getCheckout("chk_1")).rejects.toThrow("OpenFlex invalid_client: unknown client (HTTP 401)")
  })

  it("reports an unreachable server", async () => {
    const f = fakeFetch([new TypeError("fetch failed"), new TypeError("fetch failed"), new TypeError("fetch failed")])
    await expect(client(f.fn).getCheckout("chk_1")).rejects.toMatchObject({ code: "network_error", status: 0 })
  })

  it("refuses a POST without an Idempotency-Key", async () => {
    const f = fakeFetch([])
    await expect(client(f.fn).request("POST", "/v1/checkouts", {})).rejects.toThrow(/Idempotency-Key/)
  })
})
