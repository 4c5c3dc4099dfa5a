// Package openflex holds the domain vocabulary of the OpenFlex point-of-sale
// financing platform: money, environments, identifiers, merchants, stores and
// key sets, and the Error type whose codes the public API maps to HTTP.
//
// It imports only the standard library. Storage lives in internal/sqlstore,
// transports in internal/api, business rules in the internal domain packages.
package openflex
