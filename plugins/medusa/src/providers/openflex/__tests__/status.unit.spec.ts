import { authorizationStatus, sessionStatus, webhookAction } from "../lib/status"

describe("sessionStatus", () => {
  it.each([
    [{ status: "open", authorization_id: null }, undefined, "pending"],
    [{ status: "cancelled", authorization_id: null }, undefined, "canceled"],
    [{ status: "expired", authorization_id: null }, undefined, "canceled"],
    [{ status: "completed", authorization_id: "auth_1" }, { status: "pending" }, "authorized"],
    [{ status: "completed", authorization_id: "auth_1" }, { status: "partially_captured" }, "authorized"],
    [{ status: "completed", authorization_id: "auth_1" }, { status: "captured" }, "captured"],
    [{ status: "completed", authorization_id: "auth_1" }, { status: "released" }, "canceled"],
    [{ status: "completed", authorization_id: "auth_1" }, { status: "expired" }, "canceled"],
    [{ status: "completed", authorization_id: "auth_1" }, { status: "something_new" }, "error"],
    [{ status: "completed", authorization_id: null }, undefined, "error"],
    [{ status: "completed", authorization_id: "auth_1" }, undefined, "error"],
    [{ status: "weird", authorization_id: null }, undefined, "error"],
  ])("checkout %j + authorization %j -> %s", (checkout, authorization, want) => {
    expect(sessionStatus(checkout, authorization as any)).toBe(want)
  })

  it("maps authorizations alone", () => {
    expect(authorizationStatus({ status: "pending" })).toBe("authorized")
    expect(authorizationStatus({ status: "captured" })).toBe("captured")
    expect(authorizationStatus({ status: "released" })).toBe("canceled")
  })
})

describe("webhookAction", () => {
  it.each([
    ["checkout.completed", { auto_capture: false }, "authorized"],
    ["checkout.completed", { auto_capture: true }, "captured"],
    ["authorization.captured", { status: "captured" }, "captured"],
    ["authorization.captured", { status: "partially_captured" }, "not_supported"],
    ["checkout.cancelled", {}, "canceled"],
    ["checkout.expired", {}, "canceled"],
    ["authorization.created", {}, "not_supported"],
    ["return.created", {}, "not_supported"],
    ["application.approved", {}, "not_supported"],
    ["", {}, "not_supported"],
  ])("%s %j -> %s", (type, obj, want) => {
    expect(webhookAction(type, obj)).toBe(want)
  })
})
