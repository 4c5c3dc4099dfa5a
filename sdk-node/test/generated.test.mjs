// src/openapi.ts must be what `npm run generate` makes of the current
// internal/api/openapi.json: when the contract changes, regenerate.
import assert from "node:assert/strict"
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { test } from "node:test"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))

test("src/openapi.ts is generated from the current internal/api/openapi.json", () => {
  const dir = mkdtempSync(join(tmpdir(), "openflex-sdk-node-gen-"))
  try {
    const out = join(dir, "openapi.ts")
    execFileSync(process.execPath, ["scripts/generate.js", out], { cwd: root, stdio: "pipe" })
    const want = readFileSync(out, "utf8")
    const have = readFileSync(join(root, "src/openapi.ts"), "utf8")
    assert.ok(have === want, "sdk-node/src/openapi.ts is stale: run `npm run generate` in sdk-node (or scripts/test-sdk-node generate) and commit it")
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test("every /v1 route of the contract has its types", () => {
  const doc = JSON.parse(readFileSync(join(root, "../internal/api/openapi.json"), "utf8"))
  const have = readFileSync(join(root, "src/openapi.ts"), "utf8")
  const routes = Object.keys(doc.paths).filter((p) => p.startsWith("/v1/"))
  assert.ok(routes.length > 30)
  for (const p of routes) {
    assert.ok(have.includes(`"${p}": {`), `no types for ${p}`)
    for (const m of Object.keys(doc.paths[p]).filter((k) => ["get", "post", "delete", "put", "patch"].includes(k))) {
      assert.ok(have.includes(`${doc.paths[p][m].operationId}: {`), `no operation type for ${m} ${p}`)
    }
  }
})
