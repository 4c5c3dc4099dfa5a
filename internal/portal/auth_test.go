package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openflex/openflex/internal/storetest"
	"github.com/openflex/openflex/internal/users"
	"github.com/openflex/openflex/internal/web"
	"github.com/openflex/openflex/internal/web/webtest"
)

// TestCSRF checks that a POST without a token, with a wrong one, with the
// token of another form, or from another origin is refused and changes
// nothing.
func TestCSRF(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		h := webtest.New(t, e)
		b := h.Browser(t)
		b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
		ksID := webtest.Find(t, webtest.KeySetLinkRE, b.Get("/portal/keys").Body)
		page := "/portal/keys/" + ksID
		revoke := page + "/revoke"
		html := b.Get(page).Body
		rollToken := webtest.CSRFIn(t, html, page+"/roll")

		tests := []struct {
			name   string
			form   url.Values
			origin string
		}{
			{"no token", url.Values{}, ""},
			{"wrong token", url.Values{"csrf": {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}, ""},
			{"another form's token", url.Values{"csrf": {rollToken}}, ""},
			{"cross-origin", url.Values{"csrf": {b.SessionToken(revoke)}}, "https://evil.example"},
		}
		for _, tc := range tests {
			b.Hdr.Del("Origin")
			if tc.origin != "" {
				b.Hdr.Set("Origin", tc.origin)
			}
			if r := b.Post(revoke, tc.form); r.StatusCode != http.StatusForbidden {
				t.Errorf("%s: POST %s = %d, want 403", tc.name, revoke, r.StatusCode)
			}
		}
		b.Hdr.Del("Origin")
		if ks, _ := h.Stores.Control.KeySet(context.Background(), ksID); !ks.Active() {
			t.Fatal("a refused POST revoked the key set")
		}
		// Browsers mark cross-site requests themselves, too.
		b.Hdr.Set("Sec-Fetch-Site", "cross-site")
		if r := b.Post(revoke, url.Values{"csrf": {b.SessionToken(revoke)}}); r.StatusCode != http.StatusForbidden {
			t.Errorf("Sec-Fetch-Site: cross-site = %d, want 403", r.StatusCode)
		}
		b.Hdr.Del("Sec-Fetch-Site")

		// Forms before log-in carry a token too: log-in CSRF is refused.
		anon := h.Browser(t)
		if r := anon.Post("/portal/login", url.Values{"email": {"dev@maple.example"}, "password": {webtest.Password}}); r.StatusCode != http.StatusForbidden {
			t.Errorf("log-in without a token = %d, want 403", r.StatusCode)
		}
		// The same-origin token is accepted.
		if r := b.Post(revoke, url.Values{"csrf": {b.SessionToken(revoke)}}); r.StatusCode != http.StatusSeeOther {
			t.Errorf("POST with the right token = %d, want 303", r.StatusCode)
		}
	})
}

// TestLockout checks that the fifth wrong password locks the account for
// 15 minutes, even against the right password, and that a reset unlocks.
func TestLockout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		h := webtest.New(t, e)
		ctx := context.Background()
		m, _ := storetest.Merchant(t, h.Stores, "ON")
		if _, err := h.Users.Bootstrap(ctx, "Dev@Maple.example", webtest.Password, m.ID, users.RoleMerchant); err != nil {
			t.Fatal(err)
		}
		b := h.Browser(t)
		login := func(pw string) webtest.Resp {
			return b.Submit("/portal/login", "/portal/login", url.Values{"email": {"dev@maple.example"}, "password": {pw}})
		}
		for i := 1; i <= 4; i++ {
			if r := login("wrong password " + string(rune('0'+i))); r.StatusCode != http.StatusUnauthorized || !strings.Contains(r.Body, "The email or password is incorrect") {
				t.Fatalf("wrong password %d = %d:\n%s", i, r.StatusCode, r.Body)
			}
		}
		// Locked answers like any failure, so a locked account cannot be
		// told from a wrong password or an unknown email.
		if r := login("wrong password 5"); r.StatusCode != http.StatusUnauthorized || !strings.Contains(r.Body, "locked for 15 minutes") {
			t.Fatalf("fifth wrong password = %d:\n%s", r.StatusCode, r.Body)
		}
		if r := login(webtest.Password); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("right password while locked = %d, want 401", r.StatusCode)
		}
		// An unknown email answers like a wrong password.
		r := b.Submit("/portal/login", "/portal/login", url.Values{"email": {"nobody@maple.example"}, "password": {webtest.Password}})
		if r.StatusCode != http.StatusUnauthorized || !strings.Contains(r.Body, "The email or password is incorrect") {
			t.Errorf("unknown email = %d", r.StatusCode)
		}
		h.Clock.Advance(users.LockoutDuration)
		if r := login(webtest.Password); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("right password after the lockout = %d:\n%s", r.StatusCode, r.Body)
		}

		// Locked again, then unlocked early by a password reset, which also
		// ends every session.
		for i := 0; i < users.MaxFailedLogins; i++ {
			h.Browser(t).Submit("/portal/login", "/portal/login", url.Values{"email": {"dev@maple.example"}, "password": {"nope nope nope"}})
		}
		other := h.Browser(t)
		if r := other.Submit("/portal/password/forgot", "/portal/password/forgot", url.Values{"email": {"dev@maple.example"}}); r.StatusCode != http.StatusOK {
			t.Fatalf("forgot = %d", r.StatusCode)
		}
		link := h.Mail.Link(t, "dev@maple.example", "/portal/password/reset")
		const newPassword = "a brand new passphrase"
		if r := other.Submit(link, "/portal/password/reset", url.Values{"token": {strings.TrimPrefix(link, "/portal/password/reset?token=")},
			"password": {newPassword}, "confirm": {newPassword}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("reset = %d:\n%s", r.StatusCode, r.Body)
		}
		if r := b.Get("/portal/"); r.StatusCode != http.StatusSeeOther {
			t.Errorf("a session survived the password reset: %d", r.StatusCode)
		}
		if r := other.Submit(link, "/portal/password/reset", url.Values{"token": {strings.TrimPrefix(link, "/portal/password/reset?token=")},
			"password": {newPassword}, "confirm": {newPassword}}); r.StatusCode != http.StatusBadRequest {
			t.Errorf("second use of the reset link = %d, want 400", r.StatusCode)
		}
		other.LogIn("dev@maple.example", newPassword)
	})
}

// TestSessionCookie checks the cookie's flags and both timeouts.
func TestSessionCookie(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		h := webtest.New(t, e, func(c *webtest.Config) { c.Site.Secure, c.Portal.Secure = true, true })
		ctx := context.Background()
		m, _ := storetest.Merchant(t, h.Stores, "ON")
		if _, err := h.Users.Bootstrap(ctx, "dev@maple.example", webtest.Password, m.ID, users.RoleMerchant); err != nil {
			t.Fatal(err)
		}
		b := h.Browser(t)
		r := b.Submit("/portal/login", "/portal/login", url.Values{"email": {"dev@maple.example"}, "password": {webtest.Password}})
		var session *http.Cookie
		for _, c := range r.Cookies() {
			if c.Name == web.SessionCookie {
				session = c
			}
		}
		if session == nil || !session.HttpOnly || !session.Secure || session.SameSite != http.SameSiteLaxMode || session.Path != "/portal/" {
			t.Fatalf("session cookie = %+v; want HttpOnly, Secure, SameSite=Lax, Path=/portal/", session)
		}
		// The database holds the token's hash, never the token.
		if _, err := h.Stores.Control.PortalSession(ctx, []byte(session.Value)); err == nil {
			t.Fatal("the session is stored under its token")
		}

		// A Secure cookie is not sent over plain http: carry it by hand.
		visit := func() int {
			req, _ := http.NewRequest(http.MethodGet, h.Srv.URL+"/portal/", nil)
			req.AddCookie(&http.Cookie{Name: session.Name, Value: session.Value})
			res, err := b.C.Transport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode
		}
		if b.C.Transport == nil {
			b.C.Transport = http.DefaultTransport
		}
		if got := visit(); got != http.StatusOK {
			t.Fatalf("fresh session = %d, want 200", got)
		}
		// Activity every 20 minutes keeps it alive until the 12-hour mark.
		for elapsed := time.Duration(0); elapsed+20*time.Minute < web.AbsoluteTimeout; elapsed += 20 * time.Minute {
			h.Clock.Advance(20 * time.Minute)
			if got := visit(); got != http.StatusOK {
				t.Fatalf("active session after %v = %d, want 200", elapsed+20*time.Minute, got)
			}
		}
		h.Clock.Advance(20 * time.Minute)
		if got := visit(); got != http.StatusSeeOther {
			t.Fatalf("session past 12 hours = %d, want a redirect to log-in", got)
		}

		// Idle for 30 minutes ends a session.
		r = b.Submit("/portal/login", "/portal/login", url.Values{"email": {"dev@maple.example"}, "password": {webtest.Password}})
		for _, c := range r.Cookies() {
			if c.Name == web.SessionCookie {
				session = c
			}
		}
		h.Clock.Advance(web.IdleTimeout - time.Minute)
		if got := visit(); got != http.StatusOK {
			t.Fatalf("session idle 29 minutes = %d, want 200", got)
		}
		h.Clock.Advance(web.IdleTimeout)
		if got := visit(); got != http.StatusSeeOther {
			t.Fatalf("session idle 30 minutes = %d, want a redirect to log-in", got)
		}
	})
}

// TestHeaders checks the security headers on pages and assets.
func TestHeaders(t *testing.T) {
	h := webtest.New(t, storetest.Engines(t)[0])
	b := h.Browser(t)
	for _, path := range []string{"/portal/login", "/portal/static/portal.css", "/portal/static/portal.js", "/portal/nope"} {
		r := b.Get(path)
		want := map[string]string{
			"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
			"X-Frame-Options":         "DENY",
			"Referrer-Policy":         "same-origin",
			"X-Content-Type-Options":  "nosniff",
		}
		for k, v := range want {
			if got := r.Header.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", path, k, got, v)
			}
		}
	}
	if r := b.Get("/portal/nope"); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown page = %d, want 404", r.StatusCode)
	}
	if r := b.Get("/portal/static/"); r.StatusCode != http.StatusNotFound {
		t.Errorf("static directory listing = %d, want 404", r.StatusCode)
	}
	// No inline script or style anywhere: the CSP would block them.
	for _, path := range []string{"/portal/login", "/portal/signup", "/portal/reference"} {
		body := b.Get(path).Body
		if strings.Contains(body, "<script>") || strings.Contains(body, "style=") || strings.Contains(body, "<style") || strings.Contains(body, "onclick") {
			t.Errorf("%s has inline script or style", path)
		}
	}
}

// TestLanguage checks English and French: ?lang= (remembered), then
// Accept-Language.
func TestLanguage(t *testing.T) {
	h := webtest.New(t, storetest.Engines(t)[0])
	tests := []struct {
		name   string
		accept string
		path   string
		want   string
	}{
		{"default", "", "/portal/login", `<html lang="en">`},
		{"browser French", "fr-CA,fr;q=0.9,en;q=0.8", "/portal/login", `<h1>Connexion</h1>`},
		{"browser prefers English", "en-CA,fr;q=0.5", "/portal/login", `<h1>Log in</h1>`},
		{"parameter wins", "fr-CA", "/portal/login?lang=en", `<h1>Log in</h1>`},
	}
	for _, tc := range tests {
		b := h.Browser(t)
		if tc.accept != "" {
			b.Hdr.Set("Accept-Language", tc.accept)
		}
		if r := b.Get(tc.path); !strings.Contains(r.Body, tc.want) {
			t.Errorf("%s: GET %s lacks %q", tc.name, tc.path, tc.want)
		}
	}
	b := h.Browser(t)
	b.Get("/portal/login?lang=fr")
	if r := b.Get("/portal/signup"); !strings.Contains(r.Body, `<html lang="fr">`) || !strings.Contains(r.Body, "Créez votre compte développeur") {
		t.Error("the language picked with ?lang= was not remembered")
	}
}
