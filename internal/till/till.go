// Package till is the store clerks' room: pick a store, see its day, look
// a customer up, verify them, quote, authorize in store, then capture,
// release and return — on the shared web kit (internal/web), under
// /portal/store/.
package till

import (
	"context"
	"embed"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/finance"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/plane"
	"github.com/openflex/openflex/internal/plans"
	"github.com/openflex/openflex/internal/web"
)

// Every screen lives under /portal/store/{env}/…, so the environment is
// always explicit; PRODUCTION opens after go-live.
//
// Between steps the sale travels in hidden fields (account number, passed
// verification id, amount): the services re-check all of it, since a
// verification only passes for its own merchant and account.

// Catalog reads a merchant's stores and financing plans.
type Catalog interface {
	Store(ctx context.Context, merchantID, id string) (*openflex.Store, error)
	// Plans are the merchant's financing plans of env.
	Plans(ctx context.Context, env openflex.Environment, merchantID string) ([]*openflex.Plan, error)
}

// Idempotency runs a retry-safe write in one environment's data plane (see
// sqlstore.DB.Idempotent): the form's nonce is the key, so a double submit
// replays the first answer instead of moving money twice.
type Idempotency interface {
	Idempotent(ctx context.Context, req openflex.IdempotentRequest,
		prepare func(ctx context.Context) error,
		do func(ctx context.Context) (openflex.StoredResponse, error),
		keep func(error) (openflex.StoredResponse, bool),
	) (openflex.StoredResponse, bool, error)
}

// Stores lists a merchant's stores.
type Stores interface {
	Stores(ctx context.Context, merchantID string, p openflex.ListParams) ([]openflex.Store, bool, error)
}

// Config is what the till is built from.
type Config struct {
	Control Stores
	// Planes are each environment's services: credit and lending, and
	// settlements when present (what a store's day will settle for).
	Planes      plane.Planes
	Catalog     Catalog
	Idempotency func(openflex.Environment) Idempotency
}

// Till is the store clerks' room on a site.
type Till struct {
	*web.Site
	cfg Config
}

//go:embed templates/*.html
var templateFS embed.FS

// New adds the till to site. Missing dependencies panic at start-up.
func New(site *web.Site, cfg Config) *Till {
	if cfg.Control == nil || !cfg.Planes.All(func(p *plane.Plane) bool { return p.Credit != nil && p.Lending != nil }) || cfg.Catalog == nil || cfg.Idempotency == nil {
		panic("till: Config needs Control, every plane's Credit and Lending, Catalog and Idempotency")
	}
	p := &Till{Site: site, cfg: cfg}
	site.HasTill = true
	site.AddMessages(tillMessages)
	site.AddPages(templateFS, "templates/*.html")
	p.routes()
	return p
}

func (p *Till) routes() {
	m := p.Site
	m.Handle("GET /portal/store", http.RedirectHandler("/portal/store/training", http.StatusSeeOther))
	m.Handle("GET /portal/store/{env}", p.Till(p.tillStores))
	m.Handle("GET /portal/store/{env}/{store}", p.Till(p.tillDay))
	m.Handle("POST /portal/store/{env}/{store}/lookup", p.Till(p.tillLookup))
	m.Handle("POST /portal/store/{env}/{store}/verify", p.Till(p.tillStartVerify))
	m.Handle("POST /portal/store/{env}/{store}/verify/check", p.Till(p.tillCheckVerify))
	m.Handle("GET /portal/store/{env}/{store}/sale/{verification}", p.Till(p.tillSale))
	m.Handle("POST /portal/store/{env}/{store}/authorize", p.Till(p.tillAuthorize))
	m.Handle("GET /portal/store/{env}/{store}/authorizations/{id}", p.Till(p.tillAuthorization))
	m.Handle("POST /portal/store/{env}/{store}/authorizations/{id}/capture", p.Till(p.tillCapture))
	m.Handle("POST /portal/store/{env}/{store}/authorizations/{id}/release", p.Till(p.tillRelease))
	m.Handle("POST /portal/store/{env}/{store}/authorizations/{id}/captures/{capture}/return", p.Till(p.tillReturn))
}

// tillEnv reads {env}: unknown is not found; PRODUCTION before go-live is
// refused with its own page.
func (p *Till) tillEnv(w http.ResponseWriter, r *http.Request, pg *web.Page) (openflex.Environment, bool) {
	env, ok := openflex.ParseEnvironment(r.PathValue("env"))
	if !ok {
		p.Fail(w, r, pg, openflex.NotFound("page", r.URL.Path))
		return "", false
	}
	if env == openflex.Production && !pg.Merchant.LiveApproved {
		pg.Title, pg.Nav = "till.title", "till"
		msg := web.Message{Text: pg.T("till.production_locked"), Link: "/portal/go-live", LinkLabel: "nav.golive"}
		if pg.IsClerk() { // go-live is the merchant's business
			msg.Link, msg.LinkLabel = "/portal/store/training", "nav.till"
		}
		p.Render(w, pg, http.StatusForbidden, "message", msg)
		return "", false
	}
	return env, true
}

// till is the environment and store every screen below the store picker
// works in.
type till struct {
	Env   openflex.Environment
	Store *openflex.Store
	// Base is the store's path, /portal/store/{env}/{store}.
	Base string
}

// scope resolves {env} and {store}; another merchant's store is not found.
// When ok is false the answer has been written.
func (p *Till) scope(w http.ResponseWriter, r *http.Request, pg *web.Page) (*till, bool) {
	env, ok := p.tillEnv(w, r, pg)
	if !ok {
		return nil, false
	}
	st, err := p.cfg.Catalog.Store(r.Context(), pg.Merchant.ID, r.PathValue("store"))
	if err == nil && st.MerchantID != pg.Merchant.ID {
		err = openflex.NotFound("store", r.PathValue("store"))
	}
	if err != nil {
		p.Fail(w, r, pg, err)
		return nil, false
	}
	pg.Nav = "till"
	if err := p.clerkNav(r.Context(), pg, env, st.ID); err != nil {
		p.Fail(w, r, pg, err)
		return nil, false
	}
	return &till{Env: env, Store: st, Base: "/portal/store/" + string(env) + "/" + st.ID}, true
}

// clerkNav gives the till's frame its own navigation: a clerk's stores in
// env and nothing else (the page guard keeps the rest of the portal out of
// reach; this keeps it out of the tab order); for a merchant's user, all
// stores, the current one and the way back to the portal.
func (p *Till) clerkNav(ctx context.Context, pg *web.Page, env openflex.Environment, current string) error {
	pg.InTill, pg.TillHome = true, "/portal/store/"+string(env)
	if !pg.IsClerk() {
		if current == "" {
			return nil
		}
		st, err := p.cfg.Catalog.Store(ctx, pg.Merchant.ID, current)
		if err != nil {
			return err
		}
		pg.TillStores = []web.TillLink{{Name: st.Name, URL: pg.TillHome + "/" + st.ID, Current: true}}
		return nil
	}
	for _, id := range pg.User.Stores {
		st, err := p.cfg.Catalog.Store(ctx, pg.Merchant.ID, id)
		if openflex.ErrorCode(err) == openflex.CodeResourceMissing {
			continue
		}
		if err != nil {
			return err
		}
		pg.TillStores = append(pg.TillStores, web.TillLink{Name: st.Name, URL: "/portal/store/" + string(env) + "/" + st.ID, Current: st.ID == current})
	}
	return nil
}

type tillStoresData struct {
	Env           openflex.Environment
	Envs          []openflex.Environment
	CanProduction bool
	Stores        []openflex.Store
}

// tillStores lists the merchant's stores to pick the till's store.
func (p *Till) tillStores(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	env, ok := p.tillEnv(w, r, pg)
	if !ok {
		return nil
	}
	var all []openflex.Store
	after := ""
	for {
		page, more, err := p.cfg.Control.Stores(r.Context(), pg.Merchant.ID, openflex.ListParams{Limit: 100, StartingAfter: after})
		if err != nil {
			return err
		}
		for _, st := range page {
			if pg.User.SellsAt(st.ID) {
				all = append(all, st)
			}
		}
		if !more || len(page) == 0 || len(all) >= 1000 {
			break
		}
		after = page[len(page)-1].ID
	}
	if err := p.clerkNav(r.Context(), pg, env, ""); err != nil {
		return err
	}
	pg.Title, pg.Nav = "till.title", "till"
	p.Render(w, pg, http.StatusOK, "till_stores", tillStoresData{Env: env, Envs: openflex.Environments,
		CanProduction: pg.Merchant.LiveApproved, Stores: all})
	return nil
}

type tillDayData struct {
	*till
	Date     string
	Totals   []lending.TypeTotal
	Net      int64
	Txns     []*openflex.Transaction
	MoreTxns bool
	// Settles is what the store's day will settle for (nil without settlements).
	Settles *openflex.StoreTotals
}

// tillDay is the store's day (its local calendar day): totals per type,
// the net (captures less returns) and the day's movements, with the
// customer look-up that starts a sale, and its result when ?found= carries
// one (see sealFound).
func (p *Till) tillDay(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	tl, ok := p.scope(w, r, pg)
	if !ok {
		return nil
	}
	token := r.URL.Query().Get("found")
	if token == "" {
		return p.renderDay(w, r, pg, tl, http.StatusOK, nil, false)
	}
	numbers, ok := openFound(pg, p.Now(), token)
	if !ok {
		pg.Flash = "till.found_expired"
		return p.renderDay(w, r, pg, tl, http.StatusOK, nil, false)
	}
	found := []customerView{}
	for _, n := range numbers {
		a, err := p.cfg.Planes[tl.Env].Credit.Account(r.Context(), n)
		if openflex.ErrorCode(err) == openflex.CodeResourceMissing {
			continue // scrubbed since
		}
		if err != nil {
			return err
		}
		found = append(found, viewOf(a))
	}
	return p.renderDay(w, r, pg, tl, http.StatusOK, found, true)
}

func (p *Till) renderDay(w http.ResponseWriter, r *http.Request, pg *web.Page, tl *till, status int, found []customerView, searched bool) error {
	ctx := r.Context()
	loc := tl.Store.Location()
	now := p.Now().In(loc)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	next := day.AddDate(0, 0, 1) // 23 or 25 hours across DST changes
	svc := p.cfg.Planes[tl.Env].Lending
	totals, err := svc.StoreTotals(ctx, pg.Merchant.ID, tl.Store.ID, day, next)
	if err != nil {
		return err
	}
	d := tillDayData{till: tl, Date: day.Format(time.DateOnly), Totals: totals}
	for _, t := range totals {
		switch t.Type {
		case openflex.TxnCapture:
			d.Net += t.Amount
		case openflex.TxnReturn:
			d.Net -= t.Amount
		}
	}
	txns, more, err := svc.Transactions(ctx, pg.Merchant.ID, lending.TransactionFilter{StoreID: tl.Store.ID},
		openflex.ListParams{Limit: 100, CreatedFrom: day, CreatedTo: next})
	if err != nil {
		return err
	}
	for _, t := range txns {
		if !t.Created.Before(day) && t.Created.Before(next) {
			d.Txns = append(d.Txns, t)
		}
	}
	d.MoreTxns = more
	if !pg.IsClerk() { // settlements are the merchant's, not the clerk's
		if d.Settles, err = p.storeSettles(ctx, tl.Env, pg.Merchant.ID, tl.Store.ID, d.Date); err != nil {
			return err
		}
	}
	pg.Title = "till.day_title"
	p.Render(w, pg, status, "till_day", struct {
		tillDayData
		Found    []customerView
		Searched bool
	}{d, found, searched || pg.Form.Submitted()})
	return nil
}

// customerView is all a clerk sees of an account: first name, last
// initial, available credit and status.
type customerView struct {
	Number      string
	Last4       string
	FirstName   string
	LastInitial string
	Available   int64
	Status      openflex.AccountStatus
	Good        bool
}

func viewOf(a *openflex.Account) customerView {
	v := customerView{Number: a.Number, FirstName: a.FirstName, Available: a.Available(), Status: a.Status, Good: a.Status == openflex.AccountNormal}
	if n := len(a.Number); n >= 4 {
		v.Last4 = a.Number[n-4:]
	}
	if r, _ := utf8.DecodeRuneInString(a.LastName); r != utf8.RuneError {
		v.LastInitial = strings.ToUpper(string(r)) + "."
	}
	return v
}

// tillLookup finds a customer by account number, or by first and last
// name and date of birth (and postal code).
func (p *Till) tillLookup(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	tl, ok := p.scope(w, r, pg)
	if !ok {
		return nil
	}
	f, svc := pg.Form, p.cfg.Planes[tl.Env].Credit
	var accts []*openflex.Account
	var err error
	if number := digitsOnly(f.Get("account_number")); number != "" {
		var a *openflex.Account
		a, err = svc.Account(r.Context(), number)
		if err == nil {
			accts = []*openflex.Account{a}
		}
	} else if f.Get("first_name") == "" && f.Get("last_name") == "" && f.Get("date_of_birth") == "" {
		f.Fail("account_number", pg.T("till.err.lookup_empty"))
	} else {
		accts, err = svc.Search(r.Context(), f.Get("first_name"), f.Get("last_name"), f.Get("date_of_birth"), f.Get("postal_code"))
	}
	var e *openflex.Error
	switch {
	case openflex.ErrorCode(err) == openflex.CodeResourceMissing:
		err = nil // none found: the page says so
	case errors.As(err, &e) && e.Code != openflex.CodeInternal:
		for _, fe := range e.Fields {
			f.Fail(fe.Param, pg.T("till.err.field_"+fe.Param))
		}
		if len(e.Fields) == 0 {
			f.Fail("account_number", pg.T("till.err.field_account_number"))
		}
		err = nil
	}
	if err != nil {
		return err
	}
	if !f.OK() {
		return p.renderDay(w, r, pg, tl, http.StatusBadRequest, nil, true)
	}
	numbers := []string{}
	for _, a := range accts {
		numbers = append(numbers, a.Number)
	}
	return web.Redirect(w, r, tl.Base+"?found="+sealFound(pg, p.Now(), numbers))
}

// saleData is the sale screen: one customer, and the step reached.
type saleData struct {
	*till
	Customer customerView
	// Step is "code" (enter the code), "amount" (quote), "options", or
	// "over" (the verification was used, locked or expired).
	Step         string
	Verification *openflex.Verification
	VerifyID     string
	Amount       int64
	AmountText   string
	Options      []optionView
	// HasRegular: a plan on the account's regular terms is offered, so it
	// is the "no plan" choice (checked first), not a second one.
	HasRegular bool
	Nonce      string
}

type optionView struct {
	Value      string // plan id and term, "plan:months"
	Name       string
	Months     int
	Monthly    int64
	APR        string
	Total      int64
	Cost       int64
	Disclosure string
	Regular    bool
}

// account reloads the sale's account from the hidden field.
func (p *Till) account(ctx context.Context, tl *till, number string) (*openflex.Account, error) {
	a, err := p.cfg.Planes[tl.Env].Credit.Account(ctx, number)
	if openflex.ErrorCode(err) == openflex.CodeParameterInvalid {
		return nil, openflex.NotFound("account", number)
	}
	return a, err
}

func (p *Till) renderSale(w http.ResponseWriter, pg *web.Page, status int, d *saleData) error {
	pg.Title = "till.sale_title"
	p.Render(w, pg, status, "till_sale", d)
	return nil
}

// tillStartVerify sends the customer a code by sms or email.
func (p *Till) tillStartVerify(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	tl, ok := p.scope(w, r, pg)
	if !ok {
		return nil
	}
	a, err := p.account(r.Context(), tl, pg.Form.Get("account"))
	if err != nil {
		return err
	}
	channel := pg.Form.Get("channel")
	if channel != "email" {
		channel = "sms"
	}
	v, err := p.cfg.Planes[tl.Env].Credit.StartVerification(r.Context(), pg.Merchant.ID, credit.TillBudget(pg.Merchant.ID), a.Number, channel)
	if openflex.ErrorCode(err) == openflex.CodeUnavailable {
		pg.Form.Fail("channel", pg.T("till.err.send_failed"))
		return p.renderDay(w, r, pg, tl, http.StatusServiceUnavailable, []customerView{viewOf(a)}, true)
	}
	if openflex.ErrorCode(err) == openflex.CodeRateLimited {
		pg.Form.Fail("channel", pg.T("till.err.rate_limited", openflex.RetryIn(retryAfter(err), pg.Lang)))
		return p.renderDay(w, r, pg, tl, http.StatusTooManyRequests, []customerView{viewOf(a)}, true)
	}
	if err != nil {
		return err
	}
	return web.Redirect(w, r, p.salePath(tl, v.ID))
}

func (p *Till) salePath(tl *till, verificationID string) string {
	return tl.Base + "/sale/" + url.PathEscape(verificationID)
}

// tillSale is a sale's screen at the step its verification has reached:
// the code while it is pending; once passed, the amount and, with
// ?amount=, the financing options. A verification used, locked or expired
// says so and leads back to the day.
func (p *Till) tillSale(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	tl, ok := p.scope(w, r, pg)
	if !ok {
		return nil
	}
	svc := p.cfg.Planes[tl.Env].Credit
	v, err := svc.Verification(r.Context(), pg.Merchant.ID, r.PathValue("verification"))
	if err != nil {
		return err
	}
	a, err := p.account(r.Context(), tl, v.AccountNumber)
	if err != nil {
		return err
	}
	d := &saleData{till: tl, Customer: viewOf(a), Verification: v, VerifyID: v.ID}
	switch {
	case svc.Usable(v) != nil:
		d.Step = "over"
		return p.renderSale(w, pg, http.StatusOK, d)
	case v.Status == openflex.VerificationPending:
		d.Step = "code"
		return p.renderSale(w, pg, http.StatusOK, d)
	}
	d.Step, d.AmountText = "amount", r.URL.Query().Get("amount")
	if d.AmountText == "" {
		return p.renderSale(w, pg, http.StatusOK, d)
	}
	amount, ok := parseCents(d.AmountText)
	switch {
	case !ok:
		pg.Form.Fail("amount", pg.T("till.err.amount"))
	case amount > a.Available():
		pg.Form.Fail("amount", pg.T("till.err.insufficient_credit", openflex.FormatCAD(a.Available(), pg.Lang)))
	}
	if !pg.Form.OK() {
		return p.renderSale(w, pg, http.StatusBadRequest, d)
	}
	d.Amount, d.Step = amount, "options"
	if err := p.fillOptions(r.Context(), pg, d, a); err != nil {
		return err
	}
	return p.renderSale(w, pg, http.StatusOK, d)
}

// tillCheckVerify checks the code the customer reads out.
func (p *Till) tillCheckVerify(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	tl, ok := p.scope(w, r, pg)
	if !ok {
		return nil
	}
	f := pg.Form
	a, err := p.account(r.Context(), tl, f.Get("account"))
	if err != nil {
		return err
	}
	d := &saleData{till: tl, Customer: viewOf(a), Step: "code", VerifyID: f.Get("verification")}
	code := digitsOnly(f.Get("code"))
	if len(code) != 6 {
		f.Fail("code", pg.T("till.err.code_shape"))
		return p.renderSale(w, pg, http.StatusBadRequest, d)
	}
	err = p.cfg.Planes[tl.Env].Credit.CheckVerification(r.Context(), pg.Merchant.ID, d.VerifyID, code, a.Number)
	switch openflex.ErrorCode(err) {
	case "":
		return web.Redirect(w, r, p.salePath(tl, d.VerifyID))
	case openflex.CodeVerifyFailed, openflex.CodeResourceMissing:
		f.Fail("code", pg.T("till.err.verification_failed"))
		return p.renderSale(w, pg, http.StatusBadRequest, d)
	case openflex.CodeRateLimited:
		f.Fail("code", pg.T("till.err.rate_limited", openflex.RetryIn(retryAfter(err), pg.Lang)))
		return p.renderSale(w, pg, http.StatusTooManyRequests, d)
	}
	return err
}

// fillOptions quotes the plans this account may use at this store, and
// draws the nonce of the authorize form.
func (p *Till) fillOptions(ctx context.Context, pg *web.Page, d *saleData, a *openflex.Account) error {
	all, err := p.cfg.Catalog.Plans(ctx, d.Env, pg.Merchant.ID)
	if err != nil {
		return err
	}
	opts, err := plans.Options(all, d.Env, a, d.Store.Province, d.Amount, pg.Lang)
	if err != nil {
		return err
	}
	d.Options = nil
	for _, o := range opts {
		d.Options = append(d.Options, optionView{Value: o.Plan.ID + ":" + strconv.Itoa(o.Term.Months), Name: o.Plan.NameIn(pg.Lang), Months: o.Term.Months,
			Monthly: o.Quote.MonthlyPayment, APR: finance.FormatPercent(o.Quote.APR, pg.Lang), Total: o.Quote.TotalToPay,
			Cost: o.Quote.TotalCostOfBorrowing, Disclosure: o.Quote.Disclosure, Regular: o.Quote.Terms.Category == finance.Regular})
		d.HasRegular = d.HasRegular || o.Quote.Terms.Category == finance.Regular
	}
	d.Nonce = newNonce()
	return nil
}

// digitsOnly drops the spaces and dashes people type in numbers.
func digitsOnly(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\u00a0' {
			return -1
		}
		return r
	}, s)
	return s
}

// storeSettles is what a store's business date will settle for: its part
// of the merchant's open settlement of that date (nil when settlements are
// off or the day has no lines yet).
func (p *Till) storeSettles(ctx context.Context, env openflex.Environment, merchantID, storeID, date string) (*openflex.StoreTotals, error) {
	if p.cfg.Planes[env].Settlements == nil {
		return nil, nil
	}
	view, err := p.cfg.Planes[env].Settlements.Open(ctx, merchantID)
	if err != nil {
		return nil, err
	}
	for _, st := range view.Settlements {
		if st.BusinessDate != date {
			continue
		}
		for i := range st.Stores {
			if st.Stores[i].StoreID == storeID {
				return &st.Stores[i], nil
			}
		}
	}
	return nil, nil
}

// parseCents reads a positive dollar amount as clerks type it, in English
// or French (openflex.ParseDollars).
func parseCents(s string) (int64, bool) {
	cents, ok := openflex.ParseDollars(s)
	return cents, ok && cents > 0
}

// retryAfter is how long a rate_limited error asks to wait.
func retryAfter(err error) time.Duration {
	var e *openflex.Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}
