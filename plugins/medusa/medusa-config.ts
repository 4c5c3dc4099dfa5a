/**
 * The Medusa application the plugin's HTTP integration tests boot (with
 * medusaIntegrationTestRunner, from this folder). It is also a working
 * example of the configuration a shop needs; see README.md.
 */
import { defineConfig } from "@medusajs/framework/utils"

const env = process.env

module.exports = defineConfig({
  projectConfig: {
    databaseUrl: env.DATABASE_URL,
    http: {
      storeCors: env.STORE_CORS || "http://localhost:8000",
      adminCors: env.ADMIN_CORS || "http://localhost:9000",
      authCors: env.AUTH_CORS || "http://localhost:8000,http://localhost:9000",
      jwtSecret: env.JWT_SECRET || "test-jwt-secret",
      cookieSecret: env.COOKIE_SECRET || "test-cookie-secret",
    },
  },
  admin: { disable: true },
  modules: [
    {
      resolve: "@medusajs/medusa/payment",
      options: {
        providers: [
          {
            // In a shop: "@openflex/medusa-payment/providers/openflex"
            resolve: "./src/providers/openflex",
            id: "openflex",
            options: {
              baseUrl: env.OPENFLEX_BASE_URL,
              clientId: env.OPENFLEX_CLIENT_ID,
              clientSecret: env.OPENFLEX_CLIENT_SECRET,
              webhookSecret: env.OPENFLEX_WEBHOOK_SECRET,
              storeId: env.OPENFLEX_STORE_ID,
              autoCapture: env.OPENFLEX_AUTO_CAPTURE === "true",
            },
          },
        ],
      },
    },
  ],
})
