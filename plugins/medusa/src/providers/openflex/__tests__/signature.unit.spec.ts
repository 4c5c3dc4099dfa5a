import { readFileSync } from "node:fs"
import { join } from "node:path"
import { computeSignature, signPayload, SignatureError, verifySignature } from "../lib/signature"

interface Vector {
  name: string
  secrets: string[]
  timestamp: number
  now: number
  tolerance_seconds: number
  payload: string
  header: string
  valid: boolean
  error?: string
  event_id?: string
}

// The shared vectors of the Go SDK (sdk/testdata/webhook_vectors.json in
// the OpenFlex repository, three levels above this plugin).
const file = join(__dirname, "../../../../../../sdk/testdata/webhook_vectors.json")
const vectors: Vector[] = JSON.parse(readFileSync(file, "utf8")).vectors

describe("OpenFlex webhook signature vectors", () => {
  it("has vectors", () => {
    expect(vectors.length).toBeGreaterThan(20)
  })

  it.each(vectors.map((v) => [v.name, v] as const))("%s", (_name, v) => {
    const run = () =>
      verifySignature(Buffer.from(v.payload, "utf8"), v.header, v.secrets, {
        toleranceSeconds: v.tolerance_seconds,
        now: v.now,
      })
    if (v.valid) {
      expect(run()).toBe(v.timestamp)
      expect(JSON.parse(v.payload).id).toBe(v.event_id)
    } else {
      let err: unknown
      try {
        run()
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(SignatureError)
      expect((err as SignatureError).code).toBe(v.error)
    }
  })
})

describe("signPayload", () => {
  it("signs like OpenFlex and verifies", () => {
    const body = '{"id":"evt_1","type":"checkout.completed"}'
    const header = signPayload(body, ["whsec_a", "whsec_b"], 1_800_000_000)
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/)
    expect(verifySignature(body, header, ["whsec_b"], { now: 1_800_000_100 })).toBe(1_800_000_000)
    expect(computeSignature(body, "whsec_a", 1_800_000_000).toString("hex")).toBe(header.split(",")[1].slice(3))
  })

  it("uses the clock by default", () => {
    const now = Math.floor(Date.now() / 1000)
    const body = Buffer.from("{}")
    expect(verifySignature(body, signPayload(body, ["s"], now - 10), ["s"])).toBe(now - 10)
    expect(() => verifySignature(body, signPayload(body, ["s"], now - 301), ["s"])).toThrow(/more than 300 s/)
  })

  it("accepts upper-case hex like the Go SDK", () => {
    const body = "{}"
    const sig = computeSignature(body, "s", 1000).toString("hex").toUpperCase()
    expect(verifySignature(body, `t=1000,v1=${sig}`, ["s"], { now: 1000 })).toBe(1000)
  })
})
