// Package securitytest is the security test suite: each file tries one attack
// path an outsider, another merchant, a careless merchant or a shopper could
// take against a whole running platform (apptest), on every storage engine,
// and shows what stops it. docs/security.md lists every control with the test
// here that proves it; ./scripts/test runs them with everything else.
package securitytest
