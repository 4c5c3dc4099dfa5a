import { PluginCommonModule, Type, VendurePlugin } from "@vendure/core"
import { gql } from "graphql-tag"

import { captureOnFulfilmentProcess } from "./capture-on-fulfilment"
import { PLUGIN_OPTIONS } from "./constants"
import { OpenFlexController } from "./openflex.controller"
import { openflexPaymentMethodHandler } from "./openflex.handler"
import { OpenFlexShopResolver } from "./openflex.resolver"
import { OpenFlexService } from "./openflex.service"
import { rawBodyMiddleware } from "./raw-body.middleware"
import type { OpenFlexPluginOptions } from "./types"

/**
 * OpenFlex consumer financing for Vendure: the "openflex" payment method
 * handler, the shop API's createOpenFlexCheckout, settleOpenFlexCheckout and
 * openflexPromotion, the webhook at /payments/openflex, and the capture of
 * authorize-only payments when their order is fulfilled.
 *
 *   plugins: [OpenFlexPlugin.init({})]
 */
@VendurePlugin({
  imports: [PluginCommonModule],
  controllers: [OpenFlexController],
  providers: [{ provide: PLUGIN_OPTIONS, useFactory: () => OpenFlexPlugin.options }, OpenFlexService],
  configuration: (config) => {
    config.paymentOptions.paymentMethodHandlers.push(openflexPaymentMethodHandler)
    config.apiOptions.middleware.push({ route: "/payments/openflex", handler: rawBodyMiddleware, beforeListen: true })
    if (OpenFlexPlugin.options.captureOnFulfilment !== false) {
      config.shippingOptions.process = [...(config.shippingOptions.process ?? []), captureOnFulfilmentProcess]
    }
    return config
  },
  shopApiExtensions: {
    schema: gql`
      input OpenFlexCheckoutInput {
        "Where OpenFlex sends the shopper back, with ?checkout_id=…: an origin among the key set's Trust URLs"
        successUrl: String!
        cancelUrl: String!
        "en or fr; omitted: the shopper's browser decides"
        language: String
        "The payment method's code, when the channel has several OpenFlex methods"
        paymentMethodCode: String
      }
      type OpenFlexCheckout {
        id: String!
        "The hosted checkout: redirect the shopper here, or open it with the drop-in"
        url: String!
        expiresAt: String!
        amount: Money!
      }
      type OpenFlexPromotion {
        available: Boolean!
        amount: Money!
        currencyCode: CurrencyCode!
        monthlyPayment: Money
        termMonths: Int
        apr: String
        planName: String
        disclosure: String
      }
      extend type Mutation {
        "Starts a hosted checkout for the active order's total (the order moves to ArrangingPayment)"
        createOpenFlexCheckout(input: OpenFlexCheckoutInput!): OpenFlexCheckout!
        "On the shopper's return: adds the completed checkout's payment to the order (once; the webhook may have done it)"
        settleOpenFlexCheckout(checkoutId: String!): Order!
      }
      extend type Query {
        "'As low as $X/month' for a price in cents (with tax) or a product variant"
        openflexPromotion(amount: Money, productVariantId: ID): OpenFlexPromotion!
      }
    `,
    resolvers: [OpenFlexShopResolver],
  },
  exports: [OpenFlexService],
  compatibility: "^3.0.0",
})
export class OpenFlexPlugin {
  static options: OpenFlexPluginOptions = {}

  static init(options: OpenFlexPluginOptions = {}): Type<OpenFlexPlugin> {
    this.options = options
    return OpenFlexPlugin
  }
}
