package checkout

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/openflex/openflex"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Control is the control-plane data the pages show.
type Control interface {
	Merchant(ctx context.Context, id string) (*openflex.Merchant, error)
	Store(ctx context.Context, merchantID, id string) (*openflex.Store, error)
	KeySet(ctx context.Context, id string) (*openflex.KeySet, error)
}

// Pages serves the shopper's hosted checkout pages.
type Pages struct {
	Services func(openflex.Environment) *Service
	Control  Control
	// CSRFKey keys the per-checkout form tokens.
	CSRFKey []byte
	// ClientIP is the request's client address by the API's rule (the
	// nearest untrusted X-Forwarded-For hop behind --trusted-proxies): the
	// address an application's consent records. Required.
	ClientIP func(*http.Request) string
	// Agreement is the lender's credit agreement and its key figures.
	Agreement Agreement
	Logger    *slog.Logger
	pages     map[string]*template.Template
}

// Register adds the hosted pages, their assets and the drop-in to mux.
func (p *Pages) Register(mux *http.ServeMux) {
	if p.ClientIP == nil {
		panic("checkout: Pages.ClientIP is required (the consent records the client's address)")
	}
	p.pages = map[string]*template.Template{}
	for _, name := range []string{"choose", "apply", "decision", "signin", "code", "plans", "confirm", "done", "closed"} {
		p.pages[name] = template.Must(template.ParseFS(templateFS, "templates/layout.html", "templates/fields.html", "templates/"+name+".html"))
	}
	mux.Handle("GET /static/checkout/", http.StripPrefix("/static/checkout", staticFiles()))
	mux.HandleFunc("GET /js/v1/openflex.js", serveScript("openflex.js"))
	mux.HandleFunc("GET /js/v1/frame.js", serveScript("frame.js"))
	mux.HandleFunc("GET /checkout/{token}", p.page(p.choose))
	mux.HandleFunc("GET /checkout/{token}/apply", p.page(p.applyForm))
	mux.HandleFunc("POST /checkout/{token}/apply", p.page(p.apply))
	mux.HandleFunc("GET /checkout/{token}/signin", p.page(p.signinForm))
	mux.HandleFunc("POST /checkout/{token}/signin", p.page(p.signin))
	mux.HandleFunc("POST /checkout/{token}/code", p.page(p.code))
	mux.HandleFunc("GET /checkout/{token}/plans", p.page(p.plansPage))
	mux.HandleFunc("POST /checkout/{token}/plans", p.page(p.choosePlan))
	mux.HandleFunc("GET /checkout/{token}/confirm", p.page(p.confirmPage))
	mux.HandleFunc("POST /checkout/{token}/confirm", p.page(p.confirm))
	mux.HandleFunc("POST /checkout/{token}/cancel", p.page(p.cancel))
	mux.HandleFunc("GET /checkout/{token}/done", p.page(p.done))
}

func staticFiles() http.Handler {
	fs := http.FileServerFS(staticFS)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fs.ServeHTTP(w, r)
	})
}

// session is one request's checkout and what the page needs about it.
type session struct {
	svc      *Service
	c        *openflex.Checkout
	token    string
	merchant *openflex.Merchant
	store    *openflex.Store
	keySet   *openflex.KeySet
	lang     string
	mode     string
	// path is the page the request is for, so the language toggle stays on
	// it (a POST's page maps to the GET that shows its form again).
	path string
}

type pageFunc func(w http.ResponseWriter, r *http.Request, s *session) error

// page loads the checkout of the URL token, sets the security headers, checks
// CSRF on POSTs and renders a friendly page for any error.
func (p *Pages) page(fn pageFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token := r.PathValue("token")
		short, _, _ := strings.Cut(token, "_")
		env, ok := openflex.ParseEnvironment(short)
		if !ok || len(token) < 20 {
			http.NotFound(w, r)
			return
		}
		ctx := r.Context()
		svc := p.Services(env)
		c, err := svc.ByToken(ctx, token)
		if err != nil {
			if openflex.ErrorCode(err) == openflex.CodeResourceMissing {
				http.NotFound(w, r)
				return
			}
			p.fail(w, r, err)
			return
		}
		s := &session{svc: svc, c: c, token: token, lang: shopperLanguage(r, c.Language), mode: r.FormValue("mode"), path: togglePath(r, token)}
		if s.mode != "modal" {
			s.mode = ""
		}
		if s.merchant, err = p.Control.Merchant(ctx, c.MerchantID); err == nil {
			if s.store, err = p.Control.Store(ctx, c.MerchantID, c.StoreID); err == nil {
				s.keySet, err = p.Control.KeySet(ctx, c.KeySetID)
			}
		}
		if err != nil {
			p.fail(w, r, err)
			return
		}
		p.headers(w, s)
		if r.Method == http.MethodPost && !p.sameOrigin(r, s) {
			http.Error(w, "forbidden: cross-site request", http.StatusForbidden)
			return
		}
		if c.Status == openflex.CheckoutCompleted && r.Method == http.MethodPost && r.URL.Path == "/checkout/"+token+"/confirm" {
			p.completed(w, r, s) // a second click or a refresh: same answer as the first
			return
		}
		if c.Status != openflex.CheckoutOpen && r.URL.Path != "/checkout/"+token+"/done" {
			p.closed(w, r, s)
			return
		}
		if err := fn(w, r, s); err != nil {
			if openflex.ErrorCode(err) == openflex.CodeCheckoutNotOpen {
				p.closed(w, r, s)
				return
			}
			p.fail(w, r, err)
		}
	}
}

// headers: a strict CSP, framing only by the key set's Trust URLs (the
// drop-in's modal), redirects only to the checkout's own success and cancel
// origins, and no caching of pages that hold personal data.
func (p *Pages) headers(w http.ResponseWriter, s *session) {
	ancestors := "'none'"
	if len(s.keySet.TrustURLs) > 0 {
		ancestors = strings.Join(s.keySet.TrustURLs, " ")
	}
	forms := []string{"'self'", originOf(s.c.SuccessURL), originOf(s.c.CancelURL)}
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "+
		"base-uri 'none'; form-action "+strings.Join(forms, " ")+"; frame-ancestors "+ancestors)
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Content-Type-Options", "nosniff")
}

// sameOrigin is the CSRF check: the form's token must be this checkout's,
// and a browser's Origin (or Referer) must be this server.
func (p *Pages) sameOrigin(r *http.Request, s *session) bool {
	if !hmac.Equal([]byte(r.PostFormValue("csrf")), []byte(p.csrf(s))) {
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" || origin == "null" {
		origin = originOf(r.Header.Get("Referer"))
	}
	if origin == "" {
		return true // not a browser cross-site form: those always send Origin
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}

func (p *Pages) csrf(s *session) string {
	m := hmac.New(sha256.New, p.CSRFKey)
	m.Write([]byte("checkout csrf " + s.c.ID))
	return hex.EncodeToString(m.Sum(nil))
}

func (p *Pages) fail(w http.ResponseWriter, r *http.Request, err error) {
	if openflex.ErrorCode(err) == openflex.CodeUnavailable {
		// A failover or a lost database: the shopper's next click works.
		p.Logger.WarnContext(r.Context(), "checkout page failed: unavailable", "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "1")
		http.Error(w, "Our records are unavailable for a moment: please try again in a few seconds. "+
			"Nos dossiers sont momentanément indisponibles : réessayez dans quelques secondes.", http.StatusServiceUnavailable)
		return
	}
	p.Logger.ErrorContext(r.Context(), "checkout page failed", "path", r.URL.Path, "err", err)
	http.Error(w, "Something went wrong on our side. Please try again.", http.StatusInternalServerError)
}

// pageTitles names each page's title key: every page has its own <title>.
var pageTitles = map[string]string{"choose": "choose", "apply": "apply", "signin": "have_account", "code": "code",
	"plans": "plans", "confirm": "confirm", "done": "done", "closed": "closed"}

// Title is the document title: the page, the merchant, OpenFlex, and
// "Error" first after a failed submit so screen readers hear it at once.
func (v *view) Title() string {
	title := t(v.Lang, v.Page) + " · " + v.Merchant + " · OpenFlex"
	if len(v.Errors) > 0 {
		title = t(v.Lang, "error_title") + " : " + title
		if v.Lang == "en" {
			title = strings.Replace(title, " : ", ": ", 1)
		}
	}
	return title
}

// view is what every template sees.
type view struct {
	s            *session
	p            *Pages
	Lang         string
	Mode         string
	Base         string
	Q            string
	CSRF         string
	Merchant     string
	Amount       string
	Training     bool
	Open         bool
	Flow         string
	LangSwitch   string
	ParentOrigin string
	Form         map[string]string
	Errors       map[string]string
	Items        []itemView
	// Page is the page's own title key, for a distinct <title>.
	Page string
	// page-specific
	Decision, Limit, SentTo, AccountTail, PlanName, Monthly, FirstPayment, Disclosure string
	SuccessURL, ReturnURL, CheckoutID, Status, Outcome                                string
	Reasons                                                                           []string
	Options                                                                           []optionView
	ProvinceSelect, EmploymentSelect, HousingSelect                                   selectView
	Agreement                                                                         agreementView

	// AccountNumber is the new account's full number, shown once, on the
	// approval that opened it.
	AccountNumber string
}

type optionView struct {
	Value, Name, Monthly, Facts, Disclosure string
	Checked                                 bool
}

type fieldView struct {
	Name, Label, Type, Value, Auto, Err, Mode string
	Required                                  bool
}

type selectView struct {
	Name, Label, Err string
	Options          []struct {
		Value, Label string
		Selected     bool
	}
}

// T translates a key.
func (v *view) T(key string) string { return t(v.Lang, key) }

// F is a required field of the form.
// Types "money" and "digits" are text inputs with a numeric keyboard: a
// type=number input would read a French "1650,50" as 165050 in an
// English-locale browser.
func (v *view) F(name, typ, auto string) fieldView {
	f := fieldView{Name: name, Label: t(v.Lang, labelKey(name)), Type: typ, Value: v.Form[name], Auto: auto, Err: v.Errors[name], Required: true}
	switch typ {
	case "money":
		f.Type, f.Mode = "text", "decimal"
	case "digits":
		f.Type, f.Mode = "text", "numeric"
	}
	return f
}

// Opt is an optional field of the form.
func (v *view) Opt(name, typ, auto string) fieldView {
	f := v.F(name, typ, auto)
	f.Required = false
	return f
}

func labelKey(name string) string {
	switch name {
	case "date_of_birth":
		return "dob"
	case "annual_income":
		return "income"
	case "monthly_housing_cost":
		return "housing_cost"
	case "employment_status":
		return "employment"
	case "housing_status":
		return "housing"
	}
	return name
}

func (v *view) sel(name, label string, values []string, labels func(string) string) selectView {
	sv := selectView{Name: name, Label: t(v.Lang, label), Err: v.Errors[name]}
	sv.Options = append(sv.Options, struct {
		Value, Label string
		Selected     bool
	}{"", t(v.Lang, "select"), v.Form[name] == ""})
	for _, val := range values {
		sv.Options = append(sv.Options, struct {
			Value, Label string
			Selected     bool
		}{val, labels(val), v.Form[name] == val})
	}
	return sv
}

func (p *Pages) view(s *session) *view {
	base := "/checkout/" + s.token
	// Every link and redirect carries the language, so the shopper's
	// choice holds for the whole checkout; forms carry it in a hidden field.
	q := "?lang=" + s.lang
	if s.mode != "" {
		q += "&mode=" + s.mode
	}
	other := "fr"
	if s.lang == "fr" {
		other = "en"
	}
	sw := s.path + "?lang=" + other
	if s.mode != "" {
		sw += "&mode=" + s.mode
	}
	v := &view{s: s, p: p, Lang: s.lang, Mode: s.mode, Base: base, Q: q, CSRF: p.csrf(s), Merchant: s.merchant.Name,
		Amount: openflex.FormatCAD(s.c.Amount, s.lang), Training: s.svc.Env == openflex.Training, Open: s.c.Status == openflex.CheckoutOpen,
		Flow: s.c.Flow, LangSwitch: sw, ParentOrigin: originOf(s.c.SuccessURL), Form: map[string]string{}, Errors: map[string]string{},
		CheckoutID: s.c.ID, Status: string(s.c.Status)}
	for _, it := range s.c.Items {
		v.Items = append(v.Items, itemView{Description: it.Description, SKU: it.SKU, Quantity: it.Quantity,
			Total: lineTotal(it, s.lang)})
	}
	return v
}

// itemView is one line of the order the merchant sent.
type itemView struct {
	Description, SKU, Total string
	Quantity                int64
}

// lineTotal is quantity × unit price, or the unit price alone when the
// product would not fit (the API bounds both, so only as a guard).
func lineTotal(it openflex.LineItem, lang string) string {
	q := max(it.Quantity, 1)
	if it.UnitPrice > 0 && it.UnitPrice > openflex.MaxAmount/q {
		return openflex.FormatCAD(it.UnitPrice, lang)
	}
	return openflex.FormatCAD(it.UnitPrice*q, lang)
}

// shopperLanguage picks the page's language: the shopper's own choice
// (the toggle, carried by every link and form), else the merchant's, else
// the browser's Accept-Language, else English.
func shopperLanguage(r *http.Request, merchant string) string {
	if l := r.FormValue("lang"); l == "en" || l == "fr" {
		return l
	}
	if merchant == "en" || merchant == "fr" {
		return merchant
	}
	return acceptLanguage(r.Header.Get("Accept-Language"))
}

// acceptLanguage returns "fr" when the browser prefers French (fr, fr-CA,
// …) to English by its q-values, else "en".
func acceptLanguage(h string) string {
	best, bestQ := "en", 0.0
	for _, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if primary != "en" && primary != "fr" {
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		if q > bestQ {
			best, bestQ = primary, q
		}
	}
	return best
}

// togglePath is the page the language toggle reloads: the page itself, or
// for a POST the page showing its form (the code form is on sign-in).
func togglePath(r *http.Request, token string) string {
	base := "/checkout/" + token
	page := strings.TrimPrefix(r.URL.Path, base)
	switch page {
	case "", "/apply", "/signin", "/plans", "/confirm", "/done":
		return base + page
	case "/code":
		return base + "/signin"
	}
	return base
}

func (p *Pages) render(w http.ResponseWriter, name string, v *view, status int) error {
	v.Page = pageTitles[name]
	if name == "decision" {
		v.Page = v.Decision
		if v.Page == "" || v.Page == "declined" || v.Page == "rejected" {
			v.Page = "declined"
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	return p.pages[name].ExecuteTemplate(w, "layout", v)
}

func (p *Pages) choose(w http.ResponseWriter, r *http.Request, s *session) error {
	if s.c.Verified {
		http.Redirect(w, r, "/checkout/"+s.token+"/plans"+p.view(s).Q, http.StatusSeeOther)
		return nil
	}
	// A checkout limited to one way in has no choice to offer: go there.
	switch s.c.Flow {
	case "apply":
		http.Redirect(w, r, "/checkout/"+s.token+"/apply"+p.view(s).Q, http.StatusSeeOther)
		return nil
	case "buy":
		http.Redirect(w, r, "/checkout/"+s.token+"/signin"+p.view(s).Q, http.StatusSeeOther)
		return nil
	}
	return p.render(w, "choose", p.view(s), 200)
}

func (p *Pages) closed(w http.ResponseWriter, r *http.Request, s *session) {
	v := p.view(s)
	v.Outcome = string(s.c.Status)
	switch s.c.Status {
	case openflex.CheckoutCompleted:
		v.ReturnURL = withCheckoutID(s.c.SuccessURL, s.c.ID)
	default:
		v.ReturnURL = withCheckoutID(s.c.CancelURL, s.c.ID)
	}
	p.render(w, "closed", v, http.StatusOK)
}

// withCheckoutID appends checkout_id to a merchant URL.
func withCheckoutID(raw, id string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Set("checkout_id", id)
	u.RawQuery = q.Encode()
	return u.String()
}

// completed sends the shopper back to the store after a confirmation.
func (p *Pages) completed(w http.ResponseWriter, r *http.Request, s *session) {
	if s.mode == "modal" {
		http.Redirect(w, r, "/checkout/"+s.token+"/done?mode=modal", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, withCheckoutID(s.c.SuccessURL, s.c.ID), http.StatusSeeOther)
}

func (p *Pages) done(w http.ResponseWriter, r *http.Request, s *session) error {
	if s.c.Status != openflex.CheckoutCompleted {
		p.closed(w, r, s)
		return nil
	}
	v := p.view(s)
	v.SuccessURL, v.Outcome = withCheckoutID(s.c.SuccessURL, s.c.ID), "completed"
	return p.render(w, "done", v, 200)
}

func (p *Pages) cancel(w http.ResponseWriter, r *http.Request, s *session) error {
	if err := s.svc.Cancel(r.Context(), s.c); err != nil && openflex.ErrorCode(err) != openflex.CodeCheckoutNotOpen {
		return err
	}
	// Full page too, the shopper sees that nothing was charged, with the
	// way back to the store (taken by itself after a moment).
	p.closed(w, r, s)
	return nil
}

// fieldErrors maps a domain error's params to the form's field names.
func fieldErrors(err error, lang string) (map[string]string, bool) {
	var e *openflex.Error
	if !errors.As(err, &e) || e.Code == openflex.CodeInternal || e.Code == openflex.CodeUnavailable {
		return nil, false // not the shopper's to fix: fail answers
	}
	out := map[string]string{}
	fields := e.Fields
	if len(fields) == 0 {
		fields = []openflex.FieldError{{Param: e.Param, Code: e.Code, Message: e.Message}}
	}
	for _, f := range fields {
		name := f.Param
		name = strings.TrimPrefix(name, "applicant.")
		name = strings.TrimPrefix(name, "address.")
		name = strings.ReplaceAll(name, "consent.", "consent_")
		if name == "" || name == "verification" || name == "account_number" && e.Code != openflex.CodeParameterInvalid {
			name = "_"
		}
		msg := shopperMessage(name, f.Code, lang)
		if _, seen := out[name]; !seen {
			out[name] = msg
		}
	}
	return out, true
}

// shopperMessage words a field's problem for the shopper, in the page's
// language: what to do, never the API's field path.
func shopperMessage(field string, code openflex.Code, lang string) string {
	switch code {
	case openflex.CodeVerifyFailed:
		return t(lang, "err.code")
	case openflex.CodeInsufficientCred:
		return t(lang, "err.insufficient_credit")
	case openflex.CodeParameterMissing:
		if m, ok := texts["err."+field+".missing"]; ok {
			return pick(m, lang)
		}
		return t(lang, "err.missing")
	}
	if m, ok := texts["err."+field]; ok {
		return pick(m, lang)
	}
	return t(lang, "err.invalid")
}

//go:embed js
var jsFS embed.FS

// serveScript serves a drop-in file. The drop-in is loaded by merchants'
// pages on other origins, so it is public and cacheable.
func serveScript(name string) http.HandlerFunc {
	body, err := jsFS.ReadFile("js/" + name)
	if err != nil {
		panic(err)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
		w.Write(body)
	}
}

// ErrorFields lists the failed fields in the form's order, for the error
// summary's links. Each link names its field ("Annual income: Enter an
// amount…"), so two fields failing alike read as two different links.
func (v *view) ErrorFields() []errorLink {
	var out []errorLink
	for _, f := range applyFields {
		msg := v.Errors[f]
		if msg == "" {
			continue
		}
		text := msg
		if !strings.HasPrefix(f, "consent_") { // their messages name the box
			text = t(v.Lang, labelKey(f)) + t(v.Lang, "label_sep") + msg
		}
		out = append(out, errorLink{Name: f, Text: text})
	}
	return out
}

// errorLink is one line of the error summary: a link to its field.
type errorLink struct{ Name, Text string }
