// dist/cjs holds the CommonJS build (for require(), Jest and CommonJS
// TypeScript projects such as a Medusa or Vendure server): its own
// package.json tells Node and TypeScript so, since the package is "type": "module".
import { writeFileSync } from "node:fs"
writeFileSync(new URL("../dist/cjs/package.json", import.meta.url), '{ "type": "commonjs" }\n')
