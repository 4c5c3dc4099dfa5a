package portal

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/portal/account"
)

//go:embed templates/*.html templates/till/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pageSet is one language's parsed pages, each the layout plus its content.
type pageSet map[string]*template.Template

// loadPages parses every page once per language, binding "t" to that
// language so templates just say {{t "key"}}.
func loadPages() map[string]pageSet {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	// The store-clerk screens keep their templates in a folder of their own.
	till, err := fs.Glob(templateFS, "templates/till/*.html")
	if err != nil {
		panic(err)
	}
	names = append(names, till...)
	out := map[string]pageSet{}
	for _, lang := range languages {
		funcs := template.FuncMap{"t": translator(lang), "when": when, "stamp": stamp, "stampIn": stampIn, "code": codeSpans, "envLabel": envLabel(lang), "cad": formatCAD(lang), "took": took(lang)}
		base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html"))
		set := pageSet{}
		for _, n := range names {
			name := strings.TrimSuffix(path.Base(n), ".html")
			if name == "layout" {
				continue
			}
			set[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, n))
		}
		out[lang] = set
	}
	return out
}

func staticFiles() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/portal/static/")
		if name == "" || strings.Contains(name, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		http.ServeFileFS(w, r, sub, name)
	})
}

// page is what every template receives.
type page struct {
	Lang     string
	LangURL  string // this page in the other language
	Title    string // i18n key
	Nav      string // the active navigation entry
	User     *account.User
	Merchant *openflex.Merchant
	Flash    string // i18n key of a completed action's confirmation
	Form     *form
	Data     any
	// HasRequests reports whether the API keeps a request log to show.
	HasRequests bool
	// HasTill reports whether the store-clerk screens are served.
	HasTill bool
	// HasReview reports whether lender staff review applications here.
	HasReview bool
	// HasSettlements reports whether the Settlements page is served.
	HasSettlements bool

	sess    *account.Session
	csrfKey []byte
	t       func(key string, args ...any) string
}

// LogoutField is the CSRF field of the layout's log-out form, which always
// posts under the session's secret.
func (pg *page) LogoutField() template.HTML {
	if pg.sess == nil {
		return ""
	}
	return (&page{csrfKey: pg.sess.CSRFSecret}).CSRF("/portal/logout")
}

// IsAdmin reports whether the user is the lender's staff.
func (pg *page) IsAdmin() bool { return pg.User != nil && pg.User.Role == account.RoleAdmin }

// handler is a portal page: it reads the request and renders or redirects,
// returning an error for anything it leaves to the error page.
type handler func(w http.ResponseWriter, r *http.Request, pg *page) error

type access int

const (
	anyone access = iota
	anyUser
	merchantUser
	adminUser
)

func (p *Portal) public(h handler) http.Handler   { return p.wrap(anyone, h) }
func (p *Portal) signedIn(h handler) http.Handler { return p.wrap(anyUser, h) }
func (p *Portal) merchant(h handler) http.Handler { return p.wrap(merchantUser, h) }
func (p *Portal) admin(h handler) http.Handler    { return p.wrap(adminUser, h) }

// wrap loads the session, enforces the access level and, on every POST,
// the body limit and the CSRF check, before calling h.
func (p *Portal) wrap(need access, h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pg := p.newPage(w, r)
		var err error
		if pg.sess, pg.User, err = p.loadSession(r.Context(), w, r); err != nil {
			p.fail(w, r, pg, err)
			return
		}
		if need == anyone {
			pg.csrfKey = p.anonKey(w, r, r.Method == http.MethodGet)
		} else {
			if pg.User == nil {
				redirect(w, r, "/portal/login?next="+url.QueryEscape(r.URL.RequestURI()))
				return
			}
			switch {
			case need == merchantUser && pg.User.Role == account.RoleAdmin:
				redirect(w, r, "/portal/admin")
				return
			case need == adminUser && pg.User.Role != account.RoleAdmin:
				p.fail(w, r, pg, openflex.NotFound("page", r.URL.Path)) // never reveal the console exists
				return
			}
			pg.csrfKey = pg.sess.CSRFSecret
			if pg.User.MerchantID != "" {
				if pg.Merchant, err = p.cfg.Control.Merchant(r.Context(), pg.User.MerchantID); err != nil {
					p.fail(w, r, pg, err)
					return
				}
			}
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
			if !p.csrfOK(r, pg.csrfKey) {
				pg.Title = "err.forbidden_title"
				p.render(w, pg, http.StatusForbidden, "message", message{Text: pg.t("err.csrf")})
				return
			}
			pg.Form = &form{values: r.PostForm}
		}
		if err := h(w, r, pg); err != nil {
			p.fail(w, r, pg, err)
		}
	})
}

func (p *Portal) newPage(w http.ResponseWriter, r *http.Request) *page {
	lang := p.language(w, r)
	pg := &page{Lang: lang, t: translator(lang), Form: &form{}, HasRequests: p.cfg.RecentRequests != nil, HasTill: p.hasTill(), HasReview: p.cfg.Credit != nil, HasSettlements: p.hasSettlements()}
	q := r.URL.Query()
	q.Set("lang", otherLanguage(lang))
	pg.LangURL = r.URL.Path + "?" + q.Encode()
	if done := r.URL.Query().Get("done"); done != "" && hasMessage("done."+done) {
		pg.Flash = "done." + done
	}
	return pg
}

// message is the data of the generic message page.
type message struct {
	Text      string
	Link      string
	LinkLabel string // i18n key
}

// render executes a page into a buffer first, so a template error becomes
// a clean 500 instead of half a page.
func (p *Portal) render(w http.ResponseWriter, pg *page, status int, name string, data any) {
	pg.Data = data
	t := p.pages[pg.Lang][name]
	var buf bytes.Buffer
	if t == nil {
		p.log.Error("portal: no such page template", "page", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, "layout", pg); err != nil {
		p.log.Error("portal: render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Pages carry secrets shown once and CSRF tokens: never cache them.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail renders the error page: not found for anything the user may not
// see, the safe message of a domain error, a generic text for the rest
// (logged with its detail).
func (p *Portal) fail(w http.ResponseWriter, r *http.Request, pg *page, err error) {
	var e *openflex.Error
	var tooBig *http.MaxBytesError
	status, text := http.StatusInternalServerError, pg.t("err.internal")
	switch {
	case errors.As(err, &tooBig):
		status, text = http.StatusRequestEntityTooLarge, pg.t("err.too_large")
	case openflex.ErrorCode(err) == openflex.CodeUnavailable:
		// A failover or a lost database: nothing the user did; the same
		// click works again in a moment.
		p.log.WarnContext(r.Context(), "portal request failed: unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "1")
		status, text = http.StatusServiceUnavailable, pg.t("err.unavailable")
	case errors.As(err, &e) && e.Code == openflex.CodeResourceMissing:
		status, text = http.StatusNotFound, pg.t("err.not_found")
	case errors.As(err, &e) && e.Code != openflex.CodeInternal:
		status, text = http.StatusBadRequest, e.Message
	default:
		p.log.ErrorContext(r.Context(), "portal request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	pg.Title = "err.title"
	p.render(w, pg, status, "message", message{Text: text, Link: "/portal/", LinkLabel: "nav.overview"})
}

// redirect answers a POST (or a GET needing another page) with 303 See
// Other, so a reload never re-submits a form.
func redirect(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// localPath returns next if it is a portal path on this site, else the
// overview, so a log-in link cannot bounce users to another site.
func localPath(next string) string {
	if strings.HasPrefix(next, "/portal/") && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return "/portal/"
}

func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// stamp renders a time as a <time> element machines can read, or a dash.
func stamp(t time.Time) template.HTML {
	if t.IsZero() {
		return "—"
	}
	return template.HTML(`<time datetime="` + t.UTC().Format(time.RFC3339) + `">` + when(t) + `</time>`)
}

// stampIn renders a time in a store's time zone (the store-clerk screens
// work in the store's local day), with the zone's abbreviation.
func stampIn(t time.Time, zone string) template.HTML {
	if t.IsZero() {
		return "—"
	}
	loc, err := openflex.LoadZone(zone)
	if err != nil {
		return stamp(t)
	}
	return template.HTML(`<time datetime="` + t.UTC().Format(time.RFC3339) + `">` + t.In(loc).Format("2006-01-02 15:04 MST") + `</time>`)
}

// codeSpans escapes s and sets its `backticked` parts as code, as the
// OpenAPI descriptions write them.
func codeSpans(s string) template.HTML {
	var b strings.Builder
	for i, part := range strings.Split(s, "`") {
		if i%2 == 1 {
			b.WriteString("<code>" + template.HTMLEscapeString(part) + "</code>")
		} else {
			b.WriteString(template.HTMLEscapeString(part))
		}
	}
	return template.HTML(b.String())
}

// form holds a submitted form's values and its field errors (already
// translated), for re-rendering it.
type form struct {
	values url.Values
	errs   map[string]string
}

// Get returns a submitted value.
func (f *form) Get(k string) string { return strings.TrimSpace(f.values.Get(k)) }

// Has reports whether a checkbox or select had value v.
func (f *form) Has(k, v string) bool {
	for _, x := range f.values[k] {
		if x == v {
			return true
		}
	}
	return false
}

// Err returns the error of field k, or "".
func (f *form) Err(k string) string { return f.errs[k] }

// Fail records an error on field k; several errors on one field are
// shown together.
func (f *form) Fail(k, msg string) {
	if f.errs == nil {
		f.errs = map[string]string{}
	}
	if f.errs[k] == "" {
		f.errs[k] = msg
	} else {
		f.errs[k] += " " + msg
	}
}

// OK reports whether no field failed.
func (f *form) OK() bool { return len(f.errs) == 0 }

// Lines returns a textarea's non-empty lines, trimmed.
func (f *form) Lines(k string) []string {
	var out []string
	for _, l := range strings.Split(f.values.Get(k), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Invalid returns the ARIA attributes of field k when it failed, tying it
// to its message for screen readers.
func (f *form) Invalid(k string) template.HTMLAttr {
	if f.errs[k] == "" {
		return ""
	}
	return template.HTMLAttr(`aria-invalid="true" aria-describedby="` + template.HTMLEscapeString(k) + `-error"`)
}

// ErrorFor returns the message of field k, placed right after the field.
func (f *form) ErrorFor(k string) template.HTML {
	msg := f.errs[k]
	if msg == "" {
		return ""
	}
	return template.HTML(`<p class="field-error" id="` + template.HTMLEscapeString(k) + `-error">` + template.HTMLEscapeString(msg) + `</p>`)
}

// Current marks the navigation entry of the page being shown.
func (pg *page) Current(nav string) template.HTMLAttr {
	if pg.Nav == nav {
		return `aria-current="page"`
	}
	return ""
}

// took shows how long a request took the way people read it: whole
// milliseconds ("12 ms"), one decimal under 10 ms ("1.3 ms", French "1,3
// ms"), seconds with one decimal from one second ("1.2 s").
func took(lang string) func(time.Duration) string {
	return func(d time.Duration) string {
		var s string
		switch {
		case d >= time.Second:
			s = strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "\u00a0s"
		case d >= 10*time.Millisecond:
			s = strconv.FormatInt(d.Round(time.Millisecond).Milliseconds(), 10) + "\u00a0ms"
		default:
			s = strconv.FormatFloat(float64(d.Round(100*time.Microsecond))/float64(time.Millisecond), 'f', 1, 64) + "\u00a0ms"
		}
		if lang == "fr" {
			s = strings.Replace(s, ".", ",", 1)
		}
		return s
	}
}
