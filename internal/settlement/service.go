package settlement

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/lending"
)

// ErrNotPending is returned when paying a settlement that is not pending.
var ErrNotPending = openflex.Errorf(openflex.CodeParameterInvalid, "the settlement is not pending payment")

// Store is the data-plane storage settlements need. Methods called with a
// context carrying a write transaction join it.
type Store interface {
	Write(ctx context.Context, fn func(ctx context.Context) error) error
	MerchantsUnsettled(ctx context.Context) ([]string, error)
	UnsettledFirst(ctx context.Context, merchantID string) (map[string]time.Time, error)
	UnsettledLines(ctx context.Context, merchantID string) ([]*openflex.SettlementLine, error)
	SettleLines(ctx context.Context, settlementID, merchantID, storeID string, before time.Time) ([]*openflex.SettlementLine, error)
	CreateSettlement(ctx context.Context, s *openflex.Settlement) error
	LastSettlement(ctx context.Context, merchantID string) (*openflex.Settlement, error)
	Settlement(ctx context.Context, merchantID, id string) (*openflex.Settlement, error)
	Settlements(ctx context.Context, merchantID string, f Filter, p openflex.ListParams) ([]*openflex.Settlement, bool, error)
	SettlementsDue(ctx context.Context, date string, closedBy time.Time) ([]*openflex.Settlement, error)
	SettlementLines(ctx context.Context, merchantID, settlementID string, p openflex.ListParams) ([]*openflex.SettlementLine, bool, error)
	MarkSettlementPaid(ctx context.Context, id, payoutID string, at time.Time) error
	PostTransaction(ctx context.Context, t *openflex.Transaction, entries []openflex.Entry) error
	AppendEvent(ctx context.Context, e *openflex.Event) error
}

// Catalog lists a merchant's stores (the control plane).
type Catalog interface {
	Stores(ctx context.Context, merchantID string, p openflex.ListParams) ([]openflex.Store, bool, error)
}

// Filter narrows a list of settlements.
type Filter struct {
	From, To string // business dates, inclusive
	Status   openflex.SettlementStatus
	StoreID  string
}

// DefaultTrainingPayDelay is how long after its cut a TRAINING settlement
// pays itself.
const DefaultTrainingPayDelay = time.Hour

// Service settles one environment's merchants.
type Service struct {
	Env     openflex.Environment
	Store   Store
	Catalog Catalog
	// Banks reads merchants' bank accounts, for payout files.
	Banks BankAccounts
	// Render turns a *openflex.Settlement into its API JSON for events.
	Render func(v any) ([]byte, error)
	// TrainingPayDelay: TRAINING settlements are paid this long after
	// their cut (default one hour); nothing is sent to a bank.
	TrainingPayDelay time.Duration
	Now              func() time.Time
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// Zones is where a merchant's stores count their days.
type Zones map[string]*time.Location

// Of returns a store's zone; a store the catalog does not know (deleted)
// counts in the lender's zone (openflex.HomeZone).
func (z Zones) Of(storeID string) *time.Location {
	if l, ok := z[storeID]; ok {
		return l
	}
	return openflex.HomeLocation()
}

// Zones returns the time zones of merchantID's stores.
func (s *Service) Zones(ctx context.Context, merchantID string) (Zones, error) {
	stores, err := s.stores(ctx, merchantID)
	if err != nil {
		return nil, err
	}
	out := Zones{}
	for id, st := range stores {
		out[id] = st.Location()
	}
	return out, nil
}

// CutDue closes every merchant's days whose midnight has passed in all its
// stores. It returns how many settlements it closed.
func (s *Service) CutDue(ctx context.Context) (int, error) {
	ms, err := s.Store.MerchantsUnsettled(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, m := range ms {
		k, err := s.CutMerchant(ctx, m)
		n += k
		if err != nil {
			errs = append(errs, fmt.Errorf("cut %s: %w", m, err))
		}
	}
	return n, errors.Join(errs...)
}

// CutMerchant closes merchantID's due days, oldest first. The day to close
// is the oldest business date of its unsettled lines, or the day after its
// last settlement when that is later (a late line, created before a cut
// but committed after it, goes into the next settlement: a closed one
// never changes). A day closes once its midnight has passed in every store
// of the merchant; days without lines make no settlement.
func (s *Service) CutMerchant(ctx context.Context, merchantID string) (int, error) {
	closed, err := s.cut(ctx, merchantID, time.Time{})
	return len(closed), err
}

// ErrTrainingOnly refuses a TRAINING helper in another environment.
var ErrTrainingOnly = openflex.Errorf(openflex.CodeResourceMissing, "this is a TRAINING test helper")

// CloseNow is TRAINING's "close the day": it cuts merchantID's open days,
// today's included, as if their midnight had come now, and pays each one
// that waits for a payout, in one transaction. It is the daily cut and the
// payout run's Pay, with only the clock (the cut's boundary is now for a
// day whose midnight has not come) and the bank (nothing is sent)
// simulated. A sale made later today goes into tomorrow's settlement, as
// a sale committed after a cut always does. It returns the settlements it
// closed, oldest first (none when nothing is waiting). Errors:
// ErrTrainingOnly outside TRAINING.
func (s *Service) CloseNow(ctx context.Context, merchantID string) ([]*openflex.Settlement, error) {
	if s.Env != openflex.Training {
		return nil, ErrTrainingOnly
	}
	var out []*openflex.Settlement
	err := s.Store.Write(ctx, func(ctx context.Context) error {
		closed, err := s.cut(ctx, merchantID, s.now())
		if err != nil {
			return err
		}
		for _, st := range closed {
			if st.Status == openflex.SettlementPending {
				if err := s.Pay(ctx, st); err != nil {
					return err
				}
			}
		}
		out = closed
		return nil
	})
	return out, err
}

// cut closes merchantID's due days (see CutMerchant). A non-zero early
// closes every day up to its own business date at once, each store's day
// ending at early when its midnight has not come yet.
func (s *Service) cut(ctx context.Context, merchantID string, early time.Time) ([]*openflex.Settlement, error) {
	zones, err := s.Zones(ctx, merchantID)
	if err != nil {
		return nil, err
	}
	var out []*openflex.Settlement
	for {
		first, err := s.Store.UnsettledFirst(ctx, merchantID)
		if err != nil || len(first) == 0 {
			return out, err
		}
		last, err := s.last(ctx, merchantID)
		if err != nil {
			return out, err
		}
		date := ""
		for st, t := range first {
			if d := Day(t, zones.Of(st)); date == "" || d < date {
				date = d
			}
		}
		if last != nil && date <= last.BusinessDate {
			date = NextDay(last.BusinessDate)
		}
		stores := map[string]bool{}
		for st := range zones {
			stores[st] = true
		}
		for st := range first {
			stores[st] = true
		}
		now := s.now()
		if !early.IsZero() && date > today(early, stores, zones) {
			return out, nil // a day not begun in any store: it waits for its own midnight
		}
		ends := map[string]time.Time{}
		for st := range stores {
			end := Boundary(date, zones.Of(st))
			if !early.IsZero() {
				// A line stamped this very microsecond is today's too.
				if e := early.Add(time.Microsecond); e.Before(end) {
					end = e
				}
			} else if now.Before(end) {
				return out, nil
			}
			ends[st] = end
		}
		st, err := s.close(ctx, merchantID, date, sorted(stores), ends, !early.IsZero())
		if err != nil {
			return out, err
		}
		if st == nil {
			return out, nil // another node closed it
		}
		out = append(out, st)
	}
}

func (s *Service) last(ctx context.Context, merchantID string) (*openflex.Settlement, error) {
	last, err := s.Store.LastSettlement(ctx, merchantID)
	if openflex.ErrorCode(err) == openflex.CodeResourceMissing {
		return nil, nil
	}
	return last, err
}

// today is the latest business date at t among stores (the lender's zone's
// when there are none).
func today(t time.Time, stores map[string]bool, zones Zones) string {
	d := Day(t, zones.Of(""))
	if len(stores) > 0 {
		d = ""
	}
	for st := range stores {
		d = max(d, Day(t, zones.Of(st)))
	}
	return d
}

// close closes merchantID's date in one transaction, each store's lines
// up to its end; nil when another node closed it first, or when an early
// close finds no line.
func (s *Service) close(ctx context.Context, merchantID, date string, stores []string, ends map[string]time.Time, early bool) (*openflex.Settlement, error) {
	var st *openflex.Settlement
	err := s.Store.Write(ctx, func(ctx context.Context) error {
		last, err := s.last(ctx, merchantID)
		if err != nil {
			return err
		}
		if last != nil && last.BusinessDate >= date {
			return errClosed
		}
		id := ID(s.Env, merchantID, date)
		var lines []*openflex.SettlementLine
		for _, store := range stores {
			ls, err := s.Store.SettleLines(ctx, id, merchantID, store, ends[store])
			if err != nil {
				return err
			}
			lines = append(lines, ls...)
		}
		if early && len(lines) == 0 {
			return errClosed // only lines after the early end: a day without lines makes no settlement
		}
		st = Build(s.Env, merchantID, date, lines, CarryOf(last))
		Close(st, s.now())
		if err := s.Store.CreateSettlement(ctx, st); err != nil {
			if openflex.ErrorCode(err) == openflex.CodeConflict {
				return errClosed
			}
			return err
		}
		if err := s.emit(ctx, merchantID, "settlement.created", st); err != nil {
			return err
		}
		if st.Status == openflex.SettlementPaid {
			// A day that nets zero is paid as it closes: it sends the
			// event every paid day sends, so a merchant reconciling on
			// settlement.paid misses no day.
			return s.emit(ctx, merchantID, "settlement.paid", st)
		}
		return nil
	})
	if errors.Is(err, errClosed) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return st, nil
}

var errClosed = errors.New("settlement: day already closed")

func (s *Service) emit(ctx context.Context, merchantID, typ string, st *openflex.Settlement) error {
	if s.Render == nil {
		return nil
	}
	b, err := s.Render(st)
	if err != nil {
		return err
	}
	return s.Store.AppendEvent(ctx, &openflex.Event{ID: openflex.NewID(openflex.PrefixEvent), MerchantID: merchantID, Type: typ,
		Object: b, Created: s.now()})
}

func sorted(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// OpenView is merchantID's days not closed yet, as they stand: each store's
// today and any earlier day still waiting for its cut, oldest first, each
// with the lines the cut will put in it.
type OpenView struct {
	Settlements []*openflex.Settlement
	Lines       map[string][]*openflex.SettlementLine // by settlement id
}

// Open returns merchantID's open settlements.
func (s *Service) Open(ctx context.Context, merchantID string) (*OpenView, error) {
	zones, err := s.Zones(ctx, merchantID)
	if err != nil {
		return nil, err
	}
	last, err := s.last(ctx, merchantID)
	if err != nil {
		return nil, err
	}
	lines, err := s.Store.UnsettledLines(ctx, merchantID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	set := map[string]bool{}
	latest := ""
	for st := range zones {
		d := Day(now, zones.Of(st))
		set[d] = true
		latest = max(latest, d)
	}
	for _, l := range lines {
		set[Day(l.Created, zones.Of(l.StoreID))] = true
	}
	if latest == "" { // a merchant without stores
		latest = Day(now, zones.Of(""))
		set[latest] = true
	}
	var dates []string
	for d := range set {
		if last == nil || d > last.BusinessDate {
			dates = append(dates, d)
		}
	}
	// Lines committed after the last cut wait for the day after it: a
	// past day's, or tomorrow's when TRAINING closed today early (CloseNow).
	if last != nil && len(lines) > 0 && !set[NextDay(last.BusinessDate)] {
		dates = append(dates, NextDay(last.BusinessDate))
	}
	slices.Sort(dates)
	byDate := Assign(lines, dates, zones.Of)
	view := &OpenView{Lines: map[string][]*openflex.SettlementLine{}}
	carry := CarryOf(last)
	for _, d := range dates {
		if len(byDate[d]) == 0 && d != latest {
			continue
		}
		st := Build(s.Env, merchantID, d, byDate[d], carry)
		carry = 0
		view.Settlements = append(view.Settlements, st)
		view.Lines[st.ID] = byDate[d]
	}
	return view, nil
}

// List returns merchantID's settlements, newest first: the open ones (on
// the first page, when the filter admits them) then the closed ones.
// Only days with lines are listed: a day without lines makes no settlement
// (the cut never closes one), so an open day appears with its first line. A
// cursor must be one of merchantID's settlements, open or closed
// (parameter_invalid naming it otherwise).
func (s *Service) List(ctx context.Context, merchantID string, f Filter, p openflex.ListParams) ([]*openflex.Settlement, bool, error) {
	if err := s.checkCursor(ctx, merchantID, p); err != nil {
		return nil, false, err
	}
	var out []*openflex.Settlement
	if p.StartingAfter == "" && p.EndingBefore == "" && (f.Status == "" || f.Status == openflex.SettlementOpen) {
		view, err := s.Open(ctx, merchantID)
		if err != nil {
			return nil, false, err
		}
		for i := len(view.Settlements) - 1; i >= 0; i-- {
			st := view.Settlements[i]
			if len(view.Lines[st.ID]) > 0 && admits(f, st, view.Lines[st.ID]) {
				out = append(out, st)
			}
		}
		if f.Status == openflex.SettlementOpen {
			return out, false, nil
		}
	}
	limit := p.PageLimit()
	if len(out) >= limit {
		return out[:limit], true, nil
	}
	p.Limit = limit - len(out)
	closed, more, err := s.Store.Settlements(ctx, merchantID, f, p)
	if err != nil {
		return nil, false, err
	}
	return append(out, closed...), more, nil
}

func admits(f Filter, st *openflex.Settlement, lines []*openflex.SettlementLine) bool {
	if f.From != "" && st.BusinessDate < f.From || f.To != "" && st.BusinessDate > f.To {
		return false
	}
	if f.StoreID != "" {
		return slices.ContainsFunc(lines, func(l *openflex.SettlementLine) bool { return l.StoreID == f.StoreID })
	}
	return true
}

// Get returns merchantID's settlement id, open or closed.
func (s *Service) Get(ctx context.Context, merchantID, id string) (*openflex.Settlement, error) {
	st, err := s.Store.Settlement(ctx, merchantID, id)
	if openflex.ErrorCode(err) != openflex.CodeResourceMissing {
		return st, err
	}
	st, _, err = s.open(ctx, merchantID, id)
	return st, err
}

func (s *Service) open(ctx context.Context, merchantID, id string) (*openflex.Settlement, []*openflex.SettlementLine, error) {
	if d := DateOfID(id); d == "" || ID(s.Env, merchantID, d) != id {
		return nil, nil, openflex.NotFound("settlement", id)
	}
	view, err := s.Open(ctx, merchantID)
	if err != nil {
		return nil, nil, err
	}
	for _, st := range view.Settlements {
		if st.ID == id && len(view.Lines[id]) > 0 {
			return st, view.Lines[id], nil
		}
	}
	// A day without lines makes no settlement, open or closed.
	return nil, nil, openflex.NotFound("settlement", id)
}

// checkCursor refuses a cursor that is none of merchantID's settlements.
func (s *Service) checkCursor(ctx context.Context, merchantID string, p openflex.ListParams) error {
	param, id := "starting_after", p.StartingAfter
	if id == "" {
		param, id = "ending_before", p.EndingBefore
	}
	if id == "" {
		return nil
	}
	_, err := s.Get(ctx, merchantID, id)
	if openflex.ErrorCode(err) == openflex.CodeResourceMissing {
		return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: param,
			Message: fmt.Sprintf("%s %q is not one of your settlements: pass the id of one from the previous page", param, id)}
	}
	return err
}

// Lines lists a settlement's lines, newest first.
func (s *Service) Lines(ctx context.Context, merchantID, id string, p openflex.ListParams) ([]*openflex.SettlementLine, bool, error) {
	_, err := s.Store.Settlement(ctx, merchantID, id)
	if err == nil {
		return s.Store.SettlementLines(ctx, merchantID, id, p)
	}
	if openflex.ErrorCode(err) != openflex.CodeResourceMissing {
		return nil, false, err
	}
	_, lines, err := s.open(ctx, merchantID, id)
	if err != nil {
		return nil, false, err
	}
	return pageLines(lines, p)
}

// pageLines pages lines held in memory (an open day's) like the store
// pages closed ones: newest first, cursors on the id.
func pageLines(lines []*openflex.SettlementLine, p openflex.ListParams) ([]*openflex.SettlementLine, bool, error) {
	for _, c := range []struct{ param, id string }{{"starting_after", p.StartingAfter}, {"ending_before", p.EndingBefore}} {
		if c.id != "" && !slices.ContainsFunc(lines, func(l *openflex.SettlementLine) bool { return l.ID == c.id }) {
			return nil, false, &openflex.Error{Code: openflex.CodeParameterInvalid, Param: c.param,
				Message: fmt.Sprintf("%s %q is not a line of this settlement", c.param, c.id)}
		}
	}
	desc := slices.Clone(lines)
	slices.SortFunc(desc, func(a, b *openflex.SettlementLine) int { return compare(b.ID, a.ID) })
	var sel []*openflex.SettlementLine
	for _, l := range desc {
		if p.StartingAfter != "" && l.ID >= p.StartingAfter || p.EndingBefore != "" && l.ID <= p.EndingBefore {
			continue
		}
		if !p.CreatedFrom.IsZero() && l.Created.Before(p.CreatedFrom) || !p.CreatedTo.IsZero() && l.Created.After(p.CreatedTo) {
			continue
		}
		sel = append(sel, l)
	}
	limit := p.PageLimit()
	if len(sel) <= limit {
		return sel, false, nil
	}
	if p.EndingBefore != "" {
		return sel[len(sel)-limit:], true, nil
	}
	return sel[:limit], true, nil
}

// Pay pays one pending settlement: it is marked paid, the payout clears
// the merchant's payable on the ledger (debit merch:M:payable, credit
// lender:payouts) and settlement.paid is emitted, in one transaction.
// A settlement that is not pending is ErrNotPending.
func (s *Service) Pay(ctx context.Context, st *openflex.Settlement) error {
	return s.Store.Write(ctx, func(ctx context.Context) error {
		now := s.now()
		t := &openflex.Transaction{ID: openflex.NewID(openflex.PrefixTransaction), Type: openflex.TxnPayout, Amount: st.Amount(),
			Reference: st.ID, Created: now}
		if err := s.Store.MarkSettlementPaid(ctx, st.ID, t.ID, now); err != nil {
			return err
		}
		if err := s.Store.PostTransaction(ctx, t, []openflex.Entry{
			{TransactionID: t.ID, Ledger: lending.PayableLedger(st.MerchantID), Debit: t.Amount},
			{TransactionID: t.ID, Ledger: lending.LedgerPayouts, Credit: t.Amount},
		}); err != nil {
			return err
		}
		st.Status, st.PaidAt, st.PayoutID = openflex.SettlementPaid, now, t.ID
		return s.emit(ctx, st.MerchantID, "settlement.paid", st)
	})
}

// Due returns the pending settlements of every merchant for date (all
// pending ones when date is "").
func (s *Service) Due(ctx context.Context, date string) ([]*openflex.Settlement, error) {
	return s.Store.SettlementsDue(ctx, date, time.Time{})
}

// PayTraining pays TRAINING settlements TrainingPayDelay after their cut
// (the simulated payout schedule; no file, no bank). It refuses any other
// environment.
func (s *Service) PayTraining(ctx context.Context) (int, error) {
	if s.Env != openflex.Training {
		return 0, errors.New("settlement: only TRAINING pays itself")
	}
	delay := s.TrainingPayDelay
	if delay <= 0 {
		delay = DefaultTrainingPayDelay
	}
	due, err := s.Store.SettlementsDue(ctx, "", s.now().Add(-delay))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, st := range due {
		if err := s.Pay(ctx, st); err != nil && !errors.Is(err, ErrNotPending) {
			return n, err
		} else if err == nil {
			n++
		}
	}
	return n, nil
}
