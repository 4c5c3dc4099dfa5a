import { environmentOf, OptionsError, validateOptions, webhookSecrets } from "../lib/options"

const good = {
  baseUrl: "https://api.lender.example",
  clientId: "ofk_train_abc",
  clientSecret: "ofs_train_unitTestSecretUnitTestSecretUnitTestSecret11Ix3vo",
  storeId: "str_01m89f2db0cj26knd7j56cmrys",
}

describe("validateOptions", () => {
  it("accepts a complete TRAINING configuration", () => {
    expect(() => validateOptions(good)).not.toThrow()
    expect(() =>
      validateOptions({ ...good, webhookSecret: "whsec_1", autoCapture: true, successUrl: "https://shop.example/ok", flow: "buy" })
    ).not.toThrow()
    expect(() => validateOptions({ ...good, baseUrl: "http://127.0.0.1:8080" })).not.toThrow()
  })

  it("lists every problem at once", () => {
    let msg = ""
    try {
      validateOptions({ baseUrl: "ftp://x", clientId: "abc", clientSecret: "", storeId: "42", autoCapture: "yes" })
    } catch (e) {
      expect(e).toBeInstanceOf(OptionsError)
      msg = (e as Error).message
    }
    for (const bit of ["baseUrl must be an http(s) URL", "clientId must start", "clientSecret is required", "storeId is required", "autoCapture"]) {
      expect(msg).toContain(bit)
    }
  })

  it.each([
    [{ ...good, clientSecret: "ofs_prod_x" }, /different environments/],
    [{ ...good, clientId: "ofk_prod_x", clientSecret: "ofs_prod_unitTestSecretUnitTestSecretUnitTestSecret12ABC3M", baseUrl: "http://api.lender.example" }, /https with PRODUCTION/],
    [{ ...good, clientSecret: good.clientSecret.slice(0, -1) + "0" }, /clientSecret checksum does not match/],
    [{ ...good, baseUrl: "https://user:pw@api.lender.example" }, /credentials/],
    [{ ...good, baseUrl: "not a url" }, /absolute URL/],
    [{ ...good, webhookSecret: 42 }, /webhookSecret/],
    [{ ...good, flow: "other" }, /flow/],
    [{ ...good, timeoutMs: -1 }, /timeoutMs/],
    [undefined, /options are required/],
  ])("refuses %j", (opts, why) => {
    expect(() => validateOptions(opts)).toThrow(why)
  })

  it("allows a PRODUCTION key over http only on loopback", () => {
    expect(() =>
      validateOptions({ ...good, clientId: "ofk_prod_x", clientSecret: "ofs_prod_unitTestSecretUnitTestSecretUnitTestSecret12ABC3M", baseUrl: "http://localhost:8080" })
    ).not.toThrow()
  })
})

describe("webhookSecrets and environmentOf", () => {
  it("splits", () => {
    expect(webhookSecrets(undefined)).toEqual([])
    expect(webhookSecrets("a")).toEqual(["a"])
    expect(webhookSecrets(" a , b ,")).toEqual(["a", "b"])
    expect(webhookSecrets(["a", "", "b"])).toEqual(["a", "b"])
  })
  it("reads the environment from the Client ID", () => {
    expect(environmentOf("ofk_train_x")).toBe("training")
    expect(environmentOf("ofk_prod_x")).toBe("production")
    expect(environmentOf("x")).toBeUndefined()
  })
})
