package web

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
	"github.com/openflex/openflex/internal/users"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pageSet is one language's parsed pages, each the layout plus its content.
type pageSet map[string]*template.Template

// funcs are the template functions of one language.
func (p *Site) funcs(lang string) template.FuncMap {
	return template.FuncMap{"t": p.translator(lang), "when": when, "stamp": stamp, "stampIn": stampIn, "clockIn": clockIn, "code": codeSpans, "envLabel": p.envLabel(lang), "cad": formatCAD(lang), "took": took(lang)}
}

// AddPages parses a room's pages (the files of fsys matching pattern), once
// per language, each on the shared layout. Files whose names start with an
// underscore are partials: every page of the call may use them. A page
// name is its file name without .html, unique across rooms.
func (p *Site) AddPages(fsys fs.FS, pattern string) {
	names, err := fs.Glob(fsys, pattern)
	if err != nil {
		panic(err)
	}
	var partials, pages []string
	for _, n := range names {
		if strings.HasPrefix(path.Base(n), "_") {
			partials = append(partials, n)
		} else {
			pages = append(pages, n)
		}
	}
	for _, lang := range languages {
		base := template.Must(template.New("layout.html").Funcs(p.funcs(lang)).ParseFS(templateFS, "templates/layout.html"))
		if len(partials) > 0 {
			base = template.Must(base.ParseFS(fsys, partials...))
		}
		if p.pages[lang] == nil {
			p.pages[lang] = pageSet{}
		}
		for _, n := range pages {
			name := strings.TrimSuffix(path.Base(n), ".html")
			if _, dup := p.pages[lang][name]; dup {
				panic("web: page " + name + " added twice")
			}
			p.pages[lang][name] = template.Must(template.Must(base.Clone()).ParseFS(fsys, n))
		}
	}
}

func staticFiles() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, Root+"static/")
		if name == "" || strings.Contains(name, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		http.ServeFileFS(w, r, sub, name)
	})
}

// Page is what every template receives.
type Page struct {
	Lang     string
	LangURL  string // this page in the other language
	Title    string // i18n key
	Nav      string // the active navigation entry
	User     *users.User
	Merchant *openflex.Merchant
	Flash    string // i18n key of a completed action's confirmation
	Form     *Form
	Data     any
	Features
	// TillStores are the stores a clerk sells at, for the till's own
	// navigation (the till fills them; a clerk's frame shows nothing else).
	TillStores []TillLink
	// InTill: the page is the till's, whose frame has its own short
	// navigation for every user (TillHome, the store, the way back to the
	// portal), not the portal's dozen links a clerk would tab through at
	// every step of a sale.
	InTill   bool
	TillHome string

	sess    *users.Session
	csrfKey []byte
	t       func(key string, args ...any) string
}

// LogoutField is the CSRF field of the layout's log-out form, which always
// posts under the session's secret.
func (pg *Page) LogoutField() template.HTML {
	if pg.sess == nil {
		return ""
	}
	return (&Page{csrfKey: pg.sess.CSRFSecret}).CSRF("/portal/logout")
}

// T translates key into the page's language.
func (pg *Page) T(key string, args ...any) string { return pg.t(key, args...) }

// Session is the signed-in session, nil on public pages without one.
func (pg *Page) Session() *users.Session { return pg.sess }

// IsAdmin reports whether the user is a lender administrator.
func (pg *Page) IsAdmin() bool { return pg.User != nil && pg.User.Role == users.RoleAdmin }

// IsStaff reports whether the user is the lender's staff: an administrator
// or an agent.
func (pg *Page) IsStaff() bool { return pg.User != nil && pg.User.Role.Staff() }

// IsClerk reports whether the user is a store clerk, whose frame is the
// till's alone.
func (pg *Page) IsClerk() bool { return pg.User != nil && pg.User.Role == users.RoleClerk }

// TillLink is one store in a clerk's navigation.
type TillLink struct {
	Name, URL string
	Current   bool
}

// Handler is a page of a room: it reads the request and renders or
// redirects, returning an error for anything it leaves to the error page.
type Handler func(w http.ResponseWriter, r *http.Request, pg *Page) error

type access int

const (
	anyone access = iota
	anyUser
	merchantUser
	staffUser
	adminUser
	tillUser
	notClerk
)

// Public serves h to anyone; SignedIn to any signed-in user; Merchant to a
// merchant's developer users (lender staff go to the console, a store clerk
// is told the page does not exist); Staff to the lender's staff,
// administrators and agents; Admin to administrators alone (anyone else is
// told the page does not exist); Till to a merchant's developer users and
// to its clerks, these only at their own stores (the path's {store}); Docs
// to anyone but a signed-in clerk, whose frame is the till's alone.
func (p *Site) Public(h Handler) http.Handler   { return p.wrap(anyone, h) }
func (p *Site) SignedIn(h Handler) http.Handler { return p.wrap(anyUser, h) }
func (p *Site) Merchant(h Handler) http.Handler { return p.wrap(merchantUser, h) }
func (p *Site) Staff(h Handler) http.Handler    { return p.wrap(staffUser, h) }
func (p *Site) Admin(h Handler) http.Handler    { return p.wrap(adminUser, h) }
func (p *Site) Till(h Handler) http.Handler     { return p.wrap(tillUser, h) }
func (p *Site) Docs(h Handler) http.Handler     { return p.wrap(notClerk, h) }

// clerkMay reports whether a clerk may open a page of access need at r: the
// till of its own stores, pages for any signed-in user (sign-out), public
// pages other than the developer documentation. Everything else answers as
// if it did not exist, whatever links the frame shows.
func clerkMay(need access, u *users.User, r *http.Request) bool {
	switch need {
	case anyone, anyUser:
		return true
	case tillUser:
		store := r.PathValue("store")
		return store == "" || u.SellsAt(store)
	}
	return false
}

// wrap loads the session, enforces the access level and, on every POST,
// the body limit and the CSRF check, before calling h.
func (p *Site) wrap(need access, h Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pg := p.newPage(w, r)
		var err error
		if pg.sess, pg.User, err = p.loadSession(r.Context(), w, r); err != nil {
			p.Fail(w, r, pg, err)
			return
		}
		if pg.User != nil && pg.User.Role == users.RoleClerk && !clerkMay(need, pg.User, r) {
			if need == merchantUser && r.Method == http.MethodGet && r.URL.Path == Root {
				Redirect(w, r, Root+"store")
				return
			}
			p.Fail(w, r, pg, openflex.NotFound("page", r.URL.Path))
			return
		}
		if need == anyone || need == notClerk {
			pg.csrfKey = p.anonKey(w, r, r.Method == http.MethodGet)
		} else {
			if pg.User == nil {
				Redirect(w, r, Root+"login?next="+url.QueryEscape(r.URL.RequestURI()))
				return
			}
			switch {
			case (need == merchantUser || need == tillUser) && pg.User.Role.Staff():
				Redirect(w, r, Root+"admin")
				return
			case need == adminUser && pg.User.Role == users.RoleAgent && r.Method == http.MethodGet && r.URL.Path == "/portal/admin" && p.HasDesk:
				// An agent's console is the account desk.
				Redirect(w, r, Root+"admin/accounts")
				return
			case need == staffUser && !pg.User.Role.Staff():
				p.Fail(w, r, pg, openflex.NotFound("page", r.URL.Path))
				return
			case need == adminUser && pg.User.Role != users.RoleAdmin && r.Method == http.MethodGet && r.URL.Path == "/portal/admin":
				// The console's front door (the README names it): say it is
				// for lender staff and offer the staff sign-in.
				pg.Title = "admin.staff_only_title"
				p.Render(w, pg, http.StatusForbidden, "message", Message{Text: pg.T("admin.staff_only"), SignOutTo: "/portal/admin"})
				return
			case need == adminUser && pg.User.Role != users.RoleAdmin:
				p.Fail(w, r, pg, openflex.NotFound("page", r.URL.Path)) // its pages stay unknown to merchants
				return
			}
			pg.csrfKey = pg.sess.CSRFSecret
			if pg.User.MerchantID != "" {
				if pg.Merchant, err = p.cfg.Control.Merchant(r.Context(), pg.User.MerchantID); err != nil {
					p.Fail(w, r, pg, err)
					return
				}
			}
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
			if !p.csrfOK(r, pg.csrfKey) {
				pg.Title = "err.forbidden_title"
				p.Render(w, pg, http.StatusForbidden, "message", Message{Text: pg.t("err.csrf")})
				return
			}
			pg.Form = &Form{values: r.PostForm}
		}
		if err := h(w, r, pg); err != nil {
			p.Fail(w, r, pg, err)
		}
	})
}

func (p *Site) newPage(w http.ResponseWriter, r *http.Request) *Page {
	lang := p.language(w, r)
	pg := &Page{Lang: lang, t: p.translator(lang), Form: &Form{}, Features: p.Features}
	q := r.URL.Query()
	q.Set("lang", otherLanguage(lang))
	pg.LangURL = r.URL.Path + "?" + q.Encode()
	if done := r.URL.Query().Get("done"); done != "" && p.hasMessage("done."+done) {
		pg.Flash = "done." + done
	}
	return pg
}

// Message is the data of the generic message page.
type Message struct {
	Text      string
	Link      string
	LinkLabel string // i18n key
	// SignOutTo offers to sign out and sign in again, then go there.
	SignOutTo string
}

// Render executes a page into a buffer first, so a template error becomes
// a clean 500 instead of half a page.
func (p *Site) Render(w http.ResponseWriter, pg *Page, status int, name string, data any) {
	pg.Data = data
	t := p.pages[pg.Lang][name]
	var buf bytes.Buffer
	if t == nil {
		p.log.Error("web: no such page template", "page", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, "layout", pg); err != nil {
		p.log.Error("web: render page", "page", name, "err", err)
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

// Fail renders the error page: not found for anything the user may not
// see, the safe message of a domain error, a generic text for the rest
// (logged with its detail).
func (p *Site) Fail(w http.ResponseWriter, r *http.Request, pg *Page, err error) {
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
	msg := Message{Text: text, Link: Root, LinkLabel: "nav.overview"}
	if pg.IsClerk() { // a clerk's way back is its till
		msg.Link, msg.LinkLabel = Root+"store", "nav.till"
	}
	p.Render(w, pg, status, "message", msg)
}

// Redirect answers a POST (or a GET needing another page) with 303 See
// Other, so a reload never re-submits a form.
func Redirect(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// LocalPath returns next if it is a path under Root on this site, else
// Root, so a log-in link cannot bounce users to another site.
func LocalPath(next string) string {
	if strings.HasPrefix(next, Root) && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return Root
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

// clockIn renders the time of day of t in a store's time zone, with the
// zone's abbreviation: the store's day lists its movements under its date.
func clockIn(t time.Time, zone string) template.HTML {
	loc, err := openflex.LoadZone(zone)
	if err != nil || t.IsZero() {
		return stampIn(t, zone)
	}
	return template.HTML(`<time datetime="` + t.UTC().Format(time.RFC3339) + `">` + t.In(loc).Format("15:04 MST") + `</time>`)
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

// Form holds a submitted form's values and its field errors (already
// translated), for re-rendering it.
type Form struct {
	values url.Values
	errs   map[string]string
	order  []string // failed fields, first failure first
}

// Get returns a submitted value.
func (f *Form) Get(k string) string { return strings.TrimSpace(f.values.Get(k)) }

// Raw returns a submitted value as typed (passwords keep their spaces).
func (f *Form) Raw(k string) string { return f.values.Get(k) }

// Submitted reports whether a form was posted.
func (f *Form) Submitted() bool { return f.values != nil }

// Fields returns a copy of the posted fields without the CSRF token: what
// the user submitted.
func (f *Form) Fields() url.Values {
	out := url.Values{}
	for k, v := range f.values {
		if k != csrfField {
			out[k] = v
		}
	}
	return out
}

// All returns every submitted value of k (a multi-select).
func (f *Form) All(k string) []string { return f.values[k] }

// Default fills the fields the form did not send from d (stored values
// under a failed form's submission).
func (f *Form) Default(d url.Values) {
	for k, v := range f.values {
		d[k] = v
	}
	f.values = d
}

// Has reports whether a checkbox or select had value v.
func (f *Form) Has(k, v string) bool {
	for _, x := range f.values[k] {
		if x == v {
			return true
		}
	}
	return false
}

// Err returns the error of field k, or "".
func (f *Form) Err(k string) string { return f.errs[k] }

// Fail records an error on field k; several errors on one field are
// shown together.
func (f *Form) Fail(k, msg string) {
	if f.errs == nil {
		f.errs = map[string]string{}
	}
	if f.errs[k] == "" {
		f.errs[k] = msg
		f.order = append(f.order, k)
	} else {
		f.errs[k] += " " + msg
	}
}

// Summary lists the failed fields in the order they failed, for the error
// summary at the top of the page (the checkout's pattern): each links to
// its field; "form", the form as a whole, is shown by the page itself.
func (f *Form) Summary() []summaryItem {
	var out []summaryItem
	for _, k := range f.order {
		if k != "form" {
			out = append(out, summaryItem{Field: k, Message: f.errs[k]})
		}
	}
	return out
}

type summaryItem struct{ Field, Message string }

// OK reports whether no field failed.
func (f *Form) OK() bool { return len(f.errs) == 0 }

// Lines returns a textarea's non-empty lines, trimmed.
func (f *Form) Lines(k string) []string {
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
func (f *Form) Invalid(k string) template.HTMLAttr {
	if f.errs[k] == "" {
		return ""
	}
	return template.HTMLAttr(`aria-invalid="true" aria-describedby="` + template.HTMLEscapeString(k) + `-error"`)
}

// ErrorFor returns the message of field k, placed right after the field.
func (f *Form) ErrorFor(k string) template.HTML {
	msg := f.errs[k]
	if msg == "" {
		return ""
	}
	return template.HTML(`<p class="field-error" id="` + template.HTMLEscapeString(k) + `-error">` + template.HTMLEscapeString(msg) + `</p>`)
}

// Current marks the navigation entry of the page being shown.
func (pg *Page) Current(nav string) template.HTMLAttr {
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
