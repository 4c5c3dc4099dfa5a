// Package api serves the public HTTP contract of API.md: /oauth/token, the
// /v1 merchant API and the operations endpoints. Handlers decode, call the
// domain, encode; errors are mapped to HTTP in one table (errors.go).
package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/netguard"
	"github.com/openflex/openflex/internal/plane"
	"github.com/openflex/openflex/internal/ratelimit"
)

// Control is the control-plane storage the API reads directly.
type Control interface {
	Store(ctx context.Context, merchantID, id string) (*openflex.Store, error)
	Stores(ctx context.Context, merchantID string, p openflex.ListParams) ([]openflex.Store, bool, error)
}

// DataPlane is one environment's data plane.
type DataPlane interface {
	// Write runs fn in one write transaction carried by its context.
	Write(ctx context.Context, fn func(ctx context.Context) error) error
	// Plans are the merchant's financing plans of this environment.
	Plans(ctx context.Context, merchantID string) ([]*openflex.Plan, error)
	Events(ctx context.Context, merchantID, typ string, p openflex.ListParams) ([]*openflex.Event, bool, error)
	Event(ctx context.Context, merchantID, id string) (*openflex.Event, error)
	Deliveries(ctx context.Context, merchantID, endpointID string, p openflex.ListParams) ([]*openflex.Delivery, bool, error)
	Attempts(ctx context.Context, deliveryID string) ([]*openflex.DeliveryAttempt, error)
	Idempotent(ctx context.Context, req openflex.IdempotentRequest,
		prepare func(ctx context.Context) error,
		do func(ctx context.Context) (openflex.StoredResponse, error),
		keep func(error) (openflex.StoredResponse, bool),
	) (openflex.StoredResponse, bool, error)
}

// Webhooks is the control-plane storage of webhook endpoints.
type Webhooks interface {
	CreateWebhookEndpoint(ctx context.Context, w *openflex.WebhookEndpoint) error
	WebhookEndpoint(ctx context.Context, merchantID string, env openflex.Environment, id string) (*openflex.WebhookEndpoint, error)
	WebhookEndpoints(ctx context.Context, merchantID string, env openflex.Environment) ([]*openflex.WebhookEndpoint, error)
	DeleteWebhookEndpoint(ctx context.Context, merchantID string, env openflex.Environment, id string, at time.Time) error
	RollWebhookSecret(ctx context.Context, id, oldSecret, newSecret string, oldExpires time.Time) error
}

// Config is everything the API needs, wired by cmd/openflex.
type Config struct {
	Control Control
	// Data returns the data plane of an environment; a request only ever
	// gets the one its key set belongs to.
	Data func(openflex.Environment) DataPlane
	Keys *keys.Service
	// Planes are each environment's services (credit, lending, hosted
	// checkouts, webhook re-sends, settlements).
	Planes plane.Planes
	// Pages registers server-rendered pages (hosted checkout, portal) on
	// the same mux, so they share request ids, logging and metrics.
	Pages func(mux *http.ServeMux)
	// Webhooks stores endpoints.
	Webhooks Webhooks
	// Destinations judges webhook URLs at registration (nil: public
	// addresses only, the system resolver).
	Destinations *netguard.Policy
	// Ready reports whether every store answers (for /readyz).
	Ready  func(ctx context.Context) error
	Logger *slog.Logger
	// TrustedProxies are the peers whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	// RateLimits is requests per second per key set, per environment.
	RateLimits map[openflex.Environment]float64
	// PublicURL is where clients reach this server (--public-url), named
	// as the served OpenAPI document's server; read at the first request.
	PublicURL func() string
	// OpenAPI is the served OpenAPI document (defaults to the embedded one).
	OpenAPI []byte
	Now     func() time.Time
}

// Server is the HTTP API. It is an http.Handler.
type Server struct {
	cfg     Config
	log     *slog.Logger
	mux     *http.ServeMux
	metrics *metrics
	rate    map[openflex.Environment]*ratelimit.Keyed // per key set
	// failedPairs and failedAddrs throttle failed client authentications
	// per (client id, source address) and per source address.
	failedPairs, failedAddrs *ratelimit.Keyed
	requests                 *requestLog
	stores                   storeCache
	// query is each documented operation's query parameters.
	query map[string]map[string]bool

	openapiOnce sync.Once
	openapiDoc  []byte
}

// DefaultRateLimits are API.md's per-key-set defaults.
var DefaultRateLimits = map[openflex.Environment]float64{openflex.Training: 25, openflex.Production: 100}

// New returns a Server with its route table.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RateLimits == nil {
		cfg.RateLimits = DefaultRateLimits
	}
	if cfg.OpenAPI == nil {
		cfg.OpenAPI = OpenAPIDocument
	}
	s := &Server{
		cfg: cfg, log: cfg.Logger, mux: http.NewServeMux(), metrics: newMetrics(),
		rate: map[openflex.Environment]*ratelimit.Keyed{}, requests: newRequestLog(200),
		// Ten failed client authentications a minute per client id and
		// address, thirty per address, then callers wait: secrets cannot be
		// guessed online.
		failedPairs: ratelimit.New(failureRate, failureBurst, cfg.Now),
		failedAddrs: ratelimit.New(ipFailureRate, ipFailureBurst, cfg.Now),
	}
	for env, r := range cfg.RateLimits {
		if r > 0 {
			s.rate[env] = ratelimit.New(r, max(1, int(r)), cfg.Now)
		}
	}
	query, err := queryParams(OpenAPIDocument)
	if err != nil {
		panic(err) // the embedded document; its tests keep it readable
	}
	s.query = query
	s.routes()
	if cfg.Pages != nil {
		cfg.Pages(s.mux)
	}
	return s
}

// Metrics serves the Prometheus metrics. It is not on the public mux:
// per-route volumes (purchases, applications, errors) are the lender's
// business, so the operator serves it on its own address (serve
// --metrics-addr, loopback by default).
func (s *Server) Metrics() http.Handler { return s.metrics.handler() }

// routes is the whole route table.
func (s *Server) routes() {
	m := s.mux
	m.Handle("GET /healthz", s.handle(s.healthz))
	m.Handle("GET /readyz", s.handle(s.readyz))
	m.Handle("GET /openapi.json", s.handle(s.openapi))

	m.Handle("POST /oauth/token", s.handle(s.token))

	m.Handle("GET /v1/stores", s.authed(s.listStores))
	m.Handle("GET /v1/stores/{id}", s.authed(s.getStore))
	m.Handle("GET /v1/stores/{id}/summary", s.authed(s.storeSummary))
	m.Handle("GET /v1/plans", s.authed(s.listPlans))
	m.Handle("GET /v1/key_set", s.authed(s.getKeySet))
	m.Handle("POST /v1/key_set/trust", s.authed(s.replaceKeySetTrust))

	m.Handle("POST /v1/applications", s.authed(s.createApplication))
	m.Handle("GET /v1/applications/{id}", s.authed(s.getApplication))
	m.Handle("GET /v1/accounts/{number}", s.authed(s.getAccount))
	m.Handle("GET /v1/customers/search", s.authed(s.searchCustomers))
	m.Handle("POST /v1/accounts/{number}/verifications", s.authed(s.createVerification))
	m.Handle("POST /v1/accounts/{number}/consent/revoke", s.authed(s.revokeConsent))
	m.Handle("POST /v1/accounts/{number}/quotes", s.authed(s.createQuote))
	m.Handle("POST /v1/accounts/{number}/payments", s.authed(s.createPayment))

	m.Handle("POST /v1/authorizations", s.authed(s.createAuthorization))
	m.Handle("GET /v1/authorizations", s.authed(s.listAuthorizations))
	m.Handle("GET /v1/authorizations/{id}", s.authed(s.getAuthorization))
	m.Handle("POST /v1/authorizations/{id}/captures", s.authed(s.createCapture))
	m.Handle("POST /v1/authorizations/{id}/release", s.authed(s.releaseAuthorization))
	m.Handle("GET /v1/captures", s.authed(s.listCaptures))
	m.Handle("GET /v1/captures/{id}", s.authed(s.getCapture))
	m.Handle("POST /v1/captures/{id}/returns", s.authed(s.createReturn))
	m.Handle("GET /v1/returns", s.authed(s.listReturns))
	m.Handle("GET /v1/returns/{id}", s.authed(s.getReturn))
	m.Handle("GET /v1/transactions", s.authed(s.listTransactions))
	m.Handle("GET /v1/settlements", s.authed(s.listSettlements))
	m.Handle("GET /v1/settlements/{id}", s.authed(s.getSettlement))
	m.Handle("GET /v1/settlements/{id}/lines", s.authed(s.listSettlementLines))
	m.Handle("GET /v1/settlements/{id}/lines.csv", s.authed(s.settlementCSV))
	m.Handle("GET /v1/public/promotions", s.handle(s.promotions))
	m.Handle("OPTIONS /v1/public/promotions", s.handle(s.promotionsPreflight))
	m.Handle("POST /v1/checkouts", s.authed(s.createCheckout))
	m.Handle("GET /v1/checkouts/{id}", s.authed(s.getCheckout))
	m.Handle("POST /v1/checkouts/{id}/cancel", s.authed(s.cancelCheckout))
	m.Handle("GET /v1/events", s.authed(s.listEvents))
	m.Handle("POST /v1/events/{id}/redeliver", s.authed(s.redeliverEvent))
	m.Handle("POST /v1/webhook_endpoints", s.authed(s.createWebhookEndpoint))
	m.Handle("GET /v1/webhook_endpoints", s.authed(s.listWebhookEndpoints))
	m.Handle("GET /v1/webhook_endpoints/{id}", s.authed(s.getWebhookEndpoint))
	m.Handle("DELETE /v1/webhook_endpoints/{id}", s.authed(s.deleteWebhookEndpoint))
	m.Handle("POST /v1/webhook_endpoints/{id}/roll_secret", s.authed(s.rollWebhookSecret))
	m.Handle("GET /v1/webhook_endpoints/{id}/deliveries", s.authed(s.listDeliveries))

	// TRAINING-only test helpers (404 with PRODUCTION keys).
	m.Handle("POST /v1/test_helpers/applications/{id}/decide", s.authed(s.decideApplication))
	m.Handle("POST /v1/test_helpers/accounts/{number}/payments", s.authed(s.pay))
	m.Handle("POST /v1/test_helpers/authorizations/{id}/expire", s.authed(s.expireAuthorization))
	m.Handle("POST /v1/test_helpers/test_clocks", s.authed(s.createTestClock))
	m.Handle("GET /v1/test_helpers/test_clocks/{id}", s.authed(s.getTestClock))
	m.Handle("POST /v1/test_helpers/test_clocks/{id}/advance", s.authed(s.advanceTestClock))
	m.Handle("POST /v1/test_helpers/test_clocks/{id}/attach", s.authed(s.attachTestClock))
	m.Handle("POST /v1/test_helpers/settlements/close", s.authed(s.closeSettlements))
}
