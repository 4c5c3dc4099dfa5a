/** The PaymentMethodHandler's code: a PaymentMethod of any code may use it. */
export const HANDLER_CODE = "openflex"
export const loggerCtx = "OpenFlexPlugin"
export const PLUGIN_OPTIONS = Symbol("OPENFLEX_PLUGIN_OPTIONS")
