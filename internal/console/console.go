// Package console is the lender staff's room: merchants and go-live
// decisions, the review of pending credit applications, consents,
// merchants' plans and fees, settlements and payouts, the account desk —
// on the shared web kit (internal/web), under /portal/admin. Only the
// lender's staff see it (agents only the account desk); to anyone else its
// pages do not exist.
package console

import (
	"context"
	"embed"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/merchant"
	"github.com/openflex/openflex/internal/plane"
	"github.com/openflex/openflex/internal/users"
	"github.com/openflex/openflex/internal/web"
)

// Control is the control-plane storage the console needs. Write runs fn in
// one transaction that the merchant service joins.
type Control interface {
	Write(ctx context.Context, fn func(ctx context.Context) error) error
	Merchant(ctx context.Context, id string) (*openflex.Merchant, error)
	ListMerchants(ctx context.Context, p openflex.ListParams) ([]openflex.Merchant, bool, error)
	Audit(ctx context.Context, e openflex.AuditEntry) error
	// AuditOf lists the audit entries about one object, newest first.
	AuditOf(ctx context.Context, objectID string, limit int) ([]openflex.AuditEntry, error)
	GoLiveRequest(ctx context.Context, id string) (*users.GoLiveRequest, error)
	GoLiveRequestsByStatus(ctx context.Context, status users.GoLiveStatus, limit int) ([]*users.GoLiveRequest, error)
	DecideGoLiveRequest(ctx context.Context, id string, status users.GoLiveStatus, by, note string, at time.Time) error
}

// Plans reads a merchant's financing plans of one environment.
type Plans interface {
	Plans(ctx context.Context, env openflex.Environment, merchantID string) ([]*openflex.Plan, error)
}

// Config is what the console is built from.
type Config struct {
	Control   Control
	Merchants *merchant.Service
	// Planes are each environment's services: credit (the review of
	// pending applications), lending (consents) and settlements, each page
	// hidden unless every plane has its service.
	Planes plane.Planes
	// Catalog reads plans; when it also implements PlanFees the Plans pages
	// are served.
	Catalog Plans
	// Desk is each environment's data plane as the account desk reads it;
	// the desk is served when it is set and every plane has servicing,
	// credit and lending.
	Desk func(env openflex.Environment) DeskData
}

// Console is the lender staff's room on a site.
type Console struct {
	*web.Site
	cfg Config
}

//go:embed templates/*.html
var templateFS embed.FS

// New adds the console to site. Missing dependencies panic at start-up.
func New(site *web.Site, cfg Config) *Console {
	if cfg.Control == nil || cfg.Merchants == nil {
		panic("console: Config needs Control and Merchants")
	}
	p := &Console{Site: site, cfg: cfg}
	site.HasReview = p.has(func(pl *plane.Plane) bool { return pl.Credit != nil })
	site.AddMessages(reviewMessages)
	site.AddMessages(adminPlanMessages)
	site.AddMessages(deskMessages)
	site.HasDesk = p.hasDesk()
	site.AddPages(templateFS, "templates/*.html")
	p.routes()
	return p
}

// routes is the console's route table.
func (p *Console) routes() {
	m := p.Site
	m.Handle("GET /portal/admin", p.Admin(p.adminHome))
	m.Handle("POST /portal/admin/go-live/{id}/approve", p.Admin(p.approveGoLive))
	m.Handle("POST /portal/admin/go-live/{id}/reject", p.Admin(p.rejectGoLive))
	m.Handle("GET /portal/admin/consents", p.Admin(p.adminConsents))
	m.Handle("POST /portal/admin/consents/revoke", p.Admin(p.adminRevokeConsent))
	if p.has(func(pl *plane.Plane) bool { return pl.Credit != nil }) {
		p.reviewRoutes()
	}
	if p.hasDesk() {
		p.deskRoutes()
	}
	m.Handle("GET /portal/admin/settlements", p.Admin(p.adminSettlements))
	m.Handle("POST /portal/admin/settlements/{env}/{merchant}/{id}/pay", p.Admin(p.adminPaySettlement))
	m.Handle("POST /portal/admin/merchants/{id}/bank-account", p.Admin(p.adminSetBank))
	m.Handle("GET /portal/admin/merchants/{id}/plans", p.Admin(p.adminPlans))
	m.Handle("POST /portal/admin/merchants/{id}/plans/{env}/{plan}/merchant-fee", p.Admin(p.adminSetPlanFee))
}

// has reports whether every plane offers the service ok checks.
func (p *Console) has(ok func(*plane.Plane) bool) bool { return p.cfg.Planes.All(ok) }
