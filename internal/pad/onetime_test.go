package pad_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/cpa005"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/pad"
	"github.com/openflex/openflex/internal/servicing"
	"github.com/openflex/openflex/internal/storetest"
)

// TestOneTimePayment walks a customer's one-time payment from a bank
// account (a sporadic PAD): authorized with its own text and confirmed,
// asked twice with one key and made once, another cancelled before it is
// sent, the one left taken by the day's debit file (read back field by
// field) and applied through the engine to the plan it pays off, and the
// bank's return reversing it once.
func TestOneTimePayment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		mo := newMonth(t, e)
		svc := mo.p.Main.PAD[openflex.Training]
		data := mo.p.Main.Stores.Data(openflex.Training)
		engine := mo.p.Main.Planes[openflex.Training].Servicing
		// A $300 purchase on the 6-month deferred plan, on 2027-02-01.
		deferred := mo.p.Plans[2]
		if _, err := mo.p.Main.Planes[openflex.Training].Lending.Authorize(ctx, lending.AuthorizeRequest{MerchantID: mo.p.Merchant.ID,
			StoreID: mo.p.Stores[0].ID, AccountNumber: mo.number, Amount: 300_00, Currency: openflex.CAD, AutoCapture: true, Channel: "online",
			Financing: &lending.FinancingChoice{PlanID: deferred.ID, TermMonths: 6}}); err != nil {
			t.Fatal(err)
		}
		v, err := engine.Account(ctx, mo.number)
		if err != nil {
			t.Fatal(err)
		}
		plan := v.State.Segments[len(v.State.Segments)-1].ID
		bank := openflex.BankAccount{Institution: "004", Transit: "12345", Account: "7654321", HolderName: "Élise Débit"}
		ask := func(key, on string, amount int64, planID string) (*pad.OneTime, error) {
			return svc.OneTimePayment(ctx, pad.OneTimeRequest{AccountNumber: mo.number, Amount: amount, DebitOn: on, Earliest: "2027-02-01",
				Latest: "2027-03-01", PlanID: planID, Bank: bank, Language: "fr", Accepted: true, Key: key})
		}

		refused := []struct {
			name  string
			req   pad.OneTimeRequest
			param string
		}{
			{"before the account's day", pad.OneTimeRequest{DebitOn: "2027-01-31"}, "debit_on"},
			{"after the latest day", pad.OneTimeRequest{DebitOn: "2027-03-02"}, "debit_on"},
			{"a bad transit number", pad.OneTimeRequest{Bank: openflex.BankAccount{Institution: "004", Transit: "12", Account: "7654321", HolderName: "É"}}, "bank.transit"},
			{"not authorized", pad.OneTimeRequest{Accepted: false}, "accepted"},
			{"on file without an agreement", pad.OneTimeRequest{OnFile: true}, "bank"},
		}
		for _, tt := range refused {
			r := pad.OneTimeRequest{AccountNumber: mo.number, Amount: 300_00, DebitOn: "2027-02-03", Earliest: "2027-02-01", Latest: "2027-03-01",
				Bank: bank, Language: "fr", Accepted: true, Key: "k-" + tt.name}
			if tt.req.DebitOn != "" {
				r.DebitOn = tt.req.DebitOn
			}
			if tt.req.Bank.Transit != "" {
				r.Bank = tt.req.Bank
			}
			if tt.param == "accepted" {
				r.Accepted = false
			}
			r.OnFile = tt.req.OnFile
			_, err := svc.OneTimePayment(ctx, r)
			var fe *openflex.Error
			if !asErr(err, &fe) || !hasParam(fe, tt.param) {
				t.Errorf("%s: OneTimePayment = %v, want an error on %s", tt.name, err, tt.param)
			}
		}

		// The plan's payoff on 2027-02-03: its $300.00 (interest accrued
		// since the purchase waived, paid before expiry), and first the
		// January statement's $25.00 minimum, which the allocation pays
		// before any plan.
		po, err := engine.Payoff(ctx, mo.number, plan, servicing.D(2027, 2, 3))
		if err != nil || po.Amount != 325_00 || po.Ahead != 25_00 || po.Principal != 300_00 {
			t.Fatalf("the plan's payoff = %+v, %v; want $325.00 with $25.00 paid first", po, err)
		}
		first, err := ask("form-1", "2027-02-03", po.Amount, plan)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ask("form-1", "2027-02-03", po.Amount, plan)
		if err != nil || again.ID != first.ID {
			t.Fatalf("the same form submitted twice = %v, %v; want payment %s again", again, err, first.ID)
		}
		if _, err := ask("form-1", "2027-02-04", po.Amount, plan); openflex.ErrorCode(err) != openflex.CodeParameterInvalid {
			t.Errorf("the form's key for another day = %v, want parameter_invalid", err)
		}
		if first.Status != pad.DebitScheduled || !strings.Contains(first.Text, "une seule fois") || !strings.Contains(first.Text, "droits de recours") {
			t.Errorf("one-time payment = %+v", first)
		}
		if msgs, _ := data.AccountMessages(ctx, mo.number, 10); msgs[0].Kind != pad.MessageOneTime || !strings.Contains(msgs[0].Body, "325,00") {
			t.Errorf("confirmation = %+v; want the one-time payment's, in French", msgs[0])
		}
		second, err := ask("form-2", "2027-02-03", 50_00, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CancelOneTime(ctx, "30000000000017", second.ID, "customer"); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Errorf("cancelling another account's payment = %v, want resource_missing", err)
		}
		if c, err := svc.CancelOneTime(ctx, mo.number, second.ID, "customer"); err != nil || c.Status != pad.OneTimeCancelled {
			t.Fatalf("CancelOneTime = %+v, %v", c, err)
		}
		if _, err := svc.CancelOneTime(ctx, mo.number, second.ID, "customer"); openflex.ErrorCode(err) != openflex.CodeParameterInvalid {
			t.Errorf("cancelling twice = %v, want parameter_invalid", err)
		}
		if list, err := data.OneTimePayments(ctx, mo.number); err != nil || len(list) != 2 {
			t.Fatalf("one-time payments = %d, %v; want 2 (one made twice counts once)", len(list), err)
		}

		owed := mo.account().Owed()
		var buf bytes.Buffer
		if res, err := svc.DebitFile(ctx, "2027-02-02", lender, &buf); err != nil || len(res.OneTime) != 0 {
			t.Fatalf("DebitFile the day before = %+v, %v; want nothing", res, err)
		}
		mo.advance(dayAt("2027-02-03", 13))
		buf.Reset()
		res, err := svc.DebitFile(ctx, "2027-02-03", lender, &buf)
		if err != nil || len(res.OneTime) != 1 || len(res.OneTimeSkipped) != 0 || res.OneTime[0].ID != first.ID {
			t.Fatalf("DebitFile = %+v, %v; want the one payment not cancelled", res, err)
		}
		f, err := cpa005.Read(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Debits) != 1 {
			t.Fatalf("file holds %d debits, want 1", len(f.Debits))
		}
		it := f.Debits[0]
		if it.Amount != 325_00 || it.Account.Account != "7654321" || it.Account.Transit != "12345" || it.CrossReference != first.Reference ||
			it.DueDate.Format(time.DateOnly) != "2027-02-03" || it.Name != "ELISE DEBIT" {
			t.Errorf("debit item = %+v", it)
		}
		if got := mo.account().Owed(); got != owed-325_00 {
			t.Errorf("owed after the debit = %d, want %d", got, owed-325_00)
		}
		v, err = engine.Account(ctx, mo.number)
		if err != nil {
			t.Fatal(err)
		}
		if s := v.State.Segment(plan); s.Balance() != 0 {
			t.Errorf("the plan the payment was directed at owes %d, want 0", s.Balance())
		}
		buf.Reset()
		if res, err := svc.DebitFile(ctx, "2027-02-03", lender, &buf); err != nil || len(res.OneTime) != 0 {
			t.Fatalf("a second run = %+v, %v; want nothing taken twice", res, err)
		}
		if _, err := svc.CancelOneTime(ctx, mo.number, first.ID, "customer"); openflex.ErrorCode(err) != openflex.CodeParameterInvalid {
			t.Errorf("cancelling a payment sent to the bank = %v, want parameter_invalid", err)
		}

		var ret bytes.Buffer
		if err := cpa005.WriteReturns(&ret, lender, 78, dayAt("2027-02-03", 0), nil, f.Debits); err != nil {
			t.Fatal(err)
		}
		returned, err := cpa005.Read(bytes.NewReader(ret.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range []string{"returned", "already returned"} {
			out, err := svc.Returns(ctx, returned)
			if err != nil || len(out) != 1 || out[0].Result != want || out[0].DebitID != first.ID {
				t.Fatalf("Returns, pass %d = %+v, %v; want %q", i+1, out, err, want)
			}
		}
		if got := mo.account().Owed(); got < owed {
			t.Errorf("owed after the return = %d, want at least %d", got, owed)
		}
		if got, _ := data.OneTimePayment(ctx, first.ID); got.Status != pad.DebitReturned {
			t.Errorf("status after the return = %s, want returned", got.Status)
		}
	})
}

func asErr(err error, e **openflex.Error) bool {
	x, ok := err.(*openflex.Error)
	*e = x
	return ok
}

func hasParam(e *openflex.Error, param string) bool {
	if e.Param == param {
		return true
	}
	for _, f := range e.Fields {
		if f.Param == param {
			return true
		}
	}
	return false
}

// TestOneTimeCancelRacesTheDebitFile: customers cancelling while the day's
// debit file claims their payments. Each payment ends either sent (in the
// file, its payment applied) or cancelled (never paid), never both.
func TestOneTimeCancelRacesTheDebitFile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		mo := newMonth(t, e)
		svc := mo.p.Main.PAD[openflex.Training]
		data := mo.p.Main.Stores.Data(openflex.Training)
		var ids []string
		for i := range 12 {
			o, err := svc.OneTimePayment(ctx, pad.OneTimeRequest{AccountNumber: mo.number, Amount: 1_00, DebitOn: "2027-02-01",
				Earliest: "2027-02-01", Latest: "2027-02-01", Language: "en", Accepted: true, Key: fmt.Sprint("race-", i),
				Bank: openflex.BankAccount{Institution: "004", Transit: "12345", Account: "7654321", HolderName: "Race"}})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, o.ID)
		}
		var wg sync.WaitGroup
		var buf bytes.Buffer
		var res *pad.FileResult
		var fileErr error
		wg.Go(func() { res, fileErr = svc.DebitFile(ctx, "2027-02-01", lender, &buf) })
		var cancelled sync.Map // the cancellations the customer was told succeeded
		for _, id := range ids {
			wg.Go(func() {
				_, err := svc.CancelOneTime(ctx, mo.number, id, "customer")
				if err == nil {
					cancelled.Store(id, true)
				} else if openflex.ErrorCode(err) != openflex.CodeParameterInvalid {
					t.Errorf("cancel %s: %v", id, err)
				}
			})
		}
		wg.Wait()
		if fileErr != nil {
			t.Fatal(fileErr)
		}
		inFile := map[string]bool{}
		for _, o := range res.OneTime {
			inFile[o.ID] = true
		}
		for _, id := range ids {
			o, err := data.OneTimePayment(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			_, told := cancelled.Load(id)
			switch {
			case o.Status == pad.DebitSent && o.PaymentID != "" && inFile[id] && !told:
			case o.Status == pad.OneTimeCancelled && o.PaymentID == "" && !inFile[id] && told:
			default:
				t.Errorf("payment %s ended %s (payment %q, in the file %v, cancellation confirmed %v)", id, o.Status, o.PaymentID, inFile[id], told)
			}
		}
	})
}

// TestOneTimeNotTaken: a one-time payment the engine refuses (past the
// $10,000 a day an account may be paid) is left out of the file, marked
// not taken with the reason, and the customer is told; nothing moves.
func TestOneTimeNotTaken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		mo := newMonth(t, e)
		svc := mo.p.Main.PAD[openflex.Training]
		data := mo.p.Main.Stores.Data(openflex.Training)
		o, err := svc.OneTimePayment(ctx, pad.OneTimeRequest{AccountNumber: mo.number, Amount: 10_000_01, DebitOn: "2027-02-01",
			Earliest: "2027-02-01", Latest: "2027-02-01", Language: "fr", Accepted: true, Key: "too-much",
			Bank: openflex.BankAccount{Institution: "004", Transit: "12345", Account: "7654321", HolderName: "Élise"}})
		if err != nil {
			t.Fatal(err)
		}
		owed := mo.account().Owed()
		var buf bytes.Buffer
		res, err := svc.DebitFile(ctx, "2027-02-01", lender, &buf)
		if err != nil || len(res.OneTime) != 0 || len(res.OneTimeSkipped) != 1 {
			t.Fatalf("DebitFile = %+v, %v; want the payment not taken", res, err)
		}
		f, err := cpa005.Read(&buf)
		if err != nil || len(f.Debits) != 0 {
			t.Fatalf("file = %+v, %v; want no debit", f, err)
		}
		got, _ := data.OneTimePayment(ctx, o.ID)
		if got.Status != pad.DebitSkipped || got.PaymentID != "" || !strings.Contains(got.Note, "payment") {
			t.Errorf("payment after the file = %+v", got)
		}
		if msgs, _ := data.AccountMessages(ctx, mo.number, 1); len(msgs) != 1 || msgs[0].Kind != pad.MessageOneTimeSkipped || !strings.Contains(msgs[0].Body, "rien n’a été débité") {
			t.Errorf("the customer was not told: %+v", msgs)
		}
		if mo.account().Owed() != owed {
			t.Errorf("owed moved from %d to %d", owed, mo.account().Owed())
		}
	})
}
