package settlement_test

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
	"github.com/openflex/openflex/internal/settlement"
	"github.com/openflex/openflex/internal/sqlstore"
	"github.com/openflex/openflex/internal/storetest"
)

// world is a merchant with stores, a data plane, and the lending and
// settlement services on one controllable clock.
type world struct {
	t        testing.TB
	ctx      context.Context
	stores   *sqlstore.Stores
	db       *sqlstore.DB
	lend     *lending.Service
	settle   *settlement.Service
	merchant string
	store    map[string]string // name → id
	mu       sync.Mutex
	now      time.Time
	events   map[string]int
	plans    map[openflex.MerchantFee]string // fee → plan id (feePlan)
}

// newWorld opens fresh stores on e with one merchant whose stores are named
// by key; each value is {province, time zone} ("" zone: the province's).
func newWorld(t testing.TB, e storetest.Engine, stores map[string][2]string) *world {
	t.Helper()
	s := e.Open(t)
	w := &world{t: t, ctx: context.Background(), stores: s, db: s.Data(openflex.Training), store: map[string]string{}, events: map[string]int{}}
	m, _ := storetest.Merchant(t, s)
	w.merchant = m.ID
	for name, pz := range stores {
		st := openflex.Store{ID: openflex.NewID(openflex.PrefixStore), MerchantID: m.ID, Name: name, Province: openflex.Province(pz[0]),
			TimeZone: pz[1], Status: openflex.StoreActive, Created: time.Now().UTC()}
		if err := s.Control.CreateStore(w.ctx, &st); err != nil {
			t.Fatal(err)
		}
		w.store[name] = st.ID
	}
	w.lend = &lending.Service{Env: openflex.Training, Store: w.db, Verifier: noVerifier{}, Now: w.clock, Render: func(any) ([]byte, error) { return []byte(`{}`), nil }}
	w.settle = &settlement.Service{Env: openflex.Training, Store: w.db, Catalog: s.Control, Now: w.clock,

		Render: func(v any) ([]byte, error) {
			w.mu.Lock()
			w.events[v.(*openflex.Settlement).ID]++
			w.mu.Unlock()
			return []byte(`{}`), nil
		}}
	return w
}

type noVerifier struct{}

func (noVerifier) ConsumeVerification(context.Context, string, string, string) error {
	return errors.New("no verifications here")
}

func (w *world) clock() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

func (w *world) at(t time.Time) {
	w.mu.Lock()
	w.now = t
	w.mu.Unlock()
}

var accounts int

// account opens a credit line large enough for any scenario.
func (w *world) account() string {
	w.t.Helper()
	accounts++
	cust := &openflex.Customer{ID: openflex.NewID("cus"), Language: "en", Created: w.clock(), Applicant: openflex.Applicant{
		FirstName: "Test", LastName: fmt.Sprintf("Customer%d", accounts), DateOfBirth: "1980-01-01",
		Address: openflex.Address{Province: "ON", PostalCode: "M5V 2T6"}}}
	if err := w.db.CreateCustomer(w.ctx, cust); err != nil {
		w.t.Fatal(err)
	}
	acct := &openflex.Account{Number: credit.NewAccountNumber(), CustomerID: cust.ID, Status: openflex.AccountNormal,
		CreditLimit: 100_000_000, Currency: openflex.CAD, RiskCategory: openflex.RiskStandard, Province: "ON", Language: "en",
		FirstName: "Test", LastName: cust.Applicant.LastName, Created: w.clock()}
	if err := w.db.CreateAccount(w.ctx, acct); err != nil {
		w.t.Fatal(err)
	}
	// The customer authorized this merchant (a checkout), so its online
	// purchases need no code.
	if _, err := w.db.GrantConsent(w.ctx, &openflex.AccountConsent{ID: openflex.NewID(openflex.PrefixConsent), AccountNumber: acct.Number,
		MerchantID: w.merchant, Source: openflex.ConsentByCheckout, CheckoutID: "chk_test", Created: w.clock()}); err != nil {
		w.t.Fatal(err)
	}
	return acct.Number
}

// feePlan is the id of the merchant's plan charging fee, stored on first use.
func (w *world) feePlan(fee openflex.MerchantFee) string {
	w.t.Helper()
	if w.plans == nil {
		w.plans = map[openflex.MerchantFee]string{}
	}
	if id, ok := w.plans[fee]; ok {
		return id
	}
	w.plans[fee] = storetest.FeePlan(w.t, w.db, openflex.Training, w.merchant, fee)
	return w.plans[fee]
}

// purchase authorizes and captures amount in full at store on a plan with fee.
func (w *world) purchase(store string, amount int64, fee openflex.MerchantFee) *openflex.Capture {
	w.t.Helper()
	return w.order(store, "", amount, fee)
}

// order is a purchase with the merchant's order reference.
func (w *world) order(store, reference string, amount int64, fee openflex.MerchantFee) *openflex.Capture {
	w.t.Helper()
	v, err := w.lend.Authorize(w.ctx, lending.AuthorizeRequest{MerchantID: w.merchant, StoreID: w.store[store], AccountNumber: w.account(),
		Amount: amount, Currency: openflex.CAD, Channel: "online", AutoCapture: true, Reference: reference,
		Financing: &lending.FinancingChoice{PlanID: w.feePlan(fee)}})
	if err != nil {
		w.t.Fatalf("purchase of %d at %s: %v", amount, store, err)
	}
	return v.Captures[0]
}

func (w *world) refund(c *openflex.Capture, amount int64) *openflex.Return {
	w.t.Helper()
	r, err := w.lend.Return(w.ctx, lending.ReturnRequest{MerchantID: w.merchant, CaptureID: c.ID, Amount: amount})
	if err != nil {
		w.t.Fatalf("return of %d: %v", amount, err)
	}
	return r.Return
}

func (w *world) cut() int {
	w.t.Helper()
	n, err := w.settle.CutDue(w.ctx)
	if err != nil {
		w.t.Fatalf("cut: %v", err)
	}
	return n
}

// closed returns every closed settlement, oldest first.
func (w *world) closed() []*openflex.Settlement {
	w.t.Helper()
	var all []*openflex.Settlement // newest first
	p := openflex.ListParams{Limit: 100}
	for {
		page, more, err := w.db.Settlements(w.ctx, w.merchant, settlement.Filter{}, p)
		if err != nil {
			w.t.Fatal(err)
		}
		all = append(all, page...)
		if !more {
			break
		}
		p.StartingAfter = page[len(page)-1].ID
	}
	for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
		all[i], all[j] = all[j], all[i]
	}
	return all
}

// verify checks the payable against lines and settlements.
func (w *world) verify() {
	w.t.Helper()
	bad, err := w.db.VerifyPayables(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	if len(bad) > 0 {
		w.t.Fatalf("payable drifted from the ledger: %+v", bad)
	}
	if bad, err := w.db.VerifyLedger(w.ctx); err != nil || len(bad) > 0 {
		w.t.Fatalf("ledger: %v %+v", err, bad)
	}
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
