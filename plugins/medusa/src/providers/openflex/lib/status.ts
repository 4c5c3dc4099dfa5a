/**
 * OpenFlex checkout and authorization statuses, and what they mean to
 * Medusa. Pure functions: no Medusa import, unit-tested alone.
 */

/** Medusa's PaymentSessionStatus values (the enum of @medusajs/framework/utils). */
export type SessionStatus =
  | "pending"
  | "authorized"
  | "captured"
  | "canceled"
  | "error"
  | "requires_more"
  | "pending_authorization"

/** Medusa's PaymentActions values, for webhooks. */
export type WebhookAction =
  | "authorized"
  | "captured"
  | "failed"
  | "pending"
  | "requires_more"
  | "canceled"
  | "not_supported"
  | "pending_authorization"

export type CheckoutStatus = "open" | "completed" | "cancelled" | "expired"
export type AuthorizationStatus = "pending" | "partially_captured" | "captured" | "released" | "expired"

/** The part of an OpenFlex checkout object this module reads. */
export interface CheckoutLike {
  status: string
  authorization_id?: string | null
}

/** The part of an OpenFlex authorization object this module reads. */
export interface AuthorizationLike {
  status: string
  amount?: number
  captured_amount?: number
  remaining_amount?: number
}

/**
 * The Medusa status of a payment session paid with an OpenFlex checkout.
 *
 *   checkout open                         -> pending (the shopper has not finished)
 *   checkout cancelled / expired          -> canceled
 *   checkout completed, authorization:
 *     pending, partially_captured         -> authorized (money held, capturable)
 *     captured                            -> captured
 *     released, expired                   -> canceled
 *   completed without an authorization, or any status this version does not
 *   know                                  -> error
 */
export function sessionStatus(checkout: CheckoutLike, authorization?: AuthorizationLike | null): SessionStatus {
  switch (checkout.status) {
    case "open":
      return "pending"
    case "cancelled":
    case "expired":
      return "canceled"
    case "completed":
      if (!checkout.authorization_id || !authorization) {
        return "error"
      }
      return authorizationStatus(authorization)
    default:
      return "error"
  }
}

/** The Medusa status of an OpenFlex authorization (see sessionStatus). */
export function authorizationStatus(authorization: AuthorizationLike): SessionStatus {
  switch (authorization.status) {
    case "pending":
    case "partially_captured":
      return "authorized"
    case "captured":
      return "captured"
    case "released":
    case "expired":
      return "canceled"
    default:
      return "error"
  }
}

/** Event types the provider acts on. */
export const HANDLED_EVENTS = [
  "checkout.completed",
  "checkout.cancelled",
  "checkout.expired",
  "authorization.captured",
] as const

/**
 * The Medusa webhook action of an OpenFlex event:
 *
 *   checkout.completed      -> authorized, or captured when the checkout
 *                              captured at once (auto_capture)
 *   authorization.captured  -> captured once nothing is left to capture
 *                              (a partial capture is not_supported: Medusa
 *                              would book it as the whole payment)
 *   checkout.cancelled      -> canceled
 *   checkout.expired        -> canceled
 *   anything else           -> not_supported
 */
export function webhookAction(type: string, object: Record<string, unknown>): WebhookAction {
  switch (type) {
    case "checkout.completed":
      return object.auto_capture === true ? "captured" : "authorized"
    case "authorization.captured":
      return object.status === "captured" ? "captured" : "not_supported"
    case "checkout.cancelled":
    case "checkout.expired":
      return "canceled"
    default:
      return "not_supported"
  }
}
