// Generates src/openapi.ts (or the file named by the argument) from the
// server's contract, internal/api/openapi.json, with openapi-typescript.
// `npm run generate` runs it; test/generated.test.mjs compares its output
// with the committed file.
import { execFileSync } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const out = process.argv[2] ?? "src/openapi.ts"
execFileSync(
  fileURLToPath(new URL("../node_modules/.bin/openapi-typescript", import.meta.url)),
  // A default is the server's, not a required field of what the client sends.
  ["../internal/api/openapi.json", "--output", out, "--default-non-nullable", "false", "--silent"],
  { cwd: root, stdio: ["ignore", "ignore", "inherit"] },
)
const header = "// Generated from internal/api/openapi.json by `npm run generate` (openapi-typescript): do not edit.\n"
const text = readFileSync(new URL(out, `file://${root}/`), "utf8")
writeFileSync(new URL(out, `file://${root}/`), text.startsWith(header) ? text : header + text)
