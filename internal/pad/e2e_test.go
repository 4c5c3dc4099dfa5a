package pad_test

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/cpa005"
	"github.com/openflex/openflex/internal/customer"
	"github.com/openflex/openflex/internal/pad"
	"github.com/openflex/openflex/internal/storetest"
)

var lender = cpa005.Originator{ID: "0123456789", ShortName: "OpenFlex", LongName: "OpenFlex Financial", DataCentre: "00310",
	Returns: openflex.BankAccount{Institution: "001", Transit: "00011", Account: "1234567"}}

// month is apptest's customer past its first statement (a $500 purchase
// on 2027-01-05, statement period end 2027-01-31), in French.
type month struct {
	*apptest.Customer
	p      *apptest.Platform
	number string
	t      *testing.T
}

func newMonth(t *testing.T, e storetest.Engine) *month {
	t.Helper()
	p := apptest.Start(t, e)
	c := p.CustomerWithStatement(t, "fr")
	return &month{Customer: c, p: p, number: c.Account.Number, t: t}
}

func (mo *month) advance(to time.Time) { mo.t.Helper(); mo.Advance(mo.t, to) }

func (mo *month) account() *openflex.Account { mo.t.Helper(); return mo.Reload(mo.t) }

// TestDebitsThroughTheBank walks a customer's automatic payments on the
// TRAINING test clock: enrolment (confirmation sent, first debit 10 days
// on), the statement's debit scheduled once with its notice, the debit
// file (one file number per run, never the same debit twice, read back
// field by field), and the bank's returned debit reversing the payment
// (NSF fee, standing back: purchases paused once the unpaid due date is
// applied) — applied twice, reversed once.
func TestDebitsThroughTheBank(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		mo := newMonth(t, e)
		svc := mo.p.Main.PAD[openflex.Training]
		data := mo.p.Main.Stores.Data(openflex.Training)
		owedBefore := mo.account().PostedBalance

		due, err := svc.Payments.LatestStatement(ctx, mo.number)
		if err != nil || due == nil {
			t.Fatalf("LatestStatement = %+v, %v; want January's statement", due, err)
		}
		if due.Closing != 500_00 || due.Minimum <= 0 || due.DueOn <= "2027-02-01" {
			t.Fatalf("January statement: closing %d, minimum %d, due %s", due.Closing, due.Minimum, due.DueOn)
		}

		// Svc.Now is the wall clock: the agreement's first debit day must
		// come before the statement's due date for this test, so enrol as
		// of the account's day.
		svc.Now = func() time.Time { return time.Date(2027, 2, 1, 17, 0, 0, 0, time.UTC) }
		a, err := svc.Enrol(ctx, pad.EnrolRequest{AccountNumber: mo.number, Choice: pad.ChoiceStatement, Language: "fr", Accepted: true,
			Bank: openflex.BankAccount{Institution: "004", Transit: "12345", Account: "1234567", HolderName: "Élise Débit"}})
		if err != nil {
			t.Fatal(err)
		}
		if a.FirstDebitOn != "2027-02-11" || !strings.Contains(a.Text, "droits de recours") {
			t.Errorf("agreement: first debit %s, text %q", a.FirstDebitOn, a.Text)
		}
		msgs, err := data.AccountMessages(ctx, mo.number, 10)
		// Newest first: the confirmation, January's statement_ready, the welcome.
		if err != nil || len(msgs) != 3 || msgs[2].Kind != "welcome" || msgs[1].Kind != customer.MessageStatementReady || msgs[0].Kind != pad.MessageConfirmation || !strings.Contains(msgs[0].Body, "2027-02-11") {
			t.Fatalf("messages after enrolment = %v, %v; want the written confirmation", kindsOf(msgs), err)
		}

		for range 2 { // the daily job runs again: still one debit
			if _, err := svc.Schedule(ctx); err != nil {
				t.Fatal(err)
			}
		}
		debits, err := data.Debits(ctx, mo.number)
		if err != nil || len(debits) != 1 {
			t.Fatalf("debits after scheduling twice = %d, %v; want 1", len(debits), err)
		}
		d := debits[0]
		if d.Amount != 500_00 || d.DueOn != due.DueOn || d.Status != pad.DebitScheduled || d.NoticeSentAt.IsZero() {
			t.Errorf("debit = %+v; want the statement balance on %s, notified", d, due.DueOn)
		}
		if msgs, _ := data.AccountMessages(ctx, mo.number, 10); len(msgs) != 4 || msgs[0].Kind != pad.MessageNotice || !strings.Contains(msgs[0].Body, "500,00") {
			t.Errorf("the variable debit's notice was not sent: %+v", msgs)
		}

		// Before the due date: nothing to take.
		var buf bytes.Buffer
		res, err := svc.DebitFile(ctx, "2027-02-11", lender, &buf)
		if err != nil || len(res.Debits) != 0 {
			t.Fatalf("DebitFile before the due date = %+v, %v", res, err)
		}
		first := res.FileNumber
		mo.advance(dayAt(due.DueOn, 13))
		buf.Reset()
		if res, err = svc.DebitFile(ctx, due.DueOn, lender, &buf); err != nil || len(res.Debits) != 1 || res.FileNumber == first {
			t.Fatalf("DebitFile on the due date = %+v, %v; want one debit under a new file number", res, err)
		}
		f, err := cpa005.Read(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if f.FileNumber != res.FileNumber || len(f.Debits) != 1 || f.DebitTotal != 500_00 || f.CreditCount != 0 {
			t.Fatalf("file read back: number %d, %d debits for %d", f.FileNumber, len(f.Debits), f.DebitTotal)
		}
		// Field by field, every field of the D record as the bank reads it:
		// the payor's bank account and name (upper case, accents dropped),
		// the due date, the lender as originator with its return account,
		// the cross reference the bank's return will carry back, and the
		// customer's account in the sundry field.
		dueDay, _ := time.Parse(time.DateOnly, due.DueOn)
		want := cpa005.Item{TransactionCode: cpa005.DebitCode, Amount: 500_00, DueDate: dueDay,
			Account:   openflex.BankAccount{Institution: "004", Transit: "12345", Account: "1234567"},
			ShortName: strings.ToUpper(lender.ShortName), Name: "ELISE DEBIT", LongName: strings.ToUpper(lender.LongName), OriginatorID: lender.ID,
			CrossReference: res.Debits[0].Reference, Returns: lender.Returns,
			Sundry:      mo.number[len(mo.number)-8:],                                                            // the OpenFlex account, for the payor's bank statement
			TraceNumber: strings.Repeat("0", 22), StoredType: "000", InvalidDataElement: strings.Repeat("0", 11)} // the bank's to fill
		if got := f.Debits[0]; !reflect.DeepEqual(got, want) {
			t.Errorf("debit record read back:\n got %+v\nwant %+v", got, want)
		}
		if f.OriginatorID != lender.ID || f.DataCentre != lender.DataCentre || f.Currency != "CAD" || f.DebitCount != 1 {
			t.Errorf("file header and trailer read back: %+v", f)
		}
		if got := mo.account().PostedBalance; got != owedBefore-500_00 {
			t.Errorf("owed after the debit = %d, want %d", got, owedBefore-500_00)
		}
		buf.Reset()
		if again, err := svc.DebitFile(ctx, due.DueOn, lender, &buf); err != nil || len(again.Debits) != 0 {
			t.Fatalf("second run the same day = %+v, %v; want no debit again", again, err)
		}

		if st := mo.account().Status; st != openflex.AccountNormal {
			t.Errorf("standing after the debit = %s, want normal", st)
		}

		// The bank returns it.
		var ret bytes.Buffer
		if err := cpa005.WriteReturns(&ret, lender, 77, dayAt(due.DueOn, 0), nil, f.Debits); err != nil {
			t.Fatal(err)
		}
		returned, err := cpa005.Read(bytes.NewReader(ret.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range []string{"returned", "already returned"} {
			out, err := svc.Returns(ctx, returned)
			if err != nil || len(out) != 1 || out[0].Result != want {
				t.Fatalf("Returns, pass %d = %+v, %v; want %q", i+1, out, err, want)
			}
		}
		after := mo.account()
		if after.PostedBalance < owedBefore {
			t.Errorf("owed after the return = %d, want at least %d (the payment reversed)", after.PostedBalance, owedBefore)
		}
		if got, _ := data.Debit(ctx, d.ID); got.Status != pad.DebitReturned {
			t.Errorf("debit status after the return = %s", got.Status)
		}
		msgs, _ = data.AccountMessages(ctx, mo.number, 20)
		if msgs[0].Kind != pad.MessageReturned || !strings.Contains(msgs[0].Body, "retourné") {
			t.Errorf("the customer was not told in French: %+v", msgs[0])
		}
		// Told once: pad's notice, not also servicing's payment_reversed
		// (the payment received when the debit was taken came before).
		told := map[string]int{}
		for _, m := range msgs {
			told[m.Kind]++
		}
		if told[pad.MessageReturned] != 1 || told[customer.MessagePaymentReversed] != 0 || told[customer.MessagePaymentReceived] != 1 {
			t.Errorf("messages about the debit: %v; want one payment_received and one debit_returned", told)
		}

		// The minimum is unpaid again: once the next day is applied, the
		// standing is what an unpaid due date makes it.
		mo.advance(dayAt(due.DueOn, 24+13))
		if st := mo.account().Status; st != openflex.AccountAuthProhibited {
			t.Errorf("standing after the returned debit = %s, want %s", st, openflex.AccountAuthProhibited)
		}

		if _, err := svc.Cancel(ctx, mo.number, "customer", "no longer wanted"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Cancel(ctx, mo.number, "customer", "again"); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Errorf("cancelling twice = %v, want resource_missing", err)
		}
	})
}

func dayAt(day string, hour int) time.Time {
	d, _ := time.Parse(time.DateOnly, day)
	return apptest.Toronto(d.Year(), d.Month(), d.Day(), 0).Add(time.Duration(hour) * time.Hour)
}

// TestAdvanceSchedulesDebits walks automatic payments on the TRAINING test
// clock alone, as a merchant's developer would: enrolled after the
// statement, the clock advanced a day (the debit is scheduled and
// notified then, 20 days ahead, as the daily job would have done), then to
// the due date, where the debit file takes it. Without the advance's
// follow-up the debit waited for the minutely job, and a clock moved past
// the notice window before it ran never got one.
func TestAdvanceSchedulesDebits(t *testing.T) {
	ctx := context.Background()
	mo := newMonth(t, storetest.Engines(t)[0])
	svc := mo.p.Main.PAD[openflex.Training]
	data := mo.p.Main.Stores.Data(openflex.Training)
	if _, err := svc.Enrol(ctx, pad.EnrolRequest{AccountNumber: mo.number, Choice: pad.ChoiceMinimum, Language: "fr", Accepted: true,
		Bank: openflex.BankAccount{Institution: "004", Transit: "12345", Account: "1234567", HolderName: "Élise Débit"}}); err != nil {
		t.Fatal(err)
	}
	mo.advance(apptest.Toronto(2027, 2, 2, 12))
	debits, err := data.Debits(ctx, mo.number)
	if err != nil || len(debits) != 1 || debits[0].DueOn != "2027-02-22" || debits[0].NoticeSentAt.IsZero() {
		t.Fatalf("debits after advancing a day = %+v, %v; want the statement's minimum, notified", debits, err)
	}
	mo.advance(apptest.Toronto(2027, 2, 22, 13))
	var buf bytes.Buffer
	res, err := svc.DebitFile(ctx, "2027-02-22", lender, &buf)
	if err != nil || len(res.Debits) != 1 || res.Debits[0].Amount != debits[0].Amount {
		t.Fatalf("DebitFile on the due date = %+v, %v; want the scheduled debit", res, err)
	}
}

func kindsOf(msgs []*customer.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Kind+" "+m.Created.Format(time.RFC3339))
	}
	return out
}
