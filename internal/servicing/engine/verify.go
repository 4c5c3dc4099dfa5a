package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/servicing"
)

// History is what happened to an account, as its records tell it: the
// captures (with their authorizations), returns, payments and staff's
// status changes.
type History struct {
	Captures      []CaptureRecord
	Returns       []*openflex.Return
	Payments      []*Payment
	StatusChanges []*StatusChange
	Waivers       []*Waiver
}

// CaptureRecord is a capture with the authorization it posted.
type CaptureRecord struct {
	Capture       *openflex.Capture
	Authorization *openflex.Authorization
}

// HistoryStore reads accounts' histories for Verify.
type HistoryStore interface {
	AccountHistory(ctx context.Context, number string) (*History, error)
	// ServicedAccounts lists, after account number after, the accounts
	// with a servicing state.
	ServicedAccounts(ctx context.Context, after string, limit int) ([]string, error)
}

// Verify rebuilds every serviced account from its history
// (servicing.Replay) and compares it with what the engine stored: each
// segment's balances, the credit and charged-off balances, the standing,
// every statement's figures, and the account's balances in the ledger
// (posted balance and charges) against what the segments owe. It returns
// one line per disagreement.
func (s *Service) Verify(ctx context.Context) ([]string, error) {
	hs, ok := s.Store.(HistoryStore)
	if !ok {
		return nil, fmt.Errorf("servicing verify: the store keeps no histories")
	}
	var out []string
	after := ""
	for {
		numbers, err := hs.ServicedAccounts(ctx, after, batchSize)
		if err != nil {
			return nil, err
		}
		for _, n := range numbers {
			found, err := s.verifyAccount(ctx, hs, n)
			if err != nil {
				return nil, fmt.Errorf("verify %s: %w", n, err)
			}
			out = append(out, found...)
		}
		if len(numbers) < batchSize {
			return out, nil
		}
		after = numbers[len(numbers)-1]
	}
}

type historyEvent struct {
	order string // the day, then the record's id (time-ordered)
	ev    servicing.Event
}

func idOrder(id string) string {
	if _, rest, ok := strings.Cut(id, "_"); ok {
		return rest
	}
	return id
}

func (s *Service) verifyAccount(ctx context.Context, hs HistoryStore, number string) ([]string, error) {
	acct, row, _, err := s.Store.LoadAccount(ctx, number)
	if err != nil {
		return nil, err
	}
	if row.State == nil {
		return nil, nil
	}
	stored := &servicing.Account{}
	if err := unmarshal(row.State, stored); err != nil {
		return nil, err
	}
	loc, err := row.Location()
	if err != nil {
		return nil, err
	}
	h, err := hs.AccountHistory(ctx, number)
	if err != nil {
		return nil, err
	}
	var evs []historyEvent
	add := func(d servicing.Date, id string, ev servicing.Event) {
		ev.Date = d
		evs = append(evs, historyEvent{order: d.String() + " " + idOrder(id), ev: ev})
	}
	for _, c := range h.Captures {
		terms, plan, err := s.termsOf(ctx, c.Authorization)
		if err != nil {
			return nil, err
		}
		desc := describe(c.Authorization)
		if desc == "" {
			desc = plan
		}
		d := servicing.DayOf(c.Capture.Created, loc)
		add(d, c.Capture.ID, servicing.Event{Kind: servicing.EventPurchase, Purchase: &servicing.Purchase{ID: c.Capture.ID, Date: d,
			Amount: c.Capture.Amount, Terms: terms, Merchant: c.Authorization.MerchantID, Store: c.Authorization.StoreID, Description: desc}})
	}
	for _, r := range h.Returns {
		d := servicing.DayOf(r.Created, loc)
		var auth *openflex.Authorization
		for _, c := range h.Captures {
			if c.Capture.ID == r.CaptureID {
				auth = c.Authorization
			}
		}
		desc := ""
		if auth != nil {
			desc = describe(auth)
		}
		add(d, r.ID, servicing.Event{Kind: servicing.EventReturn, Return: &servicing.Return{ID: r.ID, PurchaseID: r.CaptureID, Date: d,
			Amount: r.Amount, Description: desc}})
	}
	for _, p := range h.Payments {
		d, err := servicing.ParseDate(p.PostedOn)
		if err != nil {
			return nil, err
		}
		add(d, p.TransactionID, servicing.Event{Kind: servicing.EventPayment, Payment: &servicing.Payment{ID: p.ID, Date: d, Amount: p.Amount, Channel: p.Channel}})
		if p.Status == PaymentReversed {
			rd := servicing.DayOf(p.ReversedAt, loc)
			add(rd, p.ReversalID, servicing.Event{Kind: servicing.EventReversal, Reversal: &servicing.Reversal{PaymentID: p.ID, Date: rd,
				Returned: p.NSFFee > 0, Reason: p.ReversalReason}})
		}
	}
	for _, c := range h.StatusChanges {
		if !strings.HasPrefix(c.Actor, "staff:") {
			continue
		}
		var action servicing.StaffAction
		switch {
		case c.To == openflex.AccountClosed:
			action = servicing.ActionClose
		case c.To == openflex.AccountFrozen:
			action = servicing.ActionFreeze
		case c.From == openflex.AccountFrozen:
			action = servicing.ActionUnfreeze
		default:
			continue
		}
		d := servicing.DayOf(c.Created, loc)
		add(d, c.ID, servicing.Event{Kind: servicing.EventStaff, Action: action, Reason: c.Reason})
	}
	for _, wv := range h.Waivers {
		d, err := servicing.ParseDate(wv.PostedOn)
		if err != nil {
			return nil, err
		}
		rule := wv.rule(d)
		add(d, wv.TransactionID, servicing.Event{Kind: servicing.EventWaiver, Waiver: &rule})
	}
	slices.SortStableFunc(evs, func(a, b historyEvent) int { return strings.Compare(a.order, b.order) })
	history := make([]servicing.Event, len(evs))
	for i, e := range evs {
		history[i] = e.ev
	}
	opened, err := servicing.ParseDate(row.OpenedOn)
	if err != nil {
		return nil, err
	}
	replayed, statements, err := servicing.Replay(stored.Config, servicing.Opening{Number: number, Province: acct.Province, Language: acct.Language,
		Opened: opened, StatementDay: row.StatementDay, CreditLimit: stored.CreditLimit}, history, stored.Day)
	if err != nil {
		return []string{fmt.Sprintf("account %s: its history does not replay: %v", number, err)}, nil
	}
	var out []string
	bad := func(format string, args ...any) {
		out = append(out, fmt.Sprintf("account %s: ", number)+fmt.Sprintf(format, args...))
	}
	if replayed.Status != stored.Status {
		bad("standing %s, its history says %s", stored.Status, replayed.Status)
	}
	if replayed.Credit != stored.Credit || replayed.ChargedOff != stored.ChargedOff {
		bad("credit %d and charged off %d, its history says %d and %d", stored.Credit, stored.ChargedOff, replayed.Credit, replayed.ChargedOff)
	}
	for _, seg := range stored.Segments {
		r := replayed.Segment(seg.ID)
		if r == nil {
			bad("segment %s is not in its history", seg.ID)
			continue
		}
		if r.Principal != seg.Principal || r.Interest != seg.Interest || r.Fees != seg.Fees || r.Accrued != seg.Accrued || r.Due != seg.Due {
			bad("segment %s owes %d/%d/%d (accrued %d, due %d); its history says %d/%d/%d (accrued %d, due %d)", seg.ID,
				seg.Principal, seg.Interest, seg.Fees, seg.Accrued, seg.Due, r.Principal, r.Interest, r.Fees, r.Accrued, r.Due)
		}
	}
	if len(replayed.Segments) != len(stored.Segments) {
		bad("%d segments, its history has %d", len(stored.Segments), len(replayed.Segments))
	}
	if owed := stored.Balance() + stored.ChargedOff; acct.PostedBalance+acct.Charges != owed {
		bad("the ledger says %d is owed (posted %d, charges %d), its segments %d", acct.PostedBalance+acct.Charges, acct.PostedBalance, acct.Charges, owed)
	}
	var kept []*StoredStatement
	p := openflex.ListParams{Limit: openflex.MaxListLimit}
	for {
		page, more, err := s.Store.Statements(ctx, number, p)
		if err != nil {
			return nil, err
		}
		kept = append(kept, page...)
		if !more || len(page) == 0 {
			break
		}
		p.StartingAfter = page[len(page)-1].ID
	}
	byEnd := map[string]*StoredStatement{}
	for _, k := range kept {
		byEnd[k.PeriodEnd] = k
	}
	if len(kept) != len(statements) {
		bad("%d statements kept, its history makes %d", len(kept), len(statements))
	}
	for _, st := range statements {
		k := byEnd[st.PeriodEnd.String()]
		if k == nil {
			bad("no statement kept for the cycle ending %s", st.PeriodEnd)
			continue
		}
		if k.Opening != st.OpeningBalance || k.Closing != st.ClosingBalance || k.Minimum != st.MinimumPayment || k.DueDate != st.DueDate.String() {
			bad("statement %s: opening %d, closing %d, minimum %d, due %s; its history says %d, %d, %d, %s", k.ID, k.Opening, k.Closing,
				k.Minimum, k.DueDate, st.OpeningBalance, st.ClosingBalance, st.MinimumPayment, st.DueDate)
		}
	}
	return out, nil
}
