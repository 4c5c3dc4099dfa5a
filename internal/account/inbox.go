package account

import (
	"net/http"
	"strings"
	"time"

	"github.com/openflex/openflex/internal/customer"
	"github.com/openflex/openflex/internal/servicing"
)

// inboxLimit is how many of their latest messages a customer sees.
const inboxLimit = 100

// inboxRow is one message on the Messages page.
type inboxRow struct {
	Kind, Date, Subject, Body string
	Time                      time.Time
}

// masked is body with the account number, written whole (the welcome
// message's, grouped by four) or not, down to its last four digits: the
// number is shown in full only once, when the account opens.
func masked(body, number string) string {
	grouped := number[0:4] + " " + number[4:8] + " " + number[8:12] + " " + number[12:]
	return strings.NewReplacer(grouped, hidden(number), number, hidden(number)).Replace(body)
}

// inbox is the Messages page: what the lender sent the customer about
// their account, newest first, dated in the account's province. A
// delivery that failed is left out: the customer never received it (the
// lender's desk shows it, and the next run tries again).
func (h *envRoom) inbox(w http.ResponseWriter, r *http.Request) {
	s := h.active(w, r)
	if s == nil {
		return
	}
	ctx, svc, lang := r.Context(), h.svc(), s.Language
	v, err := svc.Servicing.Account(ctx, s.AccountNumber)
	if err != nil {
		h.fail(w, r, lang, err)
		return
	}
	loc, err := v.Row.Location()
	if err != nil {
		h.fail(w, r, lang, err)
		return
	}
	list, err := svc.Messages(ctx, s.AccountNumber, inboxLimit)
	if err != nil {
		h.fail(w, r, lang, err)
		return
	}
	var rows []inboxRow
	for _, m := range list {
		if m.Status == customer.MessageFailed {
			continue
		}
		kind := text(lang, "messages.kind."+m.Kind)
		if kind == "messages.kind."+m.Kind {
			kind = text(lang, "messages.kind.other")
		}
		rows = append(rows, inboxRow{Kind: kind, Date: servicing.LongDate(servicing.DayOf(m.Created, loc), lang),
			Subject: m.Subject, Body: masked(m.Body, s.AccountNumber), Time: m.Created})
	}
	h.render(w, r, http.StatusOK, "messages", page{Lang: lang, Session: s, Data: rows})
}
