package engine_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/servicing/engine"
	"github.com/openflex/openflex/internal/storetest"
)

// TestBatchedRunMatchesOneByOne: the daily job serves many accounts per
// transaction; an account's statements, ledger and standing come out
// exactly as when it is served alone in its own transactions. Two groups
// of accounts live the same two months (purchases, a return, payments,
// one account never paying): the first group is served one account per
// transaction, the second by RunDue in batches; every statement (text
// included), transaction and balance agree, account for account.
func TestBatchedRunMatchesOneByOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e, openflex.Production, toronto(3, 1))
		w.svc.PerTxn, w.svc.TxnTime = 4, time.Hour // batches of 4, whatever the machine's speed
		const per = 9
		var alone, batched []string
		for range per {
			alone = append(alone, w.account(2000_00))
		}
		for range per {
			batched = append(batched, w.account(2000_00))
		}
		// live runs day d's activity of account i on both groups' i-th
		// accounts, so they differ only in how they are served.
		live := func(d int) {
			w.set(toronto(3, d))
			for i := range per {
				for _, n := range []string{alone[i], batched[i]} {
					var err error
					switch {
					case d == 3:
						_, err = w.buy(n, int64(100_00+37_11*i))
					case d == 12 && i%3 == 0:
						_, err = w.buy(n, 250_00)
					case d == 20 && i != per-1: // the last account never pays
						_, err = w.svc.Pay(w.ctx, engine.PaymentRequest{AccountNumber: n, Amount: int64(20_00 + 15_00*i), Channel: engine.ChannelBank})
					}
					if err != nil {
						t.Fatalf("day %d, account %d: %v", d, i, err)
					}
				}
			}
		}
		for _, d := range []int{3, 12, 20} {
			live(d)
		}
		end := toronto(5, 3) // two statements, the never-paying account past due
		w.set(end)
		for _, n := range alone {
			if ok, err := w.svc.ServiceThrough(w.ctx, n, end); err != nil || !ok {
				t.Fatalf("serving %s alone: %v, %v", n, ok, err)
			}
		}
		moved, err := w.svc.RunDue(w.ctx)
		if err != nil || moved != per {
			t.Fatalf("RunDue = %d, %v; want the %d batched accounts moved", moved, err, per)
		}
		if served, reworked := w.svc.Rehearsals(); rehearses(e) && (served != per || reworked != 0) {
			t.Errorf("on SQLite %d accounts were served from their rehearsal and %d worked out again; want all %d rehearsed", served, reworked, per)
		}
		for i := range per {
			a, b := summary(w, alone[i]), summary(w, batched[i])
			if a != b {
				t.Errorf("account %d served alone:\n%s\nserved in a batch:\n%s", i, a, b)
			}
		}
		if got := w.acct(alone[per-1]).Status; got != openflex.AccountAuthProhibited {
			t.Errorf("the account that never paid is %s, want auth_prohibited", got)
		}
		w.verify()
	})
}

// rehearses reports whether the daily job rehearses accounts' days ahead
// of the writer on e: SQLite's one writer (engine/rehearse.go).
func rehearses(e storetest.Engine) bool { return e.Name != "postgres" }

// TestRehearsalSeesALateChange: on SQLite the daily job works accounts'
// days out ahead of the one writer. A hold placed on an account after its
// day was worked out and before the writer reaches it (an authorization
// at a till, which does not touch servicing) is on the account's
// statement: the writer finds the account changed and works its day out
// again; the unchanged account is served as rehearsed.
func TestRehearsalSeesALateChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		if !rehearses(e) {
			t.Skip("PostgreSQL's daily job works days out inside its transactions")
		}
		w := newWorld(t, e, openflex.Production, toronto(3, 1))
		still, held := w.account(2000_00), w.account(2000_00)
		w.purchase(still, 300_00)
		w.purchase(held, 300_00)
		w.set(toronto(4, 2))
		var once sync.Once
		engine.AfterRehearsal(w.svc, func() {
			once.Do(func() {
				if _, err := w.lending.Authorize(w.ctx, lending.AuthorizeRequest{MerchantID: "mer_test", StoreID: "str_test", AccountNumber: held,
					Amount: 123_45, Currency: openflex.CAD, Channel: "online"}); err != nil {
					t.Error(err)
				}
			})
		})
		if moved, err := w.svc.RunDue(w.ctx); err != nil || moved != 2 {
			t.Fatalf("RunDue = %d, %v; want both accounts moved", moved, err)
		}
		for n, want := range map[string]int64{still: 1700_00, held: 1700_00 - 123_45} {
			sts, _, err := w.svc.Statements(w.ctx, n, openflex.ListParams{Limit: 1})
			if err != nil || len(sts) != 1 {
				t.Fatalf("statements of %s: %v, %v", n, sts, err)
			}
			if got := sts[0].Statement.AvailableCredit; got != want {
				t.Errorf("statement of %s shows %d available, want %d", n, got, want)
			}
		}
		if served, reworked := w.svc.Rehearsals(); served != 1 || reworked != 1 {
			t.Errorf("%d accounts served from their rehearsal, %d worked out again; want 1 and 1", served, reworked)
		}
		w.verify()
	})
}

// summary is everything servicing wrote about an account, its number
// and generated ids left out, for comparing two accounts' lives.
func summary(w *world, number string) string {
	w.t.Helper()
	var b strings.Builder
	a := w.acct(number)
	fmt.Fprintf(&b, "status %s posted %d charges %d\n", a.Status, a.PostedBalance, a.Charges)
	sts, _, err := w.svc.Statements(w.ctx, number, openflex.ListParams{Limit: 100})
	if err != nil {
		w.t.Fatal(err)
	}
	for _, v := range sts {
		full, err := w.svc.Statement(w.ctx, v.Stored.ID)
		if err != nil {
			w.t.Fatal(err)
		}
		s := full.Stored
		fmt.Fprintf(&b, "statement %s..%s opening %d closing %d minimum %d due %s lines %v\n%s\n", s.PeriodStart, s.PeriodEnd, s.Opening, s.Closing,
			s.Minimum, s.DueDate, s.Lines, s.Text)
	}
	txns, err := w.db.AccountTransactions(w.ctx, number, 1000)
	if err != nil {
		w.t.Fatal(err)
	}
	var lines []string // sorted: two transactions of one instant list in id order
	for _, t := range txns {
		lines = append(lines, fmt.Sprintf("txn %s %s %d\n", t.Created.UTC().Format(time.RFC3339Nano), t.Type, t.Amount))
	}
	slices.Sort(lines)
	b.WriteString(strings.Join(lines, ""))
	days, err := w.db.AppliedDays(w.ctx, number)
	if err != nil {
		w.t.Fatal(err)
	}
	fmt.Fprintf(&b, "days %d %s..%s\n", len(days), days[0], days[len(days)-1])
	return strings.ReplaceAll(b.String(), number, "NUMBER")
}

// TestBatchedRunIsolatesABadAccount: an account whose day cannot be
// applied fails its batch's transaction; the batch's other accounts are
// served again one by one, so only the bad account is left behind, and the
// job's error names it.
func TestBatchedRunIsolatesABadAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e, openflex.Production, toronto(3, 1))
		w.svc.PerTxn, w.svc.TxnTime = 5, time.Hour
		var numbers []string
		for range 7 {
			n := w.account(1000_00)
			if _, err := w.buy(n, 100_00); err != nil {
				t.Fatal(err)
			}
			numbers = append(numbers, n)
		}
		w.set(toronto(3, 5))
		if _, err := w.svc.RunDue(w.ctx); err != nil {
			t.Fatal(err)
		}
		bad := numbers[2]
		row, err := w.db.Servicing(w.ctx, bad)
		if err != nil {
			t.Fatal(err)
		}
		row.State = []byte(`{"not": a servicing state`)
		if err := w.db.SaveServicing(w.ctx, row, row.NextDay); err != nil {
			t.Fatal(err)
		}
		w.set(toronto(4, 2))
		moved, err := w.svc.RunDue(w.ctx)
		if err == nil || !strings.Contains(err.Error(), bad) || moved != len(numbers)-1 {
			t.Fatalf("RunDue with account %s unreadable = %d, %v; want the other %d moved and an error naming it", bad, moved, err, len(numbers)-1)
		}
		for _, n := range numbers {
			days, err := w.db.AppliedDays(w.ctx, n)
			if err != nil {
				t.Fatal(err)
			}
			want := 32 // 2025-03-01 through 2025-04-01
			if n == bad {
				want = 4 // through 2025-03-04, as before
			}
			if len(days) != want {
				t.Errorf("account %s: %d days applied, want %d", n, len(days), want)
			}
		}
	})
}

// TestClonedAccountsLiveAsTheirTemplate: the load test's copies of an
// account (sqlstore.CloneAccounts) are whole accounts: served through the
// same days they come out exactly as their template, their ledger
// balances, and Verify finds their state follows from their history.
func TestClonedAccountsLiveAsTheirTemplate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e, openflex.Production, toronto(3, 1))
		tmpl := w.account(2000_00)
		if _, err := w.buy(tmpl, 300_00); err != nil {
			t.Fatal(err)
		}
		w.set(toronto(3, 20))
		if _, err := w.svc.Pay(w.ctx, engine.PaymentRequest{AccountNumber: tmpl, Amount: 50_00, Channel: engine.ChannelBank}); err != nil {
			t.Fatal(err)
		}
		w.set(toronto(3, 31))
		if _, err := w.svc.RunDue(w.ctx); err != nil {
			t.Fatal(err)
		}
		copies := []string{"90000000000008", "90000000000016", "90000000000024"}
		if err := w.db.CloneAccounts(w.ctx, tmpl, copies); err != nil {
			t.Fatal(err)
		}
		w.set(toronto(5, 3))
		if moved, err := w.svc.RunDue(w.ctx); err != nil || moved != 1+len(copies) {
			t.Fatalf("RunDue = %d, %v; want the template and its %d copies moved", moved, err, len(copies))
		}
		// The copies' days are claimed from the one they were copied on:
		// the template's earlier claims are not copied (see CloneAccounts).
		// Their customers are whole too: personal data sealed to each copy's
		// own customer (the statement-ready message needs the phone).
		tc, err := w.db.Customer(w.ctx, w.acct(tmpl).CustomerID)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range copies {
			a := w.acct(n)
			c, err := w.db.Customer(w.ctx, a.CustomerID)
			if err != nil || a.CustomerID == tc.ID || c.Applicant.LastName != tc.Applicant.LastName {
				t.Errorf("copy %s's customer %s: %v, %v; want its own, named as the template's", n, a.CustomerID, c, err)
			}
		}
		lastDays := func(s string) (string, string) { i := strings.LastIndex(s, "days "); return s[:i], s[i+len("days "):] }
		want, _ := lastDays(summary(w, tmpl))
		for _, n := range copies {
			got, days := lastDays(summary(w, n))
			if got != want || days != "33 2025-03-31..2025-05-02\n" {
				t.Errorf("copy %s:\n%sdays %s\nits template:\n%s", n, got, days, want)
			}
		}
		w.verify()
	})
}
