package securitytest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/openflex/openflex/internal/app"
	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/storetest"
)

// portalVisitor is a browser at one source address: requests reach the
// server from 127.0.0.1, a trusted proxy, which names the visitor in
// X-Forwarded-For.
type portalVisitor struct {
	t      *testing.T
	base   string
	addr   string
	client *http.Client
}

func newPortalVisitor(t *testing.T, base, addr string) *portalVisitor {
	jar, _ := cookiejar.New(nil)
	return &portalVisitor{t: t, base: base, addr: addr, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (v *portalVisitor) do(method, path string, form url.Values) (int, string) {
	v.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, v.base+path, body)
	req.Header.Set("X-Forwarded-For", v.addr)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", v.base)
	}
	res, err := v.client.Do(req)
	if err != nil {
		v.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(out)
}

// logIn posts the log-in form as a person would: load it, take its token.
func (v *portalVisitor) logIn(email, password string) (int, string) {
	v.t.Helper()
	_, html := v.do(http.MethodGet, "/portal/login", nil)
	m := smallCSRF.FindStringSubmatch(html)
	if m == nil {
		v.t.Fatalf("no CSRF token on the log-in page:\n%s", html)
	}
	return v.do(http.MethodPost, "/portal/login", url.Values{"csrf": {m[1]}, "email": {email}, "password": {password}})
}

// TestPortalLockoutPerAddress (issue 23, MEDIUM 3): wrong passwords lock
// an account only for the address they came from. An attacker who knows
// a lender's staff email cannot lock the staff out: the right password
// from an address that has not failed still signs in, while the attacker's
// own address stays locked even with the right password. An address that
// fails against many accounts is throttled across all of them.
func TestPortalLockoutPerAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		p := apptest.Start(t, e, apptest.Options{Tweak: func(c *app.Config) { c.TrustedProxies = []string{"127.0.0.1/32"} }})
		const staff, password = "ops@lender.example", "correct horse battery staple"
		if err := p.Main.Users.BootstrapAdmin(context.Background(), staff, password); err != nil {
			t.Fatal(err)
		}
		attacker := newPortalVisitor(t, p.URL, "198.51.100.7")
		for i := 1; i <= 5; i++ {
			if st, body := attacker.logIn(staff, fmt.Sprintf("guess %d", i)); st != http.StatusUnauthorized {
				t.Fatalf("wrong password %d = %d, want 401:\n%s", i, st, body)
			}
		}
		// The attacker's address is locked out of this account, right
		// password or not.
		if st, _ := attacker.logIn(staff, password); st != http.StatusUnauthorized {
			t.Errorf("right password from the locked-out address = %d, want 401", st)
		}
		// The staff member, at their own address, signs in.
		if st, body := newPortalVisitor(t, p.URL, "203.0.113.10").logIn(staff, password); st != http.StatusSeeOther {
			t.Fatalf("right password from another address = %d, want 303 (signed in):\n%s", st, body)
		}

		// Spraying many accounts from one address is throttled: after
		// portal.AddressFailures failures the address gets 429 whatever the
		// account, and the right password of an account it never tried
		// from there waits too; other addresses are not affected.
		sprayer := newPortalVisitor(t, p.URL, "198.51.100.99")
		throttled := false
		for i := 0; i < 40 && !throttled; i++ {
			st, _ := sprayer.logIn(fmt.Sprintf("user%d@example.com", i), "guess")
			throttled = st == http.StatusTooManyRequests
		}
		if !throttled {
			t.Fatal("40 failed log-ins from one address over 40 accounts were never throttled")
		}
		if st, _ := sprayer.logIn(staff, password); st != http.StatusTooManyRequests {
			t.Errorf("log-in from a throttled address = %d, want 429", st)
		}
		if st, _ := newPortalVisitor(t, p.URL, "203.0.113.11").logIn(staff, password); st != http.StatusSeeOther {
			t.Errorf("log-in from an untouched address = %d, want 303", st)
		}
	})
}
