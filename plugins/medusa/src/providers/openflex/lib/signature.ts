/**
 * Verification of the OpenFlex-Signature header of webhook deliveries:
 *
 *   OpenFlex-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>[,v1=…]
 *
 * Elements are comma-separated, spaces around them ignored, in any order;
 * unknown schemes (v0=…) are ignored; exactly one t (decimal digits) and at
 * least one v1 are required. The delivery is authentic when any v1 equals
 * the HMAC under any configured secret (several v1 while OpenFlex rolls a
 * secret; several secrets while the merchant rolls theirs). Comparisons are
 * constant-time and all of them run. Only then is the timestamp checked
 * against the tolerance (equal is accepted). This is the algorithm of the
 * Go SDK's VerifyWebhook and of sdk/testdata/webhook_vectors.json.
 *
 * No Medusa import: unit-tested alone.
 */
import { createHmac, timingSafeEqual } from "node:crypto"

export const SIGNATURE_HEADER = "OpenFlex-Signature"
export const DEFAULT_TOLERANCE_SECONDS = 300

export type SignatureErrorCode = "malformed_header" | "signature_mismatch" | "timestamp_out_of_range"

export class SignatureError extends Error {
  constructor(public readonly code: SignatureErrorCode, message: string) {
    super(message)
    this.name = "SignatureError"
  }
}

interface ParsedHeader {
  timestamp: number
  signatures: Buffer[]
}

export function parseSignatureHeader(header: string | undefined | null): ParsedHeader {
  if (typeof header !== "string" || header.trim() === "") {
    throw new SignatureError("malformed_header", "the OpenFlex-Signature header is missing")
  }
  let timestamp: number | undefined
  let haveV1 = false
  const signatures: Buffer[] = []
  for (const part of header.split(",")) {
    const element = part.trim()
    const eq = element.indexOf("=")
    if (eq < 0) {
      throw new SignatureError("malformed_header", "an element of OpenFlex-Signature has no '='")
    }
    const key = element.slice(0, eq)
    const value = element.slice(eq + 1)
    if (key === "t") {
      if (timestamp !== undefined || !/^\d{1,15}$/.test(value)) {
        throw new SignatureError("malformed_header", "OpenFlex-Signature needs exactly one t=<unix seconds>")
      }
      timestamp = Number(value)
    } else if (key === "v1") {
      haveV1 = true
      // A v1 that is not 64 hex digits can never match: kept out.
      if (/^[0-9a-fA-F]{64}$/.test(value)) {
        signatures.push(Buffer.from(value, "hex"))
      }
    }
  }
  if (timestamp === undefined || !haveV1) {
    throw new SignatureError("malformed_header", "OpenFlex-Signature needs t= and at least one v1=")
  }
  return { timestamp, signatures }
}

/** HMAC-SHA256(secret, t + "." + payload). */
export function computeSignature(payload: Buffer | string, secret: string, timestamp: number): Buffer {
  const mac = createHmac("sha256", Buffer.from(secret, "utf8"))
  mac.update(`${timestamp}.`, "utf8")
  mac.update(typeof payload === "string" ? Buffer.from(payload, "utf8") : payload)
  return mac.digest()
}

/** The header value OpenFlex would send for payload signed at timestamp (for tests). */
export function signPayload(payload: Buffer | string, secrets: string[], timestamp: number): string {
  const parts = [`t=${timestamp}`]
  for (const s of secrets) {
    if (s) {
      parts.push(`v1=${computeSignature(payload, s, timestamp).toString("hex")}`)
    }
  }
  return parts.join(",")
}

export interface VerifyOptions {
  /** Seconds; default 300. */
  toleranceSeconds?: number
  /** Unix seconds; default the clock. */
  now?: number
}

/**
 * Verifies a delivery: payload is the body exactly as received (never
 * re-encoded JSON). Returns the signed timestamp; throws SignatureError.
 */
export function verifySignature(
  payload: Buffer | string,
  header: string | undefined | null,
  secrets: string[],
  opts: VerifyOptions = {}
): number {
  const { timestamp, signatures } = parseSignatureHeader(header)
  let matched = false
  for (const secret of secrets) {
    if (!secret) {
      continue
    }
    const want = computeSignature(payload, secret, timestamp)
    for (const sig of signatures) {
      // Every comparison runs, so timing tells nothing of which came close.
      if (timingSafeEqual(sig, want)) {
        matched = true
      }
    }
  }
  if (!matched) {
    throw new SignatureError("signature_mismatch", "no v1 signature matches a configured webhook secret")
  }
  const tolerance = opts.toleranceSeconds && opts.toleranceSeconds > 0 ? opts.toleranceSeconds : DEFAULT_TOLERANCE_SECONDS
  const now = opts.now ?? Math.floor(Date.now() / 1000)
  if (Math.abs(now - timestamp) > tolerance) {
    throw new SignatureError(
      "timestamp_out_of_range",
      `the signature's timestamp ${timestamp} is more than ${tolerance} s from now (${now})`
    )
  }
  return timestamp
}
