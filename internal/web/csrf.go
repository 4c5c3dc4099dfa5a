package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"net/http"
)

// CSRF defence, in two layers. First, http.CrossOriginProtection refuses
// any POST a browser marks as cross-site (Sec-Fetch-Site, or an Origin that
// is not this host). Second, every form carries a token: the HMAC, under a
// per-session secret, of the path the form posts to, so a token taken from
// one form is no good for another and dies with the session. Forms shown
// before log-in (log-in, sign-up, reset) use a random secret kept in their
// own cookie instead (a signed double-submit), which also stops log-in CSRF.

// csrfCookie holds the secret of pre-log-in forms.
const csrfCookie = "openflex_csrf"

// csrfField is the form field carrying the token.
const csrfField = "csrf"

func csrfToken(key []byte, action string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("openflex portal form " + action))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// anonKey returns the pre-log-in CSRF secret, setting the cookie if the
// browser has none yet (only for pages that show forms, i.e. GETs).
func (p *Site) anonKey(w http.ResponseWriter, r *http.Request, create bool) []byte {
	if c, err := r.Cookie(csrfCookie); err == nil {
		if k, err := base64.RawURLEncoding.DecodeString(c.Value); err == nil && len(k) == 32 {
			return k
		}
	}
	if !create {
		return nil
	}
	k := make([]byte, 32)
	rand.Read(k)
	http.SetCookie(w, p.cookie(csrfCookie, base64.RawURLEncoding.EncodeToString(k)))
	return k
}

// csrfOK reports whether a POST is same-origin and carries the token of
// its own path under key.
func (p *Site) csrfOK(r *http.Request, key []byte) bool {
	if p.origins.Check(r) != nil || len(key) == 0 {
		return false
	}
	got := r.PostFormValue(csrfField)
	return got != "" && hmac.Equal([]byte(got), []byte(csrfToken(key, r.URL.Path)))
}

// CSRF returns the hidden input for a form that posts to action.
func (pg *Page) CSRF(action string) template.HTML {
	return template.HTML(`<input type="hidden" name="` + csrfField + `" value="` + csrfToken(pg.csrfKey, action) + `">`)
}
