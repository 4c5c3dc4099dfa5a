// Test harness: a real OpenFlex server built from this repository (its
// binary is $OPENFLEX_BIN, which scripts/test-sdk-node builds; else go
// build), with a fresh TRAINING merchant, store, plan and key set, and a
// proxy that records exchanges and injects faults between the client and it.
import { execFileSync, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdirSync, mkdtempSync, rmSync, existsSync } from "node:fs"
import { createServer, request as httpRequest } from "node:http"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..")

export function openflexBinary() {
  const bin = process.env.OPENFLEX_BIN
  if (bin) {
    if (!existsSync(bin)) throw new Error(`OPENFLEX_BIN=${bin} does not exist`)
    return bin
  }
  const dir = join(tmpdir(), "openflex-sdk-node-bin")
  mkdirSync(dir, { recursive: true })
  const out = join(dir, "openflex")
  execFileSync("go", ["build", "-o", out, "./cmd/openflex"], { cwd: REPO_ROOT, stdio: "inherit" })
  process.env.OPENFLEX_BIN = out
  return out
}

async function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer()
    s.once("error", fail)
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address()
      s.close(() => ok(port))
    })
  })
}

/** Starts OpenFlex with a fresh TRAINING merchant; extra are serve flags. */
export async function startOpenFlex({ extra = [], trustedUrls = [] } = {}) {
  const bin = openflexBinary()
  const dataDir = mkdtempSync(join(tmpdir(), "openflex-sdk-node-"))
  const env = { ...process.env, OPENFLEX_DATA_DIR: dataDir }
  // The admin commands work on an existing data directory only: migrate makes it.
  execFileSync(bin, ["migrate"], { env, stdio: "ignore" })
  const cli = (args) => JSON.parse(execFileSync(bin, [...args, "--json"], { env }).toString())
  const m = cli(["merchant", "create", "--name", "Maple Node Shop", "--email", `node-${randomBytes(4).toString("hex")}@example.com`, "--store", "Web:ON"])
  const keyArgs = ["keys", "create", "--merchant", m.merchant_id, "--env", "training"]
  for (const u of trustedUrls) keyArgs.push("--trusted-url", u)
  const k = cli(keyArgs)
  const plan = cli(["plan", "create", "--merchant", m.merchant_id, "--name", "12 months, equal payments", "--category", "equal_payments", "--months", "12", "--rate", "0"])
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const proc = spawn(bin, ["serve", "--addr", `127.0.0.1:${port}`, "--data-dir", dataDir, "--no-scrub", "--rate-limit-training", "1000", "--webhooks-allow-private", ...extra], {
    stdio: ["ignore", "pipe", "pipe"],
  })
  const log = []
  const keep = (b) => {
    log.push(b.toString())
    if (log.length > 400) log.splice(0, 100)
  }
  proc.stdout.on("data", keep)
  proc.stderr.on("data", keep)
  const deadline = Date.now() + 30_000
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`openflex serve exited (${proc.exitCode}):\n${log.join("")}`)
    try {
      if ((await fetch(`${url}/healthz`)).ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`openflex serve did not become healthy:\n${log.join("")}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    url,
    merchantId: m.merchant_id,
    storeId: m.stores[0].id,
    clientId: k.client_id,
    clientSecret: k.client_secret,
    plan,
    logs: () => log.join(""),
    /** A second key set of the same merchant (for revocation). */
    newKeys: () => cli(["keys", "create", "--merchant", m.merchant_id, "--env", "training"]),
    cli,
    async stop() {
      if (proc.exitCode === null) {
        await new Promise((ok) => {
          const t = setTimeout(() => proc.kill("SIGKILL"), 10_000)
          proc.once("exit", () => {
            clearTimeout(t)
            ok()
          })
          proc.kill("SIGTERM")
        })
      }
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/**
 * A proxy in front of target that records every exchange; fault(req, ex)
 * may answer instead ({status, body, headers}), or return "drop-after" to
 * forward the request and then cut the connection without an answer (the
 * server committed, the client never hears).
 */
export async function startProxy(target, fault) {
  const exchanges = []
  const server = createServer((req, res) => {
    const chunks = []
    req.on("data", (c) => chunks.push(c))
    req.on("end", async () => {
      const body = Buffer.concat(chunks)
      const ex = {
        method: req.method,
        path: new URL(req.url, "http://x").pathname,
        idempotencyKey: req.headers["idempotency-key"] ?? "",
        authorization: req.headers.authorization ?? "",
        body: body.toString(),
        status: 0,
      }
      exchanges.push(ex)
      const f = fault ? fault(req, ex, exchanges) : undefined
      if (f && f !== "drop-after") {
        ex.status = f.status
        res.writeHead(f.status, { "Content-Type": "application/json", ...(f.headers ?? {}) })
        res.end(JSON.stringify(f.body ?? {}))
        return
      }
      const up = httpRequest(target + req.url, { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (r) => {
        const out = []
        r.on("data", (c) => out.push(c))
        r.on("end", () => {
          ex.status = r.statusCode
          ex.replayed = r.headers["idempotent-replayed"] === "true"
          if (f === "drop-after") {
            req.socket.destroy()
            return
          }
          res.writeHead(r.statusCode, r.headers)
          res.end(Buffer.concat(out))
        })
      })
      up.on("error", (e) => {
        res.writeHead(502)
        res.end(String(e))
      })
      up.end(body)
    })
  })
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok))
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    exchanges,
    matching: (method, path) => exchanges.filter((e) => e.method === method && e.path === path),
    close: () => new Promise((ok) => server.close(() => ok())),
  }
}

export function uniqueName(base) {
  const a = "abcdefghijklmnopqrstuvwxyz"
  return base + "-X" + Array.from(randomBytes(10), (b) => a[b % 26]).join("")
}

/** An Ontario applicant; middle picks the TRAINING bureau's answer (A-RR_L approves). */
export function applicant(middle = "A-RR_L") {
  return {
    first_name: "Émilie",
    middle_name: middle,
    last_name: uniqueName("Tremblay"),
    date_of_birth: "1990-04-12",
    email: "emilie@example.com",
    phone: "416-555-0199",
    address: { line1: "1 King St W", city: "Toronto", province: "ON", postal_code: "M5V 2T6" },
    annual_income: 60_000_00,
    employment_status: "employed",
    housing_status: "rent",
    monthly_housing_cost: 1_500_00,
  }
}

/** A recorder of retry waits that never waits. */
export function waits() {
  const all = []
  return { all, wait: async (ms, signal) => { all.push(ms); if (signal?.aborted) throw signal.reason } }
}

// --- the shopper: the hosted checkout's own form posts, no JavaScript -------

async function page(url, form, origin) {
  const res = await fetch(url, {
    method: form ? "POST" : "GET",
    redirect: "manual",
    headers: form ? { "Content-Type": "application/x-www-form-urlencoded", Origin: origin } : {},
    body: form ? new URLSearchParams(form).toString() : undefined,
  })
  return { status: res.status, body: await res.text(), location: res.headers.get("location") ?? "" }
}

function csrfOf(p) {
  const m = /name="csrf" value="([0-9a-f]+)"/.exec(p.body)
  if (!m) throw new Error(`no CSRF token in the page (${p.status}):\n${p.body.slice(0, 2000)}`)
  return m[1]
}

/**
 * Completes a hosted checkout as a shopper would: applies (the TRAINING
 * bureau approves middle name A-RR_L), picks the plan "planId:months",
 * confirms. Returns where the browser is sent (success_url?checkout_id=…).
 */
export async function completeHostedCheckout(hostedUrl, origin, planOption) {
  const landing = await page(hostedUrl)
  if (landing.status !== 200) throw new Error(`hosted checkout landing: ${landing.status}\n${landing.body.slice(0, 1000)}`)
  const csrf = csrfOf(landing)
  const a = applicant("A-RR_L")
  const applied = await page(
    `${hostedUrl}/apply`,
    {
      csrf,
      first_name: "Shopper",
      middle_name: a.middle_name,
      last_name: a.last_name,
      date_of_birth: "1990-05-05",
      email: "shopper@example.com",
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
    origin,
  )
  if (applied.status !== 200 || !applied.body.includes("approved")) throw new Error(`apply: ${applied.status}\n${applied.body.slice(0, 3000)}`)
  const chosen = await page(`${hostedUrl}/plans`, { csrf, option: planOption }, origin)
  if (chosen.status !== 303) throw new Error(`choose plan: ${chosen.status}\n${chosen.body.slice(0, 3000)}`)
  const confirmed = await page(`${hostedUrl}/confirm`, { csrf }, origin)
  if (confirmed.status !== 303) throw new Error(`confirm: ${confirmed.status}\n${confirmed.body.slice(0, 3000)}`)
  return confirmed.location
}

/** The shopper clicks "cancel" on the hosted checkout; returns where the page sends them back. */
export async function cancelHostedCheckout(hostedUrl, origin) {
  const landing = await page(hostedUrl)
  const r = await page(`${hostedUrl}/cancel`, { csrf: csrfOf(landing) }, origin)
  // The shopper lands on OpenFlex's "cancelled" page, whose link (and
  // announced automatic return) goes back to the shop's cancel_url.
  const back = r.status === 200 && /id="return" href="([^"]+)"/.exec(r.body)
  if (!back) throw new Error(`cancel: ${r.status}\n${r.body.slice(0, 2000)}`)
  return back[1].replace(/&amp;/g, "&")
}

/** Polls fn until it returns a truthy value or the deadline passes. */
export async function eventually(what, fn, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  let last
  for (;;) {
    try {
      const v = await fn()
      if (v) return v
    } catch (e) {
      last = e
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}
