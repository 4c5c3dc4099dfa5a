// Test types (TEST_TYPE): unit (pure functions, no database, seconds),
// integration:modules (the Payment Module with this provider against a real
// OpenFlex server) and integration:http (a whole Medusa app over HTTP).
// scripts/test-medusa in the repository root sets up PostgreSQL and OpenFlex.
process.env.DB_HOST ??= "localhost"
process.env.DB_USERNAME ??= "postgres"
process.env.DB_PASSWORD ??= ""
process.env.MEDUSA_DISABLE_TELEMETRY ??= "true"

const swc = [
  "@swc/jest",
  { jsc: { parser: { syntax: "typescript", decorators: true }, target: "es2021" } },
]

const matches = {
  unit: ["<rootDir>/src/**/__tests__/**/*.unit.spec.[jt]s"],
  "integration:modules": ["<rootDir>/src/**/__tests__/**/*.integration.spec.[jt]s"],
  "integration:http": ["<rootDir>/integration-tests/http/**/*.spec.[jt]s"],
}

const type = process.env.TEST_TYPE || "unit"
if (!matches[type]) {
  throw new Error(`unknown TEST_TYPE ${type}: use ${Object.keys(matches).join(", ")}`)
}

module.exports = {
  transform: { "^.+\\.[jt]s$": swc },
  testEnvironment: "node",
  moduleFileExtensions: ["js", "ts", "json"],
  modulePathIgnorePatterns: ["<rootDir>/.medusa/", "<rootDir>/dist/"],
  testMatch: matches[type],
  setupFiles: type === "unit" ? [] : ["<rootDir>/integration-tests/setup.js"],
  testTimeout: type === "unit" ? 5000 : 240000,
}
