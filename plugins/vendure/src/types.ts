import type { OpenFlexOptions } from "@openflex/sdk"

export interface OpenFlexPluginOptions {
  /**
   * Capture an authorize-only payment when its order is fulfilled
   * (default true). Off: capture with the admin's "settle payment".
   */
  captureOnFulfilment?: boolean
  /** Largest age of a webhook's signature, in seconds (default 300). */
  webhookToleranceSeconds?: number
  /** Extra options of the OpenFlex client (timeoutMs, maxRetries; tests: retryWait). */
  client?: Partial<Pick<OpenFlexOptions, "timeoutMs" | "maxRetries" | "retryWait" | "fetch">>
}
