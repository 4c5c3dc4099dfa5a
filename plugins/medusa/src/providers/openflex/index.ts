import { ModuleProvider, Modules } from "@medusajs/framework/utils"
import OpenFlexProviderService from "./service"

export { OpenFlexProviderService }
export type { OpenFlexOptions } from "./lib/options"
export type { OpenFlexPaymentData } from "./service"

export default ModuleProvider(Modules.PAYMENT, {
  services: [OpenFlexProviderService],
})
