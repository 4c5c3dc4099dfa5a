// Compiled by `npm run typecheck` (tsconfig.test.json), never run: the
// routes' types hold, and a route, parameter or field the contract does not
// have is refused. Each @ts-expect-error fails the check if it stops being an error.
import { OpenFlex, type Schemas } from "../src/index.js"

declare const c: OpenFlex

export async function typed(): Promise<void> {
  const a: Schemas["Authorization"] = await c.get("/v1/authorizations/{id}", { path: { id: "auth_1" } })
  const captured = await c.post("/v1/authorizations/{id}/captures", { path: { id: a.id }, body: { amount: 100 } })
  const _status: "pending" | "partially_captured" | "captured" | "released" | "expired" = captured.status
  const promo = await c.get("/v1/public/promotions", { query: { amount: 129_999 } })
  void promo
  for await (const r of c.list("/v1/returns", { query: { limit: 10 } })) {
    const _amount: number = r.amount
  }
  await c.get("/v1/stores")
  await c.delete("/v1/webhook_endpoints/{id}", { path: { id: "we_1" } })

  // @ts-expect-error no such route
  await c.get("/v1/nope")
  // @ts-expect-error the path parameter is required
  await c.get("/v1/authorizations/{id}")
  // @ts-expect-error GET only
  await c.post("/v1/stores")
  // @ts-expect-error amount is a number of cents
  await c.post("/v1/authorizations/{id}/captures", { path: { id: "a" }, body: { amount: "1.00" } })
  // @ts-expect-error not a list route
  c.list("/v1/authorizations/{id}", { path: { id: "a" } })
}
