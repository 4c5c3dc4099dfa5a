package account

import (
	"net/http"
	"strings"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/customer"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/pad"
)

type autopayData struct {
	Agreement *pad.Agreement
	Choice    string
	Debits    []*pad.Debit
	// Sample is the agreement as the customer would accept it now (shown
	// before they enrol), Form what they typed when it was refused.
	Sample string
	Form   map[string]string
	Fields map[string]bool // the fields in error
	// Confirmation is the written confirmation sent for the agreement
	// (Rule H1), shown as the customer received it.
	Confirmation *customer.Message
	// Ended is set for a closed or charged-off account: it may pay once,
	// never enrol, so the page says so instead of offering the form.
	Ended bool
}

func (h *envRoom) autopayPage(w http.ResponseWriter, r *http.Request, s *customer.Session, status int, d autopayData, msg string) {
	ctx := r.Context()
	a, err := h.svc().PAD.Store.ActiveAgreement(ctx, s.AccountNumber)
	if err != nil {
		h.fail(w, r, s.Language, err)
		return
	}
	d.Agreement = a
	if a != nil {
		d.Choice = pad.ChoiceText(s.Language, a.Choice, a.FixedAmount)
		all, err := h.svc().PAD.Store.Debits(ctx, s.AccountNumber)
		if err != nil {
			h.fail(w, r, s.Language, err)
			return
		}
		for _, db := range all {
			if db.AgreementID == a.ID {
				d.Debits = append(d.Debits, db)
			}
		}
		if d.Confirmation, err = h.confirmation(r, a); err != nil {
			h.fail(w, r, s.Language, err)
			return
		}
	} else {
		acct, err := h.svc().PAD.Accounts.Account(ctx, s.AccountNumber)
		if err != nil {
			h.fail(w, r, s.Language, err)
			return
		}
		d.Ended = acct.Status == openflex.AccountClosed || acct.Status == openflex.AccountChargedOff
		// Dated by the account's day (its test clock's in TRAINING), as the
		// agreement it becomes is.
		today, err := h.svc().Servicing.Today(ctx, s.AccountNumber)
		if err != nil {
			h.fail(w, r, s.Language, err)
			return
		}
		d.Sample = pad.Text(s.Language, h.svc().PAD.Payee, pad.EnrolRequest{AccountNumber: s.AccountNumber, Choice: pad.ChoiceMinimum,
			Bank: openflex.BankAccount{Institution: "000", Transit: "00000", Account: "00000"}}, text(s.Language, "autopay.you"), today.String())
	}
	h.render(w, r, status, "autopay", page{Lang: s.Language, Session: s, Data: d, Error: msg})
}

// confirmation is the written confirmation of agreement a, the message
// that carries its text (messages are dated by the account's clock, a
// test clock's in TRAINING, so the date cannot tell), or nil.
func (h *envRoom) confirmation(r *http.Request, a *pad.Agreement) (*customer.Message, error) {
	if h.svc().Messages == nil {
		return nil, nil
	}
	msgs, err := h.svc().Messages(r.Context(), a.AccountNumber, 20)
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		if m.Kind == pad.MessageConfirmation && strings.Contains(m.Body, a.Text) {
			return m, nil
		}
	}
	return nil, nil
}

func (h *envRoom) autopay(w http.ResponseWriter, r *http.Request) {
	if s := h.active(w, r); s != nil {
		h.autopayPage(w, r, s, http.StatusOK, autopayData{}, "")
	}
}

func (h *envRoom) enrol(w http.ResponseWriter, r *http.Request) {
	s := h.active(w, r)
	if s == nil || !h.csrfOK(w, r, s, "autopay") {
		return
	}
	form := map[string]string{}
	for _, k := range append([]string{"choice", "fixed_amount"}, bankFields...) {
		form[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	req := pad.EnrolRequest{AccountNumber: s.AccountNumber, Choice: pad.Choice(form["choice"]), Language: s.Language,
		Accepted: r.PostFormValue("accepted") == "yes", By: "customer",
		Bank: bankAccount(form)}
	fieldErr := map[string]bool{}
	if req.Choice == pad.ChoiceFixed {
		c, ok := openflex.ParseDollars(form["fixed_amount"])
		if !ok {
			fieldErr["fixed_amount"] = true
		}
		req.FixedAmount = c
	}
	_, err := h.svc().PAD.Enrol(r.Context(), req)
	if openflex.ErrorCode(err) == openflex.CodeAccountStatusInvalid {
		h.autopayPage(w, r, s, http.StatusConflict, autopayData{Form: form}, text(s.Language, "autopay.closed_account"))
		return
	}
	if e := refused(err); e != nil {
		markRefused(e, fieldErr)
	}
	if len(fieldErr) > 0 {
		h.autopayPage(w, r, s, http.StatusUnprocessableEntity, autopayData{Form: form, Fields: fieldErr}, text(s.Language, "autopay.invalid"))
		return
	}
	if err != nil {
		h.fail(w, r, s.Language, err)
		return
	}
	http.Redirect(w, r, h.base+"autopay", http.StatusSeeOther)
}

func (h *envRoom) cancelAutopay(w http.ResponseWriter, r *http.Request) {
	s := h.active(w, r)
	if s == nil || !h.csrfOK(w, r, s, "autopay/cancel") {
		return
	}
	if _, err := h.svc().PAD.Cancel(r.Context(), s.AccountNumber, "customer", "cancelled on the customer's pages"); err != nil &&
		openflex.ErrorCode(err) != openflex.CodeResourceMissing {
		h.fail(w, r, s.Language, err)
		return
	}
	http.Redirect(w, r, h.base+"autopay", http.StatusSeeOther)
}

type merchantRow struct {
	ID, Name, Since string
}

func (h *envRoom) merchants(w http.ResponseWriter, r *http.Request) {
	s := h.active(w, r)
	if s == nil {
		return
	}
	all, err := h.svc().Consents(r.Context(), s.AccountNumber)
	if err != nil {
		h.fail(w, r, s.Language, err)
		return
	}
	var rows []merchantRow
	for _, c := range all {
		if c.RevokedAt.IsZero() {
			rows = append(rows, merchantRow{ID: c.MerchantID, Name: h.svc().MerchantName(r.Context(), c.MerchantID), Since: c.Created.Format("2006-01-02")})
		}
	}
	h.render(w, r, http.StatusOK, "merchants", page{Lang: s.Language, Session: s, Data: rows})
}

func (h *envRoom) revoke(w http.ResponseWriter, r *http.Request) {
	s := h.active(w, r)
	id := r.PathValue("merchant")
	if s == nil || !h.csrfOK(w, r, s, "merchants/"+id+"/revoke") {
		return
	}
	_, err := h.svc().Revoke(r.Context(), lending.RevokeRequest{MerchantID: id, AccountNumber: s.AccountNumber,
		By: openflex.RevokedByCustomer, SignedIn: true, Reason: "revoked on the customer's pages"})
	if err != nil {
		h.fail(w, r, s.Language, err)
		return
	}
	http.Redirect(w, r, h.base+"merchants", http.StatusSeeOther)
}

// csrfOK checks a signed-in form's token, answering 403 when it is wrong.
func (h *envRoom) csrfOK(w http.ResponseWriter, r *http.Request, s *customer.Session, action string) bool {
	if s.CheckCSRF(action, r.PostFormValue("csrf")) {
		return true
	}
	h.render(w, r, http.StatusForbidden, "message", page{Lang: s.Language, Session: s, Error: text(s.Language, "error.csrf")})
	return false
}
