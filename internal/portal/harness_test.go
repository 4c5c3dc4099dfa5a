package portal_test

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
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/api"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/merchant"
	"github.com/openflex/openflex/internal/portal"
	"github.com/openflex/openflex/internal/sqlstore"
	"github.com/openflex/openflex/internal/storetest"
	"github.com/openflex/openflex/internal/webhook"
)

// The SQL store implements the portal's ports.
var (
	_ portal.Control   = sqlstore.Control{}
	_ portal.DataPlane = (*sqlstore.DB)(nil)
)

// clock is the harness's adjustable time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// mail is one message the fake notifier captured.
type mail struct{ To, Subject, Body string }

type mailbox struct {
	mu   sync.Mutex
	msgs []mail
}

func (m *mailbox) notify(_ context.Context, to, subject, body string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.msgs = append(m.msgs, mail{to, subject, body})
	return nil
}

var linkRE = regexp.MustCompile(`https?://\S+`)

// link returns the path and query of the newest link mailed to `to` whose
// path starts with prefix.
func (m *mailbox) link(t testing.TB, to, prefix string) string {
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

// harness is a portal on real stores behind a real HTTP server.
type harness struct {
	stores    *sqlstore.Stores
	keys      *keys.Service
	merchants *merchant.Service
	disp      map[openflex.Environment]*webhook.Dispatcher
	portal    *portal.Portal
	srv       *httptest.Server
	mail      *mailbox
	clock     *clock
}

func newHarness(t *testing.T, e storetest.Engine, tweak ...func(*portal.Config)) *harness {
	t.Helper()
	s := e.Open(t)
	h := &harness{stores: s, mail: &mailbox{}, clock: &clock{t: time.Now().UTC()}, disp: map[openflex.Environment]*webhook.Dispatcher{}}
	h.keys = &keys.Service{Store: s.Control, Hasher: keys.NewHasher(bytes.Repeat([]byte{7}, 32)), Now: h.clock.Now, CacheTTL: keys.DefaultCacheTTL}
	h.merchants = &merchant.Service{Store: s.Control, Now: h.clock.Now}
	for _, env := range openflex.Environments {
		h.disp[env] = &webhook.Dispatcher{Env: env, Endpoints: s.Control, Plane: s.Data(env), Logger: slog.New(slog.DiscardHandler),
			Now: time.Now, Backoff: func(int) time.Duration { return time.Hour }}
	}
	cfg := portal.Config{
		Control: s.Control, Keys: h.keys, Merchants: h.merchants,
		Data:        func(env openflex.Environment) portal.DataPlane { return s.Data(env) },
		Dispatchers: func(env openflex.Environment) *webhook.Dispatcher { return h.disp[env] },
		Notifier:    h.mail.notify, Now: h.clock.Now, OpenAPI: api.OpenAPIDocument,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, f := range tweak {
		f(&cfg)
	}
	for _, d := range h.disp {
		d.Destinations = cfg.Destinations // deliveries follow the portal's address policy
	}
	h.portal = portal.New(cfg)
	mux := http.NewServeMux()
	mux.Handle("/portal/", h.portal) // as the lead mounts it
	h.srv = httptest.NewServer(mux)
	t.Cleanup(h.srv.Close)
	return h
}

// browser is one user agent: a cookie jar that does not follow redirects,
// so tests see each 303.
type browser struct {
	t   testing.TB
	h   *harness
	c   *http.Client
	hdr http.Header // sent with every request
}

func (h *harness) browser(t testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, h: h, hdr: http.Header{}, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// resp is a finished response with its body read.
type resp struct {
	*http.Response
	Body string
}

func (b *browser) do(method, path string, form url.Values) resp {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.h.srv.URL+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	for k, v := range b.hdr {
		req.Header[k] = v
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if bytes.Contains(raw, []byte("%!")) {
		b.t.Errorf("%s %s: a message was formatted with the wrong arguments:\n%s", method, path, raw)
	}
	return resp{res, string(raw)}
}

func (b *browser) get(path string) resp { return b.do(http.MethodGet, path, nil) }

func (b *browser) post(path string, form url.Values) resp { return b.do(http.MethodPost, path, form) }

// submit loads page, takes the CSRF token of its form posting to action,
// and posts fields with it: what a person filling the form does.
func (b *browser) submit(page, action string, fields url.Values) resp {
	b.t.Helper()
	r := b.get(page)
	if r.StatusCode != http.StatusOK {
		b.t.Fatalf("GET %s = %d, want 200:\n%s", page, r.StatusCode, r.Body)
	}
	form := url.Values{}
	for k, v := range fields {
		form[k] = v
	}
	form.Set("csrf", csrfIn(b.t, r.Body, action))
	return b.post(action, form)
}

// csrfIn finds the CSRF token of the form posting to action.
func csrfIn(t testing.TB, html, action string) string {
	t.Helper()
	re := regexp.MustCompile(`action="` + regexp.QuoteMeta(action) + `"[^>]*>\s*<input type="hidden" name="csrf" value="([^"]+)"`)
	m := re.FindStringSubmatch(html)
	if m == nil {
		t.Fatalf("no form posting to %s with a CSRF token in:\n%s", action, html)
	}
	return m[1]
}

// sessionToken computes, from the session stored for this browser, the
// CSRF token a form posting to action would carry. Tests use it to reach
// handlers whose pages the user cannot see (another merchant's objects).
func (b *browser) sessionToken(action string) string {
	b.t.Helper()
	u, _ := url.Parse(b.h.srv.URL + "/portal/")
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name != portal.SessionCookie {
			continue
		}
		sum := sha256.Sum256([]byte(c.Value))
		s, err := b.h.stores.Control.PortalSession(context.Background(), sum[:])
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

const password = "correct horse battery staple"

// signUp registers a merchant through the form and returns the "check
// your email" page.
func (b *browser) signUp(company, email string) resp {
	b.t.Helper()
	r := b.submit("/portal/signup", "/portal/signup", url.Values{"company": {company}, "email": {email}, "province": {"ON"},
		"password": {password}, "confirm": {password}})
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "Check your email") {
		b.t.Fatalf("sign-up = %d, want 200 and check your email:\n%s", r.StatusCode, r.Body)
	}
	return r
}

// logIn logs in and checks the redirect.
func (b *browser) logIn(email, pw string) {
	b.t.Helper()
	r := b.submit("/portal/login", "/portal/login", url.Values{"email": {email}, "password": {pw}})
	if r.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("log-in = %d, want 303:\n%s", r.StatusCode, r.Body)
	}
}

// verifiedMerchant signs up, verifies the email and logs in; it returns
// the merchant.
func (b *browser) verifiedMerchant(company, email string) *openflex.Merchant {
	b.t.Helper()
	b.signUp(company, email)
	if r := b.get(b.h.mail.link(b.t, email, "/portal/verify")); r.StatusCode != http.StatusOK {
		b.t.Fatalf("verify = %d:\n%s", r.StatusCode, r.Body)
	}
	b.logIn(email, password)
	u, err := b.h.stores.Control.PortalUserByEmail(context.Background(), email)
	if err != nil {
		b.t.Fatal(err)
	}
	m, err := b.h.stores.Control.Merchant(context.Background(), u.MerchantID)
	if err != nil {
		b.t.Fatal(err)
	}
	return m
}

var (
	trainSecretRE = regexp.MustCompile(`ofs_train_[0-9A-Za-z]{49}`)
	prodSecretRE  = regexp.MustCompile(`ofs_prod_[0-9A-Za-z]{49}`)
	clientIDRE    = regexp.MustCompile(`ofk_(?:train|prod)_[0-9A-Za-z]{24}`)
	keySetLinkRE  = regexp.MustCompile(`href="/portal/keys/(ks_[0-9a-z]{26})"`)
)

func find(t testing.TB, re *regexp.Regexp, body string) string {
	t.Helper()
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("%s not found in:\n%s", re, body)
	}
	return m[len(m)-1]
}
