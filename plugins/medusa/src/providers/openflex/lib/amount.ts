/**
 * Exact conversion between Medusa amounts (major units: 1299.99 is
 * $1,299.99, given as a number, a decimal string, a bignumber.js value, a
 * Medusa BigNumber or its raw {value, precision} form) and OpenFlex amounts
 * (integer cents). Nothing here goes through floating-point arithmetic: the
 * value is read as a decimal string and its digits are shifted.
 *
 * This file imports nothing from Medusa so that it can be unit-tested alone.
 */

/** The largest amount OpenFlex accepts: $99,999,999.99. */
export const MAX_CENTS = 9_999_999_999

export class AmountError extends Error {
  constructor(message: string) {
    super(message)
    this.name = "AmountError"
  }
}

type Decimalish = {
  // Medusa BigNumber (@medusajs/framework/utils)
  bigNumber?: { toFixed(): string }
  raw?: { value: string | number }
  // Medusa's serialized raw value (BigNumberRawValue)
  value?: string | number
  // bignumber.js
  toFixed?: () => string
  _isBigNumber?: boolean
}

/**
 * Returns the decimal text of a Medusa amount, exactly as it is held (no
 * rounding). Throws AmountError for anything that is not a finite number.
 */
export function decimalString(input: unknown): string {
  if (typeof input === "number") {
    if (!Number.isFinite(input)) {
      throw new AmountError(`amount ${input} is not a finite number`)
    }
    // The shortest text that reads back as the same double: 1299.99 -> "1299.99".
    return String(input)
  }
  if (typeof input === "bigint") {
    return input.toString()
  }
  if (typeof input === "string") {
    return input.trim()
  }
  if (input && typeof input === "object") {
    const o = input as Decimalish
    if (o.bigNumber && typeof o.bigNumber.toFixed === "function") {
      return o.bigNumber.toFixed()
    }
    if (o.raw && (typeof o.raw.value === "string" || typeof o.raw.value === "number")) {
      return decimalString(o.raw.value)
    }
    if (typeof o.value === "string" || typeof o.value === "number") {
      return decimalString(o.value)
    }
    if (o._isBigNumber === true && typeof o.toFixed === "function") {
      return o.toFixed()
    }
  }
  throw new AmountError(`amount ${JSON.stringify(input)} is not a number`)
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/

export interface ToCentsOptions {
  /** Accept zero (default: refused). */
  allowZero?: boolean
  /**
   * What to do with a fraction of a cent: "reject" (default) refuses it;
   * "half_up" rounds to the nearest cent, half a cent up, in decimal
   * arithmetic: the rounding Medusa itself applies at currency precision
   * (MathBN.convert(x, 2), bignumber.js ROUND_HALF_UP). Medusa's cart totals
   * carry tax to full precision (19.99 + 13 % HST = 22.5887), so the provider
   * needs "half_up" for them. "down" drops the fraction of a cent.
   */
  rounding?: "reject" | "half_up" | "down"
}

/**
 * Converts a Medusa amount in major units to integer cents, exactly: the
 * digits of its decimal text are shifted, never multiplied as floats.
 * A fraction of a cent ("10.005") is refused unless rounding is "half_up"; a
 * negative amount, anything that is not a number and amounts above MAX_CENTS
 * are always refused with AmountError. Zero is refused unless allowZero.
 */
export function toCents(input: unknown, opts: ToCentsOptions = {}): number {
  const text = decimalString(input)
  const m = DECIMAL.exec(text)
  if (!m || (m[2] === "" && (m[3] === undefined || m[3] === ""))) {
    throw new AmountError(`amount ${JSON.stringify(text)} is not a decimal number`)
  }
  const negative = m[1] === "-"
  let digits = (m[2] || "") + (m[3] || "")
  // Position of the decimal point in digits once shifted by the exponent
  // and by two places (dollars -> cents).
  if (m[4] !== undefined && m[4].replace(/^[+-]/, "").length > 6) {
    throw new AmountError(`amount ${JSON.stringify(text)} is out of range`)
  }
  let point = (m[2] || "").length + (m[4] ? parseInt(m[4], 10) : 0) + 2
  if (point < 0) {
    digits = "0".repeat(-point) + digits
    point = 0
  }
  if (point > digits.length) {
    digits = digits + "0".repeat(point - digits.length)
  }
  const whole = digits.slice(0, point)
  const fraction = digits.slice(point)
  let cents = BigInt(whole === "" ? "0" : whole)
  if (/[1-9]/.test(fraction)) {
    if (opts.rounding !== "half_up" && opts.rounding !== "down") {
      throw new AmountError(`amount ${text} has a fraction of a cent; OpenFlex amounts are whole cents`)
    }
    if (opts.rounding === "half_up" && !negative && fraction[0] >= "5") {
      cents += 1n
    }
  }
  if (cents === 0n) {
    if (opts.allowZero) {
      return 0
    }
    throw new AmountError(`amount ${text} must be greater than zero`)
  }
  if (negative) {
    throw new AmountError(`amount ${text} must not be negative`)
  }
  if (cents > BigInt(MAX_CENTS)) {
    throw new AmountError(`amount ${text} is above the largest OpenFlex amount (99999999.99)`)
  }
  return Number(cents)
}

/** Formats integer cents as the exact decimal text of major units: 129999 -> "1299.99". */
export function fromCents(cents: number): string {
  if (!Number.isSafeInteger(cents)) {
    throw new AmountError(`cents ${cents} is not a whole number`)
  }
  const sign = cents < 0 ? "-" : ""
  const abs = Math.abs(cents).toString().padStart(3, "0")
  return `${sign}${abs.slice(0, -2)}.${abs.slice(-2)}`
}

/** Checks the currency: OpenFlex lends in Canadian dollars only. */
export function isCAD(currencyCode: unknown): boolean {
  return typeof currencyCode === "string" && currencyCode.trim().toUpperCase() === "CAD"
}
