// Package webtest runs the whole site — the web kit with the Developer
// Portal, the till and the console — on real stores behind a real HTTP
// server, and drives it like a browser: the harness every room's tests
// share.
package webtest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/api"
	"github.com/openflex/openflex/internal/console"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/customer"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/merchant"
	"github.com/openflex/openflex/internal/pad"
	"github.com/openflex/openflex/internal/plane"
	"github.com/openflex/openflex/internal/plans"
	"github.com/openflex/openflex/internal/portal"
	"github.com/openflex/openflex/internal/servicing/engine"
	"github.com/openflex/openflex/internal/settlement"
	"github.com/openflex/openflex/internal/sqlstore"
	"github.com/openflex/openflex/internal/storetest"
	"github.com/openflex/openflex/internal/till"
	"github.com/openflex/openflex/internal/users"
	"github.com/openflex/openflex/internal/web"
	"github.com/openflex/openflex/internal/webhook"
)

// The SQL store implements the rooms' ports.
var (
	_ web.Store        = sqlstore.Control{}
	_ portal.Control   = sqlstore.Control{}
	_ portal.DataPlane = (*sqlstore.DB)(nil)
	_ console.Control  = sqlstore.Control{}
	_ console.PlanFees = (*sqlstore.Stores)(nil)
	_ till.Catalog     = (*sqlstore.Stores)(nil)
	_ till.Idempotency = (*sqlstore.DB)(nil)
)

// Clock is the harness's adjustable time.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Mail is one message the fake notifier captured.
type Mail struct{ To, Subject, Body string }

// Mailbox captures what the portal emails.
type Mailbox struct {
	mu   sync.Mutex
	msgs []Mail
}

func (m *Mailbox) notify(_ context.Context, to, subject, body string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.msgs = append(m.msgs, Mail{to, subject, body})
	return nil
}

var linkRE = regexp.MustCompile(`https?://\S+`)

// Link returns the path and query of the newest link mailed to `to` whose
// path starts with prefix.
func (m *Mailbox) Link(t testing.TB, to, prefix string) string {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := len(m.msgs) - 1; i >= 0; i-- {
		if m.msgs[i].To != to {
			continue
		}
		for _, raw := range linkRE.FindAllString(m.msgs[i].Body, -1) {
			if u, err := url.Parse(raw); err == nil && strings.HasPrefix(u.Path, prefix) {
				return u.RequestURI()
			}
		}
	}
	t.Fatalf("no %s link mailed to %s (mail: %+v)", prefix, to, m.msgs)
	return ""
}

// Harness is the whole site on real stores and services behind a real
// HTTP server.
type Harness struct {
	Stores    *sqlstore.Stores
	Keys      *keys.Service
	Merchants *merchant.Service
	Disp      map[openflex.Environment]*webhook.Dispatcher
	Credit    map[openflex.Environment]*credit.Service
	Lending   map[openflex.Environment]*lending.Service
	// Settlements are the settlement services (Config.Settlements).
	Settlements map[openflex.Environment]*settlement.Service
	// Servicing are the servicing engines (Config.Desk).
	Servicing map[openflex.Environment]*engine.Service
	// Planes are the services each room is handed.
	Planes plane.Planes
	Users  *users.Service
	Site   *web.Site
	Portal *portal.Portal
	Srv    *httptest.Server
	Mail   *Mailbox
	Clock  *Clock
}

// Config is the site a test asks for: each room's configuration, which
// New fills with the harness's stores and services first.
type Config struct {
	Site   web.Config
	Portal portal.Config
	// Till serves the store-clerk screens and the console's review of
	// applications, on real credit and lending services.
	Till    bool
	Console console.Config
	// Settlements serves the settlement pages of every room, on
	// Harness.Settlements.
	Settlements bool
	// Desk serves the console's account desk: the till's services plus
	// the servicing engine (Harness.Servicing).
	Desk bool
}

// New opens e's stores and serves the site; tweak adjusts the
// configuration before the rooms are built.
func New(t *testing.T, e storetest.Engine, tweak ...func(*Config)) *Harness {
	t.Helper()
	s := e.Open(t)
	h := &Harness{Stores: s, Mail: &Mailbox{}, Clock: &Clock{t: time.Now().UTC()}, Disp: map[openflex.Environment]*webhook.Dispatcher{},
		Credit: map[openflex.Environment]*credit.Service{}, Lending: map[openflex.Environment]*lending.Service{},
		Settlements: map[openflex.Environment]*settlement.Service{}, Servicing: map[openflex.Environment]*engine.Service{}}
	h.Keys = &keys.Service{Store: s.Control, Hasher: keys.NewHasher(bytes.Repeat([]byte{7}, 32)), Now: h.Clock.Now, CacheTTL: keys.DefaultCacheTTL}
	h.Merchants = &merchant.Service{Store: s.Control, Now: h.Clock.Now}
	h.Users = users.New(users.Config{Store: s.Control, Merchants: h.Merchants, Keys: h.Keys, Now: h.Clock.Now})
	for _, env := range openflex.Environments {
		h.Disp[env] = &webhook.Dispatcher{Env: env, Endpoints: s.Control, Plane: s.Data(env), Logger: slog.New(slog.DiscardHandler),
			Now: time.Now, Backoff: func(int) time.Duration { return time.Hour }}
		h.Credit[env] = &credit.Service{Env: env, Store: s.Data(env), Bureau: credit.Simulator{}, Policy: credit.DefaultPolicy(), CodeKey: []byte("test code key"), Now: h.Clock.Now}
		h.Lending[env] = &lending.Service{Env: env, Store: s.Data(env), Verifier: h.Credit[env], Now: h.Clock.Now}
	}
	cfg := Config{
		Site: web.Config{Control: s.Control, Now: h.Clock.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))},
		Portal: portal.Config{
			Control: s.Control, Users: h.Users, Keys: h.Keys, Merchants: h.Merchants,
			Data:     func(env openflex.Environment) portal.DataPlane { return s.Data(env) },
			Notifier: h.Mail.notify, OpenAPI: api.OpenAPIDocument,
		},
		Console: console.Config{Control: s.Control, Merchants: h.Merchants, Catalog: s},
	}
	for _, f := range tweak {
		f(&cfg)
	}
	// Each environment's plane: webhook re-sends always; credit and
	// lending with the till; settlements when asked for.
	planes := plane.Planes{}
	for _, env := range openflex.Environments {
		h.Disp[env].Destinations = cfg.Portal.Destinations // deliveries follow the portal's address policy
		pl := &plane.Plane{Env: env, Webhooks: h.Disp[env]}
		if cfg.Till {
			pl.Credit, pl.Lending = h.Credit[env], h.Lending[env]
		}
		if cfg.Desk {
			pl.Credit, pl.Lending = h.Credit[env], h.Lending[env]
			h.Servicing[env] = &engine.Service{Env: env, Store: s.Data(env), Render: api.RenderEvent(env), Verifier: h.Credit[env], Now: h.Clock.Now,
				Directory: s.Control}
			pl.Servicing = h.Servicing[env]
			h.Lending[env].Servicing = pl.Servicing // captures land on the account's segments, as the app wires it
			pl.Messages = &customer.Messenger{Env: env, Store: s.Data(env), Now: h.Clock.Now, AccountTime: pl.Servicing.AccountTime}
			pl.Servicing.Messages = pl.Messages // servicing's customer messages are delivered, as the app wires them
			pl.PAD = &pad.Service{Store: s.Data(env), Accounts: s.Data(env), Payments: engine.PADPayments{S: pl.Servicing}, Messenger: pl.Messages,
				Payee: pad.Payee{Name: "OpenFlex Financial", Phone: "1-800-555-0199", Email: "help@openflex.example", Address: "Toronto, Ontario"}, Now: h.Clock.Now}
		}
		if cfg.Settlements {
			h.Settlements[env] = &settlement.Service{Env: env, Store: s.Data(env), Catalog: s.Control, Banks: s.Control, Now: h.Clock.Now}
			pl.Settlements = h.Settlements[env]
		}
		planes[env] = pl
	}
	cfg.Portal.Planes, cfg.Console.Planes, h.Planes = planes, planes, planes
	if cfg.Desk {
		cfg.Console.Desk = func(env openflex.Environment) console.DeskData { return s.Data(env) }
	}
	h.Site = web.New(cfg.Site)
	h.Portal = portal.New(h.Site, cfg.Portal)
	if cfg.Till {
		till.New(h.Site, till.Config{Control: s.Control, Catalog: s, Planes: planes,
			Idempotency: func(env openflex.Environment) till.Idempotency { return s.Data(env) }})
	}
	console.New(h.Site, cfg.Console)
	mux := http.NewServeMux()
	mux.Handle("/portal/", h.Site) // as the app mounts it
	h.Srv = httptest.NewServer(mux)
	t.Cleanup(h.Srv.Close)
	return h
}

// Browser is one user agent: a cookie jar that does not follow redirects,
// so tests see each 303.
type Browser struct {
	t   testing.TB
	h   *Harness
	C   *http.Client
	Hdr http.Header // sent with every request
}

// Browser opens a new user agent.
func (h *Harness) Browser(t testing.TB) *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{t: t, h: h, Hdr: http.Header{}, C: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Resp is a finished response with its body read.
type Resp struct {
	*http.Response
	Body string
}

// Do sends one request, with form as its body when not nil.
func (b *Browser) Do(method, path string, form url.Values) Resp {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.h.Srv.URL+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	for k, v := range b.Hdr {
		req.Header[k] = v
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := b.C.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if bytes.Contains(raw, []byte("%!")) {
		b.t.Errorf("%s %s: a message was formatted with the wrong arguments:\n%s", method, path, raw)
	}
	return Resp{res, string(raw)}
}

// Get loads path.
func (b *Browser) Get(path string) Resp { return b.Do(http.MethodGet, path, nil) }

// Post posts form to path.
func (b *Browser) Post(path string, form url.Values) Resp { return b.Do(http.MethodPost, path, form) }

// Submit loads page, takes the CSRF token of its form posting to action,
// and posts fields with it: what a person filling the form does.
func (b *Browser) Submit(page, action string, fields url.Values) Resp {
	b.t.Helper()
	r := b.Get(page)
	if r.StatusCode != http.StatusOK {
		b.t.Fatalf("GET %s = %d, want 200:\n%s", page, r.StatusCode, r.Body)
	}
	form := url.Values{}
	for k, v := range fields {
		form[k] = v
	}
	form.Set("csrf", CSRFIn(b.t, r.Body, action))
	return b.Post(action, form)
}

// CSRFIn finds the CSRF token of the form posting to action.
func CSRFIn(t testing.TB, html, action string) string {
	t.Helper()
	re := regexp.MustCompile(`action="` + regexp.QuoteMeta(action) + `"[^>]*>\s*<input type="hidden" name="csrf" value="([^"]+)"`)
	m := re.FindStringSubmatch(html)
	if m == nil {
		t.Fatalf("no form posting to %s with a CSRF token in:\n%s", action, html)
	}
	return m[1]
}

// SessionToken computes, from the session stored for this browser, the
// CSRF token a form posting to action would carry. Tests use it to reach
// handlers whose pages the user cannot see (another merchant's objects).
func (b *Browser) SessionToken(action string) string {
	b.t.Helper()
	u, _ := url.Parse(b.h.Srv.URL + "/portal/")
	for _, c := range b.C.Jar.Cookies(u) {
		if c.Name != web.SessionCookie {
			continue
		}
		sum := sha256.Sum256([]byte(c.Value))
		s, err := b.h.Stores.Control.PortalSession(context.Background(), sum[:])
		if err != nil {
			b.t.Fatal(err)
		}
		m := hmac.New(sha256.New, s.CSRFSecret)
		m.Write([]byte("openflex portal form " + action))
		return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	b.t.Fatal("no session cookie")
	return ""
}

// Password is the password of every user the harness signs up.
const Password = "correct horse battery staple"

// SignUp registers a merchant through the form and returns the "check
// your email" page.
func (b *Browser) SignUp(company, email string) Resp {
	b.t.Helper()
	r := b.Submit("/portal/signup", "/portal/signup", url.Values{"company": {company}, "email": {email}, "province": {"ON"},
		"password": {Password}, "confirm": {Password}})
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "Check your email") {
		b.t.Fatalf("sign-up = %d, want 200 and check your email:\n%s", r.StatusCode, r.Body)
	}
	return r
}

// LogIn logs in and checks the redirect.
func (b *Browser) LogIn(email, pw string) {
	b.t.Helper()
	r := b.Submit("/portal/login", "/portal/login", url.Values{"email": {email}, "password": {pw}})
	if r.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("log-in = %d, want 303:\n%s", r.StatusCode, r.Body)
	}
}

// VerifiedMerchant signs up, verifies the email and logs in; it returns
// the merchant.
func (b *Browser) VerifiedMerchant(company, email string) *openflex.Merchant {
	b.t.Helper()
	b.SignUp(company, email)
	if r := b.Get(b.h.Mail.Link(b.t, email, "/portal/verify")); r.StatusCode != http.StatusOK {
		b.t.Fatalf("verify = %d:\n%s", r.StatusCode, r.Body)
	}
	b.LogIn(email, Password)
	u, err := b.h.Stores.Control.PortalUserByEmail(context.Background(), email)
	if err != nil {
		b.t.Fatal(err)
	}
	m, err := b.h.Stores.Control.Merchant(context.Background(), u.MerchantID)
	if err != nil {
		b.t.Fatal(err)
	}
	return m
}

// What pages show that tests pick out.
var (
	TrainSecretRE = regexp.MustCompile(`ofs_train_[0-9A-Za-z]{49}`)
	ProdSecretRE  = regexp.MustCompile(`ofs_prod_[0-9A-Za-z]{49}`)
	ClientIDRE    = regexp.MustCompile(`ofk_(?:train|prod)_[0-9A-Za-z]{24}`)
	KeySetLinkRE  = regexp.MustCompile(`href="/portal/keys/(ks_[0-9a-z]{26})"`)
	NonceRE       = regexp.MustCompile(`name="nonce" value="([^"]+)"`)
)

// Find returns the last group of re's first match in body, failing the
// test when there is none.
func Find(t testing.TB, re *regexp.Regexp, body string) string {
	t.Helper()
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("%s not found in:\n%s", re, body)
	}
	return m[len(m)-1]
}

var applicants atomic.Int64

// letters spells n in the letters a–z (1 is "b"): a distinct, short
// name part for each applicant however many a test run opens.
func letters(n int64) string {
	var b []byte
	for {
		b = append([]byte{byte('a' + n%26)}, b...)
		if n /= 26; n == 0 {
			return string(b)
		}
	}
}

// OpenAccount opens an approved account in env for Jeanne Tremblay (a
// distinct last name each time) and returns it.
func (h *Harness) OpenAccount(t testing.TB, env openflex.Environment, merchantID, storeID string) *openflex.Account {
	t.Helper()
	ctx := context.Background()
	last := "Tremblay-" + letters(applicants.Add(1))
	prep, err := h.Credit[env].Prepare(ctx, credit.ApplyRequest{MerchantID: merchantID, StoreID: storeID, Language: "en",
		Applicant: openflex.Applicant{FirstName: "Jeanne", MiddleName: credit.MagicApproveLowRisk, LastName: last, DateOfBirth: "1985-06-15",
			Email: "jeanne@example.com", Phone: "+14165550199",
			Address:      openflex.Address{Line1: "1 Main St", City: "Toronto", Province: "ON", PostalCode: "M5V 2T6"},
			AnnualIncome: 9_000_000, EmploymentStatus: "employed", HousingStatus: "own", MonthlyHousingCost: 100_000},
		Consent: openflex.Consent{CreditCheck: true, TermsAccepted: true}})
	if err != nil {
		t.Fatal(err)
	}
	_, acct, err := h.Credit[env].Commit(ctx, prep)
	if err != nil || acct == nil {
		t.Fatalf("Commit = %v, %v; want an approved account", acct, err)
	}
	return acct
}

// TwelveMonths sets up a 12-month equal-payment plan at 9.99 % for
// merchantID in TRAINING.
func (h *Harness) TwelveMonths(t testing.TB, merchantID string) *openflex.Plan {
	t.Helper()
	p, err := plans.Build(plans.NewPlan{MerchantID: merchantID, Environment: openflex.Training, Name: "12 easy payments", Category: openflex.PlanEqualPayments,
		Terms: []openflex.PlanTerm{{Months: 12, AnnualRate: 9990}}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Stores.Data(openflex.Training).CreatePlan(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return p
}

// FirstStore is the merchant's first store.
func (h *Harness) FirstStore(t testing.TB, merchantID string) openflex.Store {
	t.Helper()
	sts, _, err := h.Stores.Control.Stores(context.Background(), merchantID, openflex.ListParams{Limit: 10})
	if err != nil || len(sts) == 0 {
		t.Fatalf("Stores = %v, %v", sts, err)
	}
	return sts[0]
}

// PostIn posts fields to action with the CSRF token of its form in html.
func (b *Browser) PostIn(html, action string, fields url.Values) Resp {
	b.t.Helper()
	form := url.Values{"csrf": {CSRFIn(b.t, html, action)}}
	for k, v := range fields {
		form[k] = v
	}
	return b.Post(action, form)
}

// FormNonce is the nonce of the form posting to action in html.
func FormNonce(t testing.TB, html, action string) string {
	t.Helper()
	i := strings.Index(html, `action="`+action+`"`)
	if i < 0 {
		t.Fatalf("no form posting to %s in:\n%s", action, html)
	}
	return Find(t, NonceRE, html[i:])
}

// PendingApplication files an application the simulated bureau sends to
// manual review, for Jeanne Tremblay-Review of Toronto.
func (h *Harness) PendingApplication(t testing.TB, env openflex.Environment, merchantID, storeID, last string) *openflex.Application {
	t.Helper()
	ctx := context.Background()
	prep, err := h.Credit[env].Prepare(ctx, credit.ApplyRequest{MerchantID: merchantID, StoreID: storeID, Language: "fr", RequestedAmount: 150_000,
		Applicant: openflex.Applicant{FirstName: "Jeanne", MiddleName: credit.MagicPending, LastName: last, DateOfBirth: "1985-06-15",
			Email: "jeanne.review@example.com", Phone: "+14165550199", SIN: "130692544",
			Address:      openflex.Address{Line1: "77 Secret Lane", City: "Toronto", Province: "ON", PostalCode: "M5V 2T6"},
			AnnualIncome: 6_500_000, EmploymentStatus: "employed", HousingStatus: "rent", MonthlyHousingCost: 180_000},
		Consent: openflex.Consent{CreditCheck: true, TermsAccepted: true}})
	if err != nil {
		t.Fatal(err)
	}
	app, _, err := h.Credit[env].Commit(ctx, prep)
	if err != nil || app.Status != openflex.ApplicationPending {
		t.Fatalf("Commit = %+v, %v; want a pending application", app, err)
	}
	return app
}

// WithDesk serves the console's account desk (Config.Desk).
func WithDesk(c *Config) { c.Desk = true }

// WithTill serves the till and the console's review (Config.Till).
func WithTill(c *Config) { c.Till = true }

// Want fails the test unless r has status and shows every text.
func Want(t testing.TB, r Resp, status int, step string, texts ...string) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s = %d, want %d:\n%s", step, r.StatusCode, status, r.Body)
	}
	for _, s := range texts {
		if !strings.Contains(r.Body, s) {
			t.Fatalf("%s does not show %q:\n%s", step, s, r.Body)
		}
	}
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// SentDebit enrols the account in automatic payments and puts one debit
// of amount in a file to the bank (its payment applied through the
// engine), as `openflex payments debit-file` does (Config.Desk).
func (h *Harness) SentDebit(t testing.TB, env openflex.Environment, number string, amount int64) *pad.Debit {
	t.Helper()
	ctx, data := context.Background(), h.Stores.Data(env)
	a, err := h.Planes[env].PAD.Enrol(ctx, pad.EnrolRequest{AccountNumber: number, Choice: pad.ChoiceMinimum, Language: "en", Accepted: true,
		Bank: openflex.BankAccount{Institution: "004", Transit: "12345", Account: "1234567", HolderName: "Jeanne Tremblay"}})
	if err != nil {
		t.Fatal(err)
	}
	now := h.Clock.Now()
	d := &pad.Debit{ID: openflex.NewID("pdb"), AgreementID: a.ID, AccountNumber: number, StatementID: "stmt_test",
		DueOn: now.Format(time.DateOnly), Amount: amount, Status: pad.DebitScheduled, Created: now, Updated: now}
	d.Reference = strings.ToUpper("OF" + d.ID[len(d.ID)-17:])
	if _, err := data.CreateDebit(ctx, d); err != nil {
		t.Fatal(err)
	}
	if d.PaymentID, err = (engine.PADPayments{S: h.Servicing[env]}).PayDebit(ctx, number, amount, d.ID); err != nil {
		t.Fatal(err)
	}
	d.Status, d.FileNumber = pad.DebitSent, 1
	if err := data.UpdateDebit(ctx, d); err != nil {
		t.Fatal(err)
	}
	return d
}
