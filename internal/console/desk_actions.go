package console

import (
	"errors"
	"net/http"
	"strings"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/pad"
	"github.com/openflex/openflex/internal/plane"
	"github.com/openflex/openflex/internal/servicing/engine"
	"github.com/openflex/openflex/internal/web"
)

// The account desk's administrator actions on an account's money: a new
// credit limit, a fee or interest charge waived, a debit the bank
// returned. Each is the servicing engine's (or the PAD service's)
// operation, which also tells the customer; the console reads the form,
// calls it once and audits it with the staff member's identity.

// refused records a refusal of the engine on the form's field when it is
// the user's to correct (a field, or the account's standing), with msg in
// the page's language; it reports whether it did.
func refused(pg *web.Page, err error, field, msg string) bool {
	var e *openflex.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code {
	case openflex.CodeParameterInvalid, openflex.CodeParameterMissing:
	case openflex.CodeAccountStatusInvalid, openflex.CodePaymentNotReversible, openflex.CodeDebitNotReturnable:
		msg = pg.T("desk.err_not_now")
	default:
		return false
	}
	pg.Form.Fail(field, msg)
	return true
}

func (p *Console) maxLimit(pl *plane.Plane) int64 {
	if m := pl.Servicing.MaxCreditLimit; m > 0 {
		return m
	}
	return engine.DefaultMaxCreditLimit
}

// lowestLimit is the lowest limit a lowering may set: what the account
// draws (owed and held), rounded up to the whole dollars limits are in, so
// the figure the staff member is told can be typed as it is.
func lowestLimit(a *openflex.Account) int64 {
	return (max(0, a.Owed()+a.Held) + 99) / 100 * 100
}

// deskLimit sets a new credit limit (see engine.Service.ChangeLimit).
func (p *Console) deskLimit(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	env, number, err := p.deskEnv(r)
	if err != nil {
		return err
	}
	ctx, pl := r.Context(), p.cfg.Planes[env]
	limitMsg := func() string {
		a, err := pl.Credit.Account(ctx, number)
		if err != nil {
			return pg.T("desk.err_limit", openflex.FormatCAD(0, pg.Lang), openflex.FormatCAD(p.maxLimit(pl), pg.Lang))
		}
		return pg.T("desk.err_limit", openflex.FormatCAD(lowestLimit(a), pg.Lang), openflex.FormatCAD(p.maxLimit(pl), pg.Lang))
	}
	limit, ok := openflex.ParseDollars(pg.Form.Get("credit_limit"))
	if !ok {
		pg.Form.Fail("credit_limit", limitMsg())
	}
	why := reason(pg, "reason", maxReason)
	if !pg.Form.OK() {
		return p.renderDesk(w, r, pg, env, number, http.StatusBadRequest, "limit")
	}
	asked := pg.Form.Get("customer_requested") == "yes"
	res, err := pl.Servicing.ChangeLimit(ctx, engine.LimitChange{AccountNumber: number, Limit: limit, Staff: staffID(pg.User) + " " + pg.User.Email,
		Reason: why, CustomerRequested: asked})
	var e *openflex.Error
	if errors.As(err, &e) && e.Param == "customer_requested" {
		pg.Form.Fail("customer_requested", pg.T("desk.err_customer_requested"))
		return p.renderDesk(w, r, pg, env, number, http.StatusBadRequest, "limit")
	}
	if refused(pg, err, "credit_limit", limitMsg()) {
		return p.renderDesk(w, r, pg, env, number, http.StatusBadRequest, "limit")
	}
	if err != nil {
		return err
	}
	if err := p.audit(r, pg, env, number, "account.credit_limit_changed",
		openflex.FormatCAD(res.Previous, "en")+" → "+openflex.FormatCAD(limit, "en")+requested(asked)+": "+why); err != nil {
		return err
	}
	return p.done(w, r, env, number, "desk_limit")
}

// deskWaive waives all or part of a fee or interest charge (see
// engine.Service.Waive). The form carries a key made when the page was
// drawn, so the same form sent twice waives once.
func (p *Console) deskWaive(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	env, number, err := p.deskEnv(r)
	if err != nil {
		return err
	}
	ctx, pl := r.Context(), p.cfg.Planes[env]
	charge := pg.Form.Get("charge")
	if charge == "" {
		pg.Form.Fail("charge", pg.T("desk.err_charge"))
	}
	amount, ok := openflex.ParseDollars(pg.Form.Get("amount"))
	if !ok || amount <= 0 {
		pg.Form.Fail("amount", pg.T("desk.err_waive_amount"))
	}
	why := reason(pg, "reason", maxReason)
	key := pg.Form.Get("key")
	if !pg.Form.OK() {
		return p.renderDesk(w, r, pg, env, number, http.StatusBadRequest, "waive")
	}
	res, err := pl.Servicing.Waive(ctx, engine.WaiveRequest{AccountNumber: number, ChargeID: charge, Amount: amount,
		Staff: staffID(pg.User) + " " + pg.User.Email, Reason: why, Key: key})
	var e *openflex.Error
	switch {
	case errors.As(err, &e) && e.Param == "key":
		pg.Form.Fail("amount", pg.T("desk.err_waive_again"))
		return p.renderDesk(w, r, pg, env, number, http.StatusBadRequest, "waive")
	case openflex.ErrorCode(err) == openflex.CodeResourceMissing || (errors.As(err, &e) && e.Param == "charge"):
		pg.Form.Fail("charge", pg.T("desk.err_charge"))
		return p.renderDesk(w, r, pg, env, number, http.StatusBadRequest, "waive")
	case refused(pg, err, "amount", pg.T("desk.err_waive_amount")):
		return p.renderDesk(w, r, pg, env, number, http.StatusBadRequest, "waive")
	case err != nil:
		return err
	}
	wv := res.Waiver
	if res.Again { // the same form sent twice: recorded, audited and told once
		return p.done(w, r, env, number, "desk_waive")
	}
	if err := p.audit(r, pg, env, number, "account.charge_waived",
		wv.ID+" "+openflex.FormatCAD(wv.Amount, "en")+" of "+wv.Kind+" "+wv.ChargeID+": "+why); err != nil {
		return err
	}
	return p.done(w, r, env, number, "desk_waive")
}

// deskReturnDebit marks a debit sent to the bank returned: the PAD
// service reverses its payment through the engine (the NSF fee, the
// standing) and tells the customer.
func (p *Console) deskReturnDebit(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	env, number, err := p.deskEnv(r)
	if err != nil {
		return err
	}
	ctx, pl := r.Context(), p.cfg.Planes[env]
	if pl.PAD == nil {
		return openflex.NotFound("page", r.URL.Path)
	}
	id := r.PathValue("id")
	amount, err := p.debitAmount(r, env, number, id)
	if err != nil {
		return err
	}
	form := "return-" + id
	why := reason(pg, "reason", maxReason)
	if !pg.Form.OK() {
		return p.renderDesk(w, r, pg, env, number, http.StatusBadRequest, form)
	}
	fee, err := pl.PAD.Return(ctx, id, staffID(pg.User)+" "+pg.User.Email, why)
	if refused(pg, err, "reason", pg.T("desk.err_not_now")) {
		return p.renderDesk(w, r, pg, env, number, http.StatusBadRequest, form)
	}
	if err != nil {
		return err
	}
	if err := p.audit(r, pg, env, number, "debit.returned",
		id+" "+openflex.FormatCAD(amount, "en")+" (NSF fee "+openflex.FormatCAD(fee, "en")+"): "+why); err != nil {
		return err
	}
	return p.done(w, r, env, number, "desk_debit_returned")
}

// debitAmount finds the account's debit id — an automatic payment's, or a
// one-time payment's (pad.OneTimePrefix) — and returns its amount; another
// account's is not found.
func (p *Console) debitAmount(r *http.Request, env openflex.Environment, number, id string) (int64, error) {
	ctx, data := r.Context(), p.cfg.Desk(env)
	if strings.HasPrefix(id, pad.OneTimePrefix+"_") {
		ones, err := data.OneTimePayments(ctx, number)
		if err != nil {
			return 0, err
		}
		for _, o := range ones {
			if o.ID == id {
				return o.Amount, nil
			}
		}
		return 0, openflex.NotFound("one-time payment", id)
	}
	debits, err := data.Debits(ctx, number)
	if err != nil {
		return 0, err
	}
	for _, d := range debits {
		if d.ID == id {
			return d.Amount, nil
		}
	}
	return 0, openflex.NotFound("debit", id)
}

// deskCancelOneTime cancels a one-time payment not yet sent to the bank on
// the customer's behalf (they called): the PAD service keeps the reason on
// it and tells the customer.
func (p *Console) deskCancelOneTime(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	env, number, err := p.deskEnv(r)
	if err != nil {
		return err
	}
	ctx, pl, id := r.Context(), p.cfg.Planes[env], r.PathValue("id")
	if pl.PAD == nil || !strings.HasPrefix(id, pad.OneTimePrefix+"_") {
		return openflex.NotFound("one-time payment", id)
	}
	amount, err := p.debitAmount(r, env, number, id)
	if err != nil {
		return err
	}
	form := "cancel-" + id
	why := reason(pg, "reason", maxReason)
	if !pg.Form.OK() {
		return p.renderDesk(w, r, pg, env, number, http.StatusBadRequest, form)
	}
	o, err := pl.PAD.CancelOneTimeFor(ctx, number, id, staffID(pg.User)+" "+pg.User.Email, why)
	if openflex.ErrorCode(err) == openflex.CodeParameterInvalid { // sent to the bank, or cancelled, meanwhile
		pg.Form.Fail("reason", pg.T("desk.err_not_now"))
		return p.renderDesk(w, r, pg, env, number, http.StatusBadRequest, form)
	}
	if err != nil {
		return err
	}
	if err := p.audit(r, pg, env, number, "one_time_payment.cancelled",
		o.ID+" "+openflex.FormatCAD(amount, "en")+" on "+o.DebitOn+": "+why); err != nil {
		return err
	}
	return p.done(w, r, env, number, "desk_one_time_cancelled")
}

// requested is what the audit says of a customer's request for a new
// limit.
func requested(asked bool) string {
	if asked {
		return " (at the customer's request)"
	}
	return ""
}
