package servicing_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/finance"
	"github.com/openflex/openflex/internal/servicing"
)

// TestLeapDay: February 2028 has 29 days of interest, each at rate/365
// (the rate is per 365-day year: no 366-day year, FINERACT-2197), and the
// January statement's due date skips Family Day (2028-02-21).
func TestLeapDay(t *testing.T) {
	a := open(t, d(2028, 1, 1), "ON")
	must(t)(a.Purchase(servicing.Purchase{ID: "cap_1", Date: d(2028, 1, 1), Amount: 1_000_00, Terms: regular}))
	st := run(t, a, d(2028, 2, 29))
	if len(st) != 2 || st[0].DueDate != d(2028, 2, 22) {
		t.Fatalf("statements = %d, first due %s; want 2, 2028-02-22", len(st), st[0].DueDate)
	}
	// Nothing paid: grace lost, interest from the posting date for
	// 31 + 29 days: 1,000 × 60 × 0.2999 / 365 = 49.298 → $49.30.
	if got := st[1].InterestCharged; got != 49_30 {
		t.Errorf("February 2028 interest = %d, want 4930", got)
	}
	if st[1].PastDue != 50_00 || a.Status != "auth_prohibited" {
		t.Errorf("past due %d, status %s; want 5000 and auth_prohibited", st[1].PastDue, a.Status)
	}
}

// sim drives an account through random days of purchases, returns,
// payments and reversals, checking the invariants after every step.
type sim struct {
	t       *testing.T
	rng     *rand.Rand
	a       *servicing.Account
	loc     *time.Location
	now     time.Time
	history []servicing.Event
	posted  int64 // the sum of every posting so far: what the ledger says is owed
	stmts   []*servicing.Statement
	bought  map[string]int64 // purchase id → amount not yet returned
	paid    []string
	n       int
	// lazy customers rarely pay: their accounts go past due, lose their
	// promotions and are charged off.
	lazy bool
}

func (s *sim) check(what string, before int64, r servicing.Result) {
	t := s.t
	t.Helper()
	s.posted += servicing.Sum(r.Postings)
	if got := s.a.Balance(); got != before+servicing.Sum(r.Postings) || got != s.posted {
		t.Fatalf("%s: balance %d, before %d + postings %d, all postings %d", what, got, before, servicing.Sum(r.Postings), s.posted)
	}
	for _, g := range s.a.Segments {
		if g.Principal < 0 || g.Interest < 0 || g.Fees < 0 || g.Due < 0 || g.Unbilled < 0 || g.Unbilled > g.Principal || g.Accrued < 0 {
			t.Fatalf("%s: segment %s went negative: %+v", what, g.ID, g)
		}
	}
	switch dpd := s.a.DaysPastDue(s.a.OpenDay()); s.a.Status {
	case "normal", "auth_prohibited":
		if want := dpd > s.a.Config.AuthGraceDays; (s.a.Status == "auth_prohibited") != want {
			t.Fatalf("%s: status %s with %d days past due", what, s.a.Status, dpd)
		}
	case "charged_off":
		if s.a.Balance() != s.a.ChargedOff-s.a.Credit {
			t.Fatalf("%s: charged off with segments owing: balance %d, charged off %d", what, s.a.Balance(), s.a.ChargedOff)
		}
	}
	if s.a.Credit < 0 || s.a.ChargedOff < 0 {
		t.Fatalf("%s: credit %d, charged off %d", what, s.a.Credit, s.a.ChargedOff)
	}
	if st := r.Statement; st != nil {
		var lines int64
		for _, l := range st.Lines {
			lines += l.Amount
		}
		if st.OpeningBalance+lines != st.ClosingBalance || st.OpeningBalance+st.TotalDebits-st.TotalCredits != st.ClosingBalance {
			t.Fatalf("%s: statement %d: opening %d + lines %d != closing %d", what, st.Number, st.OpeningBalance, lines, st.ClosingBalance)
		}
		if st.ClosingBalance != s.posted {
			t.Fatalf("%s: statement %d closes at %d, the postings sum to %d", what, st.Number, st.ClosingBalance, s.posted)
		}
		if n := len(s.stmts); n > 0 && s.stmts[n-1].PeriodEnd.AddDays(1) == st.PeriodStart && s.stmts[n-1].ClosingBalance != st.OpeningBalance {
			t.Fatalf("%s: statement %d opens at %d, the last closed at %d", what, st.Number, st.OpeningBalance, s.stmts[n-1].ClosingBalance)
		}
		if st.MinimumPayment < 0 || st.MinimumPayment > max(0, st.ClosingBalance) {
			t.Fatalf("%s: minimum %d of a balance of %d", what, st.MinimumPayment, st.ClosingBalance)
		}
		if days := st.PeriodEnd.DaysUntil(st.DueDate); days < 21 || !servicing.IsBusinessDay("ON", st.DueDate) {
			t.Fatalf("%s: due %s, %d days after the cycle", what, st.DueDate, days)
		}
		s.stmts = append(s.stmts, st)
	}
}

// advance ends days until the day holding instant t is the open day.
func (s *sim) advance(t time.Time) servicing.Date {
	day := servicing.DayOf(t, s.loc)
	for s.a.OpenDay().Before(day) {
		before := s.a.Balance()
		r, err := s.a.EndDay(s.a.OpenDay())
		if err != nil {
			s.t.Fatal(err)
		}
		s.check("end of "+s.a.Day.String(), before, r)
	}
	return day
}

func (s *sim) step() {
	t, a := s.t, s.a
	s.now = s.now.Add(time.Duration(1+s.rng.IntN(40)) * time.Hour)
	day := s.advance(s.now)
	s.n++
	before := a.Balance()
	switch k := s.rng.IntN(10); {
	case k < 3: // a purchase on one of the plans
		if a.Status != "normal" {
			return // authorizations are refused
		}
		id := fmt.Sprintf("cap_%d", s.n)
		p := servicing.Purchase{ID: id, Date: day, Amount: int64(1_00 + s.rng.IntN(2_000_00)), Merchant: "Maple", Description: "goods"}
		switch s.rng.IntN(3) {
		case 0:
			p.Terms = regular
		case 1:
			p.Terms = finance.Terms{Category: finance.EqualPayments, Months: 3 + s.rng.IntN(10), AnnualRate: finance.Percent(s.rng.IntN(2) * 9_990), AdminFee: int64(s.rng.IntN(2) * 10_00)}
		default:
			p.Terms = finance.Terms{Category: finance.Deferred, Months: 1 + s.rng.IntN(4), AnnualRate: 29_990}
			if s.rng.IntN(2) == 0 {
				p.DeferredRule = servicing.DeferredForward
			}
		}
		r, err := a.Purchase(p)
		if err != nil {
			t.Fatal(err)
		}
		s.bought[id] = p.Amount
		s.history = append(s.history, servicing.Event{Kind: servicing.EventPurchase, Date: day, Purchase: &p})
		s.check("purchase", before, r)
	case k < 4: // a return of part of a purchase
		ids := keys(s.bought)
		if len(ids) == 0 {
			return
		}
		id := ids[s.rng.IntN(len(ids))]
		if s.bought[id] == 0 {
			return
		}
		ret := servicing.Return{ID: fmt.Sprintf("ret_%d", s.n), PurchaseID: id, Date: day, Amount: 1 + s.rng.Int64N(s.bought[id])}
		r, err := a.Return(ret)
		if err != nil {
			t.Fatal(err)
		}
		s.bought[id] -= ret.Amount
		s.history = append(s.history, servicing.Event{Kind: servicing.EventReturn, Date: day, Return: &ret})
		s.check("return", before, r)
	case k == 8 && s.rng.IntN(8) == 0: // staff
		action := []servicing.StaffAction{servicing.ActionFreeze, servicing.ActionUnfreeze, servicing.ActionClose}[s.rng.IntN(3)]
		if action == servicing.ActionClose && s.rng.IntN(4) > 0 {
			action = servicing.ActionUnfreeze
		}
		r, err := a.SetStatus(action, "test", day)
		if err == nil {
			s.history = append(s.history, servicing.Event{Kind: servicing.EventStaff, Date: day, Action: action, Reason: "test"})
		}
		s.check("staff "+string(action), before, r)
	case k < 8: // a payment, sometimes backdated within the cycle
		if s.lazy && s.rng.IntN(10) > 0 {
			return
		}
		on := day
		if back := s.rng.IntN(5); back > 0 && !on.AddDays(-back).Before(a.Cycle.Start) {
			on = on.AddDays(-back)
		}
		p := servicing.Payment{ID: fmt.Sprintf("pay_%d", s.n), Date: on, Amount: int64(1 + s.rng.IntN(800_00))}
		atOnce := s.rng.IntN(6) == 0
		var snapshot string
		if atOnce {
			snapshot = state(t, a)
		}
		r, err := a.Pay(p)
		if err != nil {
			t.Fatal(err)
		}
		if servicing.Sum(r.Postings) != -p.Amount {
			t.Fatalf("payment of %d: postings sum to %d", p.Amount, servicing.Sum(r.Postings))
		}
		checkOrder(t, a, r.Postings)
		s.history = append(s.history, servicing.Event{Kind: servicing.EventPayment, Date: day, Payment: &p})
		s.check("payment", before, r)
		if atOnce {
			// Reversed at once: the account is exactly as before.
			rv := servicing.Reversal{PaymentID: p.ID, Date: day, Reason: "entered twice"}
			before := a.Balance()
			r, err := a.Reverse(rv)
			if err != nil {
				t.Fatal(err)
			}
			s.history = append(s.history, servicing.Event{Kind: servicing.EventReversal, Date: day, Reversal: &rv})
			s.check("reversal at once", before, r)
			if servicing.Sum(r.Postings) != p.Amount {
				t.Fatalf("reversal of %d: postings sum to %d", p.Amount, servicing.Sum(r.Postings))
			}
			if got := state(t, a); !reflect.DeepEqual(got, snapshot) {
				t.Fatalf("reversal at once left\n%s\nwant\n%s", got, snapshot)
			}
			return
		}
		s.paid = append(s.paid, p.ID)
	case k == 9 && s.rng.IntN(4) == 0: // staff waive (part of) a fee or interest charge, perhaps paid already
		kind, owed := servicing.BucketFee, int64(0)
		if s.rng.IntN(2) == 0 {
			kind = servicing.BucketInterest
		}
		for _, g := range a.Segments {
			if kind == servicing.BucketFee {
				owed += g.Fees
			} else {
				owed += g.Interest
			}
		}
		w := servicing.Waiver{ID: fmt.Sprintf("wvr_%d", s.n), Charge: fmt.Sprintf("txn_%d", s.n), Kind: kind, Charged: owed + s.rng.Int64N(20_00) + 1,
			Date: day, Reason: "goodwill"}
		w.Amount = 1 + s.rng.Int64N(w.Charged)
		r, err := a.Waive(w)
		if err != nil {
			t.Fatal(err)
		}
		if servicing.Sum(r.Postings) != -w.Amount {
			t.Fatalf("waiver of %d: postings sum to %d", w.Amount, servicing.Sum(r.Postings))
		}
		s.history = append(s.history, servicing.Event{Kind: servicing.EventWaiver, Date: day, Waiver: &w})
		s.check("waiver", before, r)
		again := w
		again.ID, again.Amount = w.ID+"b", w.Charged-w.Amount+1
		if _, err := a.Waive(again); openflex.ErrorCode(err) != openflex.CodeParameterInvalid {
			t.Fatalf("waiving beyond the charge: %v, want parameter_invalid", err)
		}
	default: // a reversal of an earlier payment, sometimes returned unpaid (NSF)
		if len(s.paid) == 0 {
			return
		}
		i := s.rng.IntN(len(s.paid))
		id := s.paid[i]
		s.paid = slices.Delete(s.paid, i, i+1)
		rv := servicing.Reversal{PaymentID: id, Date: day, Returned: s.rng.IntN(2) == 0, Reason: "cheque returned"}
		if _, kept := a.Payments[id]; !kept {
			// Applied more than ReversalDays ago: too old to reverse.
			if _, err := a.Reverse(rv); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
				t.Fatalf("reversal of a forgotten payment: %v, want resource_missing", err)
			}
			return
		}
		r, err := a.Reverse(rv)
		if err != nil {
			t.Fatal(err)
		}
		want := a.Payments[id].Payment.Amount
		if rv.Returned {
			want += a.Config.NSFFee
		}
		if servicing.Sum(r.Postings) != want {
			t.Fatalf("reversal of %s: postings sum to %d, want %d", id, servicing.Sum(r.Postings), want)
		}
		s.history = append(s.history, servicing.Event{Kind: servicing.EventReversal, Date: day, Reversal: &rv})
		s.check("reversal", before, r)
	}
}

// checkOrder: a payment pays fees before interest before principal, and
// leaves a credit balance only when nothing is owed.
func checkOrder(t *testing.T, a *servicing.Account, ps []servicing.Posting) {
	t.Helper()
	rank := map[servicing.Bucket]int{servicing.BucketChargedOff: 0, servicing.BucketFee: 1, servicing.BucketInterest: 2, servicing.BucketPrincipal: 3, servicing.BucketCredit: 4}
	last := 0
	principal, credit := false, false
	for _, p := range ps {
		if rank[p.Bucket] < last {
			t.Fatalf("allocation out of order: %+v", ps)
		}
		last = rank[p.Bucket]
		principal = principal || p.Bucket == servicing.BucketPrincipal
		credit = credit || p.Bucket == servicing.BucketCredit
	}
	// While a due is left unpaid, no principal is paid beyond dues.
	var principalPaid, dueParts int64
	for _, p := range ps {
		if p.Bucket == servicing.BucketPrincipal {
			principalPaid -= p.Amount
		}
	}
	if rec := a.Payments[ps[0].Ref]; rec != nil {
		for _, x := range rec.DueParts {
			dueParts += x
		}
	}
	for _, g := range a.Segments {
		if !g.Closed && g.Due > 0 && g.Principal > 0 && principalPaid > dueParts {
			t.Fatalf("%d of principal paid beyond dues of %d while %s still has %d due", principalPaid-dueParts, dueParts, g.ID, g.Due)
		}
	}
	for _, g := range a.Segments {
		if principal && (g.Fees > 0 || g.Interest > 0) {
			t.Fatalf("principal paid while %s still owes fees %d, interest %d", g.ID, g.Fees, g.Interest)
		}
		if credit && g.Balance() > 0 {
			t.Fatalf("a credit balance left while %s owes %d", g.ID, g.Balance())
		}
	}
}

// state is the account as JSON, for comparing.
func state(t testing.TB, a *servicing.Account) string {
	t.Helper()
	c := *a
	c.Cycle.Lines = nil
	c.Payments = nil
	b, err := json.MarshalIndent(c, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func keys(m map[string]int64) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestProperties runs random accounts from November 2027 to May 2028,
// across the leap day and the spring DST change, and replays each from its
// history to the same account and statements.
func TestProperties(t *testing.T) {
	seeds := 40
	if testing.Short() {
		seeds = 10
	}
	for seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			cfg := servicing.DefaultConfig()
			cfg.NSFFee = 15_00
			cfg.MissedInstalmentsToCancel = 1 + seed%3
			o := servicing.Opening{Number: "30000000000017", Province: "ON", Language: "en", Opened: d(2027, 11, 1), CreditLimit: 10_000_00, Rate: 29_990, StatementDay: seed % 29}
			a, err := servicing.Open(cfg, o)
			if err != nil {
				t.Fatal(err)
			}
			loc, _ := servicing.Location("ON")
			s := &sim{t: t, rng: rand.New(rand.NewPCG(uint64(seed), 26)), a: a, loc: loc,
				now: time.Date(2027, 11, 1, 9, 0, 0, 0, loc), bought: map[string]int64{}}
			end := time.Date(2028, 5, 31, 12, 0, 0, 0, loc)
			if s.lazy = seed%4 == 3; s.lazy {
				end = time.Date(2028, 9, 30, 12, 0, 0, 0, loc)
			}
			for s.now.Before(end) {
				s.step()
			}
			s.advance(s.now.Add(24 * time.Hour))
			last := a.Day
			if last.Before(d(2028, 5, 31)) {
				t.Fatalf("ended on %s, before 2028-05-31", last)
			}
			replayed, stmts, err := servicing.Replay(cfg, o, s.history, last)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := state(t, replayed), state(t, a); got != want {
				t.Fatalf("replay differs:\n%s\nwant\n%s", got, want)
			}
			if len(stmts) != len(s.stmts) {
				t.Fatalf("replay produced %d statements, want %d", len(stmts), len(s.stmts))
			}
			for i := range stmts {
				if !reflect.DeepEqual(stmts[i], s.stmts[i]) {
					t.Fatalf("replayed statement %d differs:\n%+v\nwant\n%+v", i+1, stmts[i], s.stmts[i])
				}
			}
		})
	}
}
