// Package api serves the public HTTP contract of API.md: /oauth/token, the
// /v1 merchant API and the operations endpoints. Handlers decode, call the
// domain, encode; errors are mapped to HTTP in one table (errors.go).
package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/keys"
)

// Control is the control-plane storage the API reads directly.
type Control interface {
	Store(ctx context.Context, merchantID, id string) (*openflex.Store, error)
	Stores(ctx context.Context, merchantID string, p openflex.ListParams) ([]openflex.Store, bool, error)
}

// DataPlane is one environment's data plane.
type DataPlane interface {
	Idempotent(ctx context.Context, req openflex.IdempotentRequest,
		do func(ctx context.Context) (openflex.StoredResponse, error),
		keep func(error) (openflex.StoredResponse, bool),
	) (openflex.StoredResponse, bool, error)
}

// Config is everything the API needs, wired by cmd/openflex.
type Config struct {
	Control Control
	// Data returns the data plane of an environment; a request only ever
	// gets the one its key set belongs to.
	Data func(openflex.Environment) DataPlane
	Keys *keys.Service
	// Ready reports whether every store answers (for /readyz).
	Ready  func(ctx context.Context) error
	Logger *slog.Logger
	// TrustedProxies are the peers whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	// RateLimits is requests per second per key set, per environment.
	RateLimits map[openflex.Environment]float64
	// OpenAPI is the served OpenAPI document (defaults to the embedded one).
	OpenAPI []byte
	Now     func() time.Time
}

// Server is the HTTP API. It is an http.Handler.
type Server struct {
	cfg      Config
	log      *slog.Logger
	mux      *http.ServeMux
	metrics  *metrics
	rate     *limiter
	failures *limiter
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
		rate: newLimiter(cfg.Now),
		// Ten failed client authentications a minute per client id and per
		// IP, then callers wait: secrets cannot be guessed online.
		failures: newLimiter(cfg.Now),
	}
	s.routes()
	return s
}

// routes is the whole route table.
func (s *Server) routes() {
	m := s.mux
	m.Handle("GET /healthz", s.handle(s.healthz))
	m.Handle("GET /readyz", s.handle(s.readyz))
	m.Handle("GET /metrics", s.metrics.handler())
	m.Handle("GET /openapi.json", s.handle(s.openapi))

	m.Handle("POST /oauth/token", s.handle(s.token))

	m.Handle("GET /v1/stores", s.authed(s.listStores))
	m.Handle("GET /v1/stores/{id}", s.authed(s.getStore))
}
