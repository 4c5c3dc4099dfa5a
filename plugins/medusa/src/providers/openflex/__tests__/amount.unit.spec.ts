import BigNumberJS from "bignumber.js"
import { BigNumber } from "@medusajs/framework/utils"
import { AmountError, decimalString, fromCents, isCAD, MAX_CENTS, toCents } from "../lib/amount"

describe("toCents", () => {
  it.each([
    [1299.99, 129999],
    ["1299.99", 129999],
    [0.01, 1],
    [0.29, 29], // 0.29 * 100 is 28.999999999999996 in floating point
    [1.005e2, 10050],
    [19.99, 1999],
    [4.35, 435], // 4.35 * 100 = 434.99999999999994
    [1200, 120000],
    ["1200", 120000],
    ["1200.", 120000],
    [".5", 50],
    ["0012.30", 1230],
    ["1.2e3", 120000],
    ["12345e-2", 12345],
    ["99999999.99", MAX_CENTS],
    ["1299.9900000000000000", 129999], // Medusa raw value, toPrecision(20)
  ])("%p -> %p", (input, cents) => {
    expect(toCents(input)).toBe(cents)
  })

  it("reads Medusa BigNumbers, their raw form and bignumber.js exactly", () => {
    expect(toCents(new BigNumber(1299.99))).toBe(129999)
    expect(toCents(new BigNumber("0.07"))).toBe(7)
    expect(toCents(new BigNumber(new BigNumberJS("45.10")))).toBe(4510)
    expect(toCents({ value: "1299.9900000000000000", precision: 20 })).toBe(129999)
    expect(toCents({ value: 30 })).toBe(3000)
    expect(toCents(new BigNumberJS("0.1").plus("0.2"))).toBe(30) // exactly 0.3, unlike floats
    // a serialized BigNumber (what the refund input carries)
    expect(toCents(JSON.parse(JSON.stringify(new BigNumber(20).raw)))).toBe(2000)
  })

  it.each([
    ["10.005", /fraction of a cent/],
    [0.1 + 0.2, /fraction of a cent/], // 0.30000000000000004
    [new BigNumber("33.333333333333333333"), /fraction of a cent/],
    ["1e-7", /fraction of a cent/],
    [-5, /negative/],
    ["-0.01", /negative/],
    [0, /greater than zero/],
    ["0.00", /greater than zero/],
    ["100000000.00", /largest/],
    ["1e400", /largest|out of range/],
    [Number.NaN, /not a finite number/],
    [Infinity, /not a finite number/],
    ["", /not a decimal/],
    ["12,50", /not a decimal/],
    ["$12", /not a decimal/],
    ["0x10", /not a decimal/],
    ["1e1234567", /out of range/],
    [null, /not a number/],
    [undefined, /not a number/],
    [{}, /not a number/],
  ])("refuses %p", (input, why) => {
    expect(() => toCents(input)).toThrow(AmountError)
    expect(() => toCents(input)).toThrow(why)
  })

  it.each([
    ["1367.2887", 136729], // 1209.99 + 13 % HST, as Medusa totals it
    ["22.5887", 2259],
    ["10.005", 1001], // half a cent goes up
    ["10.0049999999999", 1000],
    ["10.00", 1000],
    ["0.005", 1],
    [0.1 + 0.2, 30],
    [new BigNumber("33.333333333333333333"), 3333],
    [new BigNumber("66.666666666666666667"), 6667],
    [{ value: "1367.2887000000000000", precision: 20 }, 136729],
    ["99999999.994", MAX_CENTS],
  ])("rounds %p half up to %p cents when asked", (input, cents) => {
    expect(toCents(input, { rounding: "half_up" })).toBe(cents)
  })

  it("rounds down when asked", () => {
    expect(toCents("1367.2887", { rounding: "down" })).toBe(136728)
    expect(toCents("10.009", { rounding: "down" })).toBe(1000)
    expect(toCents("0.004", { rounding: "down", allowZero: true })).toBe(0)
  })

  it.each([
    ["0.004", /greater than zero/],
    ["99999999.995", /largest/],
    ["-1.005", /negative/],
  ])("still refuses %p when rounding", (input, why) => {
    expect(() => toCents(input, { rounding: "half_up" })).toThrow(why)
  })

  it("accepts zero only when asked", () => {
    expect(toCents("0", { allowZero: true })).toBe(0)
  })
})

describe("fromCents", () => {
  it.each([
    [129999, "1299.99"],
    [1, "0.01"],
    [10, "0.10"],
    [100, "1.00"],
    [0, "0.00"],
    [-250, "-2.50"],
    [MAX_CENTS, "99999999.99"],
  ])("%p -> %p", (cents, text) => {
    expect(fromCents(cents)).toBe(text)
    if (cents >= 0) {
      expect(toCents(text, { allowZero: true })).toBe(cents)
    }
  })

  it("refuses non-integers", () => {
    expect(() => fromCents(1.5)).toThrow(AmountError)
  })
})

describe("decimalString and isCAD", () => {
  it("keeps the exact text", () => {
    expect(decimalString(new BigNumber("1234567890.12"))).toBe("1234567890.12")
    expect(decimalString(" 12.30 ")).toBe("12.30")
  })
  it("knows CAD in any case", () => {
    expect(isCAD("cad")).toBe(true)
    expect(isCAD("CAD")).toBe(true)
    expect(isCAD("usd")).toBe(false)
    expect(isCAD(undefined)).toBe(false)
  })
})
