package account

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/customer"
	"github.com/openflex/openflex/internal/pad"
	"github.com/openflex/openflex/internal/servicing"
)

// payChoice is one amount the customer may pay.
type payChoice struct {
	Value, Label string
	Amount       int64
	Plan         string
	// Note says more (what a plan's payoff pays first, the interest
	// waived); Unavailable why it cannot be chosen for the day.
	Note, Unavailable string
}

// payData is the pay page: what is due, the payoffs as of the chosen day,
// the payment form and the one-time payments made.
type payData struct {
	Today, On, Max string
	Statement      *pad.StatementDue
	Payoff         *servicing.Payoff
	Choices        []payChoice
	// OnFile is the masked bank account of the automatic payments'
	// agreement, "" without one; holder its holder.
	OnFile string
	holder string
	Key    string
	Form   map[string]string
	Fields map[string]bool
	// Review is the authorization to accept (the review step), with the
	// amount and bank account it is for.
	Review      string
	ReviewFor   int64
	ReviewBank  string
	ReviewLabel string
	Payments    []*pad.OneTime
	Made        *pad.OneTime
}

func (d *payData) choice(v string) *payChoice {
	for i := range d.Choices {
		if d.Choices[i].Value == v {
			return &d.Choices[i]
		}
	}
	return nil
}

// payState reads what the page shows for the day on ("": today); a day
// outside today … PayoffMaxDays is reported in fields and today used.
func (h *envRoom) payState(ctx context.Context, s *customer.Session, on string, fields map[string]bool) (*payData, error) {
	svc, lang, n := h.svc(), s.Language, s.AccountNumber
	today, err := svc.Servicing.Today(ctx, n)
	if err != nil {
		return nil, err
	}
	day := today
	if on != "" {
		d, err := servicing.ParseDate(on)
		if err != nil || servicing.CheckPayoffDate(today, d) != nil {
			fields["date"] = true
		} else {
			day = d
		}
	}
	d := &payData{Today: today.String(), On: day.String(), Max: today.AddDays(servicing.PayoffMaxDays).String(), Fields: fields, Form: map[string]string{}}
	if d.Payoff, err = svc.Servicing.Payoff(ctx, n, "", day); err != nil {
		return nil, err
	}
	if d.Statement, err = svc.PAD.Payments.LatestStatement(ctx, n); err != nil {
		return nil, err
	}
	if st := d.Statement; st != nil {
		// Paying by the due date is what these amounts are for: after a due
		// date still to come, the minimum or statement balance is no longer
		// the right figure (the payoff or another amount is).
		late := ""
		if st.DueOn >= d.Today && d.On > st.DueOn {
			late = text(lang, "pay.after_due") + " " + page{Lang: lang}.Long(st.DueOn)
		}
		if a := pad.Amount(pad.ChoiceMinimum, 0, st.Minimum, st.Closing, st.PaidSince, st.Owed); a > 0 {
			d.Choices = append(d.Choices, payChoice{Value: "minimum", Label: text(lang, "pay.minimum"), Amount: a, Unavailable: late})
		}
		if a := pad.Amount(pad.ChoiceStatement, 0, st.Minimum, st.Closing, st.PaidSince, st.Owed); a > 0 {
			d.Choices = append(d.Choices, payChoice{Value: "statement", Label: text(lang, "pay.statement"), Amount: a, Unavailable: late})
		}
	}
	if p := d.Payoff; p.Amount > 0 {
		d.Choices = append(d.Choices, payChoice{Value: "payoff", Label: text(lang, "pay.payoff_all"), Amount: p.Amount})
		for _, q := range p.Plans {
			if q.Amount <= 0 {
				continue
			}
			c := payChoice{Value: "plan:" + q.Segment, Label: text(lang, "pay.payoff_plan") + " " + planName(lang, q), Amount: q.Amount, Plan: q.Segment}
			if q.Ahead > 0 {
				c.Note = text(lang, "pay.ahead") + " " + openflex.FormatCAD(q.Ahead, lang) + "."
			}
			if q.Waived > 0 {
				c.Note += " " + text(lang, "pay.waived") + " " + openflex.FormatCAD(q.Waived, lang) + " (" + q.Expiry.String() + ")."
			}
			d.Choices = append(d.Choices, c)
		}
	}
	a, err := svc.PAD.Store.ActiveAgreement(ctx, n)
	if err != nil {
		return nil, err
	}
	if a != nil {
		d.OnFile, d.holder = a.Bank.Masked(), a.Bank.HolderName
	}
	if d.Payments, err = svc.PAD.Store.OneTimePayments(ctx, n); err != nil {
		return nil, err
	}
	return d, nil
}

// planName names a plan for the customer: its description (the purchase's
// line items), else its kind.
func planName(lang string, p servicing.Payoff) string {
	name := p.Description
	if name == "" {
		name = text(lang, "plan."+string(p.Kind))
	}
	if p.Merchant != "" {
		name += " — " + p.Merchant
	}
	return name
}

func (h *envRoom) payPage(w http.ResponseWriter, r *http.Request, s *customer.Session, status int, d *payData, name, msg string) {
	if d.Key == "" {
		d.Key = openflex.NewID("otk")
	}
	if d.Form["choice"] == "" {
		d.Form["choice"] = "other"
		for _, c := range d.Choices {
			if c.Unavailable == "" {
				d.Form["choice"] = c.Value
				break
			}
		}
	}
	if d.Form["source"] == "" {
		d.Form["source"] = "new"
		if d.OnFile != "" {
			d.Form["source"] = "file"
		}
	}
	h.render(w, r, status, name, page{Lang: s.Language, Session: s, Data: d, Error: msg, Title: text(s.Language, "pay.title")})
}

func (h *envRoom) pay(w http.ResponseWriter, r *http.Request) {
	s := h.active(w, r)
	if s == nil {
		return
	}
	fields := map[string]bool{}
	d, err := h.payState(r.Context(), s, r.URL.Query().Get("date"), fields)
	if err != nil {
		h.fail(w, r, s.Language, err)
		return
	}
	if id := r.URL.Query().Get("made"); id != "" {
		for _, o := range d.Payments {
			if o.ID == id {
				d.Made = o
			}
		}
	}
	msg, status := "", http.StatusOK
	if fields["date"] {
		msg, status = text(s.Language, "pay.bad_date"), http.StatusUnprocessableEntity
	}
	h.payPage(w, r, s, status, d, "pay", msg)
}

// readPay reads the payment form into a request, with the fields in
// error; the amount comes from the choice as the server figures it, never
// from the page, except for another amount.
func (h *envRoom) readPay(r *http.Request, s *customer.Session) (pad.OneTimeRequest, *payData, error) {
	form := map[string]string{}
	for _, k := range append([]string{"key", "date", "choice", "other_amount", "source"}, bankFields...) {
		form[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	fields := map[string]bool{}
	d, err := h.payState(r.Context(), s, form["date"], fields)
	if err != nil {
		return pad.OneTimeRequest{}, nil, err
	}
	d.Form, d.Key = form, form["key"]
	req := pad.OneTimeRequest{AccountNumber: s.AccountNumber, DebitOn: d.On, Earliest: d.Today, Latest: d.Max, Language: s.Language,
		Key: form["key"], By: "customer"}
	switch c := form["choice"]; c {
	case "other":
		amount, ok := openflex.ParseDollars(form["other_amount"])
		if !ok || amount <= 0 {
			fields["other_amount"] = true
		}
		req.Amount, d.ReviewLabel = amount, text(s.Language, "pay.other")
	default:
		ch := d.choice(c)
		if ch == nil || ch.Unavailable != "" {
			fields["choice"] = true
			break
		}
		req.Amount, req.PlanID, d.ReviewLabel = ch.Amount, ch.Plan, ch.Label
	}
	if form["source"] == "file" && d.OnFile != "" {
		req.OnFile = true
	} else {
		form["source"] = "new"
		req.Bank = bankAccount(form)
	}
	check := req
	check.Accepted = true
	var e *openflex.Error
	if err := check.Validate(); err != nil && asError(err, &e) {
		for _, f := range e.Fields {
			switch f.Param {
			case "amount":
				if form["choice"] == "other" {
					fields["other_amount"] = true
				} else {
					fields["choice"] = true
				}
			case "debit_on":
				fields["date"] = true
			default:
				fields[formField(f.Param)] = true
			}
		}
	}
	return req, d, nil
}

// review shows the one-time debit's authorization, with the amount, day
// and bank account the customer chose, to accept before it is made.
func (h *envRoom) review(w http.ResponseWriter, r *http.Request) {
	s := h.active(w, r)
	if s == nil || !h.csrfOK(w, r, s, "pay") {
		return
	}
	req, d, err := h.readPay(r, s)
	if err != nil {
		h.fail(w, r, s.Language, err)
		return
	}
	if len(d.Fields) > 0 {
		h.payPage(w, r, s, http.StatusUnprocessableEntity, d, "pay", text(s.Language, "pay.invalid"))
		return
	}
	if h.overLimit(w, r, s, d, h.svc().PAD.CheckOneTime(r.Context(), req)) {
		return
	}
	holder, bank := req.Bank.HolderName, req.Bank.Masked()
	if req.OnFile {
		holder, bank = d.holder, d.OnFile
	}
	d.Review = pad.OneTimeText(s.Language, h.svc().PAD.Payee, holder, bank, s.AccountNumber, req.Amount, req.DebitOn, d.Today)
	d.ReviewFor, d.ReviewBank = req.Amount, bank
	h.payPage(w, r, s, http.StatusOK, d, "payconfirm", "")
}

// confirm makes the one-time payment the customer authorized. The form's
// key makes a second submission (a double click, a resent form) answer
// the payment already made.
func (h *envRoom) confirm(w http.ResponseWriter, r *http.Request) {
	s := h.active(w, r)
	if s == nil || !h.csrfOK(w, r, s, "pay/confirm") {
		return
	}
	req, d, err := h.readPay(r, s)
	if err != nil {
		h.fail(w, r, s.Language, err)
		return
	}
	req.Accepted = r.PostFormValue("accepted") == "yes"
	if len(d.Fields) > 0 {
		h.payPage(w, r, s, http.StatusUnprocessableEntity, d, "pay", text(s.Language, "pay.invalid"))
		return
	}
	o, err := h.svc().PAD.OneTimePayment(r.Context(), req)
	if h.overLimit(w, r, s, d, err) {
		return
	}
	if e := refused(err); e != nil {
		markRefused(e, d.Fields)
		if e.Param == "bank" {
			d.Fields["source"] = true
		}
		msg := text(s.Language, "pay.invalid")
		if d.Fields["key"] { // this form already made another payment
			d.Key, msg = "", text(s.Language, "pay.used")
		}
		h.payPage(w, r, s, http.StatusUnprocessableEntity, d, "pay", msg)
		return
	}
	if err != nil {
		h.fail(w, r, s.Language, err)
		return
	}
	http.Redirect(w, r, h.base+"pay?made="+o.ID, http.StatusSeeOther)
}

// overLimit shows the pay form again, saying which cap err (from
// pad.CheckOneTime) is, and reports whether it did: too many payments
// scheduled, more than the account owes, or more than a day takes.
func (h *envRoom) overLimit(w http.ResponseWriter, r *http.Request, s *customer.Session, d *payData, err error) bool {
	var e *openflex.Error
	if err == nil || !asError(err, &e) || e.Code != openflex.CodePaymentLimit {
		return false
	}
	lang, msg := s.Language, ""
	switch e.Param {
	case "debit_on":
		d.Fields["date"] = true
		msg = fmt.Sprintf(text(lang, "pay.limit_day"), openflex.FormatCAD(h.svc().PAD.Payments.DailyLimit(), lang))
	case "amount":
		if d.Form["choice"] == "other" {
			d.Fields["other_amount"] = true
		} else {
			d.Fields["choice"] = true
		}
		msg = text(lang, "pay.limit_amount")
	default:
		msg = fmt.Sprintf(text(lang, "pay.limit_payment"), pad.MaxScheduledOneTime)
	}
	h.payPage(w, r, s, http.StatusUnprocessableEntity, d, "pay", msg)
	return true
}

func (h *envRoom) cancelPayment(w http.ResponseWriter, r *http.Request) {
	s := h.active(w, r)
	id := r.PathValue("id")
	if s == nil || !h.csrfOK(w, r, s, "pay/"+id+"/cancel") {
		return
	}
	_, err := h.svc().PAD.CancelOneTime(r.Context(), s.AccountNumber, id, "customer")
	if openflex.ErrorCode(err) == openflex.CodeParameterInvalid {
		// Sent to the bank meanwhile (or cancelled in another tab): the
		// page shows where it stands.
		err = nil
	}
	if err != nil {
		h.fail(w, r, s.Language, err)
		return
	}
	http.Redirect(w, r, h.base+"pay", http.StatusSeeOther)
}

// delivery records the customer's choice of electronic statements (their
// consent, with its wording) or paper by mail.
func (h *envRoom) delivery(w http.ResponseWriter, r *http.Request) {
	s := h.active(w, r)
	if s == nil || !h.csrfOK(w, r, s, "statements/delivery") {
		return
	}
	electronic := r.PostFormValue("delivery") == "electronic"
	if _, err := h.svc().Servicing.SetStatementDelivery(r.Context(), s.AccountNumber, electronic, s.Language, "customer"); err != nil {
		h.fail(w, r, s.Language, err)
		return
	}
	http.Redirect(w, r, h.base+"statements", http.StatusSeeOther)
}

// bankFields are the form fields of a bank account the customer enters.
var bankFields = []string{"institution", "transit", "account", "holder_name"}

// bankAccount is the bank account entered in form's bankFields.
func bankAccount(form map[string]string) openflex.BankAccount {
	return openflex.BankAccount{Institution: form["institution"], Transit: form["transit"], Account: form["account"], HolderName: form["holder_name"]}
}

// formField is the form field of an error's param: a bank account's
// "bank.transit" is the form's "transit".
func formField(param string) string { return strings.TrimPrefix(param, "bank.") }

// refused is err when it refuses what the customer entered
// (parameter_invalid or parameter_missing), to show on the form; nil
// otherwise.
func refused(err error) *openflex.Error {
	var e *openflex.Error
	if err != nil && asError(err, &e) && (e.Code == openflex.CodeParameterInvalid || e.Code == openflex.CodeParameterMissing) {
		return e
	}
	return nil
}

// markRefused marks in fields the form fields e names.
func markRefused(e *openflex.Error, fields map[string]bool) {
	for _, f := range e.Fields {
		fields[formField(f.Param)] = true
	}
}
