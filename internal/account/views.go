package account

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/customer"
	"github.com/openflex/openflex/internal/servicing"
	"github.com/openflex/openflex/internal/servicing/engine"
	"github.com/openflex/openflex/internal/statementpdf"
)

// overviewData is the overview page.
type overviewData struct {
	Account      *openflex.Account
	Masked       string
	Status       string
	Statement    *servicing.Statement // the latest, nil before the first
	StatementID  string
	Transactions []txnRow
	// DuePassed: the latest statement's due date is behind the account's
	// today (its test clock's in TRAINING), so its grace-period advice no
	// longer holds; PastDue is what of its minimums is unpaid now.
	DuePassed bool
	PastDue   int64
	// MinimumLeft and GraceLeft are the statement's minimum and the
	// amount that keeps the grace period less what was paid since it (as
	// the pay page counts it).
	MinimumLeft, GraceLeft int64
}

// standing is the account's status in plain words, with the lender's
// name and phone number where it tells the customer to call.
func standing(lang string, st openflex.AccountStatus, l servicing.Lender) string {
	return strings.NewReplacer("{lender}", l.Name, "{phone}", l.Phone).Replace(text(lang, "status."+string(st)))
}

type txnRow struct {
	Date, What string
	Amount     int64
	// Moved: a balance moved within the account (a promotion ended or
	// cancelled, a charge-off); What says how much, the amount column is
	// empty since nothing more is owed.
	Moved bool
}

// txnRows are the overview's recent transactions as the statement shows
// them: dated in the account's province (its statement's days), credits
// with a minus sign, holds left out (they are not what the customer owes),
// each followed by where (the merchant and store, "" for none).
func txnRows(txns []*openflex.Transaction, loc *time.Location, lang string, where func(*openflex.Transaction) string) []txnRow {
	var rows []txnRow
	for _, t := range txns {
		amount := t.Amount
		switch t.Type {
		case openflex.TxnAuthorization, openflex.TxnRelease, openflex.TxnExpiry:
			continue
		case openflex.TxnPayment, openflex.TxnReturn, openflex.TxnFeeWaived, openflex.TxnInterestWaived:
			amount = -amount
		case openflex.TxnPlanExpired, openflex.TxnPromotionCancelled, openflex.TxnChargeOff:
			to := "txn.moved_regular"
			if t.Type == openflex.TxnChargeOff {
				to = "txn.moved_charged_off"
			}
			what := text(lang, "txn."+string(t.Type)) + text(lang, "colon") + " " + openflex.FormatCAD(t.Amount, lang) + " " + text(lang, to)
			rows = append(rows, txnRow{Date: t.Created.In(loc).Format("2006-01-02"), What: what, Moved: true})
			continue
		}
		what := text(lang, "txn."+string(t.Type))
		if where != nil {
			what += where(t)
		}
		rows = append(rows, txnRow{Date: t.Created.In(loc).Format("2006-01-02"), What: what, Amount: amount})
	}
	return rows
}

// livePlans are the statement's plans still running on the account now:
// a promotion cancelled or a plan expired since the statement moved its
// balance to the regular one, and the overview must not show it with an
// instalment and an end date as if it still ran.
func livePlans(plans []servicing.PlanSummary, state *servicing.Account) []servicing.PlanSummary {
	if state == nil {
		return plans
	}
	var live []servicing.PlanSummary
	for _, p := range plans {
		if s := state.Segment(p.Segment); s == nil || !s.Closed {
			live = append(live, p)
		}
	}
	return live
}

// hidden shows the account number's last four digits only.
func hidden(n string) string { return "•••• " + n[len(n)-4:] }

func (h *envRoom) overview(w http.ResponseWriter, r *http.Request, s *customer.Session) {
	ctx, svc, lang := r.Context(), h.svc(), s.Language
	v, err := svc.Servicing.Account(ctx, s.AccountNumber)
	if err != nil {
		h.fail(w, r, lang, err)
		return
	}
	d := overviewData{Account: v.Account, Masked: hidden(s.AccountNumber), Status: standing(lang, v.Account.Status, svc.Servicing.Lender())}
	list, _, err := svc.Servicing.Statements(ctx, s.AccountNumber, openflex.ListParams{Limit: 1})
	if err != nil {
		h.fail(w, r, lang, err)
		return
	}
	if len(list) > 0 {
		d.Statement, d.StatementID = list[0].Statement, list[0].Stored.ID
		d.Statement.Plans = livePlans(d.Statement.Plans, v.State)
		d.MinimumLeft, d.GraceLeft = d.Statement.MinimumPayment, d.Statement.GraceAmount
		due, err := svc.PAD.Payments.LatestStatement(ctx, s.AccountNumber)
		if err != nil {
			h.fail(w, r, lang, err)
			return
		}
		if due != nil {
			d.MinimumLeft = max(0, d.Statement.MinimumPayment-due.PaidSince)
			d.GraceLeft = max(0, d.Statement.GraceAmount-due.PaidSince)
		}
		if v.State != nil {
			today := v.State.OpenDay()
			d.DuePassed = d.Statement.DueDate.Before(today)
			d.PastDue = v.State.PastDue(today)
		}
	}
	txns, err := svc.Transactions(ctx, s.AccountNumber, 10)
	if err != nil {
		h.fail(w, r, lang, err)
		return
	}
	names := map[string]string{} // a page's few merchants and stores, each read once
	name := func(key string, read func() string) string {
		if n, ok := names[key]; ok {
			return n
		}
		names[key] = read()
		return names[key]
	}
	// Where the customer bought (or paid in store), by name.
	where := func(t *openflex.Transaction) string {
		var w string
		if t.MerchantID != "" && svc.MerchantName != nil {
			w += " — " + name(t.MerchantID, func() string { return svc.MerchantName(ctx, t.MerchantID) })
			if t.StoreID != "" && svc.StoreName != nil {
				w += " — " + name(t.MerchantID+"/"+t.StoreID, func() string { return svc.StoreName(ctx, t.MerchantID, t.StoreID) })
			}
		}
		return w
	}
	d.Transactions = txnRows(txns, v.Account.Province.Location(), lang, where)
	h.render(w, r, http.StatusOK, "overview", page{Lang: lang, Session: s, Data: d})
}

// statementsData is the statements page: the list, and how statements
// are delivered with the consent to electronic ones.
type statementsData struct {
	Rows     []statementRow
	Delivery *engine.StatementDelivery
	Consent  string
}

type statementRow struct {
	ID, Period, Due  string
	Closing, Minimum int64
}

func (h *envRoom) statements(w http.ResponseWriter, r *http.Request) {
	s := h.active(w, r)
	if s == nil {
		return
	}
	list, _, err := h.svc().Servicing.Statements(r.Context(), s.AccountNumber, openflex.ListParams{Limit: 24})
	if err != nil {
		h.fail(w, r, s.Language, err)
		return
	}
	d := statementsData{Consent: engine.EStatementConsent(s.Language)}
	for _, v := range list {
		d.Rows = append(d.Rows, statementRow{ID: v.Stored.ID, Period: v.Stored.PeriodStart + " – " + v.Stored.PeriodEnd, Due: v.Stored.DueDate,
			Closing: v.Stored.Closing, Minimum: v.Stored.Minimum})
	}
	if d.Delivery, err = h.svc().Servicing.StatementDelivery(r.Context(), s.AccountNumber); err != nil {
		h.fail(w, r, s.Language, err)
		return
	}
	h.render(w, r, http.StatusOK, "statements", page{Lang: s.Language, Session: s, Data: d})
}

// own returns the signed-in customer's statement id, or not found for
// any other account's.
func (h *envRoom) own(w http.ResponseWriter, r *http.Request, s *customer.Session) *servicing.Statement {
	v, err := h.svc().Servicing.Statement(r.Context(), r.PathValue("id"))
	if err == nil && v.Stored.AccountNumber != s.AccountNumber {
		err = openflex.NotFound("statement", r.PathValue("id"))
	}
	if err != nil {
		h.fail(w, r, s.Language, err)
		return nil
	}
	st := v.Statement
	// The statement in the language the customer reads the page in, with
	// the account number masked as on every other page (the PDF outlives
	// the session in a downloads folder).
	st.Language = s.Language
	st.Account = hidden(st.Account)
	return st
}

type statementData struct {
	ID   string
	Text string
	St   *servicing.Statement
}

func (h *envRoom) statement(w http.ResponseWriter, r *http.Request) {
	s := h.active(w, r)
	if s == nil {
		return
	}
	st := h.own(w, r, s)
	if st == nil {
		return
	}
	h.render(w, r, http.StatusOK, "statement", page{Lang: s.Language, Session: s,
		Data: statementData{ID: r.PathValue("id"), Text: servicing.Render(st), St: st}})
}

func (h *envRoom) statementPDF(w http.ResponseWriter, r *http.Request) {
	s := h.active(w, r)
	if s == nil {
		return
	}
	st := h.own(w, r, s)
	if st == nil {
		return
	}
	var buf bytes.Buffer
	if err := statementpdf.Write(&buf, st); err != nil {
		h.fail(w, r, s.Language, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="openflex-statement-`+st.PeriodEnd.String()+`.pdf"`)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Write(buf.Bytes())
}
