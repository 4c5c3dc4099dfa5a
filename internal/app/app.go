// Package app wires OpenFlex together: it opens the stores, builds the
// domain services, serves the HTTP API and runs the background jobs. The
// openflex command, the end-to-end tests, the SDK tests and the benchmark
// tool all start the platform through Main.
package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/account"
	"github.com/openflex/openflex/internal/api"
	"github.com/openflex/openflex/internal/checkout"
	"github.com/openflex/openflex/internal/console"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/credit/httpbureau"
	"github.com/openflex/openflex/internal/customer"
	"github.com/openflex/openflex/internal/jobs"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/merchant"
	"github.com/openflex/openflex/internal/netguard"
	"github.com/openflex/openflex/internal/notify"
	"github.com/openflex/openflex/internal/pad"
	"github.com/openflex/openflex/internal/plane"
	"github.com/openflex/openflex/internal/portal"
	"github.com/openflex/openflex/internal/servicing/engine"
	"github.com/openflex/openflex/internal/settlement"
	"github.com/openflex/openflex/internal/sqlstore"
	"github.com/openflex/openflex/internal/till"
	"github.com/openflex/openflex/internal/users"
	"github.com/openflex/openflex/internal/web"
	"github.com/openflex/openflex/internal/webhook"
)

// Version is the running version, set by the command at build time.
var Version = "dev"

// Main is a running openflex server: the stores, the services and the HTTP
// listener. Tests start one exactly as `openflex serve` does.
type Main struct {
	Config Config
	Logger *slog.Logger
	// Out receives the human-facing start-up text (demo keys).
	Out io.Writer
	// WrapHasher, when set, wraps the key service's secret hasher (the
	// security tests count how many secrets a request hashes).
	WrapHasher func(keys.SecretHasher) keys.SecretHasher

	Stores    *sqlstore.Stores
	Keys      *keys.Service
	Merchants *merchant.Service
	// Planes are each environment's services (credit, lending, hosted
	// checkouts, webhook delivery, settlements): one struct per plane.
	Planes plane.Planes
	// Site serves /portal/: the Developer Portal, the till and the console.
	Site *web.Site
	// Users creates users and signs them in (the portal and the CLI).
	Users  *users.Service
	Portal *portal.Portal
	API    *api.Server

	// Destinations is the address policy of webhook URLs and deliveries.
	Destinations *netguard.Policy
	// PAD runs customers' pre-authorized debit agreements and debit files.
	PAD map[openflex.Environment]*pad.Service
	// Messages tells customers about their accounts.
	Messages map[openflex.Environment]*customer.Messenger

	key       []byte
	closeOnce sync.Once
	closeErr  error
	// creditAgreement is what the hosted checkout shows before the
	// shopper accepts it.
	creditAgreement checkout.Agreement
	stopJobs        context.CancelFunc
	jobsDone        chan struct{}
	stopWatch       func()
	listener        net.Listener
	server          *http.Server
	// metricsListener and metricsServer serve /metrics on
	// Config.MetricsAddr (nil when it is empty).
	metricsListener net.Listener
	metricsServer   *http.Server
	metricsServed   chan error
	served          chan error
}

// Open opens the stores and builds the services, without listening.
func (m *Main) Open(ctx context.Context) error {
	if m.Logger == nil {
		m.Logger = slog.New(slog.DiscardHandler)
	}
	if m.Out == nil {
		m.Out = io.Discard
	}
	key, err := m.Config.SecretKeyBytes()
	if err != nil {
		return err
	}
	m.Stores, err = sqlstore.Open(ctx, m.Config.Storage(key))
	if err != nil {
		return err
	}
	m.Keys = &keys.Service{Store: m.Stores.Control, Hasher: keys.NewHasher(key), Now: time.Now, CacheTTL: keys.DefaultCacheTTL, Logger: m.Logger}
	if m.WrapHasher != nil {
		m.Keys.Hasher = m.WrapHasher(m.Keys.Hasher)
	}
	m.Merchants = &merchant.Service{Store: m.Stores.Control, Now: time.Now}
	bureaus, err := m.bureaus()
	if err != nil {
		return err
	}
	notifier := &notify.Notifier{}
	if m.Config.SMTPURL != "" {
		if notifier.Mail, err = notify.ParseSMTPURL(m.Config.SMTPURL); err != nil {
			return err
		}
	}
	if m.Config.SMSURL != "" {
		notifier.SMS = &notify.SMSGateway{URL: m.Config.SMSURL, APIKey: m.Config.SMSAPIKey}
	}
	m.Destinations = &netguard.Policy{AllowPrivate: m.Config.WebhooksAllowPrivate || m.Config.Demo, Resolver: m.Config.WebhookResolver}
	if m.Destinations.AllowPrivate {
		m.Logger.Warn("WEBHOOKS MAY REACH LOOPBACK, PRIVATE AND OTHER NON-PUBLIC ADDRESSES (--webhooks-allow-private or --demo): any merchant can make this server send requests into its own network; for local development only")
	}
	sc, err := m.Config.Servicing()
	if err != nil {
		return fmt.Errorf("lender: %w", err)
	}
	m.Planes = plane.Planes{}
	m.PAD = map[openflex.Environment]*pad.Service{}
	m.Messages = map[openflex.Environment]*customer.Messenger{}
	m.key = key
	for _, env := range openflex.Environments {
		data := m.Stores.Data(env)
		pl := &plane.Plane{Env: env}
		m.Planes[env] = pl
		pl.Credit = &credit.Service{Env: env, Store: data, Bureau: bureaus[env], Policy: credit.DefaultPolicy(),
			CodeKey: derive(key, "verification codes"), Render: api.RenderEvent(env), Limits: m.verificationLimits(env), Now: time.Now}
		if env == openflex.Production && (notifier.Mail != nil || notifier.SMS != nil) {
			pl.Credit.Notifier = notifier
		}
		pl.Webhooks = &webhook.Dispatcher{Env: env, Endpoints: m.Stores.Control, Plane: data, Logger: m.Logger, Now: time.Now,
			Backoff: m.Config.WebhookBackoff, Destinations: m.Destinations}
		pl.Servicing = &engine.Service{Env: env, Store: data, Render: api.RenderEvent(env), Verifier: pl.Credit, Workers: 4,
			Config: &sc, Logger: m.Logger, Now: time.Now, Directory: m.Stores.Control, MessageRate: m.Config.MessagesPerSecond}
		m.wireCustomers(env, data, notifier)
		pl.PAD, pl.Messages = m.PAD[env], m.Messages[env]
		pl.Servicing.MaxCreditLimit = pl.Credit.Policy.MaxLimit
		pl.Lending = &lending.Service{Env: env, Store: data, Verifier: pl.Credit, Render: api.RenderEvent(env),
			HoldTTL: m.Config.HoldTTL, Servicing: pl.Servicing, Now: time.Now}
		pl.Checkouts = &checkout.Service{Env: env, Store: data, Credit: pl.Credit, Lending: pl.Lending,
			Render: api.RenderEvent(env), TokenKey: derive(key, "checkout tokens"), BaseURL: m.Config.PublicURL, Now: time.Now}
		pl.Settlements = &settlement.Service{Env: env, Store: data, Catalog: m.Stores.Control, Banks: m.Stores.Control, Render: api.RenderEvent(env),
			Now: time.Now}
	}
	m.Site = web.New(web.Config{
		Control:  m.Stores.Control,
		Logger:   m.Logger,
		ClientIP: m.clientIP,
		Now:      time.Now,
		Secure:   strings.HasPrefix(m.Config.PublicURL, "https://"),
	})
	m.Users = users.New(users.Config{Store: m.Stores.Control, Merchants: m.Merchants, Keys: m.Keys, Now: time.Now})
	m.Portal = portal.New(m.Site, portal.Config{
		Control:   m.Stores.Control,
		Users:     m.Users,
		Keys:      m.Keys,
		Merchants: m.Merchants,
		Data:      func(env openflex.Environment) portal.DataPlane { return m.Stores.Data(env) },
		Planes:    m.Planes,
		Notifier:  portalMail(notifier),
		LogLinks:  m.Config.Demo,
		Secure:    strings.HasPrefix(m.Config.PublicURL, "https://"),
		BaseURL:   m.Config.PublicURL,
		OpenAPI:   api.OpenAPIDocument,
		RecentRequests: func(merchantID string) []portal.APIRequest {
			if m.API == nil {
				return nil
			}
			rs := m.API.RecentRequests(merchantID)
			out := make([]portal.APIRequest, len(rs))
			for i, r := range rs {
				out[i] = portal.APIRequest(r)
			}
			return out
		},
		Destinations: m.Destinations,
	})
	till.New(m.Site, till.Config{
		Control:     m.Stores.Control,
		Planes:      m.Planes,
		Catalog:     m.Stores,
		Idempotency: func(env openflex.Environment) till.Idempotency { return m.Stores.Data(env) },
	})
	console.New(m.Site, console.Config{
		Control:   m.Stores.Control,
		Merchants: m.Merchants,
		Planes:    m.Planes,
		Catalog:   m.Stores,
		Desk:      func(env openflex.Environment) console.DeskData { return m.Stores.Data(env) },
	})
	return nil
}

// bureaus picks each environment's credit bureau: the simulator for
// TRAINING; for PRODUCTION the configured HTTP bureau, or none (applications
// then answer 503 bureau_unavailable). The simulator in PRODUCTION needs an
// explicit flag and is logged loudly.
func (m *Main) bureaus() (map[openflex.Environment]credit.Bureau, error) {
	out := map[openflex.Environment]credit.Bureau{openflex.Training: credit.Simulator{}}
	c := m.Config
	switch {
	case c.ProductionSimulator:
		m.Logger.Warn("PRODUCTION USES THE SIMULATED CREDIT BUREAU: no real credit checks are made (--production-simulator); never run a live program like this")
		out[openflex.Production] = credit.Simulator{}
	case c.BureauURL != "" && c.BureauCert != "":
		b, err := httpbureau.NewMTLS(c.BureauURL, c.BureauCert, c.BureauKey, c.BureauCA)
		if err != nil {
			return nil, err
		}
		b.APIKey = c.BureauAPIKey
		out[openflex.Production] = b
	case c.BureauURL != "":
		out[openflex.Production] = &httpbureau.Client{URL: c.BureauURL, APIKey: c.BureauAPIKey}
	default:
		m.Logger.Warn("no credit bureau configured for PRODUCTION (--bureau-url): PRODUCTION applications answer 503 bureau_unavailable")
	}
	return out, nil
}

// verificationLimits are env's limits with the configured per key set
// budget.
func (m *Main) verificationLimits(env openflex.Environment) credit.VerificationLimits {
	l := credit.LimitsFor(env)
	if m.Config.VerificationCodesPerKeySet > 0 {
		l.BudgetCodes = m.Config.VerificationCodesPerKeySet
	}
	return l
}

// derive makes an independent key for one purpose from the server key.
func derive(key []byte, purpose string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte("openflex " + purpose))
	return h.Sum(nil)
}

// Run opens everything and starts serving; it returns once the listener is
// up. Addr() then tells where.
func (m *Main) Run(ctx context.Context) error {
	if err := m.Open(ctx); err != nil {
		return err
	}
	proxies, err := m.Config.Proxies()
	if err != nil {
		return err
	}
	rates := map[openflex.Environment]float64{openflex.Training: m.Config.RateTraining, openflex.Production: m.Config.RateProduction}
	if m.creditAgreement, err = m.agreement(); err != nil {
		return err
	}
	m.API = api.New(api.Config{
		Control: m.Stores.Control,
		Data:    func(env openflex.Environment) api.DataPlane { return m.Stores.Data(env) },
		Keys:    m.Keys, Ready: m.Stores.Ping, Logger: m.Logger,
		Planes:         m.Planes,
		Webhooks:       m.Stores.Control,
		Pages:          m.pages,
		PublicURL:      func() string { return m.Config.PublicURL },
		TrustedProxies: proxies, RateLimits: rates,
		Destinations: m.Destinations,
	})
	m.listener, err = net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return err
	}
	if err := m.serveMetrics(); err != nil {
		m.listener.Close()
		return err
	}
	// The demo is seeded once the address is known: its key set trusts
	// the origin actually listened on (--addr 127.0.0.1:0 included).
	if m.Config.Demo {
		if err := m.SeedDemo(ctx); err != nil {
			m.listener.Close()
			return fmt.Errorf("seed demo data: %w", err)
		}
	}
	var handler http.Handler = m.API
	if strings.HasPrefix(m.Config.PublicURL, "https://") {
		handler = strictTransport(handler)
	}
	m.server = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	// Authentication answers from memory only while this runs: it keeps the
	// cache in step with other nodes' and the CLI's changes (keys.Watch).
	m.stopWatch = m.Keys.StartWatch()
	if m.Config.PublicURL == "" {
		m.Config.PublicURL = "http://" + m.listener.Addr().String()
	}
	// Before the jobs start: they send servicing's messages, which link to
	// the customer pages by their full address.
	for env, pl := range m.Planes {
		c := pl.Checkouts
		c.BaseURL = m.Config.PublicURL
		if pl.Servicing != nil {
			pl.Servicing.AccountPages = m.accountPages(env)
		}
	}
	if !m.Config.NoJobs {
		m.startJobs()
	}
	m.served = make(chan error, 1)
	go func() { m.served <- m.server.Serve(m.listener) }()
	m.Logger.Info("listening", "addr", m.listener.Addr().String(), "version", Version)
	return nil
}

// strictTransport tells browsers to reach this server over HTTPS only for
// a year, so a portal session or a hosted checkout never falls back to
// plain HTTP on a hostile network. It is sent only when the public URL is
// https: a plain-HTTP development server must stay reachable.
func strictTransport(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		h.ServeHTTP(w, r)
	})
}

// Addr is the listening address.
func (m *Main) Addr() string { return m.listener.Addr().String() }

// MetricsAddr is where /metrics is served, "" when it is not.
func (m *Main) MetricsAddr() string {
	if m.metricsListener == nil {
		return ""
	}
	return m.metricsListener.Addr().String()
}

// serveMetrics serves GET /metrics, alone, on Config.MetricsAddr (nothing
// when it is empty). The public listener does not answer it.
func (m *Main) serveMetrics() error {
	if m.Config.MetricsAddr == "" {
		return nil
	}
	l, err := net.Listen("tcp", m.Config.MetricsAddr)
	if err != nil {
		return fmt.Errorf("metrics address: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.API.Metrics())
	m.metricsListener, m.metricsServed = l, make(chan error, 1)
	m.metricsServer = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second,
		ErrorLog: slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn)}
	go func() { m.metricsServed <- m.metricsServer.Serve(l) }()
	if ap, err := netip.ParseAddrPort(l.Addr().String()); err == nil && !ap.Addr().IsLoopback() {
		m.Logger.Warn("metrics are served on a non-loopback address: keep it off the internet", "metrics_addr", l.Addr().String())
	}
	m.Logger.Info("metrics listening", "addr", l.Addr().String())
	return nil
}

// Close stops accepting, lets in-flight requests finish (up to the
// shutdown timeout), stops the jobs, then closes the stores. Closing twice
// is harmless.
func (m *Main) Close() error {
	m.closeOnce.Do(func() { m.closeErr = m.close() })
	return m.closeErr
}

func (m *Main) close() error {
	var errs []error
	if m.server != nil {
		timeout := m.Config.ShutdownTimeout
		if timeout <= 0 {
			timeout = 30 * time.Second
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		if err := m.server.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shutdown: %w", err))
		}
		cancel()
		if err := <-m.served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	if m.metricsServer != nil {
		if err := m.metricsServer.Close(); err != nil {
			errs = append(errs, fmt.Errorf("metrics: %w", err))
		}
		if err := <-m.metricsServed; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	if m.stopJobs != nil {
		m.stopJobs()
		<-m.jobsDone
	}
	if m.stopWatch != nil {
		m.stopWatch()
	}
	if m.Stores != nil {
		errs = append(errs, m.Stores.Close())
	}
	return errors.Join(errs...)
}

// startJobs runs the background jobs until Close.
func (m *Main) startJobs() {
	ctx, cancel := context.WithCancel(context.Background())
	r := &jobs.Runner{Expirers: map[openflex.Environment][]jobs.Expirer{}, Planes: map[openflex.Environment]jobs.Plane{},
		Deliverers: map[openflex.Environment]jobs.Deliverer{}, DeliverEvery: m.Config.DeliverEvery, Settlers: map[openflex.Environment]jobs.Settler{},
		Servicers: map[openflex.Environment]jobs.Servicer{},
		Tokens:    m.Stores.Control, Logger: m.Logger, Now: time.Now, NoScrub: m.Config.NoScrub}
	for _, env := range openflex.Environments {
		r.Expirers[env] = []jobs.Expirer{m.Planes[env].Lending, m.Planes[env].Checkouts}
		r.Planes[env] = m.Stores.Data(env)
		r.Deliverers[env] = m.Planes[env].Webhooks
		r.Settlers[env] = m.Planes[env].Settlements
		r.Servicers[env] = servicingThenDebits{m.Planes[env].Servicing, m.PAD[env]}
	}
	r.Cleanups = []func(context.Context) (int64, error){m.Site.Purge}
	r.Lock = m.Stores.Control.TryLock
	m.stopJobs, m.jobsDone = cancel, make(chan struct{})
	go func() {
		defer close(m.jobsDone)
		r.Run(ctx)
	}()
}

// Wait serves until ctx ends (Ctrl-C) or the server fails, then shuts down
// gracefully.
func (m *Main) Wait(ctx context.Context) error {
	var serveErr error
	select {
	case <-ctx.Done():
		m.Logger.Info("shutting down: finishing in-flight requests")
	case serveErr = <-m.served:
		m.served <- serveErr // Close waits on it
	}
	return m.Close()
}

// clientIP is a request's client address by the API's one rule
// (api.Server.ClientIP, --trusted-proxies), for the portal's limits and
// the hosted checkout's consent records. The pages are mounted while the
// API is built, so it is looked up per request.
func (m *Main) clientIP(r *http.Request) string { return m.API.ClientIP(r).String() }

// pages mounts the hosted checkout on the API's mux.
func (m *Main) pages(mux *http.ServeMux) {
	cp := &checkout.Pages{Services: func(env openflex.Environment) *checkout.Service { return m.Planes[env].Checkouts },
		Control: m.Stores.Control, CSRFKey: derive(m.key, "checkout csrf"), Logger: m.Logger, ClientIP: m.clientIP,
		Agreement: m.creditAgreement}
	cp.Register(mux)
	mux.Handle("/portal/", m.Site)
	mux.Handle(account.Root, m.accountRoom())
}

// agreement is the credit agreement the checkout shows: the lender's
// text when configured, with the figures of the servicing rules accounts
// are run by.
func (m *Main) agreement() (checkout.Agreement, error) {
	sc, err := m.Config.Servicing()
	if err != nil {
		return checkout.Agreement{}, err
	}
	a := checkout.Agreement{PurchaseRate: sc.RevolvingRate, MinimumPercent: sc.MinimumPercent, MinimumFloor: sc.MinimumFloor,
		ReturnedPaymentFee: sc.NSFFee, DueDays: sc.DueDays}
	for i, path := range []string{m.Config.CreditAgreement, m.Config.CreditAgreementFR} {
		if path == "" {
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return a, fmt.Errorf("credit agreement: %w", err)
		}
		a.Text[i] = string(b)
	}
	return a, nil
}

// portalMail sends the portal's emails through SMTP when configured; nil
// makes the portal log its links (TRAINING-only installs).
func portalMail(n *notify.Notifier) portal.Notifier {
	if n.Mail == nil {
		return nil
	}
	return n.Mail.Email
}
