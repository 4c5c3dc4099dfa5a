// Package storefront is a tiny merchant store that takes payment with
// OpenFlex financing. It sells one product and shows the whole online
// integration in a few hundred lines a merchant can copy:
//
//   - the product page shows "As low as $X/month" with OpenFlex.promo;
//   - "Pay with OpenFlex" asks this server to create the checkout
//     (POST /v1/checkouts, with the secret, server-side), then opens it with
//     OpenFlex.checkout in a modal (or by redirect);
//   - the return page reads the checkout server-side (GET /v1/checkouts/{id})
//     and never trusts the query string;
//   - the back office captures the authorization when the order ships
//     (POST /v1/authorizations/{id}/captures).
//
// Orders live in memory: a real store keeps them in its database.
package storefront

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Config is what the store needs to know about OpenFlex and itself.
type Config struct {
	// OpenFlexURL is the OpenFlex server, such as http://127.0.0.1:8080.
	OpenFlexURL string
	// ClientID and ClientSecret are a key set of the merchant. The secret
	// stays on this server.
	ClientID     string
	ClientSecret string
	// StoreID is the OpenFlex store the sales belong to.
	StoreID string
	// PublicURL is how shoppers reach this store, such as
	// http://localhost:3000. Its origin must be a Trust URL of the key set:
	// OpenFlex refuses to return shoppers anywhere else, to frame the
	// checkout elsewhere, and to answer promo requests from elsewhere.
	PublicURL string
	// HTTPClient calls OpenFlex; http.DefaultClient when nil.
	HTTPClient *http.Client
	// Logger logs failed OpenFlex calls; slog.Default() when nil.
	Logger *slog.Logger
}

// Product is the one thing this store sells (its words are in texts).
type Product struct {
	SKU   string
	Price int64 // cents
}

// Table is the product: $1,299.99.
var Table = Product{SKU: "TBL-OAK-72", Price: 129999}

// Order statuses.
const (
	AwaitingPayment = "awaiting_payment"
	Paid            = "paid" // OpenFlex authorized the amount: ship, then capture
	Cancelled       = "cancelled"
	Shipped         = "shipped" // captured
)

// Order is a sale and where its OpenFlex payment stands.
type Order struct {
	ID              string
	Product         Product
	Lang            string
	Status          string
	CheckoutID      string
	AuthorizationID string
	CaptureID       string
	TermMonths      int
	Created         time.Time
}

// Shop is the store's web server.
type Shop struct {
	cfg     Config
	openflx *client
	pages   map[string]*template.Template
	handler http.Handler
	log     *slog.Logger

	mu     sync.Mutex
	orders map[string]*Order

	// trust caches whether OpenFlex trusts PublicURL, checked at most once
	// a minute.
	trustMu      sync.Mutex
	trustChecked time.Time
	trustProblem string
}

//go:embed templates static
var files embed.FS

// New returns the store; it does not call OpenFlex.
func New(cfg Config) (*Shop, error) {
	for name, v := range map[string]string{"OpenFlexURL": cfg.OpenFlexURL, "ClientID": cfg.ClientID,
		"ClientSecret": cfg.ClientSecret, "StoreID": cfg.StoreID, "PublicURL": cfg.PublicURL} {
		if v == "" {
			return nil, fmt.Errorf("storefront: Config.%s is required", name)
		}
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.OpenFlexURL = strings.TrimSuffix(cfg.OpenFlexURL, "/")
	cfg.PublicURL = strings.TrimSuffix(cfg.PublicURL, "/")
	s := &Shop{cfg: cfg, log: cfg.Logger, orders: map[string]*Order{}, pages: map[string]*template.Template{},
		openflx: &client{base: cfg.OpenFlexURL, id: cfg.ClientID, secret: cfg.ClientSecret, http: cfg.HTTPClient}}
	funcs := template.FuncMap{"money": formatCents}
	for _, name := range []string{"product", "thanks", "cart", "orders"} {
		s.pages[name] = template.Must(template.New("").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/"+name+".html"))
	}
	static, _ := fs.Sub(files, "static")
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /{$}", s.product)
	mux.HandleFunc("POST /checkout", s.createCheckout)
	mux.HandleFunc("GET /thanks", s.thanks)
	mux.HandleFunc("GET /cart", s.cart)
	mux.HandleFunc("GET /orders", s.ordersPage)
	mux.HandleFunc("POST /orders/{id}/ship", s.ship)
	// Refuse cross-site POSTs (CSRF), from the browser's Sec-Fetch-Site
	// and Origin headers.
	s.handler = http.NewCrossOriginProtection().Handler(s.headers(mux))
	return s, nil
}

// FirstStore returns the ID of the merchant's first OpenFlex store, for a
// Config without one.
func FirstStore(ctx context.Context, cfg Config) (string, error) {
	hc := cfg.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	return (&client{base: cfg.OpenFlexURL, id: cfg.ClientID, secret: cfg.ClientSecret, http: hc}).firstStore(ctx)
}

func (s *Shop) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// headers sets a small Content-Security-Policy: scripts, promo requests
// and the checkout frame may come from this store and OpenFlex only.
func (s *Shop) headers(next http.Handler) http.Handler {
	of := originOf(s.cfg.OpenFlexURL)
	csp := "default-src 'self'; script-src 'self' " + of + "; connect-src 'self' " + of + "; frame-src " + of +
		"; img-src 'self' data:; style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("Referrer-Policy", "strict-origin-when-cross-origin")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// page is what every template sees.
type page struct {
	Lang, Other, OtherLang string
	LangSwitch             string // link to this page in the other language
	OpenFlexURL            string
	ClientID               string // public: the promo request names the key set
	Product                Product
	Mode                   string
	Order                  *Order
	Orders                 []Order
	Notice, Error          string
	t                      map[string]string
}

// T translates a key of texts.
func (p *page) T(key string) string {
	if v, ok := p.t[key]; ok {
		return v
	}
	return key
}

func (s *Shop) page(lang string) *page {
	lang = language(lang)
	other := "fr"
	if lang == "fr" {
		other = "en"
	}
	return &page{Lang: lang, OtherLang: other, Other: texts[other]["language_name"], OpenFlexURL: s.cfg.OpenFlexURL,
		ClientID: s.cfg.ClientID, Product: Table, t: texts[lang]}
}

func (s *Shop) render(w http.ResponseWriter, name string, p *page, status int) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := s.pages[name].ExecuteTemplate(w, "layout", p); err != nil {
		s.log.Error("render", "page", name, "err", err)
	}
}

// product is the product page. ?mode=redirect opens the checkout as a
// full-page redirect instead of the modal; ?lang=fr is French.
func (s *Shop) product(w http.ResponseWriter, r *http.Request) {
	p := s.page(r.URL.Query().Get("lang"))
	p.Mode = "modal"
	p.LangSwitch = "/?lang=" + p.OtherLang
	if r.URL.Query().Get("mode") == "redirect" {
		p.Mode = "redirect"
		p.LangSwitch += "&mode=redirect"
	}
	if s.untrusted(r.Context()) {
		p.Error = strings.ReplaceAll(p.T("untrusted"), "{origin}", originOf(s.cfg.PublicURL))
	}
	s.render(w, "product", p, http.StatusOK)
}

// untrusted reports whether OpenFlex does not trust this shop's address:
// its promotion line would stay empty (the browser blocks the answer) and
// its checkouts would be refused, so the page says why instead. An error
// reading the key set is logged and not shown (the shop still works).
func (s *Shop) untrusted(ctx context.Context) bool {
	s.trustMu.Lock()
	defer s.trustMu.Unlock()
	if time.Since(s.trustChecked) < time.Minute {
		return s.trustProblem != ""
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	urls, err := s.openflx.trustURLs(ctx)
	if err != nil {
		s.log.Warn("read the key set's Trust URLs", "err", err)
		return false
	}
	s.trustChecked, s.trustProblem = time.Now(), ""
	if !slices.Contains(urls, originOf(s.cfg.PublicURL)) {
		s.trustProblem = originOf(s.cfg.PublicURL)
		s.log.Warn("this shop's address is not a Trust URL of its OpenFlex keys: no promotion line, checkouts refused", "origin", s.trustProblem, "trust_urls", urls)
	}
	return s.trustProblem != ""
}

// createCheckout is the shop's own endpoint behind "Pay with OpenFlex": it
// records an order and opens an OpenFlex checkout for it, server-side, and
// gives the browser only the checkout's URL.
func (s *Shop) createCheckout(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Lang string `json:"lang"`
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" ||
		json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in) != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "send a JSON body"})
		return
	}
	lang := language(in.Lang)
	o := s.newOrder(lang)
	c, err := s.openflx.createCheckout(r.Context(), checkoutParams{
		Amount: o.Product.Price, Currency: "CAD", StoreID: s.cfg.StoreID, Reference: o.ID,
		Items:      []lineItem{{SKU: o.Product.SKU, Description: texts[lang]["product_name"], Quantity: 1, UnitPrice: o.Product.Price}},
		Flow:       "apply_or_buy",
		SuccessURL: s.cfg.PublicURL + "/thanks", CancelURL: s.cfg.PublicURL + "/cart",
		AutoCapture: false, // capture when the order ships
		Language:    lang,
	}, "checkout-"+o.ID)
	if err != nil {
		s.log.Error("create OpenFlex checkout", "order", o.ID, "err", err)
		s.setStatus(o.ID, Cancelled)
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": texts[lang]["checkout_failed"]})
		return
	}
	s.mu.Lock()
	o.CheckoutID = c.ID
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"checkout_id": c.ID, "url": c.URL})
}

// thanks is the checkout's success URL: OpenFlex sends the shopper here
// with ?checkout_id=…. The query string is only a hint: the state comes
// from OpenFlex, server-side.
func (s *Shop) thanks(w http.ResponseWriter, r *http.Request) {
	o, err := s.sync(r.Context(), r.URL.Query().Get("checkout_id"))
	switch {
	case errors.Is(err, errUnknownOrder):
		http.Error(w, "unknown order", http.StatusNotFound)
		return
	case err != nil:
		p := s.page(r.URL.Query().Get("lang"))
		p.Error = p.T("openflex_down")
		s.render(w, "cart", p, http.StatusBadGateway)
		return
	case o.Status == AwaitingPayment || o.Status == Cancelled:
		http.Redirect(w, r, "/cart?checkout_id="+url.QueryEscape(o.CheckoutID), http.StatusSeeOther)
		return
	}
	p := s.page(o.Lang)
	p.Order = o
	s.render(w, "thanks", p, http.StatusOK)
}

// cart is the checkout's cancel URL, and where a failed payment lands.
func (s *Shop) cart(w http.ResponseWriter, r *http.Request) {
	p := s.page(r.URL.Query().Get("lang"))
	if id := r.URL.Query().Get("checkout_id"); id != "" {
		o, err := s.sync(r.Context(), id)
		switch {
		case errors.Is(err, errUnknownOrder):
		case err != nil:
			p.Error = p.T("openflex_down")
		case o.Status == Paid || o.Status == Shipped:
			http.Redirect(w, r, "/thanks?checkout_id="+url.QueryEscape(o.CheckoutID), http.StatusSeeOther)
			return
		case o.Status == Cancelled:
			p = s.page(o.Lang)
			p.Order, p.Notice = o, p.T("not_paid")
		}
	}
	s.render(w, "cart", p, http.StatusOK)
}

// ordersPage is the back office. A real store puts it behind its staff
// sign-in.
func (s *Shop) ordersPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	var pending []string
	for _, o := range s.orders {
		if o.Status == AwaitingPayment && o.CheckoutID != "" {
			pending = append(pending, o.CheckoutID)
		}
	}
	s.mu.Unlock()
	// A shopper may close the tab before coming back: ask OpenFlex. (A
	// webhook for checkout.completed does the same without waiting.)
	for _, id := range pending {
		if _, err := s.sync(r.Context(), id); err != nil {
			s.log.Warn("refresh order", "checkout", id, "err", err)
		}
	}
	p := s.page("en")
	p.Orders = s.Orders()
	for _, o := range p.Orders {
		if o.ID == r.URL.Query().Get("shipped") && o.Status == Shipped {
			p.Notice = p.T("order") + " " + o.ID + " " + p.T("shipped_notice")
		}
	}
	s.render(w, "orders", p, http.StatusOK)
}

// ship captures the order's authorization: the money moves when the goods
// do. The idempotency key makes a double click capture once.
func (s *Shop) ship(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	o, ok := s.orders[r.PathValue("id")]
	var authID string
	if ok {
		authID = o.AuthorizationID
	}
	s.mu.Unlock()
	if !ok || authID == "" {
		http.Error(w, "no paid order with this number", http.StatusNotFound)
		return
	}
	a, err := s.openflx.capture(r.Context(), authID, "ship-"+o.ID)
	if err != nil {
		s.log.Error("capture", "order", o.ID, "authorization", authID, "err", err)
		p := s.page("en")
		p.Orders = s.Orders()
		p.Error = "OpenFlex refused the capture of order " + o.ID + ": " + err.Error()
		s.render(w, "orders", p, http.StatusBadGateway)
		return
	}
	s.mu.Lock()
	o.Status = Shipped
	if n := len(a.Captures); n > 0 {
		o.CaptureID = a.Captures[n-1].ID
	}
	s.mu.Unlock()
	http.Redirect(w, r, "/orders?shipped="+url.QueryEscape(o.ID), http.StatusSeeOther)
}

var errUnknownOrder = errors.New("storefront: no order has this checkout")

// sync reads an order's checkout from OpenFlex and records the outcome:
// completed means OpenFlex authorized the amount on the shopper's account.
func (s *Shop) sync(ctx context.Context, checkoutID string) (*Order, error) {
	s.mu.Lock()
	var o *Order
	for _, x := range s.orders {
		if checkoutID != "" && x.CheckoutID == checkoutID {
			o = x
		}
	}
	s.mu.Unlock()
	if o == nil {
		return nil, errUnknownOrder
	}
	c, err := s.openflx.getCheckout(ctx, checkoutID)
	if err != nil {
		return nil, err
	}
	if c.Reference != o.ID || c.Amount != o.Product.Price {
		return nil, fmt.Errorf("storefront: checkout %s is not for order %s", c.ID, o.ID)
	}
	var a *authorization
	if c.Status == "completed" && c.AuthorizationID != "" {
		if a, err = s.openflx.getAuthorization(ctx, c.AuthorizationID); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case a != nil && o.Status == AwaitingPayment:
		o.Status, o.AuthorizationID = Paid, a.ID
		if a.Financing != nil {
			o.TermMonths = a.Financing.TermMonths
		}
	case c.Status == "cancelled" || c.Status == "expired":
		if o.Status == AwaitingPayment {
			o.Status = Cancelled
		}
	}
	cp := *o
	return &cp, nil
}

func (s *Shop) newOrder(lang string) *Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Random, so that a restarted store never reuses an order number (and
	// with it an idempotency key).
	o := &Order{ID: "ord_" + strings.ToLower(rand.Text()[:12]), Product: Table, Lang: lang, Status: AwaitingPayment, Created: time.Now()}
	s.orders[o.ID] = o
	return o
}

func (s *Shop) setStatus(id, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orders[id].Status = status
}

// Orders returns a copy of the orders, newest first.
func (s *Shop) Orders() []Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Order, 0, len(s.orders))
	for _, o := range s.orders {
		out = append(out, *o)
	}
	slices.SortFunc(out, func(a, b Order) int { return b.Created.Compare(a.Created) })
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Scheme + "://" + u.Host
}
