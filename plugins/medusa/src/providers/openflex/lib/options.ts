/**
 * The provider's options (medusa-config.ts) and their validation at boot.
 * No Medusa import: unit-tested alone.
 */
import { keyEnvironment } from "@openflex/sdk"

export interface OpenFlexOptions {
  /** The lender's OpenFlex API origin, e.g. https://api.lender.example (no /v1). */
  baseUrl: string
  /** Key set Client ID: ofk_train_… (TRAINING) or ofk_prod_… (PRODUCTION). */
  clientId: string
  /** Key set Client Secret: ofs_train_… / ofs_prod_…, of the same environment. */
  clientSecret: string
  /**
   * Signing secret(s) of the webhook endpoint registered in OpenFlex for
   * https://YOUR-MEDUSA/hooks/payment/openflex_openflex. Several (an array
   * or a comma-separated string) while rolling. Without it every webhook is
   * ignored (logged), and carts complete only when the storefront completes them.
   */
  webhookSecret?: string | string[]
  /** Capture at once when the shopper confirms (default false: capture from the admin). */
  autoCapture?: boolean
  /** The OpenFlex store (str_…) the online sales are booked to. */
  storeId: string
  /** Default success URL when the storefront sends none in the payment session data. */
  successUrl?: string
  /** Default cancel URL when the storefront sends none. */
  cancelUrl?: string
  /** Hosted checkout flow: apply_or_buy (default), buy (existing customers) or apply. */
  flow?: "apply_or_buy" | "buy" | "apply"
  /** Per-attempt HTTP timeout in ms (default 15000). */
  timeoutMs?: number
  /** Retries of network errors, 429, 409 idempotency_key_in_use and 5xx (default 2). */
  maxRetries?: number
  /** Webhook timestamp tolerance in seconds (default 300). */
  webhookToleranceSeconds?: number
}

export class OptionsError extends Error {
  constructor(message: string) {
    super(message)
    this.name = "OptionsError"
  }
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]", "::1"])

/** Splits webhookSecret into the list of secrets. */
export function webhookSecrets(opt: OpenFlexOptions["webhookSecret"]): string[] {
  if (opt === undefined || opt === null) {
    return []
  }
  const list = Array.isArray(opt) ? opt : String(opt).split(",")
  return list.map((s) => String(s).trim()).filter((s) => s !== "")
}

/** The environment a Client ID belongs to. */
export function environmentOf(clientId: string): "training" | "production" | undefined {
  if (clientId.startsWith("ofk_train_")) {
    return "training"
  }
  if (clientId.startsWith("ofk_prod_")) {
    return "production"
  }
  return undefined
}

function checkURL(name: string, value: unknown, problems: string[]): URL | undefined {
  if (typeof value !== "string" || value.trim() === "") {
    problems.push(`${name} is required`)
    return undefined
  }
  let u: URL
  try {
    u = new URL(value)
  } catch {
    problems.push(`${name} must be an absolute URL (got ${JSON.stringify(value)})`)
    return undefined
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") {
    problems.push(`${name} must be an http(s) URL`)
    return undefined
  }
  if (u.username || u.password) {
    problems.push(`${name} must not contain credentials`)
  }
  return u
}

/**
 * Throws OptionsError listing every problem at once, so a misconfigured
 * provider stops Medusa at boot instead of failing at the first checkout.
 */
export function validateOptions(options: unknown): asserts options is OpenFlexOptions {
  const problems: string[] = []
  if (!options || typeof options !== "object") {
    throw new OptionsError("OpenFlex provider: options are required (baseUrl, clientId, clientSecret, storeId)")
  }
  const o = options as Record<string, unknown>
  const base = checkURL("baseUrl", o.baseUrl, problems)
  if (base && (base.search || base.hash)) {
    problems.push("baseUrl must not have a query or fragment")
  }
  let env: "training" | "production" | undefined
  if (typeof o.clientId !== "string" || o.clientId === "") {
    problems.push("clientId is required (ofk_train_… or ofk_prod_…)")
  } else if (!(env = environmentOf(o.clientId))) {
    problems.push("clientId must start with ofk_train_ or ofk_prod_")
  }
  if (typeof o.clientSecret !== "string" || o.clientSecret === "") {
    problems.push("clientSecret is required (ofs_train_… or ofs_prod_…)")
  } else if (!/^ofs_(train|prod)_/.test(o.clientSecret)) {
    problems.push("clientSecret must start with ofs_train_ or ofs_prod_")
  } else if (env && !o.clientSecret.startsWith(env === "training" ? "ofs_train_" : "ofs_prod_")) {
    problems.push("clientId and clientSecret belong to different environments")
  } else if (env) {
    // The SDK's check: a secret whose checksum fails was mistyped or cut short.
    try {
      keyEnvironment(o.clientId as string, o.clientSecret)
    } catch (e: any) {
      problems.push(String(e?.message ?? e).replace(/^openflex: client secret/, "clientSecret"))
    }
  }
  if (env === "production" && base && base.protocol !== "https:" && !LOOPBACK.has(base.hostname)) {
    problems.push("baseUrl must use https with PRODUCTION keys")
  }
  if (typeof o.storeId !== "string" || !/^str_[0-9a-z]+$/.test(o.storeId)) {
    problems.push("storeId is required: the OpenFlex store id (str_…) to book online sales to")
  }
  if (o.webhookSecret !== undefined && o.webhookSecret !== null) {
    const ok =
      typeof o.webhookSecret === "string" ||
      (Array.isArray(o.webhookSecret) && o.webhookSecret.every((s) => typeof s === "string"))
    if (!ok) {
      problems.push("webhookSecret must be a string or an array of strings")
    }
  }
  if (o.autoCapture !== undefined && typeof o.autoCapture !== "boolean") {
    problems.push("autoCapture must be true or false")
  }
  for (const name of ["successUrl", "cancelUrl"] as const) {
    if (o[name] !== undefined && o[name] !== "") {
      checkURL(name, o[name], problems)
    }
  }
  if (o.flow !== undefined && !["apply_or_buy", "buy", "apply"].includes(o.flow as string)) {
    problems.push("flow must be apply_or_buy, buy or apply")
  }
  for (const name of ["timeoutMs", "maxRetries", "webhookToleranceSeconds"] as const) {
    const v = o[name]
    if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v < 0)) {
      problems.push(`${name} must be a whole number ≥ 0`)
    }
  }
  if (problems.length) {
    throw new OptionsError(`OpenFlex provider options: ${problems.join("; ")}`)
  }
}
