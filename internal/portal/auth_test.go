package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openflex/openflex/internal/portal"
	"github.com/openflex/openflex/internal/storetest"
)

// TestCSRF checks that a POST without a token, with a wrong one, with the
// token of another form, or from another origin is refused and changes
// nothing.
func TestCSRF(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		h := newHarness(t, e)
		b := h.browser(t)
		b.verifiedMerchant("Maple Furniture", "dev@maple.example")
		ksID := find(t, keySetLinkRE, b.get("/portal/keys").Body)
		page := "/portal/keys/" + ksID
		revoke := page + "/revoke"
		html := b.get(page).Body
		rollToken := csrfIn(t, html, page+"/roll")

		tests := []struct {
			name   string
			form   url.Values
			origin string
		}{
			{"no token", url.Values{}, ""},
			{"wrong token", url.Values{"csrf": {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}, ""},
			{"another form's token", url.Values{"csrf": {rollToken}}, ""},
			{"cross-origin", url.Values{"csrf": {b.sessionToken(revoke)}}, "https://evil.example"},
		}
		for _, tc := range tests {
			b.hdr.Del("Origin")
			if tc.origin != "" {
				b.hdr.Set("Origin", tc.origin)
			}
			if r := b.post(revoke, tc.form); r.StatusCode != http.StatusForbidden {
				t.Errorf("%s: POST %s = %d, want 403", tc.name, revoke, r.StatusCode)
			}
		}
		b.hdr.Del("Origin")
		if ks, _ := h.stores.Control.KeySet(context.Background(), ksID); !ks.Active() {
			t.Fatal("a refused POST revoked the key set")
		}
		// Browsers mark cross-site requests themselves, too.
		b.hdr.Set("Sec-Fetch-Site", "cross-site")
		if r := b.post(revoke, url.Values{"csrf": {b.sessionToken(revoke)}}); r.StatusCode != http.StatusForbidden {
			t.Errorf("Sec-Fetch-Site: cross-site = %d, want 403", r.StatusCode)
		}
		b.hdr.Del("Sec-Fetch-Site")

		// Forms before log-in carry a token too: log-in CSRF is refused.
		anon := h.browser(t)
		if r := anon.post("/portal/login", url.Values{"email": {"dev@maple.example"}, "password": {password}}); r.StatusCode != http.StatusForbidden {
			t.Errorf("log-in without a token = %d, want 403", r.StatusCode)
		}
		// The same-origin token is accepted.
		if r := b.post(revoke, url.Values{"csrf": {b.sessionToken(revoke)}}); r.StatusCode != http.StatusSeeOther {
			t.Errorf("POST with the right token = %d, want 303", r.StatusCode)
		}
	})
}

// TestLockout checks that the fifth wrong password locks the account for
// 15 minutes, even against the right password, and that a reset unlocks.
func TestLockout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		h := newHarness(t, e)
		ctx := context.Background()
		m, _ := storetest.Merchant(t, h.stores, "ON")
		if err := h.portal.Bootstrap(ctx, "Dev@Maple.example", password, m.ID); err != nil {
			t.Fatal(err)
		}
		b := h.browser(t)
		login := func(pw string) resp {
			return b.submit("/portal/login", "/portal/login", url.Values{"email": {"dev@maple.example"}, "password": {pw}})
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
		if r := login(password); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("right password while locked = %d, want 401", r.StatusCode)
		}
		// An unknown email answers like a wrong password.
		r := b.submit("/portal/login", "/portal/login", url.Values{"email": {"nobody@maple.example"}, "password": {password}})
		if r.StatusCode != http.StatusUnauthorized || !strings.Contains(r.Body, "The email or password is incorrect") {
			t.Errorf("unknown email = %d", r.StatusCode)
		}
		h.clock.Advance(portal.LockoutDuration)
		if r := login(password); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("right password after the lockout = %d:\n%s", r.StatusCode, r.Body)
		}

		// Locked again, then unlocked early by a password reset, which also
		// ends every session.
		for i := 0; i < portal.MaxFailedLogins; i++ {
			h.browser(t).submit("/portal/login", "/portal/login", url.Values{"email": {"dev@maple.example"}, "password": {"nope nope nope"}})
		}
		other := h.browser(t)
		if r := other.submit("/portal/password/forgot", "/portal/password/forgot", url.Values{"email": {"dev@maple.example"}}); r.StatusCode != http.StatusOK {
			t.Fatalf("forgot = %d", r.StatusCode)
		}
		link := h.mail.link(t, "dev@maple.example", "/portal/password/reset")
		const newPassword = "a brand new passphrase"
		if r := other.submit(link, "/portal/password/reset", url.Values{"token": {strings.TrimPrefix(link, "/portal/password/reset?token=")},
			"password": {newPassword}, "confirm": {newPassword}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("reset = %d:\n%s", r.StatusCode, r.Body)
		}
		if r := b.get("/portal/"); r.StatusCode != http.StatusSeeOther {
			t.Errorf("a session survived the password reset: %d", r.StatusCode)
		}
		if r := other.submit(link, "/portal/password/reset", url.Values{"token": {strings.TrimPrefix(link, "/portal/password/reset?token=")},
			"password": {newPassword}, "confirm": {newPassword}}); r.StatusCode != http.StatusBadRequest {
			t.Errorf("second use of the reset link = %d, want 400", r.StatusCode)
		}
		other.logIn("dev@maple.example", newPassword)
	})
}

// TestSessionCookie checks the cookie's flags and both timeouts.
func TestSessionCookie(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		h := newHarness(t, e, func(c *portal.Config) { c.Secure = true })
		ctx := context.Background()
		m, _ := storetest.Merchant(t, h.stores, "ON")
		if err := h.portal.Bootstrap(ctx, "dev@maple.example", password, m.ID); err != nil {
			t.Fatal(err)
		}
		b := h.browser(t)
		r := b.submit("/portal/login", "/portal/login", url.Values{"email": {"dev@maple.example"}, "password": {password}})
		var session *http.Cookie
		for _, c := range r.Cookies() {
			if c.Name == portal.SessionCookie {
				session = c
			}
		}
		if session == nil || !session.HttpOnly || !session.Secure || session.SameSite != http.SameSiteLaxMode || session.Path != "/portal/" {
			t.Fatalf("session cookie = %+v; want HttpOnly, Secure, SameSite=Lax, Path=/portal/", session)
		}
		// The database holds the token's hash, never the token.
		if _, err := h.stores.Control.PortalSession(ctx, []byte(session.Value)); err == nil {
			t.Fatal("the session is stored under its token")
		}

		// A Secure cookie is not sent over plain http: carry it by hand.
		visit := func() int {
			req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/portal/", nil)
			req.AddCookie(&http.Cookie{Name: session.Name, Value: session.Value})
			res, err := b.c.Transport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode
		}
		if b.c.Transport == nil {
			b.c.Transport = http.DefaultTransport
		}
		if got := visit(); got != http.StatusOK {
			t.Fatalf("fresh session = %d, want 200", got)
		}
		// Activity every 20 minutes keeps it alive until the 12-hour mark.
		for elapsed := time.Duration(0); elapsed+20*time.Minute < portal.AbsoluteTimeout; elapsed += 20 * time.Minute {
			h.clock.Advance(20 * time.Minute)
			if got := visit(); got != http.StatusOK {
				t.Fatalf("active session after %v = %d, want 200", elapsed+20*time.Minute, got)
			}
		}
		h.clock.Advance(20 * time.Minute)
		if got := visit(); got != http.StatusSeeOther {
			t.Fatalf("session past 12 hours = %d, want a redirect to log-in", got)
		}

		// Idle for 30 minutes ends a session.
		r = b.submit("/portal/login", "/portal/login", url.Values{"email": {"dev@maple.example"}, "password": {password}})
		for _, c := range r.Cookies() {
			if c.Name == portal.SessionCookie {
				session = c
			}
		}
		h.clock.Advance(portal.IdleTimeout - time.Minute)
		if got := visit(); got != http.StatusOK {
			t.Fatalf("session idle 29 minutes = %d, want 200", got)
		}
		h.clock.Advance(portal.IdleTimeout)
		if got := visit(); got != http.StatusSeeOther {
			t.Fatalf("session idle 30 minutes = %d, want a redirect to log-in", got)
		}
	})
}

// TestHeaders checks the security headers on pages and assets.
func TestHeaders(t *testing.T) {
	h := newHarness(t, storetest.Engines(t)[0])
	b := h.browser(t)
	for _, path := range []string{"/portal/login", "/portal/static/portal.css", "/portal/static/portal.js", "/portal/nope"} {
		r := b.get(path)
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
	if r := b.get("/portal/nope"); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown page = %d, want 404", r.StatusCode)
	}
	if r := b.get("/portal/static/"); r.StatusCode != http.StatusNotFound {
		t.Errorf("static directory listing = %d, want 404", r.StatusCode)
	}
	// No inline script or style anywhere: the CSP would block them.
	for _, path := range []string{"/portal/login", "/portal/signup", "/portal/reference"} {
		body := b.get(path).Body
		if strings.Contains(body, "<script>") || strings.Contains(body, "style=") || strings.Contains(body, "<style") || strings.Contains(body, "onclick") {
			t.Errorf("%s has inline script or style", path)
		}
	}
}

// TestLanguage checks English and French: ?lang= (remembered), then
// Accept-Language.
func TestLanguage(t *testing.T) {
	h := newHarness(t, storetest.Engines(t)[0])
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
		b := h.browser(t)
		if tc.accept != "" {
			b.hdr.Set("Accept-Language", tc.accept)
		}
		if r := b.get(tc.path); !strings.Contains(r.Body, tc.want) {
			t.Errorf("%s: GET %s lacks %q", tc.name, tc.path, tc.want)
		}
	}
	b := h.browser(t)
	b.get("/portal/login?lang=fr")
	if r := b.get("/portal/signup"); !strings.Contains(r.Body, `<html lang="fr">`) || !strings.Contains(r.Body, "Créez votre compte développeur") {
		t.Error("the language picked with ?lang= was not remembered")
	}
}
