// Package portal is the merchant developers' room: the Developer Portal
// (sign-up and sign-in, key sets, Trust URLs and IPs, webhooks, the API
// reference, the TRAINING inbox, settlements, go-live) on the shared web
// kit (internal/web). The store clerk's till and the lender's console are
// rooms of their own on the same site.
package portal

import (
	"context"
	"embed"
	"net/http"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/plane"
	"github.com/openflex/openflex/internal/users"
	"github.com/openflex/openflex/internal/web"

	"github.com/openflex/openflex/internal/keys"

	"github.com/openflex/openflex/internal/merchant"
	"github.com/openflex/openflex/internal/netguard"
	"github.com/openflex/openflex/internal/ratelimit"
)

// MerchantStore reads merchants and their stores.
type MerchantStore interface {
	Merchant(ctx context.Context, id string) (*openflex.Merchant, error)
	ListMerchants(ctx context.Context, p openflex.ListParams) ([]openflex.Merchant, bool, error)
	Stores(ctx context.Context, merchantID string, p openflex.ListParams) ([]openflex.Store, bool, error)
}

// KeySetStore reads key sets; changes go through keys.Service, which audits.
type KeySetStore interface {
	KeySets(ctx context.Context, merchantID string) ([]*openflex.KeySet, error)
	KeySet(ctx context.Context, id string) (*openflex.KeySet, error)
}

// AuditStore writes and reads the audit log.
type AuditStore interface {
	Audit(ctx context.Context, e openflex.AuditEntry) error
	AuditLog(ctx context.Context, merchantID string, limit int) ([]openflex.AuditEntry, error)
}

// EndpointStore keeps webhook endpoints.
type EndpointStore interface {
	WebhookEndpoints(ctx context.Context, merchantID string, env openflex.Environment) ([]*openflex.WebhookEndpoint, error)
	WebhookEndpoint(ctx context.Context, merchantID string, env openflex.Environment, id string) (*openflex.WebhookEndpoint, error)
	CreateWebhookEndpoint(ctx context.Context, w *openflex.WebhookEndpoint) error
	DeleteWebhookEndpoint(ctx context.Context, merchantID string, env openflex.Environment, id string, at time.Time) error
}

// UserStore finds portal users by email (for the reset and resend forms;
// users.Service does the rest).
type UserStore interface {
	PortalUserByEmail(ctx context.Context, email string) (*users.User, error)
	// PortalUser names an audit entry's actor.
	PortalUser(ctx context.Context, id string) (*users.User, error)
}

// SessionStore ends the session being logged out (web.Site keeps the rest).
type SessionStore interface {
	DeletePortalSession(ctx context.Context, hash []byte) error
}

// GoLiveStore keeps go-live requests.
type GoLiveStore interface {
	CreateGoLiveRequest(ctx context.Context, r *users.GoLiveRequest) error
	GoLiveRequest(ctx context.Context, id string) (*users.GoLiveRequest, error)
	GoLiveRequests(ctx context.Context, merchantID string, limit int) ([]*users.GoLiveRequest, error)
	GoLiveRequestsByStatus(ctx context.Context, status users.GoLiveStatus, limit int) ([]*users.GoLiveRequest, error)
	DecideGoLiveRequest(ctx context.Context, id string, status users.GoLiveStatus, by, note string, at time.Time) error
}

// Control is the control-plane storage the portal needs. Write runs fn in
// one transaction that the key and merchant services join, so a sign-up
// (merchant, store, user, key set, token) is all or nothing.
type Control interface {
	Write(ctx context.Context, fn func(ctx context.Context) error) error
	MerchantStore
	KeySetStore
	AuditStore
	EndpointStore
	UserStore
	SessionStore
	GoLiveStore
}

// DataPlane is what the portal reads from one environment's data plane.
type DataPlane interface {
	Messages(ctx context.Context, merchantID string, limit int) ([]openflex.Message, error)
	Deliveries(ctx context.Context, merchantID, endpointID string, p openflex.ListParams) ([]*openflex.Delivery, bool, error)
	Attempts(ctx context.Context, deliveryID string) ([]*openflex.DeliveryAttempt, error)
	Event(ctx context.Context, merchantID, id string) (*openflex.Event, error)
}

// Notifier sends one plain-text email.
type Notifier func(ctx context.Context, to, subject, body string) error

// Config is what the portal is built from.
type Config struct {
	Control   Control
	Users     *users.Service
	Keys      *keys.Service
	Merchants *merchant.Service
	Data      func(openflex.Environment) DataPlane
	// Planes are each environment's services: webhook re-sends and, when
	// every plane has them, settlements (the Settlements page).
	Planes plane.Planes
	// Notifier sends verification and reset links. Without one the emails
	// are not sent; LogLinks (serve --demo only) logs their links instead.
	Notifier Notifier
	LogLinks bool
	// Secure says users reach the portal over TLS (email links say https).
	Secure bool
	// BaseURL ("https://openflex.example") is where email links point. Empty
	// takes the request's Host, which a client controls: development only.
	BaseURL string
	// OpenAPI is the API's OpenAPI document, rendered as the reference.
	OpenAPI []byte
	// Destinations judges webhook URLs at registration (nil: public
	// addresses only, the system resolver).
	Destinations *netguard.Policy
	// RecentRequests returns a merchant's latest API requests, newest
	// first; nil hides the requests page.
	RecentRequests func(merchantID string) []APIRequest
}

// Sign-up and password-reset forms each send an email to an address the
// caller chooses, and sign-up costs a password hash: each source address
// gets a few of each, refilled slowly.
const (
	signupBurst = 5
	signupEvery = 12 * time.Minute // 5 an hour
	resetBurst  = 5
	resetEvery  = 3 * time.Minute // 5 per 15 minutes
)

// Portal is the Developer Portal's room on a site.
type Portal struct {
	*web.Site
	cfg   Config
	ref   *reference
	refFR *reference
	// signups and resets limit those forms per source address; failures
	// the failed log-ins of an address over all accounts.
	signups, resets, failures *ratelimit.Keyed
}

// New adds the Developer Portal to site. Missing dependencies are
// programming errors and panic at start-up rather than failing on the
// first request.
func New(site *web.Site, cfg Config) *Portal {
	if cfg.Control == nil || cfg.Users == nil || cfg.Keys == nil || cfg.Merchants == nil || cfg.Data == nil || !cfg.Planes.All(func(p *plane.Plane) bool { return p.Webhooks != nil }) {
		panic("portal: Config needs Control, Users, Keys, Merchants, Data and every plane's Webhooks")
	}
	now := site.Now
	p := &Portal{Site: site, cfg: cfg, ref: parseReference(cfg.OpenAPI, site.Logger()),
		signups: ratelimit.Every(signupEvery, signupBurst, now), resets: ratelimit.Every(resetEvery, resetBurst, now),
		failures: ratelimit.Every(addressRefill, AddressFailures, now)}
	var missing []string
	p.refFR, missing = p.ref.translated()
	if len(missing) > 0 {
		p.Logger().Warn("portal: API reference texts without French; the French reference shows them in English", "count", len(missing), "first", missing[0])
	}
	site.HasRequests = cfg.RecentRequests != nil
	site.HasSettlements = p.hasSettlements()
	site.AddMessages(pageMessages)
	site.AddMessages(settlementMessages)
	site.AddMessages(clerkMessages)
	site.AddPages(templateFS, "templates/*.html")
	p.routes()
	return p
}

//go:embed templates/*.html
var templateFS embed.FS

// routes is the whole route table.
func (p *Portal) routes() {
	m := p.Site
	m.Handle("GET /portal/signup", p.Public(p.signupForm))
	m.Handle("POST /portal/signup", p.Public(p.signup))
	m.Handle("GET /portal/verify", p.Public(p.verifyEmail))
	m.Handle("POST /portal/verify/resend", p.Public(p.resendVerification))
	m.Handle("GET /portal/login", p.Public(p.loginForm))
	m.Handle("POST /portal/login", p.Public(p.login))
	m.Handle("POST /portal/logout", p.SignedIn(p.logout))
	m.Handle("GET /portal/password/forgot", p.Public(p.forgotForm))
	m.Handle("POST /portal/password/forgot", p.Public(p.forgot))
	m.Handle("GET /portal/password/reset", p.Public(p.resetForm))
	m.Handle("POST /portal/password/reset", p.Public(p.reset))

	m.Handle("GET /portal/{$}", p.Merchant(p.overview))
	m.Handle("GET /portal/keys", p.Merchant(p.listKeySets))
	m.Handle("POST /portal/keys", p.Merchant(p.createKeySet))
	m.Handle("GET /portal/keys/{id}", p.Merchant(p.showKeySet))
	m.Handle("POST /portal/keys/{id}/roll", p.Merchant(p.rollKeySet))
	m.Handle("GET /portal/keys/{id}/revoke", p.Merchant(p.confirmRevoke))
	m.Handle("POST /portal/keys/{id}/revoke", p.Merchant(p.revokeKeySet))
	m.Handle("POST /portal/keys/{id}/trust", p.Merchant(p.setTrust))
	m.Handle("GET /portal/webhooks", http.RedirectHandler("/portal/webhooks/training", http.StatusSeeOther))
	m.Handle("GET /portal/webhooks/{env}", p.Merchant(p.listEndpoints))
	m.Handle("POST /portal/webhooks/{env}", p.Merchant(p.createEndpoint))
	m.Handle("GET /portal/webhooks/{env}/{id}", p.Merchant(p.showEndpoint))
	m.Handle("GET /portal/webhooks/{env}/{id}/delete", p.Merchant(p.confirmDeleteEndpoint))
	m.Handle("POST /portal/webhooks/{env}/{id}/delete", p.Merchant(p.deleteEndpoint))
	m.Handle("POST /portal/webhooks/{env}/{id}/resend", p.Merchant(p.resend))
	m.Handle("GET /portal/stores", p.Merchant(p.listStores))
	m.Handle("GET /portal/audit", p.Merchant(p.auditLog))
	m.Handle("GET /portal/go-live", p.Merchant(p.goLive))
	m.Handle("POST /portal/go-live", p.Merchant(p.requestGoLive))
	m.Handle("GET /portal/inbox", p.Merchant(p.inbox))
	m.Handle("GET /portal/requests", p.Merchant(p.requests))
	m.Handle("GET /portal/reference", p.Docs(p.reference))
	m.Handle("GET /portal/clerks", p.Merchant(p.clerksPage))
	m.Handle("POST /portal/clerks", p.Merchant(p.inviteClerk))
	m.Handle("POST /portal/clerks/{id}/remove", p.Merchant(p.removeClerk))
	m.Handle("GET /portal/invite", p.Public(p.inviteForm))
	m.Handle("POST /portal/invite", p.Public(p.acceptInvite))

	if p.hasSettlements() {
		m.Handle("GET /portal/settlements", http.RedirectHandler("/portal/settlements/training", http.StatusSeeOther))
		m.Handle("GET /portal/settlements/{env}", p.Merchant(p.settlementsPage))
		m.Handle("GET /portal/settlements/{env}/{id}", p.Merchant(p.settlementPage))
		m.Handle("GET /portal/settlements/{env}/{id}/lines.csv", p.Merchant(p.settlementCSV))
		m.Handle("POST /portal/settlements/training/close", p.Merchant(p.closeToday))
	}
}
