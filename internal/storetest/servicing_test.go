package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/servicing/engine"
)

// TestServicingDayAppliedOnce: however many nodes claim an account's day
// at once, one gets it; and a servicing row saved against a stale next day
// is refused, so a day's effects commit once.
func TestServicingDayAppliedOnce(t *testing.T) {
	Each(t, func(t *testing.T, e Engine) {
		db := e.Open(t).Data(openflex.Production)
		ctx := context.Background()
		n := consentAccount(t, db, "Daily")
		row, err := db.Servicing(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		if row.TimeZone != "America/Toronto" || row.StatementDay != 0 || row.NextDay == "" || row.NextDay != row.OpenedOn {
			t.Fatalf("new account's servicing row = %+v, want Toronto, last day of month, next day = opening day", row)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for range 8 {
			wg.Go(func() {
				err := db.Write(ctx, func(ctx context.Context) error { return db.ClaimDay(ctx, n, "2025-03-01", time.Now()) })
				switch {
				case err == nil:
					mu.Lock()
					won++
					mu.Unlock()
				case !errors.Is(err, engine.ErrDayApplied):
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if won != 1 {
			t.Fatalf("%d claims of one (account, day) succeeded, want 1", won)
		}
		prev := row.NextDay
		row.NextDay, row.State = "2025-03-02", []byte(`{"x":1}`)
		if err := db.SaveServicing(ctx, row, prev); err != nil {
			t.Fatal(err)
		}
		if err := db.SaveServicing(ctx, row, prev); !errors.Is(err, engine.ErrDayApplied) {
			t.Fatalf("SaveServicing against a stale next day = %v, want ErrDayApplied", err)
		}
		// Inside a write transaction PostgreSQL sends the save with the
		// next statement: against a stale next day it still fails, and
		// the transaction with it.
		if err := db.Write(ctx, func(ctx context.Context) error { return db.SaveServicing(ctx, row, prev) }); err == nil {
			t.Fatal("SaveServicing against a stale next day inside a transaction succeeded")
		}
		got, err := db.Servicing(ctx, n)
		if err != nil || got.NextDay != "2025-03-02" || string(got.State) != `{"x":1}` {
			t.Fatalf("Servicing = %+v, %v", got, err)
		}
		due, _, err := db.DueAccounts(ctx, "America/Toronto", "2025-03-03", "", 10)
		if err != nil || len(due) != 1 || due[0] != n {
			t.Fatalf("DueAccounts = %v, %v, want [%s]", due, err, n)
		}
		if due, _, _ := db.DueAccounts(ctx, "America/Toronto", "2025-03-02", "", 10); len(due) != 0 {
			t.Fatalf("DueAccounts before its next day ended = %v, want none", due)
		}
	})
}

// TestServicingRecords: charges post over the credit limit; test clocks,
// statements and payments read back as written.
func TestServicingRecords(t *testing.T) {
	Each(t, func(t *testing.T, e Engine) {
		db := e.Open(t).Data(openflex.Training)
		ctx := context.Background()
		n := consentAccount(t, db, "Records")
		// The limit is $100: interest may still take what is owed past it.
		if err := db.AdjustOwed(ctx, n, 100_00, 5_00); err != nil {
			t.Fatal(err)
		}
		a, err := db.Account(ctx, n)
		if err != nil || a.PostedBalance != 100_00 || a.Charges != 5_00 || a.Available() != 0 {
			t.Fatalf("account after charges = %+v, %v", a, err)
		}
		at := time.Date(2025, 3, 1, 17, 0, 0, 0, time.UTC)
		c := &engine.TestClock{ID: openflex.NewID(openflex.PrefixTestClock), MerchantID: "mer_a", FrozenTime: at, Status: engine.ClockReady, Created: time.Now().UTC().Truncate(time.Microsecond)}
		if err := db.CreateTestClock(ctx, c); err != nil {
			t.Fatal(err)
		}
		if _, err := db.TestClock(ctx, "mer_b", c.ID); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Fatalf("another merchant's clock: %v, want resource_missing", err)
		}
		if err := db.SetTestClock(ctx, c.ID, at.Add(24*time.Hour), engine.ClockReady); err != nil {
			t.Fatal(err)
		}
		got, err := db.TestClock(ctx, "mer_a", c.ID)
		if err != nil || !got.FrozenTime.Equal(at.Add(24*time.Hour)) {
			t.Fatalf("TestClock = %+v, %v", got, err)
		}
		st := &engine.StoredStatement{ID: openflex.NewID(openflex.PrefixStatement), AccountNumber: n, PeriodStart: "2025-03-01", PeriodEnd: "2025-03-31",
			Closing: 400_00, Minimum: 20_00, DueDate: "2025-04-21", Language: "en", Body: []byte(`{}`), Text: "Statement",
			Lines:   []engine.StatementLine{{PostedOn: "2025-03-01", Kind: "purchase", Description: "Sofa", Amount: 500_00}, {PostedOn: "2025-03-25", Kind: "payment", Amount: -100_00}},
			Created: time.Now().UTC().Truncate(time.Microsecond)}
		if err := db.CreateStatement(ctx, st); err != nil {
			t.Fatal(err)
		}
		back, err := db.Statement(ctx, st.ID)
		if err != nil || len(back.Lines) != 2 || back.Lines[1].Amount != -100_00 || back.Minimum != 20_00 {
			t.Fatalf("Statement = %+v, %v", back, err)
		}
		p := &engine.Payment{ID: openflex.NewID(openflex.PrefixPayment), AccountNumber: n, Amount: 20_00, Channel: engine.ChannelBank,
			Status: engine.PaymentSucceeded, PostedOn: "2025-04-21", TransactionID: "txn_x",
			Allocation: []engine.AllocationLine{{SegmentID: "revolving", Bucket: "principal", Amount: 20_00}}, Created: time.Now().UTC().Truncate(time.Microsecond)}
		if err := db.CreatePayment(ctx, p); err != nil {
			t.Fatal(err)
		}
		if sum, err := db.PaidOn(ctx, n, "2025-04-21"); err != nil || sum != 20_00 {
			t.Fatalf("PaidOn = %d, %v", sum, err)
		}
		p.Status, p.ReversedAt = engine.PaymentReversed, time.Now().UTC().Truncate(time.Microsecond)
		if err := db.UpdatePayment(ctx, p); err != nil {
			t.Fatal(err)
		}
		if sum, _ := db.PaidOn(ctx, n, "2025-04-21"); sum != 0 {
			t.Fatalf("PaidOn after the reversal = %d, want 0", sum)
		}
		pb, err := db.Payment(ctx, p.ID)
		if err != nil || pb.Status != engine.PaymentReversed || len(pb.Allocation) != 1 || pb.Allocation[0].Amount != 20_00 {
			t.Fatalf("Payment = %+v, %v", pb, err)
		}
	})
}

// TestDueAccountsPages: the daily job's pages of due accounts cover every
// due account once, oldest next day first, whatever the page size, and
// leave out those whose next day has not ended.
func TestDueAccountsPages(t *testing.T) {
	Each(t, func(t *testing.T, e Engine) {
		db := e.Open(t).Data(openflex.Production)
		ctx := context.Background()
		days := []string{"2025-03-02", "2025-03-01", "2025-03-02", "2025-03-01", "2025-03-05", "2025-03-02", "2025-03-01"}
		want := map[string]string{}
		for i, d := range days {
			n := consentAccount(t, db, "Due"+string(rune('A'+i)))
			row, err := db.Servicing(ctx, n)
			if err != nil {
				t.Fatal(err)
			}
			prev := row.NextDay
			row.NextDay = d
			if err := db.SaveServicing(ctx, row, prev); err != nil {
				t.Fatal(err)
			}
			if d < "2025-03-05" {
				want[n] = d
			}
		}
		for _, size := range []int{1, 2, 4, 100} {
			var got []string
			after := ""
			for range 20 {
				page, next, err := db.DueAccounts(ctx, "America/Toronto", "2025-03-05", after, size)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, page...)
				if len(page) < size {
					break
				}
				after = next
			}
			if len(got) != len(want) {
				t.Fatalf("pages of %d: %v, want the %d accounts due", size, got, len(want))
			}
			for i, n := range got {
				if _, ok := want[n]; !ok {
					t.Fatalf("pages of %d: %s listed, not due", size, n)
				}
				if i > 0 && (want[got[i-1]] > want[n] || want[got[i-1]] == want[n] && got[i-1] >= n) {
					t.Fatalf("pages of %d: %v, want by next day then number, each once", size, got)
				}
			}
		}
	})
}
