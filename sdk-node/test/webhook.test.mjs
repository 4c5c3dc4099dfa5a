// The webhook signature against the cross-language vectors the Go SDK
// checks too (sdk/testdata/webhook_vectors.json, computed independently).
import assert from "node:assert/strict"
import { readFileSync } from "node:fs"
import { test } from "node:test"
import { signWebhook, verifyWebhook, WebhookSignatureError } from "../dist/esm/index.js"

const file = JSON.parse(readFileSync(new URL("../../sdk/testdata/webhook_vectors.json", import.meta.url), "utf8"))

test("the shared webhook vectors", async (t) => {
  assert.ok(file.vectors.length >= 20, `only ${file.vectors.length} vectors`)
  for (const v of file.vectors) {
    await t.test(v.name, () => {
      const verify = () => verifyWebhook(v.payload, v.header, v.secrets, { toleranceSeconds: v.tolerance_seconds, now: v.now })
      if (v.valid) {
        assert.equal(verify().id, v.event_id)
        // Sign reproduces the plain single-signature headers.
        if ((v.header.match(/v1=/g) ?? []).length === 1 && v.secrets.length === 1 && !v.header.includes(" ") && v.header.startsWith("t=")) {
          assert.equal(signWebhook(v.payload, v.secrets[0], v.timestamp), v.header)
        }
        return
      }
      assert.ok(file.errors.includes(v.error), `vector names unknown error ${v.error}`)
      assert.throws(verify, (e) => e instanceof WebhookSignatureError && e.code === v.error)
    })
  }
})

test("raw bytes verify like their text; a re-encoded body does not", () => {
  const payload = '{"id":"evt_1","object":"event","type":"return.created"}'
  const header = signWebhook(payload, "whsec_a", 1_795_462_800)
  assert.equal(verifyWebhook(Buffer.from(payload), header, ["other", "whsec_a"], { now: 1_795_462_800 }).id, "evt_1")
  assert.throws(
    () => verifyWebhook(JSON.stringify(JSON.parse(payload), null, 1), header, "whsec_a", { now: 1_795_462_800 }),
    (e) => e.code === "signature_mismatch",
  )
  // Tolerance: 300 s by default, the edge included.
  assert.equal(verifyWebhook(payload, header, "whsec_a", { now: 1_795_462_800 + 300 }).id, "evt_1")
  assert.throws(() => verifyWebhook(payload, header, "whsec_a", { now: 1_795_462_800 + 301 }), (e) => e.code === "timestamp_out_of_range")
  // Authentic but not JSON: a decode error, not a signature error.
  assert.throws(() => verifyWebhook("not json", signWebhook("not json", "s", 10), "s", { now: 10 }), SyntaxError)
})
