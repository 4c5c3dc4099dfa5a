// Package plane names one environment's data plane as the transports see
// it: the services that act in that environment, built once by the wiring
// (internal/app). A request authenticated for an environment is handed its
// Plane and no other. Storage ports stay with the package that consumes
// them (each transport declares the little it reads), so they are not here.
package plane

import (
	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/checkout"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/customer"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/pad"
	"github.com/openflex/openflex/internal/servicing/engine"
	"github.com/openflex/openflex/internal/settlement"
	"github.com/openflex/openflex/internal/webhook"
)

// Plane is one environment's services. A nil service is a feature that
// environment's server does not offer.
type Plane struct {
	Env         openflex.Environment
	Credit      *credit.Service
	Lending     *lending.Service
	Checkouts   *checkout.Service
	Webhooks    *webhook.Dispatcher
	Settlements *settlement.Service
	// Servicing bills, takes payments and runs TRAINING's test clocks.
	Servicing *engine.Service
	// PAD runs customers' pre-authorized debits (the account desk marks
	// one returned), and Messages tells customers about their accounts.
	PAD      *pad.Service
	Messages *customer.Messenger
}

// Planes is every environment's plane.
type Planes map[openflex.Environment]*Plane

// All reports whether every environment has a plane and ok holds for
// each: whether a feature is offered (a page listing both environments).
func (ps Planes) All(ok func(*Plane) bool) bool {
	for _, env := range openflex.Environments {
		if p := ps[env]; p == nil || !ok(p) {
			return false
		}
	}
	return true
}
