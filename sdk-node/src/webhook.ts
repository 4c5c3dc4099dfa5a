// Webhook signatures: OpenFlex-Signature: t=<unix seconds>,v1=<hex
// HMAC-SHA256(secret, t + "." + body)>, several v1 during a secret roll.
// sdk/testdata/webhook_vectors.json holds the cross-language vectors this
// follows (test/webhook.test.mjs checks them).
import { createHmac, timingSafeEqual } from "node:crypto"
import type { components } from "./openapi.js"

/** The header OpenFlex signs deliveries with. */
export const WEBHOOK_SIGNATURE_HEADER = "OpenFlex-Signature"

/** The default tolerance between the signature's time and now: 5 minutes. */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300

/** A webhook event, as delivered and as GET /v1/events lists it. */
export type WebhookEvent = components["schemas"]["Event"]

export type WebhookErrorCode = "malformed_header" | "signature_mismatch" | "timestamp_out_of_range"

/** A delivery whose signature does not check out: answer it 400 and do not act on it. */
export class WebhookSignatureError extends Error {
  readonly code: WebhookErrorCode
  constructor(code: WebhookErrorCode, message: string) {
    super(message)
    this.name = "WebhookSignatureError"
    this.code = code
  }
}

export interface VerifyOptions {
  /** Largest |now - t| accepted, in seconds (default 300). */
  toleranceSeconds?: number
  /** The current time (default: the clock), as a Date or unix seconds. */
  now?: Date | number
}

function bytes(payload: string | Uint8Array): Buffer {
  return typeof payload === "string" ? Buffer.from(payload, "utf8") : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)
}

function mac(payload: Buffer, secret: string, t: number): Buffer {
  return createHmac("sha256", Buffer.from(secret, "utf8")).update(`${t}.`).update(payload).digest()
}

function parseHeader(header: string | null | undefined): { t: number; sigs: Buffer[] } {
  const malformed = () => new WebhookSignatureError("malformed_header", "malformed OpenFlex-Signature header")
  if (!header || header.trim() === "") {
    throw malformed()
  }
  let t: number | undefined
  let haveV1 = false
  const sigs: Buffer[] = []
  for (const part of header.split(",")) {
    const p = part.trim()
    const eq = p.indexOf("=")
    if (eq < 0) {
      throw malformed()
    }
    const k = p.slice(0, eq)
    const v = p.slice(eq + 1)
    if (k === "t") {
      if (t !== undefined || !/^[0-9]+$/.test(v) || !Number.isSafeInteger(Number(v))) {
        throw malformed()
      }
      t = Number(v)
    } else if (k === "v1") {
      haveV1 = true
      if (/^[0-9a-fA-F]{64}$/.test(v)) {
        sigs.push(Buffer.from(v, "hex"))
      }
    }
  }
  if (t === undefined || !haveV1) {
    throw malformed()
  }
  return { t, sigs }
}

/**
 * Checks a delivery's OpenFlex-Signature against the endpoint's secrets (two
 * during a roll) and returns its event. payload must be the body exactly as
 * received (the raw bytes, or that text): never a re-encoded JSON. Throws a
 * WebhookSignatureError (malformed_header, signature_mismatch,
 * timestamp_out_of_range) or, for an authentic but undecodable body, a SyntaxError.
 */
export function verifyWebhook(
  payload: string | Uint8Array,
  header: string | null | undefined,
  secrets: string | string[],
  options: VerifyOptions = {},
): WebhookEvent {
  const { t, sigs } = parseHeader(header)
  const body = bytes(payload)
  let matched = false
  for (const secret of Array.isArray(secrets) ? secrets : [secrets]) {
    if (!secret) {
      continue
    }
    const want = mac(body, secret, t)
    for (const sig of sigs) {
      if (timingSafeEqual(sig, want)) {
        matched = true
      }
    }
  }
  if (!matched) {
    throw new WebhookSignatureError("signature_mismatch", "webhook signature does not match")
  }
  const tol = options.toleranceSeconds && options.toleranceSeconds > 0 ? options.toleranceSeconds : DEFAULT_WEBHOOK_TOLERANCE_SECONDS
  const now = options.now === undefined ? Date.now() / 1000 : typeof options.now === "number" ? options.now : options.now.getTime() / 1000
  if (Math.abs(now - t) > tol) {
    throw new WebhookSignatureError("timestamp_out_of_range", "webhook timestamp outside the tolerance")
  }
  return JSON.parse(body.toString("utf8")) as WebhookEvent
}

/** The OpenFlex-Signature header of payload at time t: for tests of your webhook handler. */
export function signWebhook(payload: string | Uint8Array, secret: string, t: Date | number = new Date()): string {
  const ts = typeof t === "number" ? Math.floor(t) : Math.floor(t.getTime() / 1000)
  return `t=${ts},v1=${mac(bytes(payload), secret, ts).toString("hex")}`
}
