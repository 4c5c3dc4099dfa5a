import { FulfillmentProcess, Injector, isGraphQlErrorResult, OrderService } from "@vendure/core"

import { OpenFlexService } from "./openflex.service"

let orderService: OrderService
let openflex: OpenFlexService

/**
 * Authorize-only payments are captured when their order is fulfilled: as a
 * fulfilment is created (Created → Pending), each Authorized OpenFlex
 * payment of its order is settled, which captures it, so the order is
 * PaymentSettled and can then ship. (Shipped or Delivered settle too, for a
 * fulfilment created before the plugin was installed.) A capture that fails
 * stops the fulfilment with OpenFlex's reason.
 */
export const captureOnFulfilmentProcess: FulfillmentProcess<never> = {
  init(injector: Injector) {
    orderService = injector.get(OrderService)
    openflex = injector.get(OpenFlexService)
  },

  async onTransitionStart(fromState, toState, { ctx, orders }) {
    if (toState !== "Pending" && toState !== "Shipped" && toState !== "Delivered") return
    for (const o of orders) {
      const order = await orderService.findOne(ctx, o.id, ["payments"])
      for (const p of order?.payments ?? []) {
        if (p.state !== "Authorized" || !(await openflex.isOpenFlexMethod(ctx, p.method))) continue
        const settled = await orderService.settlePayment(ctx, p.id)
        if (isGraphQlErrorResult(settled)) {
          const why = "paymentErrorMessage" in settled ? (settled as any).paymentErrorMessage : settled.message
          return `OpenFlex could not capture payment ${p.id} of order ${o.code}: ${why}`
        }
        if (settled.state !== "Settled") {
          return `OpenFlex could not capture payment ${p.id} of order ${o.code}: ${settled.errorMessage ?? settled.state}`
        }
      }
    }
  },
}
