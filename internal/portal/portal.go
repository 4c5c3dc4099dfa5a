// Package portal serves the Developer Portal (merchant developers: key
// sets, Trust URLs and IPs, webhooks, the API reference, the TRAINING
// inbox, go-live) and the lender's admin console, as server-rendered HTML
// under /portal/. Pages work without JavaScript; sessions are cookies
// backed by the control plane, every POST carries a per-form CSRF token,
// and passwords are argon2id hashes.
package portal

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/merchant"
	"github.com/openflex/openflex/internal/netguard"
	"github.com/openflex/openflex/internal/portal/account"
	"github.com/openflex/openflex/internal/ratelimit"
	"github.com/openflex/openflex/internal/settlement"
	"github.com/openflex/openflex/internal/webhook"
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

// UserStore keeps portal users and their single-use email tokens.
type UserStore interface {
	CreatePortalUser(ctx context.Context, u *account.User) error
	PortalUser(ctx context.Context, id string) (*account.User, error)
	PortalUserByEmail(ctx context.Context, email string) (*account.User, error)
	PortalLoginFailed(ctx context.Context, userID string, limit int, lockUntil time.Time) (bool, error)
	PortalLoginSucceeded(ctx context.Context, userID string) error
	SetPortalPassword(ctx context.Context, userID, hash string) error
	VerifyPortalEmail(ctx context.Context, userID string, at time.Time) error
	CreateEmailToken(ctx context.Context, t *account.EmailToken) error
	UseEmailToken(ctx context.Context, hash []byte, purpose account.Purpose, at time.Time) (*account.EmailToken, error)
	SpendEmailTokens(ctx context.Context, userID string, purpose account.Purpose, at time.Time) error
}

// SessionStore keeps logged-in sessions by token hash.
type SessionStore interface {
	CreatePortalSession(ctx context.Context, s *account.Session) error
	PortalSession(ctx context.Context, hash []byte) (*account.Session, error)
	TouchPortalSession(ctx context.Context, hash []byte, at time.Time) error
	DeletePortalSession(ctx context.Context, hash []byte) error
	DeletePortalSessions(ctx context.Context, userID string) error
	PurgePortal(ctx context.Context, now, idleSince time.Time) (int64, error)
}

// GoLiveStore keeps go-live requests.
type GoLiveStore interface {
	CreateGoLiveRequest(ctx context.Context, r *account.GoLiveRequest) error
	GoLiveRequest(ctx context.Context, id string) (*account.GoLiveRequest, error)
	GoLiveRequests(ctx context.Context, merchantID string, limit int) ([]*account.GoLiveRequest, error)
	GoLiveRequestsByStatus(ctx context.Context, status account.GoLiveStatus, limit int) ([]*account.GoLiveRequest, error)
	DecideGoLiveRequest(ctx context.Context, id string, status account.GoLiveStatus, by, note string, at time.Time) error
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
	Control     Control
	Keys        *keys.Service
	Merchants   *merchant.Service
	Data        func(openflex.Environment) DataPlane
	Dispatchers func(openflex.Environment) *webhook.Dispatcher
	// Notifier sends verification and reset links. Without one the emails
	// are not sent; LogLinks (serve --demo only) logs their links instead.
	Notifier Notifier
	LogLinks bool
	// ClientIP is a request's source address for the sign-up and reset
	// limits (nil: the peer address).
	ClientIP func(r *http.Request) string
	Logger   *slog.Logger
	Now      func() time.Time
	// Secure marks cookies Secure: set it whenever users reach the portal
	// over TLS (directly or through a proxy).
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

	// The store-clerk screens (/portal/store/…) need all four of Credit,
	// Lending, Catalog and Idempotency; leaving them all nil hides the
	// screens.
	Credit  func(openflex.Environment) *credit.Service
	Lending func(openflex.Environment) *lending.Service
	// Catalog reads a merchant's stores and financing plans.
	Catalog Catalog
	// Idempotency is each environment's data plane, which makes the
	// money-moving form posts retry-safe.
	Idempotency func(openflex.Environment) Idempotency

	// Settlements serves the Settlements page; nil hides it.
	Settlements func(openflex.Environment) *settlement.Service
}

// Portal is the Developer Portal and admin console handler.
type Portal struct {
	cfg     Config
	log     *slog.Logger
	mux     *http.ServeMux
	pages   map[string]pageSet // by language
	ref     *reference
	refFR   *reference
	origins *http.CrossOriginProtection
	// hashing bounds concurrent argon2id runs (19 MiB each), so a burst of
	// log-ins cannot exhaust memory.
	hashing chan struct{}
	// signups and resets limit those forms per source address.
	signups, resets *ratelimit.Keyed
}

// New builds the portal. Missing dependencies are programming errors and
// panic at start-up rather than failing on the first request.
func New(cfg Config) *Portal {
	if cfg.Control == nil || cfg.Keys == nil || cfg.Merchants == nil || cfg.Data == nil || cfg.Dispatchers == nil {
		panic("portal: Config needs Control, Keys, Merchants, Data and Dispatchers")
	}
	if till := []bool{cfg.Credit != nil, cfg.Lending != nil, cfg.Catalog != nil, cfg.Idempotency != nil}; slices.Contains(till, true) && slices.Contains(till, false) {
		panic("portal: the store screens need all of Credit, Lending, Catalog and Idempotency, or none")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	p := &Portal{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux(), pages: loadPages(),
		ref: parseReference(cfg.OpenAPI, cfg.Logger), origins: http.NewCrossOriginProtection(),
		hashing: make(chan struct{}, hashSlots()),
		signups: ratelimit.Every(signupEvery, signupBurst, cfg.Now), resets: ratelimit.Every(resetEvery, resetBurst, cfg.Now)}
	var missing []string
	p.refFR, missing = p.ref.translated()
	if len(missing) > 0 {
		p.log.Warn("portal: API reference texts without French; the French reference shows them in English", "count", len(missing), "first", missing[0])
	}
	p.routes()
	return p
}

// routes is the whole route table.
func (p *Portal) routes() {
	m := p.mux
	m.Handle("GET /portal/static/", staticFiles())
	m.Handle("GET /portal/signup", p.public(p.signupForm))
	m.Handle("POST /portal/signup", p.public(p.signup))
	m.Handle("GET /portal/verify", p.public(p.verifyEmail))
	m.Handle("POST /portal/verify/resend", p.public(p.resendVerification))
	m.Handle("GET /portal/login", p.public(p.loginForm))
	m.Handle("POST /portal/login", p.public(p.login))
	m.Handle("POST /portal/logout", p.signedIn(p.logout))
	m.Handle("GET /portal/password/forgot", p.public(p.forgotForm))
	m.Handle("POST /portal/password/forgot", p.public(p.forgot))
	m.Handle("GET /portal/password/reset", p.public(p.resetForm))
	m.Handle("POST /portal/password/reset", p.public(p.reset))

	m.Handle("GET /portal/{$}", p.merchant(p.overview))
	m.Handle("GET /portal/keys", p.merchant(p.listKeySets))
	m.Handle("POST /portal/keys", p.merchant(p.createKeySet))
	m.Handle("GET /portal/keys/{id}", p.merchant(p.showKeySet))
	m.Handle("POST /portal/keys/{id}/roll", p.merchant(p.rollKeySet))
	m.Handle("GET /portal/keys/{id}/revoke", p.merchant(p.confirmRevoke))
	m.Handle("POST /portal/keys/{id}/revoke", p.merchant(p.revokeKeySet))
	m.Handle("POST /portal/keys/{id}/trust", p.merchant(p.setTrust))
	m.Handle("GET /portal/webhooks", http.RedirectHandler("/portal/webhooks/training", http.StatusSeeOther))
	m.Handle("GET /portal/webhooks/{env}", p.merchant(p.listEndpoints))
	m.Handle("POST /portal/webhooks/{env}", p.merchant(p.createEndpoint))
	m.Handle("GET /portal/webhooks/{env}/{id}", p.merchant(p.showEndpoint))
	m.Handle("GET /portal/webhooks/{env}/{id}/delete", p.merchant(p.confirmDeleteEndpoint))
	m.Handle("POST /portal/webhooks/{env}/{id}/delete", p.merchant(p.deleteEndpoint))
	m.Handle("POST /portal/webhooks/{env}/{id}/resend", p.merchant(p.resend))
	m.Handle("GET /portal/stores", p.merchant(p.listStores))
	m.Handle("GET /portal/audit", p.merchant(p.auditLog))
	m.Handle("GET /portal/go-live", p.merchant(p.goLive))
	m.Handle("POST /portal/go-live", p.merchant(p.requestGoLive))
	m.Handle("GET /portal/inbox", p.merchant(p.inbox))
	m.Handle("GET /portal/requests", p.merchant(p.requests))
	m.Handle("GET /portal/reference", p.public(p.reference))

	if p.hasTill() {
		p.tillRoutes()
	}
	if p.hasSettlements() {
		m.Handle("GET /portal/settlements", http.RedirectHandler("/portal/settlements/training", http.StatusSeeOther))
		m.Handle("GET /portal/settlements/{env}", p.merchant(p.settlementsPage))
		m.Handle("GET /portal/settlements/{env}/{id}", p.merchant(p.settlementPage))
		m.Handle("GET /portal/settlements/{env}/{id}/lines.csv", p.merchant(p.settlementCSV))
	}

	m.Handle("GET /portal/admin", p.admin(p.adminHome))
	m.Handle("POST /portal/admin/go-live/{id}/approve", p.admin(p.approveGoLive))
	m.Handle("POST /portal/admin/go-live/{id}/reject", p.admin(p.rejectGoLive))
	m.Handle("GET /portal/admin/consents", p.admin(p.adminConsents))
	m.Handle("POST /portal/admin/consents/revoke", p.admin(p.adminRevokeConsent))
	if p.cfg.Credit != nil {
		p.reviewRoutes()
	}
	m.Handle("GET /portal/admin/settlements", p.admin(p.adminSettlements))
	m.Handle("POST /portal/admin/settlements/{env}/{merchant}/{id}/pay", p.admin(p.adminPaySettlement))
	m.Handle("POST /portal/admin/merchants/{id}/bank-account", p.admin(p.adminSetBank))
	m.Handle("GET /portal/admin/merchants/{id}/plans", p.admin(p.adminPlans))
	m.Handle("POST /portal/admin/merchants/{id}/plans/{env}/{plan}/merchant-fee", p.admin(p.adminSetPlanFee))

	m.Handle("/portal/", p.public(func(w http.ResponseWriter, r *http.Request, pg *page) error {
		return openflex.NotFound("page", r.URL.Path)
	}))
}

// ServeHTTP serves everything under /portal/ with the security headers
// every response needs.
func (p *Portal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Content-Type-Options", "nosniff")
	p.mux.ServeHTTP(w, r)
}

// Purge deletes idle or expired sessions and expired email tokens; the job
// runner calls it now and then.
func (p *Portal) Purge(ctx context.Context) (int64, error) {
	now := p.now()
	return p.cfg.Control.PurgePortal(ctx, now, now.Add(-IdleTimeout))
}

func (p *Portal) now() time.Time { return p.cfg.Now().UTC().Truncate(time.Microsecond) }
