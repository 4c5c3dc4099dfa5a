package securitytest

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/app"
	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/storetest"
	"github.com/openflex/openflex/internal/users"
)

// TestSmallValidationNotStored: a 400 is never the final answer of an
// Idempotency-Key, so once the merchant fixes what was wrong (here its
// Trust URLs) the same request with the same key goes through.
func TestSmallValidationNotStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := strictSetup(t, e)
		body := `{"amount":10000,"currency":"CAD","store_id":"` + w.storeID + `","success_url":"https://new-shop.example.com/ok","cancel_url":"https://new-shop.example.com/cancel"}`
		key := openflex.NewID("test")
		if r := strictCallKey(t, w, "POST", "/v1/checkouts", body, key); r.status != 400 || r.errField("code") != "url_not_trusted" {
			t.Fatalf("checkout to an untrusted URL = %v, want 400 url_not_trusted", r)
		}
		ks, _, err := w.p.Main.Keys.Authenticate(context.Background(), w.keys.ClientID, w.keys.ClientSecret)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.p.Main.Keys.SetTrust(context.Background(), ks.ID, append(ks.TrustURLs, "https://new-shop.example.com"), ks.TrustIPs, keys.Actor{Name: "test"}); err != nil {
			t.Fatal(err)
		}
		if r := strictCallKey(t, w, "POST", "/v1/checkouts", body, key); r.status != 201 {
			t.Fatalf("the same request after fixing the Trust URLs = %v, want 201 (a stored 400 was replayed?)", r)
		}
	})
}

// smallBrowser is a portal visitor with cookies.
type smallBrowser struct {
	t      *testing.T
	base   string
	client *http.Client
}

func smallNewBrowser(t *testing.T, base string) *smallBrowser {
	jar, _ := cookiejar.New(nil)
	return &smallBrowser{t: t, base: base, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var smallCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// submit loads page, then posts form to action with the page's CSRF token.
func (b *smallBrowser) submit(page, action string, form url.Values) (int, string) {
	b.t.Helper()
	res, err := b.client.Get(b.base + page)
	if err != nil {
		b.t.Fatal(err)
	}
	html, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := smallCSRF.FindSubmatch(html)
	if m == nil {
		b.t.Fatalf("no CSRF token on %s:\n%s", page, html)
	}
	form.Set("csrf", string(m[1]))
	req, _ := http.NewRequest("POST", b.base+action, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.base)
	res, err = b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(out)
}

// smallText is a page's visible text, with email addresses and form
// tokens taken out so two answers can be compared.
func smallText(html string, emails ...string) string {
	for _, e := range emails {
		html = strings.ReplaceAll(html, e, "EMAIL")
	}
	return smallCSRF.ReplaceAllString(html, "")
}

// smallLog collects a server's log lines.
type smallLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *smallLog) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(b)
}

func (l *smallLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// TestSmallPortalEnumeration: the portal never tells whether an email has
// an account — sign-up and log-in (wrong password, locked, unknown) answer
// alike — sign-up and password reset are limited per source address, and
// without a mail server the emailed links (credentials) are not logged.
func TestSmallPortalEnumeration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		var log smallLog
		p := apptest.Start(t, e, apptest.Options{Log: &log})
		const pw = "correct horse battery staple"
		signup := func(b *smallBrowser, email string) (int, string) {
			return b.submit("/portal/signup", "/portal/signup", url.Values{"company": {"Maple"}, "email": {email}, "province": {"ON"},
				"password": {pw}, "confirm": {pw}})
		}
		const known, unknown = "owner@maple.example", "new@maple.example"
		if st, body := signup(smallNewBrowser(t, p.URL), known); st != 200 {
			t.Fatalf("first sign-up = %d:\n%s", st, body)
		}
		if l := log.String(); strings.Contains(l, "token=") {
			t.Fatalf("an emailed link is in the log without --demo:\n%s", l)
		}
		st1, again := signup(smallNewBrowser(t, p.URL), known)
		st2, fresh := signup(smallNewBrowser(t, p.URL), unknown)
		if st1 != st2 || smallText(again, known) != smallText(fresh, unknown) {
			t.Fatalf("sign-up with a taken email = %d, with a new one = %d; the pages differ:\n%s\n----\n%s", st1, st2, again, fresh)
		}
		if strings.Contains(again, "already") {
			t.Fatalf("sign-up says the email is taken:\n%s", again)
		}

		// Log-in: lock the known account, then compare with an unknown email.
		if _, err := p.Main.Users.Bootstrap(context.Background(), "locked@maple.example", pw, p.Merchant.ID, users.RoleMerchant); err != nil {
			t.Fatal(err)
		}
		login := func(email, pass string) (int, string) {
			return smallNewBrowser(t, p.URL).submit("/portal/login", "/portal/login", url.Values{"email": {email}, "password": {pass}})
		}
		for range 5 {
			login("locked@maple.example", "wrong password!")
		}
		stLocked, locked := login("locked@maple.example", "wrong password!")
		stUnknown, nobody := login("nobody@maple.example", "wrong password!")
		if stLocked != stUnknown || smallText(locked, "locked@maple.example") != smallText(nobody, "nobody@maple.example") {
			t.Fatalf("log-in to a locked account = %d, to an unknown email = %d; the pages differ:\n%s\n----\n%s", stLocked, stUnknown, locked, nobody)
		}

		// Per source address: the sixth sign-up and reset within minutes wait.
		b := smallNewBrowser(t, p.URL)
		var st int
		for i := range 6 {
			st, _ = signup(b, "burst"+string(rune('a'+i))+"@maple.example")
		}
		if st != http.StatusTooManyRequests {
			t.Errorf("sixth sign-up from one address = %d, want 429", st)
		}
		for range 6 {
			st, _ = b.submit("/portal/password/forgot", "/portal/password/forgot", url.Values{"email": {known}})
		}
		if st != http.StatusTooManyRequests {
			t.Errorf("sixth password reset from one address = %d, want 429", st)
		}
	})
}

// TestSmallFilePermissions: the data directory is 0700 and every SQLite
// database, WAL and shared-memory file 0600, like secret.key, whatever the
// umask or the mode an operator's mkdir gave the directory.
func TestSmallFilePermissions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		dir := filepath.Join(t.TempDir(), "data")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		p := apptest.Start(t, e, apptest.Options{Tweak: func(c *app.Config) { c.DataDir = dir }})
		// Migrations wrote every plane, so each WAL exists; a request too.
		w := &strictWorld{p: p, keys: p.Training}
		strictMust(t, w, 200, "GET", "/v1/stores", nil)
		if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
			t.Fatalf("data dir = %v, %v; want 0700", fi.Mode().Perm(), err)
		}
		var files []string
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				files = append(files, path)
			}
			return nil
		})
		if !strings.Contains(strings.Join(files, " "), "secret.key") {
			t.Fatalf("no secret.key in %v", files)
		}
		if e.Name != "postgres" && !strings.Contains(strings.Join(files, " "), "production.db-wal") {
			t.Fatalf("no SQLite WAL in %v", files)
		}
		for _, f := range files {
			if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("%s = %v, %v; want 0600", filepath.Base(f), fi.Mode().Perm(), err)
			}
		}
	})
}

// TestSmallTransportAndNotFound: an https public URL sends
// Strict-Transport-Security (a plain-HTTP one does not), and a missing
// checkout's 404 names the id asked for.
func TestSmallTransportAndNotFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		p := apptest.Start(t, e, apptest.Options{Tweak: func(c *app.Config) { c.PublicURL = "https://openflex.example" }})
		for _, path := range []string{"/healthz", "/portal/login", "/v1/stores"} {
			res, err := http.Get(p.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if h := res.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(h, "max-age=") {
				t.Errorf("GET %s Strict-Transport-Security = %q, want max-age=…", path, h)
			}
		}
		w := &strictWorld{p: p, keys: p.Training}
		const id = "chk_01jd8x2k4m6p8r0t2v4w6y8z0a"
		r := strictCall(t, w, "GET", "/v1/checkouts/"+id, "")
		if r.status != 404 || !strings.Contains(r.errField("message"), id) {
			t.Fatalf("GET a missing checkout = %v, want 404 naming %s", r, id)
		}

		plain := apptest.Start(t, e)
		res, err := http.Get(plain.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if h := res.Header.Get("Strict-Transport-Security"); h != "" {
			t.Errorf("plain-HTTP server sends Strict-Transport-Security %q", h)
		}
	})
}
