// A client that calls every operation of OpenFlex's OpenAPI document
// through openapi-fetch with the types openapi-typescript generates from it
// (npm run check, tsconfig.json: strict). The calls use the document's examples. TestTypeScriptClient
// (internal/api) runs the check, and fails when an operation is missing here.
import createClient from "openapi-fetch";
import type { paths } from "./generated/openflex";

const client = createClient<paths>({ baseUrl: "https://openflex.example", headers: { Authorization: "Bearer oft_train_…" } });

export async function everyOperation(): Promise<void> {
  await client.GET("/v1/key_set"); // getKeySet
  await client.POST("/v1/key_set/trust", {"params": {"header": {"Idempotency-Key": "example-replaceKeySetTrust"}}, "body": {"trust_urls": ["https://shop.example.com"], "trust_ips": ["203.0.113.7", "198.51.100.0/24"]}}); // replaceKeySetTrust
  await client.GET("/healthz"); // healthz
  await client.GET("/readyz"); // readyz
  await client.GET("/openapi.json"); // openapi
  await client.POST("/oauth/token", {"body": {"grant_type": "client_credentials"}}); // createToken
  await client.GET("/v1/stores"); // listStores
  await client.GET("/v1/stores/{id}", {"params": {"path": {"id": "str_01jd8y4n6p8q0r2s4t6v8w0x2a"}}}); // getStore
  await client.GET("/v1/stores/{id}/summary", {"params": {"path": {"id": "str_01jd8y4n6p8q0r2s4t6v8w0x2a"}, "query": {"date": "2026-11-23"}}}); // getStoreSummary
  await client.GET("/v1/plans"); // listPlans
  await client.POST("/v1/applications", {"body": {"store_id": "str_01jd8y4n6p8q0r2s4t6v8w0x2a", "consent": {"credit_check": true, "terms_accepted": true}, "applicant": {"first_name": "Zoë", "middle_name": "A-RR_L", "last_name": "Tremblay", "date_of_birth": "1988-03-14", "email": "zoe@example.com", "phone": "416-555-0199", "annual_income": 8500000, "employment_status": "employed", "housing_status": "rent", "monthly_housing_cost": 180000, "address": {"line1": "1 King St W", "city": "Toronto", "province": "ON", "postal_code": "M5H 1A1"}}}, "params": {"header": {"Idempotency-Key": "example-createApplication"}}}); // createApplication
  await client.GET("/v1/applications/{id}", {"params": {"path": {"id": "app_01jd8y4n6p8q0r2s4t6v8w0x2c"}}}); // getApplication
  await client.GET("/v1/accounts/{number}", {"params": {"path": {"number": "51476567152129"}}}); // getAccount
  await client.GET("/v1/customers/search", {"params": {"query": {"first_name": "Zoë", "last_name": "Tremblay", "date_of_birth": "1988-03-14", "postal_code": "M5H 1A1"}}}); // searchCustomers
  await client.POST("/v1/accounts/{number}/verifications", {"params": {"path": {"number": "51476567152129"}, "header": {"Idempotency-Key": "example-createVerification"}}, "body": {"channel": "sms"}}); // createVerification
  await client.POST("/v1/accounts/{number}/consent/revoke", {"params": {"path": {"number": "51476567152129"}, "header": {"Idempotency-Key": "example-revokeConsent"}}, "body": {"reason": "The customer removed OpenFlex from their saved payment methods"}}); // revokeConsent
  await client.POST("/v1/accounts/{number}/quotes", {"params": {"path": {"number": "51476567152129"}, "header": {"Idempotency-Key": "example-createQuote"}}, "body": {"amount": 120000, "store_id": "str_01jd8y4n6p8q0r2s4t6v8w0x2a"}}); // createQuote
  await client.POST("/v1/authorizations", {"body": {"account_number": "51476567152129", "amount": 120000, "currency": "CAD", "store_id": "str_01jd8y4n6p8q0r2s4t6v8w0x2a", "channel": "online", "reference": "order-77", "financing": {"plan_id": "plan_01jd8y4n6p8q0r2s4t6v8w0x2b", "term_months": 12}, "items": [{"sku": "TBL-OAK-72", "description": "Harbour oak dining table", "quantity": 1, "unit_price": 106194}], "taxes": {"gst_hst": 13806, "pst": 0}}, "params": {"header": {"Idempotency-Key": "example-createAuthorization"}}}); // createAuthorization
  await client.GET("/v1/authorizations", {"params": {"query": {"store_id": "str_01jd8y4n6p8q0r2s4t6v8w0x2a", "account_number": "51476567152129", "status": "partially_captured", "reference": "order-77"}}}); // listAuthorizations
  await client.GET("/v1/authorizations/{id}", {"params": {"path": {"id": "auth_01jd8y4n6p8q0r2s4t6v8w0x2e"}}}); // getAuthorization
  await client.POST("/v1/authorizations/{id}/captures", {"params": {"path": {"id": "auth_01jd8y4n6p8q0r2s4t6v8w0x2e"}, "header": {"Idempotency-Key": "example-createCapture"}}, "body": {"amount": 30000}}); // createCapture
  await client.POST("/v1/authorizations/{id}/release", {"params": {"path": {"id": "auth_01jd8y4n6p8q0r2s4t6v8w0x2e"}, "header": {"Idempotency-Key": "example-releaseAuthorization"}}, "body": {}}); // releaseAuthorization
  await client.GET("/v1/captures", {"params": {"query": {"authorization_id": "auth_01jd8y4n6p8q0r2s4t6v8w0x2e"}}}); // listCaptures
  await client.GET("/v1/captures/{id}", {"params": {"path": {"id": "cap_01jd8y4n6p8q0r2s4t6v8w0x2g"}}}); // getCapture
  await client.POST("/v1/captures/{id}/returns", {"params": {"path": {"id": "cap_01jd8y4n6p8q0r2s4t6v8w0x2g"}, "header": {"Idempotency-Key": "example-createReturn"}}, "body": {"amount": 10000, "reason": "one chair arrived damaged"}}); // createReturn
  await client.GET("/v1/returns", {"params": {"query": {"capture_id": "cap_01jd8y4n6p8q0r2s4t6v8w0x2g"}}}); // listReturns
  await client.GET("/v1/returns/{id}", {"params": {"path": {"id": "ret_01jd8y4n6p8q0r2s4t6v8w0x2h"}}}); // getReturn
  await client.GET("/v1/transactions", {"params": {"query": {"store_id": "str_01jd8y4n6p8q0r2s4t6v8w0x2a", "account_number": "51476567152129", "type": "capture"}}}); // listTransactions
  await client.GET("/v1/events", {"params": {"query": {"type": "authorization.captured"}}}); // listEvents
  await client.POST("/v1/webhook_endpoints", {"body": {"url": "https://shop.example.com/webhooks/openflex", "events": ["authorization.captured", "checkout.completed"]}, "params": {"header": {"Idempotency-Key": "example-createWebhookEndpoint"}}}); // createWebhookEndpoint
  await client.GET("/v1/webhook_endpoints"); // listWebhookEndpoints
  await client.GET("/v1/webhook_endpoints/{id}", {"params": {"path": {"id": "we_01jd8y4n6p8q0r2s4t6v8w0x2j"}}}); // getWebhookEndpoint
  await client.DELETE("/v1/webhook_endpoints/{id}", {"params": {"path": {"id": "we_01jd8y4n6p8q0r2s4t6v8w0x2j"}}}); // deleteWebhookEndpoint
  await client.POST("/v1/webhook_endpoints/{id}/roll_secret", {"params": {"path": {"id": "we_01jd8y4n6p8q0r2s4t6v8w0x2j"}, "header": {"Idempotency-Key": "example-rollWebhookSecret"}}, "body": {}}); // rollWebhookSecret
  await client.GET("/v1/webhook_endpoints/{id}/deliveries", {"params": {"path": {"id": "we_01jd8y4n6p8q0r2s4t6v8w0x2j"}}}); // listWebhookDeliveries
  await client.POST("/v1/events/{id}/redeliver", {"params": {"path": {"id": "evt_01jd8y4n6p8q0r2s4t6v8w0x2k"}, "header": {"Idempotency-Key": "example-redeliverEvent"}}, "body": {"endpoint_id": "we_01jd8y4n6p8q0r2s4t6v8w0x2j"}}); // redeliverEvent
  await client.POST("/v1/test_helpers/applications/{id}/decide", {"params": {"path": {"id": "app_01jd8y4n6p8q0r2s4t6v8w0x2d"}, "header": {"Idempotency-Key": "example-testDecideApplication"}}, "body": {"status": "approved", "credit_limit": 500000}}); // testDecideApplication
  await client.POST("/v1/test_helpers/accounts/{number}/payments", {"params": {"path": {"number": "51476567152129"}, "header": {"Idempotency-Key": "example-testCreatePayment"}}, "body": {"amount": 10000}}); // testCreatePayment
  await client.POST("/v1/accounts/{number}/payments", {"params": {"path": {"number": "51476567152129"}, "header": {"Idempotency-Key": "example-createPayment"}}, "body": {"amount": 5000, "currency": "CAD", "channel": "in_store", "store_id": "str_01jd8y4n6p8q0r2s4t6v8w0x2a", "register_id": "R2", "employee_id": "E7", "reference": "till-42", "verification": {"id": "ver_01jd8y4n6p8q0r2s4t6v8w0x2c", "code": "222222"}}}); // createPayment
  await client.POST("/v1/test_helpers/test_clocks", {"params": {"header": {"Idempotency-Key": "example-testCreateTestClock"}}, "body": {"frozen_time": "2025-03-01T12:00:00-05:00", "name": "March"}}); // testCreateTestClock
  await client.GET("/v1/test_helpers/test_clocks/{id}", {"params": {"path": {"id": "clock_01jd8y4n6p8q0r2s4t6v8w0x2y"}}}); // testGetTestClock
  await client.POST("/v1/test_helpers/test_clocks/{id}/advance", {"params": {"path": {"id": "clock_01jd8y4n6p8q0r2s4t6v8w0x2y"}, "header": {"Idempotency-Key": "example-testAdvanceTestClock"}}, "body": {"frozen_time": "2025-04-01T09:00:00-04:00"}}); // testAdvanceTestClock
  await client.POST("/v1/test_helpers/test_clocks/{id}/attach", {"params": {"path": {"id": "clock_01jd8y4n6p8q0r2s4t6v8w0x2y"}, "header": {"Idempotency-Key": "example-testAttachTestClock"}}, "body": {"account_number": "51476567152129"}}); // testAttachTestClock
  await client.POST("/v1/test_helpers/authorizations/{id}/expire", {"params": {"path": {"id": "auth_01jd8y4n6p8q0r2s4t6v8w0x2f"}, "header": {"Idempotency-Key": "example-testExpireAuthorization"}}, "body": {}}); // testExpireAuthorization
  await client.POST("/v1/checkouts", {"body": {"amount": 129999, "currency": "CAD", "store_id": "str_01jd8y4n6p8q0r2s4t6v8w0x2a", "reference": "ord_1042", "items": [{"sku": "TBL-OAK-72", "description": "Harbour oak dining table", "quantity": 1, "unit_price": 129999}], "flow": "apply_or_buy", "auto_capture": false, "success_url": "https://shop.example.com/thanks", "cancel_url": "https://shop.example.com/cart", "language": "en"}, "params": {"header": {"Idempotency-Key": "example-createCheckout"}}}); // createCheckout
  await client.GET("/v1/checkouts/{id}", {"params": {"path": {"id": "chk_01jd8y4n6p8q0r2s4t6v8w0x2m"}}}); // getCheckout
  await client.GET("/v1/public/promotions", {"params": {"query": {"client_id": "ofk_train_3Jq8Xr2Lm5Vn7Pw9Ks4Ty6Bz", "amount": 120000}}}); // getPromotion
  await client.OPTIONS("/v1/public/promotions", {"params": {"query": {"client_id": "ofk_train_3Jq8Xr2Lm5Vn7Pw9Ks4Ty6Bz"}}}); // preflightPromotion
  await client.POST("/v1/checkouts/{id}/cancel", {"params": {"path": {"id": "chk_01jd8y4n6p8q0r2s4t6v8w0x2m"}, "header": {"Idempotency-Key": "example-cancelCheckout"}}, "body": {}}); // cancelCheckout
  await client.GET("/v1/settlements", {"params": {"query": {"from": "2026-11-01", "to": "2026-11-30", "status": "open", "store_id": "str_01jd8y4n6p8q0r2s4t6v8w0x2a"}}}); // listSettlements
  await client.GET("/v1/settlements/{id}", {"params": {"path": {"id": "stl_01jd8y4n6p8q0r2s4t6v8w0x2n"}}}); // getSettlement
  await client.GET("/v1/settlements/{id}/lines", {"params": {"path": {"id": "stl_01jd8y4n6p8q0r2s4t6v8w0x2n"}}}); // listSettlementLines
  await client.GET("/v1/settlements/{id}/lines.csv", {"params": {"path": {"id": "stl_01jd8y4n6p8q0r2s4t6v8w0x2n"}}}); // downloadSettlementLines
  await client.POST("/v1/test_helpers/settlements/close", {"params": {"header": {"Idempotency-Key": "example-testCloseSettlements"}}, "body": {}}); // testCloseSettlements
}

// What the types must refuse: a return is an amount or full: true, and a
// misspelt member is an error (ReturnRequest typed as unknown let these
// through).
export async function refused(): Promise<void> {
  const path = { id: "cap_01jd8y4n6p8q0r2s4t6v8w0x2g" };
  // @ts-expect-error amout and ful are no members of a return
  await client.POST("/v1/captures/{id}/returns", { params: { path }, body: { amout: 1, ful: "yes" } });
  // @ts-expect-error a return names an amount or full: true
  await client.POST("/v1/captures/{id}/returns", { params: { path }, body: {} });
}

