import { OpenFlexError } from "@openflex/sdk"
import {
  CancelPaymentErrorResult,
  CancelPaymentResult,
  CreatePaymentErrorResult,
  CreatePaymentResult,
  CreateRefundResult,
  Injector,
  LanguageCode,
  Logger,
  PaymentMethodHandler,
  SettlePaymentErrorResult,
  SettlePaymentResult,
} from "@vendure/core"

import { HANDLER_CODE, loggerCtx } from "./constants"
import { OpenFlexService, type HandlerArgs } from "./openflex.service"

let service: OpenFlexService

/** "OpenFlex authorization_not_open: … (HTTP 409, request req_…)": what an admin reads in the payment's error. */
function describe(err: unknown): string {
  if (err instanceof OpenFlexError) return err.message
  return err instanceof Error ? err.message : String(err)
}

/**
 * The OpenFlex payment method: the shopper pays on OpenFlex's hosted
 * checkout (createOpenFlexCheckout in the shop API), and the completed
 * checkout becomes the order's Payment — on the shopper's return
 * (settleOpenFlexCheckout, or addPaymentToOrder with metadata.checkoutId) or
 * on the signed checkout.completed webhook, whichever comes first.
 *
 * Authorize only (the default): the Payment is Authorized (credit held on
 * the shopper's account) and captured when it is settled — by fulfilling the
 * order, or by the admin's "settle". autoCapture: captured at checkout,
 * the Payment Settled at once. Refunds are OpenFlex returns (partial ones
 * too); cancelling an authorized Payment releases the hold.
 *
 * Every call to OpenFlex carries an Idempotency-Key derived from Vendure's
 * own ids, so a retried settle, refund or cancel never moves money twice.
 */
export const openflexPaymentMethodHandler = new PaymentMethodHandler({
  code: HANDLER_CODE,
  description: [
    { languageCode: LanguageCode.en, value: "OpenFlex consumer financing (hosted checkout)" },
    { languageCode: LanguageCode.fr, value: "Financement OpenFlex (paiement hébergé)" },
  ],
  args: {
    baseUrl: {
      type: "string",
      label: [{ languageCode: LanguageCode.en, value: "API base URL" }],
      description: [{ languageCode: LanguageCode.en, value: "Your lender's OpenFlex API host, such as https://api.lender.example" }],
    },
    clientId: {
      type: "string",
      label: [{ languageCode: LanguageCode.en, value: "Client ID" }],
      description: [{ languageCode: LanguageCode.en, value: "ofk_train_… (TRAINING) or ofk_prod_… (PRODUCTION)" }],
    },
    clientSecret: {
      type: "string",
      label: [{ languageCode: LanguageCode.en, value: "Client Secret" }],
      ui: { component: "password-form-input" },
    },
    storeId: {
      type: "string",
      label: [{ languageCode: LanguageCode.en, value: "Store ID" }],
      description: [{ languageCode: LanguageCode.en, value: "The OpenFlex store (str_…) purchases are made in" }],
    },
    webhookSecret: {
      type: "string",
      required: false,
      label: [{ languageCode: LanguageCode.en, value: "Webhook signing secret" }],
      description: [
        { languageCode: LanguageCode.en, value: "Of the webhook endpoint https://YOUR-VENDURE/payments/openflex; two, comma-separated, while rolling" },
      ],
      ui: { component: "password-form-input" },
    },
    autoCapture: {
      type: "boolean",
      required: false,
      defaultValue: false,
      label: [{ languageCode: LanguageCode.en, value: "Capture at checkout" }],
      description: [
        { languageCode: LanguageCode.en, value: "Off: authorize only, capture when the order is fulfilled (or the payment is settled by hand)" },
      ],
    },
  },

  init(injector: Injector) {
    service = injector.get(OpenFlexService)
  },

  async createPayment(ctx, order, amount, args, metadata): Promise<CreatePaymentResult | CreatePaymentErrorResult> {
    const checkoutId = typeof metadata?.checkoutId === "string" ? metadata.checkoutId : ""
    if (!checkoutId) {
      return {
        amount,
        state: "Declined",
        errorMessage: "OpenFlex: metadata.checkoutId is missing: pass the checkout_id OpenFlex returned the shopper with",
      }
    }
    try {
      return await service.paymentFromCheckout(ctx, order, amount, args as HandlerArgs, checkoutId)
    } catch (err) {
      Logger.warn(`createPayment for order ${order.code}, checkout ${checkoutId}: ${describe(err)}`, loggerCtx)
      return { amount, state: "Declined", errorMessage: describe(err), metadata: { checkoutId } }
    }
  },

  async settlePayment(ctx, order, payment, args): Promise<SettlePaymentResult | SettlePaymentErrorResult> {
    try {
      const metadata = await service.capture(ctx, order, payment, args as HandlerArgs)
      return { success: true, metadata }
    } catch (err) {
      Logger.warn(`settlePayment ${payment.id} of order ${order.code}: ${describe(err)}`, loggerCtx)
      return { success: false, errorMessage: describe(err) }
    }
  },

  async createRefund(ctx, input, amount, order, payment, args): Promise<CreateRefundResult> {
    try {
      const { returnIds, metadata } = await service.refund(ctx, order, payment, amount, args as HandlerArgs, input.reason ?? undefined)
      return { state: "Settled", transactionId: returnIds.join(","), metadata }
    } catch (err) {
      Logger.warn(`createRefund of ${amount} on payment ${payment.id} of order ${order.code}: ${describe(err)}`, loggerCtx)
      return { state: "Failed", transactionId: "", metadata: { errorMessage: describe(err) } }
    }
  },

  async cancelPayment(ctx, order, payment, args): Promise<CancelPaymentResult | CancelPaymentErrorResult> {
    try {
      const metadata = await service.release(ctx, order, payment, args as HandlerArgs)
      return { success: true, metadata }
    } catch (err) {
      Logger.warn(`cancelPayment ${payment.id} of order ${order.code}: ${describe(err)}`, loggerCtx)
      return { success: false, errorMessage: describe(err) }
    }
  },
})
