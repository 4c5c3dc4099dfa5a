// Package account is the customer's own room, /account/: signing in with
// the account number, date of birth and a one-time code, then what they
// owe and when, each plan, their statements (page and PDF) and recent
// transactions, in English and French, on a phone as on a desk. PRODUCTION
// accounts are at /account/, TRAINING's at /account/training/.
//
// It decodes, calls one service, renders: sign-in is customer.SignIn, the
// account's figures come from the servicing engine.
package account

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/customer"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/pad"
	"github.com/openflex/openflex/internal/ratelimit"
	"github.com/openflex/openflex/internal/servicing"
	"github.com/openflex/openflex/internal/servicing/engine"
	"github.com/openflex/openflex/internal/web"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Root is where the room is mounted.
const Root = "/account/"

// CookieName names the customer's session cookie.
const CookieName = "openflex_customer"

// Services are one environment's services the room calls.
type Services struct {
	SignIn    *customer.SignIn
	Servicing *engine.Service
	// Transactions lists an account's latest movements, newest first.
	Transactions func(ctx context.Context, number string, limit int) ([]*openflex.Transaction, error)
	PAD          *pad.Service
	Consents     func(ctx context.Context, number string) ([]*openflex.AccountConsent, error)
	Revoke       func(ctx context.Context, r lending.RevokeRequest) (*openflex.AccountConsent, error)
	// MerchantName names a merchant for the customer.
	MerchantName func(ctx context.Context, id string) string
	// StoreName names a merchant's store for the customer.
	StoreName func(ctx context.Context, merchantID, id string) string
	// Messages lists what the lender sent about an account, newest first
	// (the Messages page; the written confirmation of automatic payments).
	Messages func(ctx context.Context, number string, limit int) ([]*customer.Message, error)
}

// Config is what the room is built from.
type Config struct {
	Services func(env openflex.Environment) Services
	// ClientIP is a request's source address (nil: the peer address).
	ClientIP func(r *http.Request) string
	Secure   bool
	Logger   *slog.Logger
	Now      func() time.Time
}

// Room serves /account/.
type Room struct {
	cfg     Config
	mux     *http.ServeMux
	pages   *template.Template
	origins *http.CrossOriginProtection
	// signins throttles sign-in attempts (wrong dates of birth and codes
	// asked for) per source address.
	signins *ratelimit.Keyed
}

// New builds the room.
func New(cfg Config) *Room {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ClientIP == nil {
		cfg.ClientIP = web.RemoteHost
	}
	r := &Room{cfg: cfg, mux: http.NewServeMux(), origins: http.NewCrossOriginProtection(), signins: ratelimit.Every(6*time.Second, 10, cfg.Now)}
	r.pages = template.Must(template.New("").Funcs(template.FuncMap{
		"t": func(lang, key string) string { return text(lang, key) },
	}).ParseFS(templateFS, "templates/*.html"))
	static, _ := fs.Sub(staticFS, "static")
	r.mux.Handle("GET "+Root+"static/", http.StripPrefix(Root+"static/", http.FileServerFS(static)))
	for _, env := range openflex.Environments {
		base := Root
		if env == openflex.Training {
			base = Root + "training/"
		}
		h := &envRoom{Room: r, env: env, base: base}
		r.mux.HandleFunc("GET "+base+"{$}", h.home)
		r.mux.HandleFunc("POST "+base+"signin", h.signIn)
		r.mux.HandleFunc("GET "+base+"code", h.codeForm)
		r.mux.HandleFunc("POST "+base+"code", h.code)
		r.mux.HandleFunc("POST "+base+"signout", h.signOut)
		r.mux.HandleFunc("GET "+base+"statements", h.statements)
		r.mux.HandleFunc("GET "+base+"statements/{id}", h.statement)
		r.mux.HandleFunc("GET "+base+"statements/{id}/pdf", h.statementPDF)
		r.mux.HandleFunc("GET "+base+"autopay", h.autopay)
		r.mux.HandleFunc("POST "+base+"autopay", h.enrol)
		r.mux.HandleFunc("POST "+base+"autopay/cancel", h.cancelAutopay)
		r.mux.HandleFunc("GET "+base+"pay", h.pay)
		r.mux.HandleFunc("POST "+base+"pay", h.review)
		r.mux.HandleFunc("POST "+base+"pay/confirm", h.confirm)
		r.mux.HandleFunc("POST "+base+"pay/{id}/cancel", h.cancelPayment)
		r.mux.HandleFunc("POST "+base+"statements/delivery", h.delivery)
		r.mux.HandleFunc("GET "+base+"merchants", h.merchants)
		r.mux.HandleFunc("POST "+base+"merchants/{merchant}/revoke", h.revoke)
		r.mux.HandleFunc("GET "+base+"messages", h.inbox)
		// Anything else under the room is its own not-found page, in the
		// visitor's language, not the mux's bare English text.
		r.mux.HandleFunc(base, h.notFound)
	}
	return r
}

// ServeHTTP serves the room with the headers every response needs.
func (r *Room) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	if err := r.origins.Check(req); err != nil {
		http.Error(w, "cross-origin request refused", http.StatusForbidden)
		return
	}
	r.mux.ServeHTTP(w, req)
}

// envRoom is the room of one environment.
type envRoom struct {
	*Room
	env  openflex.Environment
	base string
}

func (h *envRoom) svc() Services { return h.cfg.Services(h.env) }

// lang is the page's language: ?lang=, else the session's, else the
// browser's first choice.
func (h *envRoom) lang(r *http.Request, s *customer.Session) string {
	if l := r.URL.Query().Get("lang"); l == "en" || l == "fr" {
		return l
	}
	if s != nil {
		return s.Language
	}
	if strings.HasPrefix(strings.ToLower(r.Header.Get("Accept-Language")), "fr") {
		return "fr"
	}
	return "en"
}

func (h *envRoom) session(r *http.Request) (*customer.Session, error) {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return nil, nil
	}
	return h.svc().SignIn.Session(r.Context(), c.Value)
}

// active is the request's signed-in session, or nil after sending the
// browser to sign in.
func (h *envRoom) active(w http.ResponseWriter, r *http.Request) *customer.Session {
	s, err := h.session(r)
	if err != nil {
		h.fail(w, r, "en", err)
		return nil
	}
	if s == nil || s.State != customer.SessionActive {
		http.Redirect(w, r, h.base, http.StatusSeeOther)
		return nil
	}
	if l := r.URL.Query().Get("lang"); (l == "en" || l == "fr") && l != s.Language {
		s.Language = l
		if err := h.svc().SignIn.Store.UpdateCustomerSession(r.Context(), s); err != nil {
			h.fail(w, r, l, err)
			return nil
		}
	}
	return s
}

func (h *envRoom) setCookie(w http.ResponseWriter, tok string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: tok, Path: h.base, HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: h.cfg.Secure, MaxAge: maxAge})
}

// page is what every template gets.
type page struct {
	Lang, Base, Path, Title string
	Training                bool
	Session                 *customer.Session
	Error                   string
	Data                    any
}

func (p page) CSRF(action string) string { return p.Session.CSRF(action) }

// Money writes cents in the page's language.
func (p page) Money(c int64) string { return openflex.FormatCAD(c, p.Lang) }

// Long spells a day out in the page's language ("February 22, 2027",
// "22 février 2027"), as the statement does: the customer reads the same
// date on both. It takes a servicing.Date or an ISO day as stored.
func (p page) Long(d any) string {
	switch d := d.(type) {
	case servicing.Date:
		return servicing.LongDate(d, p.Lang)
	case string:
		if day, err := servicing.ParseDate(d); err == nil {
			return servicing.LongDate(day, p.Lang)
		}
		return d
	}
	return fmt.Sprint(d)
}

// Other is the other language, for the switch.
func (p page) Other() string {
	if p.Lang == "fr" {
		return "en"
	}
	return "fr"
}

func (h *envRoom) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	p.Base, p.Path, p.Training = h.base, r.URL.Path, h.env == openflex.Training
	if p.Title == "" {
		p.Title = text(p.Lang, name+".title")
	}
	var buf bytes.Buffer
	if err := h.pages.ExecuteTemplate(&buf, name+".html", p); err != nil {
		h.cfg.Logger.Error("account page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail answers an error: a client-safe message, or a generic one (logged)
// for anything unexpected.
func (h *envRoom) fail(w http.ResponseWriter, r *http.Request, lang string, err error) {
	var e *openflex.Error
	status, msg := http.StatusInternalServerError, text(lang, "error.internal")
	if errors.As(err, &e) {
		switch e.Code {
		case openflex.CodeResourceMissing:
			status, msg = http.StatusNotFound, text(lang, "error.not_found")
		case openflex.CodeRateLimited:
			status, msg = http.StatusTooManyRequests, text(lang, "error.rate_limited")
		}
	}
	if status == http.StatusInternalServerError {
		h.cfg.Logger.Error("account room", "path", r.URL.Path, "err", err)
	}
	h.render(w, r, status, "message", page{Lang: lang, Error: msg})
}

func (h *envRoom) notFound(w http.ResponseWriter, r *http.Request) {
	s, _ := h.session(r) // a broken cookie still deserves the page
	h.fail(w, r, h.lang(r, s), openflex.NotFound("page", r.URL.Path))
}

func (h *envRoom) home(w http.ResponseWriter, r *http.Request) {
	s, err := h.session(r)
	if err != nil {
		h.fail(w, r, "en", err)
		return
	}
	if s == nil || s.State != customer.SessionActive {
		h.render(w, r, http.StatusOK, "signin", page{Lang: h.lang(r, nil)})
		return
	}
	if s = h.active(w, r); s != nil {
		h.overview(w, r, s)
	}
}

func (h *envRoom) signIn(w http.ResponseWriter, r *http.Request) {
	lang := r.PostFormValue("lang")
	if lang != "fr" {
		lang = "en"
	}
	ip := h.cfg.ClientIP(r)
	if blocked, _ := h.signins.Blocked(ratelimit.AddrKeyString(ip)); blocked {
		h.render(w, r, http.StatusTooManyRequests, "signin", page{Lang: lang, Error: text(lang, "error.rate_limited")})
		return
	}
	channel := r.PostFormValue("channel")
	if channel != "email" {
		channel = "sms"
	}
	tok, _, err := h.svc().SignIn.Start(r.Context(), r.PostFormValue("account_number"), r.PostFormValue("date_of_birth"), channel, lang, ip)
	switch openflex.ErrorCode(err) {
	case "":
	case openflex.CodeVerifyFailed, openflex.CodeParameterInvalid:
		h.signins.Allow(ratelimit.AddrKeyString(ip))
		h.render(w, r, http.StatusUnprocessableEntity, "signin", page{Lang: lang, Error: text(lang, "signin.no_match")})
		return
	case openflex.CodeRateLimited:
		h.render(w, r, http.StatusTooManyRequests, "signin", page{Lang: lang, Error: text(lang, "error.rate_limited")})
		return
	default:
		h.fail(w, r, lang, err)
		return
	}
	h.setCookie(w, tok, int(customer.AbsoluteTimeout.Seconds()))
	http.Redirect(w, r, h.base+"code", http.StatusSeeOther)
}

func (h *envRoom) codeForm(w http.ResponseWriter, r *http.Request) {
	s, err := h.session(r)
	if err != nil {
		h.fail(w, r, "en", err)
		return
	}
	if s == nil || s.State != customer.SessionPending {
		http.Redirect(w, r, h.base, http.StatusSeeOther)
		return
	}
	h.render(w, r, http.StatusOK, "code", page{Lang: s.Language, Session: s})
}

func (h *envRoom) code(w http.ResponseWriter, r *http.Request) {
	s, err := h.session(r)
	if err != nil {
		h.fail(w, r, "en", err)
		return
	}
	if s == nil || s.State != customer.SessionPending {
		http.Redirect(w, r, h.base, http.StatusSeeOther)
		return
	}
	if !s.CheckCSRF("code", r.PostFormValue("csrf")) {
		h.render(w, r, http.StatusForbidden, "message", page{Lang: s.Language, Error: text(s.Language, "error.csrf")})
		return
	}
	err = h.svc().SignIn.Verify(r.Context(), s, r.PostFormValue("code"))
	switch openflex.ErrorCode(err) {
	case "":
	case openflex.CodeVerifyFailed:
		h.render(w, r, http.StatusUnprocessableEntity, "code", page{Lang: s.Language, Session: s, Error: text(s.Language, "code.wrong")})
		return
	case openflex.CodeRateLimited:
		h.render(w, r, http.StatusTooManyRequests, "code", page{Lang: s.Language, Session: s, Error: text(s.Language, "error.rate_limited")})
		return
	default:
		h.fail(w, r, s.Language, err)
		return
	}
	http.Redirect(w, r, h.base, http.StatusSeeOther)
}

func (h *envRoom) signOut(w http.ResponseWriter, r *http.Request) {
	s, err := h.session(r)
	if err != nil {
		h.fail(w, r, "en", err)
		return
	}
	if s != nil {
		if !s.CheckCSRF("signout", r.PostFormValue("csrf")) {
			h.render(w, r, http.StatusForbidden, "message", page{Lang: s.Language, Error: text(s.Language, "error.csrf")})
			return
		}
		if err := h.svc().SignIn.SignOut(r.Context(), s); err != nil {
			h.fail(w, r, s.Language, err)
			return
		}
	}
	h.setCookie(w, "", -1)
	lang := "en"
	if s != nil {
		lang = s.Language
	}
	http.Redirect(w, r, h.base+"?lang="+lang, http.StatusSeeOther)
}

func asError(err error, e **openflex.Error) bool { return errors.As(err, e) }
