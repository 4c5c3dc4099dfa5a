package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/pad"
)

// TestPADAgreementsAndDebits: one active agreement per account, its bank
// account sealed and read back whole; one debit per (agreement,
// statement) however many schedulers race; debit file numbers never
// repeat.
func TestPADAgreementsAndDebits(t *testing.T) {
	Each(t, func(t *testing.T, e Engine) {
		db := e.Open(t).Data(openflex.Training)
		ctx := context.Background()
		n := consentAccount(t, db, "Debit")
		now := time.Now().UTC().Truncate(time.Microsecond)
		bank := openflex.BankAccount{Institution: "004", Transit: "12345", Account: "123456789", HolderName: "Ada Debit"}
		a := &pad.Agreement{ID: openflex.NewID("pad"), AccountNumber: n, Choice: pad.ChoiceMinimum, Bank: bank, Language: "fr",
			Text: "accord", Status: pad.Active, AgreedAt: now, AgreedBy: "customer", ConfirmedAt: now, FirstDebitOn: "2027-02-04"}
		if err := db.CreateAgreement(ctx, a); err != nil {
			t.Fatal(err)
		}
		second := *a
		second.ID = openflex.NewID("pad")
		if err := db.CreateAgreement(ctx, &second); err == nil {
			t.Fatal("a second active agreement on one account was stored")
		}
		got, err := db.ActiveAgreement(ctx, n)
		if err != nil || got == nil {
			t.Fatal(got, err)
		}
		if got.Bank != bank || got.Choice != pad.ChoiceMinimum || got.FirstDebitOn != "2027-02-04" || !got.AgreedAt.Equal(now) {
			t.Errorf("ActiveAgreement = %+v", got)
		}

		var wg sync.WaitGroup
		var mu sync.Mutex
		stored := 0
		for range 6 {
			wg.Go(func() {
				id := openflex.NewID("pdb")
				ok, err := db.CreateDebit(ctx, &pad.Debit{ID: id, Reference: "OF" + id[len(id)-17:], AgreementID: a.ID, AccountNumber: n,
					StatementID: "stm_1", DueOn: "2027-02-21", Amount: 20_00, Status: pad.DebitScheduled, Created: now, Updated: now})
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					stored++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if stored != 1 {
			t.Fatalf("%d debits stored for one statement, want 1", stored)
		}
		due, err := db.ScheduledDebits(ctx, "2027-02-21")
		if err != nil || len(due) != 1 {
			t.Fatalf("ScheduledDebits = %v, %v", due, err)
		}
		if early, _ := db.ScheduledDebits(ctx, "2027-02-20"); len(early) != 0 {
			t.Errorf("a debit due 02-21 is listed on 02-20")
		}
		d := due[0]
		d.Status, d.FileNumber, d.PaymentID = pad.DebitSent, 3, "pay_x"
		if err := db.UpdateDebit(ctx, d); err != nil {
			t.Fatal(err)
		}
		back, err := db.DebitByReference(ctx, d.Reference)
		if err != nil || back.Status != pad.DebitSent || back.FileNumber != 3 || back.PaymentID != "pay_x" {
			t.Errorf("DebitByReference = %+v, %v", back, err)
		}
		if _, err := db.DebitByReference(ctx, "OFNOSUCHREFERENCE"); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Errorf("unknown reference: %v", err)
		}

		seen := map[int]bool{}
		for range 3 {
			f, err := db.NextFileNumber(ctx, "2027-02-21", now)
			if err != nil || seen[f] || f < 1 {
				t.Fatalf("NextFileNumber = %d, %v (seen %v)", f, err, seen)
			}
			seen[f] = true
		}

		got.Status, got.CancelledAt, got.CancelledBy, got.CancelReason = pad.Cancelled, now, "customer", "no longer wanted"
		if err := db.UpdateAgreement(ctx, got); err != nil {
			t.Fatal(err)
		}
		if act, err := db.ActiveAgreement(ctx, n); err != nil || act != nil {
			t.Errorf("ActiveAgreement after cancel = %v, %v", act, err)
		}
		if all, err := db.Agreements(ctx, n); err != nil || len(all) != 1 || all[0].CancelReason != "no longer wanted" {
			t.Errorf("Agreements = %v, %v", all, err)
		}
	})
}
