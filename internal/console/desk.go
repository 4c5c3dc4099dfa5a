package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/customer"
	"github.com/openflex/openflex/internal/pad"
	"github.com/openflex/openflex/internal/plane"
	"github.com/openflex/openflex/internal/servicing"
	"github.com/openflex/openflex/internal/servicing/engine"
	"github.com/openflex/openflex/internal/users"
	"github.com/openflex/openflex/internal/web"
)

// The lender's account desk: staff find a customer's account by its number
// or by name and date of birth (the credit store's keyed identity index,
// never a scan of sealed data), see everything about it on one page and
// act on it. Every action takes a reason and is audited with the staff
// member's identity. Agents read, write notes and freeze; administrators
// also unfreeze, close, record or reverse payments, change the credit
// limit, waive fees and interest and mark debits returned — the routes of
// those actions are Admin, so an agent's post is refused by the kit before
// any handler runs.

// DeskData is one environment's data plane as the desk reads it beyond
// the services: staff notes, the account's money and standing history,
// the applications that opened it. *sqlstore.DB provides it.
type DeskData interface {
	AddAccountNote(ctx context.Context, n *openflex.AccountNote) error
	AccountNotes(ctx context.Context, number string) ([]*openflex.AccountNote, error)
	AccountHistory(ctx context.Context, number string) (*engine.History, error)
	AccountApplications(ctx context.Context, number string) ([]*openflex.Application, error)
	// AccountTransactions lists the account's money movements, newest
	// first (the charges a waiver picks from).
	AccountTransactions(ctx context.Context, number string, limit int) ([]*openflex.Transaction, error)
	Waivers(ctx context.Context, number string) ([]*engine.Waiver, error)
	// Debits lists the account's pre-authorized debits, newest first.
	Debits(ctx context.Context, number string) ([]*pad.Debit, error)
	// AccountMessages lists the messages sent to the customer, newest
	// first.
	AccountMessages(ctx context.Context, number string, limit int) ([]*customer.Message, error)
	// OneTimePayments lists the account's one-time payments from a bank
	// account (the Pay page's), newest first.
	OneTimePayments(ctx context.Context, number string) ([]*pad.OneTime, error)
	// StatementDeliveries lists the account's statement delivery choices
	// (e-statement consents and their withdrawals), newest first.
	StatementDeliveries(ctx context.Context, number string) ([]*engine.StatementDelivery, error)
}

// maxReason bounds a reason or a note, as the engine bounds its reasons.
const (
	maxReason = 500
	maxNote   = 2000
)

// hasDesk reports whether the desk is served: every plane services
// accounts, finds them (credit) and keeps their consents (lending).
func (p *Console) hasDesk() bool {
	return p.cfg.Desk != nil && p.has(func(pl *plane.Plane) bool { return pl.Servicing != nil && pl.Credit != nil && pl.Lending != nil })
}

func (p *Console) deskRoutes() {
	m := p.Site
	m.Handle("GET /portal/admin/accounts", p.Staff(p.deskSearch))
	m.Handle("GET /portal/admin/accounts/{env}/{number}", p.Staff(p.deskAccount))
	m.Handle("GET /portal/admin/accounts/{env}/{number}/statements/{id}", p.Staff(p.deskStatement))
	m.Handle("POST /portal/admin/accounts/{env}/{number}/notes", p.Staff(p.deskNote))
	m.Handle("POST /portal/admin/accounts/{env}/{number}/freeze", p.Staff(p.deskStatus(servicing.ActionFreeze)))
	m.Handle("POST /portal/admin/accounts/{env}/{number}/unfreeze", p.Admin(p.deskStatus(servicing.ActionUnfreeze)))
	m.Handle("POST /portal/admin/accounts/{env}/{number}/close", p.Admin(p.deskStatus(servicing.ActionClose)))
	m.Handle("POST /portal/admin/accounts/{env}/{number}/payments", p.Admin(p.deskPay))
	m.Handle("POST /portal/admin/accounts/{env}/{number}/payments/{id}/reverse", p.Admin(p.deskReverse))
	m.Handle("POST /portal/admin/accounts/{env}/{number}/limit", p.Admin(p.deskLimit))
	m.Handle("POST /portal/admin/accounts/{env}/{number}/waivers", p.Admin(p.deskWaive))
	m.Handle("POST /portal/admin/accounts/{env}/{number}/debits/{id}/return", p.Admin(p.deskReturnDebit))
	m.Handle("POST /portal/admin/accounts/{env}/{number}/one-time/{id}/cancel", p.Admin(p.deskCancelOneTime))
}

type deskSearchData struct {
	Env                      string
	Number, First, Last, DOB string
	Searched                 bool
	Accounts                 []*openflex.Account
}

// deskSearch finds accounts. A number opens its account; a full name and
// date of birth list the accounts of that identity (there may be several:
// a separate account opened on purpose).
func (p *Console) deskSearch(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	q := r.URL.Query()
	d := deskSearchData{Env: q.Get("env"), Number: strings.ReplaceAll(strings.TrimSpace(q.Get("number")), " ", ""),
		First: strings.TrimSpace(q.Get("first_name")), Last: strings.TrimSpace(q.Get("last_name")), DOB: strings.TrimSpace(q.Get("date_of_birth"))}
	env, ok := openflex.ParseEnvironment(d.Env)
	if !ok {
		env, d.Env = openflex.Production, string(openflex.Production)
	}
	status := http.StatusOK
	switch {
	case d.Number != "":
		d.Searched = true
		a, err := p.cfg.Planes[env].Credit.Account(r.Context(), d.Number)
		switch {
		case err == nil:
			return web.Redirect(w, r, deskPath(env, a.Number))
		case openflex.ErrorCode(err) == openflex.CodeResourceMissing:
		case openflex.ErrorCode(err) == openflex.CodeParameterInvalid:
			pg.Form.Fail("number", pg.T("desk.err_number"))
			status = http.StatusBadRequest
		default:
			return err
		}
	case d.First != "" || d.Last != "" || d.DOB != "":
		d.Searched = true
		found, err := p.cfg.Planes[env].Credit.Search(r.Context(), d.First, d.Last, d.DOB, "")
		var e *openflex.Error
		switch {
		case err == nil:
			d.Accounts = found
		case errors.As(err, &e) && (e.Code == openflex.CodeParameterMissing || e.Code == openflex.CodeParameterInvalid):
			pg.Form.Fail(e.Param, pg.T("desk.err_"+e.Param))
			status = http.StatusBadRequest
		default:
			return err
		}
	}
	pg.Title, pg.Nav = "desk.title", "desk"
	p.Render(w, pg, status, "desk_search", d)
	return nil
}

func deskPath(env openflex.Environment, number string) string {
	return "/portal/admin/accounts/" + string(env) + "/" + url.PathEscape(number)
}

type deskData struct {
	Env          openflex.Environment
	View         *engine.AccountView
	Available    int64
	Segments     []*servicing.Segment
	Statements   []*engine.StatementView
	Payments     []*engine.Payment
	Changes      []*engine.StatusChange
	Consents     []*openflex.AccountConsent
	Applications []*openflex.Application
	Notes        []*openflex.AccountNote
	Audit        []openflex.AuditEntry
	// Charges are the account's fees and interest charges, with what is
	// left of each to waive; Waivers those already waived.
	Charges  []deskCharge
	Waivers  []*engine.Waiver
	Debits   []*pad.Debit
	Messages []*customer.Message
	// OneTime are the customer's one-time payments from a bank account,
	// newest first; PlanName names the plan one is directed at.
	OneTime  []*pad.OneTime
	PlanName map[string]string
	// Deliveries are the statement delivery choices, newest first: the
	// first is in force (none: paper, never chose).
	Deliveries []*engine.StatementDelivery
	// WaiveKey identifies this drawing of the waiver form: sent twice, it
	// waives once.
	WaiveKey string
	// Draws is the lowest limit a lowering may set: what the account
	// draws (owed and held) in whole dollars. MaxLimit is the highest limit staff may give.
	Draws, MaxLimit int64
	// Failed is the action whose form was refused; its fields show the
	// typed values and the errors.
	Failed string
	// Admin reports whether the user may take an administrator's actions:
	// the page offers an agent only what it may do.
	Admin bool
}

// deskCharge is a fee or interest charge and what is left of it to waive.
type deskCharge struct {
	Txn          *openflex.Transaction
	Waived, Left int64
}

// ID is the id of a form's field: the field's name on the refused form,
// so the page's error summary links to it; prefixed by its form elsewhere.
func (d deskData) ID(form, field string) string {
	if form == d.Failed {
		return field
	}
	return form + "-" + field
}

// Can reports whether the account's standing allows action.
func (d deskData) Can(action string) bool {
	s := d.View.Account.Status
	switch action {
	case "freeze":
		return s != openflex.AccountFrozen && s != openflex.AccountClosed
	case "unfreeze":
		return s == openflex.AccountFrozen
	case "close":
		return s != openflex.AccountClosed
	case "limit":
		return s != openflex.AccountClosed && s != openflex.AccountChargedOff
	case "waive":
		for _, c := range d.Charges {
			if c.Left > 0 {
				return true
			}
		}
	}
	return false
}

// deskEnv reads the page's environment and account number; anything else
// is a page that does not exist.
func (p *Console) deskEnv(r *http.Request) (openflex.Environment, string, error) {
	env, ok := openflex.ParseEnvironment(r.PathValue("env"))
	number := r.PathValue("number")
	if !ok || !p.hasDesk() || !openflex.ValidAccountNumber(number) {
		return "", "", openflex.NotFound("page", r.URL.Path)
	}
	return env, number, nil
}

func (p *Console) deskAccount(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	env, number, err := p.deskEnv(r)
	if err != nil {
		return err
	}
	return p.renderDesk(w, r, pg, env, number, http.StatusOK, "")
}

func (p *Console) renderDesk(w http.ResponseWriter, r *http.Request, pg *web.Page, env openflex.Environment, number string, status int, failed string) error {
	ctx := r.Context()
	pl, data := p.cfg.Planes[env], p.cfg.Desk(env)
	v, err := pl.Servicing.Account(ctx, number)
	if err != nil {
		return err
	}
	d := deskData{Env: env, View: v, Available: v.Account.Available(), Failed: failed, Admin: pg.IsAdmin()}
	if v.State != nil {
		d.Segments = v.State.Segments
	}
	if d.Statements, _, err = pl.Servicing.Statements(ctx, number, openflex.ListParams{Limit: 24}); err != nil {
		return err
	}
	h, err := data.AccountHistory(ctx, number)
	if err != nil {
		return err
	}
	for i := len(h.Payments) - 1; i >= 0; i-- { // newest first
		d.Payments = append(d.Payments, h.Payments[i])
	}
	for i := len(h.StatusChanges) - 1; i >= 0; i-- {
		d.Changes = append(d.Changes, h.StatusChanges[i])
	}
	if d.Consents, err = pl.Lending.Consents(ctx, number); err != nil {
		return err
	}
	if d.Applications, err = data.AccountApplications(ctx, number); err != nil {
		return err
	}
	if d.Notes, err = data.AccountNotes(ctx, number); err != nil {
		return err
	}
	if d.Audit, err = p.cfg.Control.AuditOf(ctx, number, 100); err != nil {
		return err
	}
	if err := p.deskMoney(ctx, &d, data, pl, number); err != nil {
		return err
	}
	pg.Title, pg.Nav = "desk.account_title", "desk"
	p.Render(w, pg, status, "desk_account", d)
	return nil
}

// deskStatement serves a kept statement's text as the customer received
// it.
func (p *Console) deskStatement(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	env, number, err := p.deskEnv(r)
	if err != nil {
		return err
	}
	st, err := p.cfg.Planes[env].Servicing.Statement(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if st.Stored.AccountNumber != number {
		return openflex.NotFound("statement", r.PathValue("id"))
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write([]byte(st.Stored.Text))
	return err
}

// staffID is who the audit log and the account's records name: the role
// and the user id ("agent:usr_…").
func staffID(u *users.User) string { return string(u.Role) + ":" + u.ID }

// reason reads a required reason of at most max characters; a failure is
// recorded on the form's field.
func reason(pg *web.Page, field string, max int) string {
	s := pg.Form.Get(field)
	switch {
	case s == "":
		pg.Form.Fail(field, pg.T("desk.err_reason"))
	case utf8.RuneCountInString(s) > max:
		pg.Form.Fail(field, pg.T("desk.err_reason_long", max))
	}
	return s
}

// audit records a desk action about an account.
func (p *Console) audit(r *http.Request, pg *web.Page, env openflex.Environment, number, action, detail string) error {
	return p.cfg.Control.Audit(r.Context(), openflex.AuditEntry{ID: openflex.NewID("aud"), At: p.Now(), Actor: staffID(pg.User),
		Action: action, ObjectID: number, Detail: string(env) + ": " + detail, RemoteAddr: web.RemoteHost(r)})
}

func (p *Console) done(w http.ResponseWriter, r *http.Request, env openflex.Environment, number, done string) error {
	return web.Redirect(w, r, deskPath(env, number)+"?done="+done)
}

func (p *Console) deskNote(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	env, number, err := p.deskEnv(r)
	if err != nil {
		return err
	}
	body := reason(pg, "note", maxNote)
	if !pg.Form.OK() {
		return p.renderDesk(w, r, pg, env, number, http.StatusBadRequest, "note")
	}
	if _, err := p.cfg.Planes[env].Credit.Account(r.Context(), number); err != nil {
		return err
	}
	n := &openflex.AccountNote{ID: openflex.NewID("note"), AccountNumber: number, Author: staffID(pg.User), Body: body, Created: p.Now()}
	if err := p.cfg.Desk(env).AddAccountNote(r.Context(), n); err != nil {
		return err
	}
	if err := p.audit(r, pg, env, number, "account.note_added", n.ID); err != nil {
		return err
	}
	return p.done(w, r, env, number, "desk_note")
}

// deskStatus freezes, unfreezes or closes the account through the
// servicing engine, which records the move, its reason and the staff
// member on the account's status history and tells merchants.
func (p *Console) deskStatus(action servicing.StaffAction) web.Handler {
	return func(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
		env, number, err := p.deskEnv(r)
		if err != nil {
			return err
		}
		why := reason(pg, "reason", maxReason)
		if !pg.Form.OK() {
			return p.renderDesk(w, r, pg, env, number, http.StatusBadRequest, string(action))
		}
		a, err := p.cfg.Planes[env].Servicing.StaffAction(r.Context(), number, action, staffID(pg.User)+" "+pg.User.Email, why)
		if err != nil {
			return err
		}
		if err := p.audit(r, pg, env, number, "account."+string(action), string(a.Status)+": "+why); err != nil {
			return err
		}
		return p.done(w, r, env, number, "desk_"+string(action))
	}
}

// deskPay records a payment the lender received (a bank bill payment or a
// cheque). The bank's or the cheque's reference makes the same payment
// recorded twice answer the first, as the engine keeps it.
func (p *Console) deskPay(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	env, number, err := p.deskEnv(r)
	if err != nil {
		return err
	}
	amount, ok := openflex.ParseDollars(pg.Form.Get("amount"))
	if !ok || amount <= 0 {
		pg.Form.Fail("amount", pg.T("desk.err_amount"))
	}
	channel := pg.Form.Get("channel")
	if channel != engine.ChannelBank && channel != engine.ChannelCheque {
		pg.Form.Fail("channel", pg.T("desk.err_channel"))
	}
	ref := pg.Form.Get("reference")
	if ref == "" {
		pg.Form.Fail("reference", pg.T("desk.err_reference"))
	}
	why := reason(pg, "reason", maxReason)
	if !pg.Form.OK() {
		return p.renderDesk(w, r, pg, env, number, http.StatusBadRequest, "pay")
	}
	res, err := p.cfg.Planes[env].Servicing.Pay(r.Context(), engine.PaymentRequest{AccountNumber: number, Amount: amount, Channel: channel, Reference: ref})
	if err != nil {
		return err
	}
	if err := p.audit(r, pg, env, number, "payment.recorded", res.Payment.ID+" "+openflex.FormatCAD(amount, "en")+" "+channel+" "+ref+": "+why); err != nil {
		return err
	}
	return p.done(w, r, env, number, "desk_pay")
}

// deskReverse reverses a payment: returned (a cheque or debit that
// bounced: the NSF fee is charged) or a correction.
func (p *Console) deskReverse(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	env, number, err := p.deskEnv(r)
	if err != nil {
		return err
	}
	why := reason(pg, "reason", maxReason)
	if !pg.Form.OK() {
		return p.renderDesk(w, r, pg, env, number, http.StatusBadRequest, "reverse-"+r.PathValue("id"))
	}
	svc := p.cfg.Planes[env].Servicing
	pay, err := svc.Payment(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if pay.AccountNumber != number {
		return openflex.NotFound("payment", pay.ID)
	}
	returned := pg.Form.Get("returned") == "yes"
	res, err := svc.Reverse(r.Context(), pay.ID, returned, why)
	if err != nil {
		return err
	}
	kind := "corrected"
	if returned {
		kind = "returned"
	}
	if err := p.audit(r, pg, env, number, "payment.reversed", res.Payment.ID+" "+kind+": "+why); err != nil {
		return err
	}
	return p.done(w, r, env, number, "desk_reverse")
}

// deskMoney reads what the account page shows of the account's charges,
// waivers, debits and messages.
func (p *Console) deskMoney(ctx context.Context, d *deskData, data DeskData, pl *plane.Plane, number string) error {
	txns, err := data.AccountTransactions(ctx, number, 200)
	if err != nil {
		return err
	}
	if d.Waivers, err = data.Waivers(ctx, number); err != nil {
		return err
	}
	waived := map[string]int64{}
	for _, w := range d.Waivers {
		waived[w.ChargeID] += w.Amount
	}
	for _, t := range txns {
		if t.Type == openflex.TxnFee || t.Type == openflex.TxnInterest {
			d.Charges = append(d.Charges, deskCharge{Txn: t, Waived: waived[t.ID], Left: max(0, t.Amount-waived[t.ID])})
		}
	}
	if d.Debits, err = data.Debits(ctx, number); err != nil {
		return err
	}
	if d.Messages, err = data.AccountMessages(ctx, number, 50); err != nil {
		return err
	}
	if d.OneTime, err = data.OneTimePayments(ctx, number); err != nil {
		return err
	}
	d.PlanName = map[string]string{}
	for _, sg := range d.Segments {
		d.PlanName[sg.ID] = sg.Description
		if sg.Description == "" {
			d.PlanName[sg.ID] = sg.ID
		}
	}
	if d.Deliveries, err = data.StatementDeliveries(ctx, number); err != nil {
		return err
	}
	a := d.View.Account
	d.Draws, d.MaxLimit = lowestLimit(a), p.maxLimit(pl)
	d.WaiveKey = openflex.NewID("wk")
	return nil
}
