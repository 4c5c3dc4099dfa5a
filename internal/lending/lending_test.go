package lending_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/sqlstore"
	"github.com/openflex/openflex/internal/storetest"
)

// ledgerEnv is a lending service on a real data plane.
type ledgerEnv struct {
	t    testing.TB
	db   *sqlstore.DB
	svc  *lending.Service
	ctx  context.Context
	now  time.Time
	mu   sync.Mutex
	seqn int
}

func newLedger(t testing.TB, e storetest.Engine) *ledgerEnv {
	t.Helper()
	s := e.Open(t)
	le := &ledgerEnv{t: t, db: s.Data(openflex.Training), ctx: context.Background(), now: time.Now().UTC()}
	le.svc = &lending.Service{Env: openflex.Training, Store: le.db, Verifier: noVerifications{}, Now: le.clock,
		Render: func(v any) ([]byte, error) { return []byte(`{}`), nil }}
	return le
}

func (le *ledgerEnv) clock() time.Time {
	le.mu.Lock()
	defer le.mu.Unlock()
	return le.now
}

func (le *ledgerEnv) advance(d time.Duration) {
	le.mu.Lock()
	le.now = le.now.Add(d)
	le.mu.Unlock()
}

type noVerifications struct{}

func (noVerifications) ConsumeVerification(context.Context, string, string, string) error {
	return errors.New("no verifications in these tests")
}

// account opens a credit line with limit.
func (le *ledgerEnv) account(limit int64) string {
	le.t.Helper()
	le.mu.Lock()
	le.seqn++
	n := le.seqn
	le.mu.Unlock()
	cust := &openflex.Customer{ID: openflex.NewID("cus"), Language: "en", Created: le.now, Applicant: openflex.Applicant{
		FirstName: "Test", LastName: fmt.Sprintf("Customer%d", n), DateOfBirth: "1980-01-01",
		Address: openflex.Address{Province: "ON", PostalCode: "M5V 2T6"}}}
	if err := le.db.CreateCustomer(le.ctx, cust); err != nil {
		le.t.Fatal(err)
	}
	acct := &openflex.Account{Number: credit.NewAccountNumber(), CustomerID: cust.ID, Status: openflex.AccountNormal,
		CreditLimit: limit, Currency: openflex.CAD, RiskCategory: openflex.RiskStandard, Province: "ON", Language: "en",
		FirstName: "Test", LastName: cust.Applicant.LastName, Created: le.now}
	if err := le.db.CreateAccount(le.ctx, acct); err != nil {
		le.t.Fatal(err)
	}
	le.consent(acct.Number, "mer_test")
	return acct.Number
}

// consent records the customer's consent for merchantID on an account, as
// a completed checkout would: these tests make many online purchases, so
// they establish it once per account.
func (le *ledgerEnv) consent(number, merchantID string) {
	le.t.Helper()
	if _, err := le.db.GrantConsent(le.ctx, &openflex.AccountConsent{ID: openflex.NewID(openflex.PrefixConsent), AccountNumber: number,
		MerchantID: merchantID, Source: openflex.ConsentByCheckout, CheckoutID: "chk_test", Created: le.now}); err != nil {
		le.t.Fatal(err)
	}
}

func (le *ledgerEnv) authorize(number string, amount int64) (*lending.AuthorizationView, error) {
	return le.svc.Authorize(le.ctx, lending.AuthorizeRequest{MerchantID: "mer_test", StoreID: "str_test", AccountNumber: number,
		Amount: amount, Currency: openflex.CAD, Channel: "online"})
}

func (le *ledgerEnv) balances(number string) (limit, held, posted, available int64) {
	le.t.Helper()
	a, err := le.db.Account(le.ctx, number)
	if err != nil {
		le.t.Fatal(err)
	}
	return a.CreditLimit, a.Held, a.PostedBalance, a.Available()
}

func (le *ledgerEnv) verify() {
	le.t.Helper()
	bad, err := le.db.VerifyLedger(le.ctx)
	if err != nil {
		le.t.Fatal(err)
	}
	if len(bad) > 0 {
		le.t.Fatalf("ledger does not match balances: %+v", bad)
	}
}

func code(err error) openflex.Code { return openflex.ErrorCode(err) }

// TestPurchaseLifecycle is the acceptance scenario of the purchases issue.
func TestPurchaseLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		le := newLedger(t, e)
		n := le.account(1000_00)
		auth, err := le.authorize(n, 500_00)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, _, avail := le.balances(n); avail != 500_00 {
			t.Fatalf("after authorizing $500: available = %d, want 50000", avail)
		}
		_, c1, err := le.svc.Capture(le.ctx, "mer_test", auth.ID, 300_00, "", false)
		if err != nil {
			t.Fatal(err)
		}
		v, _, err := le.svc.Capture(le.ctx, "mer_test", auth.ID, 100_00, "", true)
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != openflex.AuthCaptured || v.CapturedAmount != 400_00 || v.ReleasedAmount != 100_00 || len(v.Captures) != 2 {
			t.Fatalf("after final capture: %+v", v.Authorization)
		}
		if _, held, posted, _ := le.balances(n); held != 0 || posted != 400_00 {
			t.Fatalf("held %d posted %d, want 0 and 40000", held, posted)
		}
		if _, err := le.svc.Return(le.ctx, lending.ReturnRequest{MerchantID: "mer_test", CaptureID: c1.ID, Amount: 150_00}); err != nil {
			t.Fatal(err)
		}
		if _, err := le.svc.Return(le.ctx, lending.ReturnRequest{MerchantID: "mer_test", CaptureID: c1.ID, Amount: 300_00}); code(err) != openflex.CodeReturnExceeds {
			t.Fatalf("return beyond the capture: %v, want return_exceeds_captured", err)
		}
		if _, err := le.svc.Release(le.ctx, "mer_test", auth.ID); code(err) != openflex.CodeAuthNotOpen {
			t.Fatalf("release of a captured authorization: %v, want authorization_not_open", err)
		}
		if _, _, err := le.svc.Capture(le.ctx, "mer_test", auth.ID, 1, "", false); code(err) != openflex.CodeAuthNotOpen {
			t.Fatalf("capture after final: %v", err)
		}
		if _, _, err := le.svc.Capture(le.ctx, "other_merchant", auth.ID, 1, "", false); code(err) != openflex.CodeResourceMissing {
			t.Fatalf("another merchant's authorization: %v", err)
		}
		if _, held, posted, avail := le.balances(n); held != 0 || posted != 250_00 || avail != 750_00 {
			t.Fatalf("end: held %d posted %d available %d", held, posted, avail)
		}
		txns, _, err := le.db.Transactions(le.ctx, "mer_test", lending.TransactionFilter{StoreID: "str_test"}, openflex.ListParams{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var types []string
		for i := len(txns) - 1; i >= 0; i-- {
			types = append(types, fmt.Sprintf("%s:%d", txns[i].Type, txns[i].Amount))
		}
		want := "[authorization:50000 capture:30000 capture:10000 release:10000 return:15000]"
		if fmt.Sprint(types) != want {
			t.Fatalf("history = %v, want %s", types, want)
		}
		le.verify()
	})
}

func TestAuthorizationRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		le := newLedger(t, e)
		n := le.account(100_00)
		tests := []struct {
			name   string
			amount int64
			want   openflex.Code
		}{
			{"over the limit", 100_01, openflex.CodeInsufficientCred},
			{"zero", 0, openflex.CodeParameterInvalid},
			{"negative", -1, openflex.CodeParameterInvalid},
			{"exactly the limit", 100_00, ""},
			{"nothing left", 1, openflex.CodeInsufficientCred},
		}
		for _, tc := range tests {
			_, err := le.authorize(n, tc.amount)
			if code(err) != tc.want {
				t.Errorf("%s: Authorize(%d) = %v, want %q", tc.name, tc.amount, err, tc.want)
			}
		}
		if err := le.db.SetAccountStatus(le.ctx, n, openflex.AccountFrozen); err != nil {
			t.Fatal(err)
		}
		other := le.account(100_00)
		le.db.SetAccountStatus(le.ctx, other, openflex.AccountFrozen)
		if _, err := le.authorize(other, 1); code(err) != openflex.CodeAccountNotGood {
			t.Fatalf("frozen account: %v", err)
		}
		le.verify()
	})
}

// TestConcurrentAuthorizationsNeverOverspend races 50 purchases against
// one account's last dollars: exactly the affordable ones succeed.
func TestConcurrentAuthorizationsNeverOverspend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		le := newLedger(t, e)
		n := le.account(1000_00)
		if _, err := le.authorize(n, 900_00); err != nil {
			t.Fatal(err)
		}
		const racers = 50
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, refused := 0, 0
		for range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := le.authorize(n, 7_00) // $100 left: 14 fit, 36 do not
				mu.Lock()
				defer mu.Unlock()
				switch code(err) {
				case "":
					ok++
				case openflex.CodeInsufficientCred:
					refused++
				default:
					t.Errorf("unexpected error: %v", err)
				}
			}()
		}
		wg.Wait()
		if ok != 14 || refused != 36 {
			t.Fatalf("%d succeeded and %d were refused; want 14 and 36", ok, refused)
		}
		if _, held, _, avail := le.balances(n); held != 998_00 || avail != 2_00 {
			t.Fatalf("held %d available %d", held, avail)
		}
		le.verify()
	})
}

func TestExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		le := newLedger(t, e)
		n := le.account(1000_00)
		a, _ := le.authorize(n, 100_00)
		b, _ := le.authorize(n, 200_00)
		le.svc.Capture(le.ctx, "mer_test", b.ID, 50_00, "", false)
		le.advance(29 * 24 * time.Hour)
		if got, err := le.svc.ExpireDue(le.ctx); err != nil || got != 0 {
			t.Fatalf("before 30 days: expired %d, %v", got, err)
		}
		le.advance(2 * 24 * time.Hour)
		if got, err := le.svc.ExpireDue(le.ctx); err != nil || got != 2 {
			t.Fatalf("after 30 days: expired %d, %v", got, err)
		}
		va, _ := le.svc.Authorization(le.ctx, "mer_test", a.ID)
		vb, _ := le.svc.Authorization(le.ctx, "mer_test", b.ID)
		if va.Status != openflex.AuthExpired || vb.Status != openflex.AuthExpired || vb.ReleasedAmount != 150_00 {
			t.Fatalf("after expiry: %s, %s released %d", va.Status, vb.Status, vb.ReleasedAmount)
		}
		if _, held, posted, _ := le.balances(n); held != 0 || posted != 50_00 {
			t.Fatalf("held %d posted %d", held, posted)
		}
		le.verify()
	})
}

func TestVerifyDetectsCorruption(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		le := newLedger(t, e)
		n := le.account(1000_00)
		le.authorize(n, 100_00)
		le.verify()
		// A balance changed by hand, bypassing the ledger.
		if err := le.db.Write(le.ctx, func(ctx context.Context) error {
			return le.db.AdjustBalances(ctx, n, 0, 1)
		}); err != nil {
			t.Fatal(err)
		}
		bad, err := le.db.VerifyLedger(le.ctx)
		if err != nil || len(bad) == 0 {
			t.Fatalf("VerifyLedger after corruption = %v, %v; want mismatches", bad, err)
		}
	})
}
