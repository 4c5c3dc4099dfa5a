package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/servicing"
	"github.com/openflex/openflex/internal/servicing/engine"
	"github.com/openflex/openflex/internal/sqlstore"
	"github.com/openflex/openflex/internal/storetest"
)

// world is servicing and lending on one real data plane, with a clock the
// test moves.
type world struct {
	t       testing.TB
	db      *sqlstore.DB
	svc     *engine.Service
	lending *lending.Service
	ctx     context.Context
	mu      sync.Mutex
	now     time.Time
}

func newWorld(t testing.TB, e storetest.Engine, env openflex.Environment, start time.Time) *world {
	t.Helper()
	s := e.Open(t)
	return newWorldOn(t, s.Data(env), env, start)
}

func (w *world) wire(env openflex.Environment, cfg *servicing.Config) {
	render := func(v any) ([]byte, error) { return []byte(`{}`), nil }
	w.svc = &engine.Service{Env: env, Store: w.db, Config: cfg, Render: render, Workers: 3, Now: w.clock}
	w.lending = &lending.Service{Store: w.db, Verifier: noVerifications{}, Render: render, Servicing: w.svc, Now: w.clock}
}

type noVerifications struct{}

func (noVerifications) ConsumeVerification(context.Context, string, string, string) error {
	return errors.New("no verifications in these tests")
}

func (w *world) clock() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

func (w *world) set(t time.Time) {
	w.mu.Lock()
	w.now = t
	w.mu.Unlock()
}

var seq int64
var seqMu sync.Mutex

// account opens an Ontario account with limit, opened now, and consents
// merchant mer_test to buy on it.
func (w *world) account(limit int64) string {
	w.t.Helper()
	return w.open(limit, "en", "")
}

// open opens an Ontario account with limit, opened now, whose customer
// speaks lang and gave email (none when empty), and consents merchant
// mer_test to buy on it.
func (w *world) open(limit int64, lang, email string) string {
	w.t.Helper()
	seqMu.Lock()
	seq++
	n := seq
	seqMu.Unlock()
	cust := &openflex.Customer{ID: openflex.NewID("cus"), Language: lang, Created: w.clock(), Applicant: openflex.Applicant{
		FirstName: "Test", LastName: fmt.Sprintf("Servicing%d", n), DateOfBirth: "1980-01-01", Email: email,
		Address: openflex.Address{Province: "ON", PostalCode: "M5V 2T6"}}}
	if err := w.db.CreateCustomer(w.ctx, cust); err != nil {
		w.t.Fatal(err)
	}
	a := &openflex.Account{Number: credit.NewAccountNumber(), CustomerID: cust.ID, Status: openflex.AccountNormal, CreditLimit: limit,
		Currency: openflex.CAD, RiskCategory: openflex.RiskStandard, Province: "ON", Language: lang, FirstName: "Test",
		LastName: cust.Applicant.LastName, Created: w.clock()}
	if err := w.db.CreateAccount(w.ctx, a); err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.db.GrantConsent(w.ctx, &openflex.AccountConsent{ID: openflex.NewID(openflex.PrefixConsent), AccountNumber: a.Number,
		MerchantID: "mer_test", Source: openflex.ConsentByCheckout, CheckoutID: "chk_test", Created: w.clock()}); err != nil {
		w.t.Fatal(err)
	}
	return a.Number
}

func (w *world) buy(number string, amount int64) (*lending.AuthorizationView, error) {
	return w.lending.Authorize(w.ctx, lending.AuthorizeRequest{MerchantID: "mer_test", StoreID: "str_test", AccountNumber: number,
		Amount: amount, Currency: openflex.CAD, Channel: "online", AutoCapture: true})
}

// purchase buys amount on number at mer_test, captured at once; the test
// fails if it is refused.
func (w *world) purchase(number string, amount int64) {
	w.t.Helper()
	if _, err := w.buy(number, amount); err != nil {
		w.t.Fatalf("purchase of %d on %s: %v", amount, number, err)
	}
}

// pay records a payment of amount on number through channel (ref is the
// cheque's or transfer's reference, if any); the test fails if it is
// refused.
func (w *world) pay(number string, amount int64, channel, ref string) *engine.PaymentResult {
	w.t.Helper()
	r, err := w.svc.Pay(w.ctx, engine.PaymentRequest{AccountNumber: number, Amount: amount, Channel: channel, Reference: ref})
	if err != nil {
		w.t.Fatalf("payment of %d on %s: %v", amount, number, err)
	}
	return r
}

// runNodes runs the daily job on nodes nodes at once, as a cluster does.
func (w *world) runNodes(nodes int) {
	w.t.Helper()
	var wg sync.WaitGroup
	for range nodes {
		wg.Go(func() {
			if _, err := w.svc.RunDue(w.ctx); err != nil {
				w.t.Error(err)
			}
		})
	}
	wg.Wait()
}

func (w *world) acct(number string) *openflex.Account {
	w.t.Helper()
	a, err := w.db.Account(w.ctx, number)
	if err != nil {
		w.t.Fatal(err)
	}
	return a
}

func (w *world) verify() {
	w.t.Helper()
	bad, err := w.db.VerifyLedger(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, b := range bad {
		w.t.Errorf("ledger: %s: ledger says %d, balance says %d", b.What, b.Expected, b.Found)
	}
	found, err := w.svc.Verify(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, f := range found {
		w.t.Errorf("servicing: %s", f)
	}
}

// toronto is noon on day d of March 2025 in Toronto.
func toronto(month time.Month, d int) time.Time {
	loc, _ := time.LoadLocation("America/Toronto")
	return time.Date(2025, month, d, 12, 0, 0, 0, loc)
}

// TestPaymentReversedUndoesItsAllocation: a payment that cured an account
// and is then returned by the bank undoes exactly what it paid, charges
// the NSF fee, and the books still balance.
func TestPaymentReversedUndoesItsAllocation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e, openflex.Production, toronto(3, 1))
		n := w.account(1000_00)
		w.purchase(n, 500_00)
		w.set(toronto(3, 25))
		paid := w.pay(n, 100_00, engine.ChannelCheque, "chq 123")
		if got := w.acct(n); got.Owed() != 400_00 || got.Available() != 600_00 {
			t.Fatalf("after the payment: owed %d, available %d; want 40000, 60000", got.Owed(), got.Available())
		}
		if len(paid.Payment.Allocation) == 0 || paid.Payment.PostedOn != "2025-03-25" {
			t.Fatalf("payment = %+v: want an allocation, posted 2025-03-25", paid.Payment)
		}
		// The same cheque recorded again is the same payment.
		again, err := w.svc.Pay(w.ctx, engine.PaymentRequest{AccountNumber: n, Amount: 100_00, Channel: engine.ChannelCheque, Reference: "chq 123"})
		if err != nil || again.Payment.ID != paid.Payment.ID {
			t.Fatalf("the cheque recorded twice: %v, %v; want payment %s again", again, err, paid.Payment.ID)
		}
		if _, err := w.svc.Pay(w.ctx, engine.PaymentRequest{AccountNumber: n, Amount: 99_00, Channel: engine.ChannelCheque, Reference: "chq 123"}); openflex.ErrorCode(err) != openflex.CodeParameterInvalid {
			t.Fatalf("the cheque's reference for another amount: %v, want parameter_invalid", err)
		}
		w.set(toronto(3, 28))
		rev, err := w.svc.Reverse(w.ctx, paid.Payment.ID, true, "cheque returned NSF")
		if err != nil {
			t.Fatal(err)
		}
		if rev.Payment.Status != engine.PaymentReversed || rev.Payment.NSFFee != 25_00 {
			t.Fatalf("reversed payment = %+v, want reversed with a $25.00 NSF fee", rev.Payment)
		}
		if got := w.acct(n); got.Owed() != 525_00 || got.Charges != 25_00 {
			t.Fatalf("after the reversal: owed %d (charges %d), want 52500 (2500)", got.Owed(), got.Charges)
		}
		if _, err := w.svc.Reverse(w.ctx, paid.Payment.ID, true, "again"); openflex.ErrorCode(err) != openflex.CodePaymentNotReversible {
			t.Fatalf("second reversal: %v, want payment_not_reversible", err)
		}
		w.verify()
	})
}

// TestPaymentLimitPerDay: an account takes at most $10,000 of payments a
// day, counted on the account's own day.
func TestPaymentLimitPerDay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e, openflex.Production, toronto(3, 1))
		n := w.account(20_000_00)
		w.purchase(n, 15_000_00)
		pay := func(amount int64) error {
			_, err := w.svc.Pay(w.ctx, engine.PaymentRequest{AccountNumber: n, Amount: amount, Channel: engine.ChannelBank})
			return err
		}
		if err := pay(6_000_00); err != nil {
			t.Fatal(err)
		}
		if err := pay(4_000_01); openflex.ErrorCode(err) != openflex.CodePaymentLimit {
			t.Fatalf("a payment past $10,000 in the day: %v, want payment_limit_exceeded", err)
		}
		if err := pay(4_000_00); err != nil {
			t.Fatalf("a payment up to $10,000 in the day: %v", err)
		}
		w.set(toronto(3, 2))
		if err := pay(1_000_00); err != nil {
			t.Fatalf("the next day's payment: %v", err)
		}
		// More than is owed becomes a credit balance.
		if err := pay(5_000_00); err != nil {
			t.Fatal(err)
		}
		if got := w.acct(n); got.Owed() != -1_000_00 || got.Available() != 21_000_00 {
			t.Fatalf("after overpaying: owed %d, available %d; want -100000 and 2100000", got.Owed(), got.Available())
		}
		w.verify()
	})
}

// TestStandingGates: staff freeze and close with a reason; a non-normal
// account's purchases are refused with account_not_in_good_standing; a
// closed account stays closed.
func TestStandingGates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e, openflex.Production, toronto(3, 1))
		n := w.account(1000_00)
		if _, err := w.svc.StaffAction(w.ctx, n, servicing.ActionFreeze, "ops", ""); openflex.ErrorCode(err) != openflex.CodeParameterMissing {
			t.Fatalf("freeze without a reason: %v, want parameter_missing", err)
		}
		a, err := w.svc.StaffAction(w.ctx, n, servicing.ActionFreeze, "ops", "suspected fraud")
		if err != nil || a.Status != openflex.AccountFrozen {
			t.Fatalf("freeze: %v, %v", a, err)
		}
		if _, err := w.buy(n, 10_00); openflex.ErrorCode(err) != openflex.CodeAccountNotGood {
			t.Fatalf("purchase on a frozen account: %v, want account_not_in_good_standing", err)
		}
		if a, err := w.svc.StaffAction(w.ctx, n, servicing.ActionUnfreeze, "ops", "cleared"); err != nil || a.Status != openflex.AccountNormal {
			t.Fatalf("unfreeze: %v, %v", a, err)
		}
		if _, err := w.buy(n, 10_00); err != nil {
			t.Fatalf("purchase after the unfreeze: %v", err)
		}
		if a, err := w.svc.StaffAction(w.ctx, n, servicing.ActionClose, "ops", "customer asked"); err != nil || a.Status != openflex.AccountClosed {
			t.Fatalf("close: %v, %v", a, err)
		}
		if _, err := w.svc.StaffAction(w.ctx, n, servicing.ActionUnfreeze, "ops", "reopen"); openflex.ErrorCode(err) != openflex.CodeAccountStatusInvalid {
			t.Fatalf("unfreezing a closed account: %v, want account_status_invalid", err)
		}
		if _, err := w.buy(n, 10_00); openflex.ErrorCode(err) != openflex.CodeAccountNotGood {
			t.Fatalf("purchase on a closed account: %v, want account_not_in_good_standing", err)
		}
		// A closed account still takes payments.
		if _, err := w.svc.Pay(w.ctx, engine.PaymentRequest{AccountNumber: n, Amount: 10_00, Channel: engine.ChannelBank}); err != nil {
			t.Fatalf("payment on a closed account: %v", err)
		}
		w.verify()
	})
}

// TestUnpaidMinimumProhibitsAuthorizations: the daily job moves an
// account whose minimum is unpaid past its due date to auth_prohibited
// (purchases refused), and paying what is past due restores it.
func TestUnpaidMinimumProhibitsAuthorizations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e, openflex.Production, toronto(3, 1))
		n := w.account(1000_00)
		w.purchase(n, 500_00)
		w.set(toronto(4, 23)) // due 2025-04-21, nothing paid
		if _, err := w.svc.RunDue(w.ctx); err != nil {
			t.Fatal(err)
		}
		if got := w.acct(n); got.Status != openflex.AccountAuthProhibited {
			t.Fatalf("status after the due date passed unpaid: %s, want auth_prohibited", got.Status)
		}
		if _, err := w.buy(n, 10_00); openflex.ErrorCode(err) != openflex.CodeAccountNotGood {
			t.Fatalf("purchase while auth_prohibited: %v, want account_not_in_good_standing", err)
		}
		w.pay(n, 25_00, engine.ChannelBank, "")
		if got := w.acct(n); got.Status != openflex.AccountNormal {
			t.Fatalf("status after paying what was past due: %s, want normal", got.Status)
		}
		w.verify()
	})
}

// TestDailyRunOnceAcrossNodes: several nodes running the daily job at once
// apply each account's days once: the (account, day) records have no gap
// and no repeat, and the books balance.
func TestDailyRunOnceAcrossNodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e, openflex.Production, toronto(3, 1))
		var numbers []string
		for range 12 {
			n := w.account(1000_00)
			w.purchase(n, 300_00)
			numbers = append(numbers, n)
		}
		w.set(toronto(5, 3))
		w.runNodes(4)
		for _, n := range numbers {
			days, err := w.db.AppliedDays(w.ctx, n)
			if err != nil {
				t.Fatal(err)
			}
			if len(days) != 63 || days[0] != "2025-03-01" || days[len(days)-1] != "2025-05-02" {
				t.Fatalf("account %s: %d days applied (%v … %v), want 63 from 2025-03-01 to 2025-05-02", n, len(days), days[0], days[len(days)-1])
			}
		}
		w.verify()
	})
}

// TestVerifyFindsWhatDisagrees: Verify replays each account from its
// history; a stored state that does not follow from it is reported.
func TestVerifyFindsWhatDisagrees(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e, openflex.Production, toronto(3, 1))
		n := w.account(1000_00)
		w.purchase(n, 500_00)
		w.set(toronto(4, 2))
		if _, err := w.svc.RunDue(w.ctx); err != nil {
			t.Fatal(err)
		}
		if found, err := w.svc.Verify(w.ctx); err != nil || len(found) != 0 {
			t.Fatalf("Verify before tampering = %v, %v; want nothing", found, err)
		}
		row, err := w.db.Servicing(w.ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		st := &servicing.Account{}
		if err := json.Unmarshal(row.State, st); err != nil {
			t.Fatal(err)
		}
		st.Segment(servicing.RevolvingID).Principal -= 1_00
		if row.State, err = json.Marshal(st); err != nil {
			t.Fatal(err)
		}
		if err := w.db.SaveServicing(w.ctx, row, row.NextDay); err != nil {
			t.Fatal(err)
		}
		found, err := w.svc.Verify(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(found) != 2 || !strings.Contains(found[0], "segment revolving") || !strings.Contains(found[1], "the ledger says 50000 is owed") {
			t.Fatalf("Verify after taking $1 off the stored segment = %q, want the segment and the ledger reported", found)
		}
	})
}
