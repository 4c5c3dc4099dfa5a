// Package web is the kit the server-rendered rooms share: the page frame
// and its rendering, sessions and their cookies, CSRF tokens, English and
// French, rate limits by source address and the static assets. Each
// audience has its own room on it — the merchant's Developer Portal
// (internal/portal), the store clerk's till (internal/till), the lender's
// console (internal/console) — which registers its routes, pages and texts
// on one Site. Pages work without JavaScript; sessions are cookies backed
// by the control plane, and every POST carries a per-form CSRF token.
package web

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/users"
)

// Root is where the site is mounted: every room's paths, the cookies and
// the assets live under it.
const Root = "/portal/"

// Store is the control-plane storage the kit needs: sessions and the user
// and merchant a session belongs to.
type Store interface {
	Merchant(ctx context.Context, id string) (*openflex.Merchant, error)
	PortalUser(ctx context.Context, id string) (*users.User, error)
	CreatePortalSession(ctx context.Context, s *users.Session) error
	PortalSession(ctx context.Context, hash []byte) (*users.Session, error)
	TouchPortalSession(ctx context.Context, hash []byte, at time.Time) error
	DeletePortalSession(ctx context.Context, hash []byte) error
	PurgePortal(ctx context.Context, now, idleSince time.Time) (int64, error)
}

// Config is what a Site is built from.
type Config struct {
	Control Store
	// ClientIP is a request's source address for the rate limits (nil: the
	// peer address).
	ClientIP func(r *http.Request) string
	Logger   *slog.Logger
	Now      func() time.Time
	// Secure marks cookies Secure: set it whenever users reach the site
	// over TLS (directly or through a proxy).
	Secure bool
}

// Features says which optional pages the rooms serve, so the frame's
// navigation links only to what exists. Rooms set them as they register.
type Features struct {
	// HasRequests reports whether the API keeps a request log to show.
	HasRequests bool
	// HasTill reports whether the store-clerk screens are served.
	HasTill bool
	// HasReview reports whether lender staff review applications here.
	HasReview bool
	// HasSettlements reports whether the Settlements page is served.
	HasSettlements bool
	// HasDesk reports whether the lender's account desk is served.
	HasDesk bool
}

// Site is the handler of everything under Root: the rooms' routes on one
// mux, with the security headers every response needs.
type Site struct {
	Features

	cfg     Config
	log     *slog.Logger
	mux     *http.ServeMux
	pages   map[string]pageSet // by language
	catalog map[string][2]string
	origins *http.CrossOriginProtection
}

// New builds an empty site: the frame, the generic message page and the
// kit's texts. Rooms add the rest before it serves.
func New(cfg Config) *Site {
	if cfg.Control == nil {
		panic("web: Config needs Control")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	p := &Site{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux(), pages: map[string]pageSet{}, catalog: map[string][2]string{},
		origins: http.NewCrossOriginProtection()}
	p.AddMessages(messages)
	p.AddPages(templateFS, "templates/message.html")
	p.mux.Handle("GET "+Root+"static/", staticFiles())
	p.mux.Handle(Root, p.Public(func(w http.ResponseWriter, r *http.Request, pg *Page) error {
		return openflex.NotFound("page", r.URL.Path)
	}))
	return p
}

// Handle routes pattern ("GET /portal/keys") to h.
func (p *Site) Handle(pattern string, h http.Handler) { p.mux.Handle(pattern, h) }

// ServeHTTP serves everything under Root with the security headers every
// response needs.
func (p *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Content-Type-Options", "nosniff")
	p.mux.ServeHTTP(w, r)
}

// Purge deletes idle or expired sessions and expired email tokens; the job
// runner calls it now and then.
func (p *Site) Purge(ctx context.Context) (int64, error) {
	now := p.Now()
	return p.cfg.Control.PurgePortal(ctx, now, now.Add(-IdleTimeout))
}

// Now is the site's clock, in UTC at the database's precision.
func (p *Site) Now() time.Time { return p.cfg.Now().UTC().Truncate(time.Microsecond) }

// Logger is the site's logger.
func (p *Site) Logger() *slog.Logger { return p.log }

// RemoteHost is the request's peer address without its port.
func RemoteHost(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}
