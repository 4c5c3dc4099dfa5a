/**
 * Test harness: a real OpenFlex server from this repository, a fresh
 * TRAINING merchant, and a "shopper" that completes the hosted checkout
 * with the same plain HTTP form posts the checkout page makes.
 */
import { ChildProcess, execFileSync, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync, existsSync, mkdirSync } from "node:fs"
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http"
import { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

export const REPO_ROOT = resolve(__dirname, "../../..")

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer()
    s.once("error", fail)
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as AddressInfo).port
      s.close(() => ok(port))
    })
  })
}

/** The openflex binary: $OPENFLEX_BIN (scripts/test-medusa builds it), else go build. */
export function openflexBinary(): string {
  const bin = process.env.OPENFLEX_BIN
  if (bin) {
    if (!existsSync(bin)) {
      throw new Error(`OPENFLEX_BIN=${bin} does not exist`)
    }
    return bin
  }
  const dir = join(tmpdir(), "openflex-medusa-bin")
  mkdirSync(dir, { recursive: true })
  const out = join(dir, "openflex")
  execFileSync("go", ["build", "-o", out, "./cmd/openflex"], { cwd: REPO_ROOT, stdio: "inherit" })
  process.env.OPENFLEX_BIN = out
  return out
}

export interface Plan {
  id: string
  name: string
  terms: Array<{ months: number }>
}

export class OpenFlexServer {
  url = ""
  port = 0
  merchantId = ""
  storeId = ""
  clientId = ""
  clientSecret = ""
  plans: Plan[] = []
  private dataDir = ""
  private proc?: ChildProcess
  private log: string[] = []

  /** Starts OpenFlex with a fresh TRAINING merchant whose key set trusts trustedUrls. */
  async start(opts: { trustedUrls: string[] }): Promise<void> {
    const bin = openflexBinary()
    this.dataDir = mkdtempSync(join(tmpdir(), "openflex-medusa-data-"))
    const env = { ...process.env, OPENFLEX_DATA_DIR: this.dataDir }
    // The admin commands work on an existing data directory only: migrate makes it.
    execFileSync(bin, ["migrate"], { env, stdio: "ignore" })
    const cli = (args: string[]) => JSON.parse(execFileSync(bin, [...args, "--json"], { env }).toString())
    const m = cli(["merchant", "create", "--name", "Maple Medusa Shop", "--email", `shop-${randomBytes(4).toString("hex")}@example.com`, "--store", "Web:ON"])
    this.merchantId = m.merchant_id
    this.storeId = m.stores[0].id
    const keyArgs = ["keys", "create", "--merchant", this.merchantId, "--env", "training"]
    for (const u of opts.trustedUrls) {
      keyArgs.push("--trusted-url", u)
    }
    const k = cli(keyArgs)
    this.clientId = k.client_id
    this.clientSecret = k.client_secret
    this.plans.push(
      cli(["plan", "create", "--merchant", this.merchantId, "--name", "12 months, equal payments", "--category", "equal_payments", "--months", "12", "--rate", "0"])
    )
    this.port = await freePort()
    this.url = `http://127.0.0.1:${this.port}`
    this.proc = spawn(
      bin,
      // --webhooks-allow-private: the storefront receiving the webhooks is on loopback.
      ["serve", "--addr", `127.0.0.1:${this.port}`, "--data-dir", this.dataDir, "--no-scrub", "--rate-limit-training", "1000", "--webhooks-allow-private", "--metrics-addr", ""],
      { stdio: ["ignore", "pipe", "pipe"] }
    )
    const keep = (b: Buffer) => {
      this.log.push(b.toString())
      if (this.log.length > 400) {
        this.log.splice(0, 100)
      }
    }
    this.proc.stdout!.on("data", keep)
    this.proc.stderr!.on("data", keep)
    const deadline = Date.now() + 30_000
    for (;;) {
      if (this.proc.exitCode !== null) {
        throw new Error(`openflex serve exited (${this.proc.exitCode}):\n${this.log.join("")}`)
      }
      try {
        const res = await fetch(`${this.url}/healthz`)
        if (res.ok) {
          break
        }
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        throw new Error(`openflex serve did not become healthy:\n${this.log.join("")}`)
      }
      await new Promise((r) => setTimeout(r, 100))
    }
  }

  /** The server's log so far (for failure messages). */
  logs(): string {
    return this.log.join("")
  }

  async stop(): Promise<void> {
    const p = this.proc
    this.proc = undefined
    if (p && p.exitCode === null) {
      await new Promise<void>((ok) => {
        const t = setTimeout(() => {
          p.kill("SIGKILL")
        }, 10_000)
        p.once("exit", () => {
          clearTimeout(t)
          ok()
        })
        p.kill("SIGTERM")
      })
    }
    if (this.dataDir) {
      rmSync(this.dataDir, { recursive: true, force: true })
      this.dataDir = ""
    }
  }

  /** Calls the merchant API with Basic auth; throws on an error reply. */
  async api<T = any>(method: string, path: string, body?: unknown, idempotencyKey?: string): Promise<T> {
    const headers: Record<string, string> = {
      Authorization: "Basic " + Buffer.from(`${this.clientId}:${this.clientSecret}`).toString("base64"),
    }
    if (body !== undefined) {
      headers["Content-Type"] = "application/json"
    }
    if (idempotencyKey) {
      headers["Idempotency-Key"] = idempotencyKey
    }
    const res = await fetch(this.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    const json: any = await res.json()
    if (!res.ok) {
      throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`)
    }
    return json as T
  }

  planOption(): string {
    const p = this.plans[0]
    return `${p.id}:${p.terms[0].months}`
  }
}

// --- the shopper ---------------------------------------------------------------

interface Page {
  status: number
  body: string
  location: string
}

async function get(url: string): Promise<Page> {
  const res = await fetch(url, { redirect: "manual" })
  return { status: res.status, body: await res.text(), location: res.headers.get("location") ?? "" }
}

async function post(url: string, form: Record<string, string>, origin: string): Promise<Page> {
  const res = await fetch(url, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: origin },
    body: new URLSearchParams(form).toString(),
  })
  return { status: res.status, body: await res.text(), location: res.headers.get("location") ?? "" }
}

function csrfOf(p: Page): string {
  const m = /name="csrf" value="([0-9a-f]+)"/.exec(p.body)
  if (!m) {
    throw new Error(`no CSRF token in the page (${p.status}):\n${p.body.slice(0, 2000)}`)
  }
  return m[1]
}

function letters(n: number): string {
  const a = "abcdefghijklmnopqrstuvwxyz"
  return Array.from(randomBytes(n), (b) => a[b % 26]).join("")
}

/**
 * Completes a hosted checkout like a shopper without JavaScript: applies
 * for credit (the TRAINING bureau approves middle name A-RR_L), picks the
 * plan, confirms. Returns where the browser is sent (success_url?checkout_id=…).
 */
export async function completeHostedCheckout(hostedUrl: string, of: OpenFlexServer): Promise<string> {
  const origin = of.url
  const landing = await get(hostedUrl)
  if (landing.status !== 200) {
    throw new Error(`hosted checkout landing: ${landing.status}\n${landing.body.slice(0, 1000)}`)
  }
  const token = csrfOf(landing)
  const first = "Medusa" + letters(6)
  const applied = await post(
    `${hostedUrl}/apply`,
    {
      csrf: token,
      first_name: first[0].toUpperCase() + first.slice(1),
      middle_name: "A-RR_L",
      last_name: "Shopper",
      date_of_birth: "1990-05-05",
      email: `${first}@example.com`,
      phone: "416-555-0142",
      line1: "10 Queen St",
      city: "Toronto",
      province: "ON",
      postal_code: "M5H 2N2",
      annual_income: "72,000",
      employment_status: "employed",
      housing_status: "rent",
      monthly_housing_cost: "1,650.00",
      consent_credit_check: "1",
      consent_terms_accepted: "1",
    },
    origin
  )
  if (applied.status !== 200 || !applied.body.includes("approved")) {
    throw new Error(`apply: ${applied.status}\n${applied.body.slice(0, 3000)}`)
  }
  const chosen = await post(`${hostedUrl}/plans`, { csrf: token, option: of.planOption() }, origin)
  if (chosen.status !== 303 || !new URL(chosen.location, hostedUrl).pathname.endsWith("/confirm")) {
    throw new Error(`choose plan: ${chosen.status} ${chosen.location}\n${chosen.body.slice(0, 3000)}`)
  }
  const confirmed = await post(`${hostedUrl}/confirm`, { csrf: token }, origin)
  if (confirmed.status !== 303) {
    throw new Error(`confirm: ${confirmed.status}\n${confirmed.body.slice(0, 3000)}`)
  }
  return confirmed.location
}

/** The shopper clicks "cancel" on the hosted checkout. Returns the redirect. */
export async function cancelHostedCheckout(hostedUrl: string, of: OpenFlexServer): Promise<string> {
  const landing = await get(hostedUrl)
  const r = await post(`${hostedUrl}/cancel`, { csrf: csrfOf(landing) }, of.url)
  // The shopper lands on OpenFlex's "cancelled" page, whose link (and
  // announced automatic return) goes back to the shop's cancel_url.
  const back = r.status === 200 ? /id="return" href="([^"]+)"/.exec(r.body) : null
  if (!back) {
    throw new Error(`cancel: ${r.status}\n${r.body.slice(0, 2000)}`)
  }
  return back[1].replace(/&amp;/g, "&")
}

// --- the storefront / webhook relay --------------------------------------------

/**
 * Stands in for the storefront origin (success/cancel URLs) and receives
 * OpenFlex's webhook deliveries. When `forwardTo` is set, deliveries are
 * passed on to Medusa byte for byte (body and OpenFlex-Signature); when not,
 * they are acknowledged and dropped, so one test's events never reach
 * another test's database.
 */
export class Storefront {
  origin = ""
  port = 0
  forwardTo?: string
  deliveries: Array<{ type: string; forwarded: boolean; status?: number }> = []
  private server?: Server

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res))
    await new Promise<void>((ok) => this.server!.listen(0, "127.0.0.1", ok))
    this.port = (this.server.address() as AddressInfo).port
    this.origin = `http://localhost:${this.port}`
  }

  private handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = []
    req.on("data", (c) => chunks.push(c))
    req.on("end", async () => {
      if (req.method !== "POST" || req.url !== "/webhooks/openflex") {
        res.writeHead(200, { "Content-Type": "text/plain" })
        res.end("storefront")
        return
      }
      const body = Buffer.concat(chunks)
      let type = "?"
      try {
        type = JSON.parse(body.toString()).type
      } catch {
        // recorded as "?"
      }
      const target = this.forwardTo
      const entry: { type: string; forwarded: boolean; status?: number } = { type, forwarded: !!target }
      this.deliveries.push(entry)
      if (!target) {
        res.writeHead(200)
        res.end()
        return
      }
      try {
        const r = await fetch(target, {
          method: "POST",
          headers: {
            "Content-Type": req.headers["content-type"] ?? "application/json",
            "OpenFlex-Signature": String(req.headers["openflex-signature"] ?? ""),
          },
          body,
        })
        entry.status = r.status
        res.writeHead(r.status)
        res.end(await r.text())
      } catch (e) {
        entry.status = 502
        res.writeHead(502)
        res.end(String(e))
      }
    })
  }

  async stop(): Promise<void> {
    await new Promise<void>((ok) => (this.server ? this.server.close(() => ok()) : ok()))
  }
}

/** Polls fn until it returns a truthy value or the time is up. */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await fn()
      if (v) {
        return v
      }
    } catch (e) {
      last = e
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`)
    }
    await new Promise((r) => setTimeout(r, 250))
  }
}
