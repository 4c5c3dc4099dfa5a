package apptest

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/lending"
)

// Customer is a TRAINING customer whose account runs on its own test
// clock, owned by the platform's merchant.
type Customer struct {
	Account *openflex.Account
	Clock   string // the test clock's id
	p       *Platform
}

// applicants tells the customers of one test binary apart: the credit
// checks refuse a second application from the same person.
var applicants atomic.Int64

// letters writes n ≥ 1 in the letters a to z (a, b, …, z, aa, ab, …): a
// name stays a name, and short however many customers a binary opens (a
// last name is at most 50 characters).
func letters(n int64) string {
	var b []byte
	for ; n > 0; n = (n - 1) / 26 {
		b = append([]byte{byte('a' + (n-1)%26)}, b...)
	}
	return string(b)
}

// CustomerWithStatement opens a TRAINING account in lang for Élise Client
// (born 1985-06-15, elise@example.com, +14165550199, Toronto), puts it on
// a test clock at noon on 2027-01-05 in Toronto, buys $500 there at the
// platform's merchant (online, captured) and runs the clock to noon on
// 2027-02-01: past the first statement, period end 2027-01-31.
func (p *Platform) CustomerWithStatement(t testing.TB, lang string) *Customer {
	t.Helper()
	ctx := context.Background()
	pl := p.Main.Planes[openflex.Training]
	prep, err := pl.Credit.Prepare(ctx, credit.ApplyRequest{MerchantID: p.Merchant.ID, StoreID: p.Stores[0].ID, Language: lang,
		Applicant: openflex.Applicant{FirstName: "Élise", MiddleName: credit.MagicApproveLowRisk, LastName: "Client" + letters(applicants.Add(1)),
			DateOfBirth: "1985-06-15", Email: "elise@example.com", Phone: "+14165550199",
			Address:      openflex.Address{Line1: "1 rue Main", City: "Toronto", Province: "ON", PostalCode: "M5V 2T6"},
			AnnualIncome: 9_000_000, EmploymentStatus: "employed", HousingStatus: "own", MonthlyHousingCost: 100_000},
		Consent: openflex.Consent{CreditCheck: true, TermsAccepted: true}})
	if err != nil {
		t.Fatal(err)
	}
	_, acct, err := pl.Credit.Commit(ctx, prep)
	if err != nil || acct == nil {
		t.Fatalf("Commit = %v, %v", acct, err)
	}
	clock, err := pl.Servicing.CreateTestClock(ctx, p.Merchant.ID, "a month", Toronto(2027, 1, 5, 12))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pl.Servicing.AttachTestClock(ctx, p.Merchant.ID, clock.ID, acct.Number); err != nil {
		t.Fatal(err)
	}
	if _, err := pl.Lending.Authorize(ctx, lending.AuthorizeRequest{MerchantID: p.Merchant.ID, StoreID: p.Stores[0].ID,
		AccountNumber: acct.Number, Amount: 500_00, Currency: openflex.CAD, AutoCapture: true, Channel: "online"}); err != nil {
		t.Fatal(err)
	}
	c := &Customer{Account: acct, Clock: clock.ID, p: p}
	c.Advance(t, Toronto(2027, 2, 1, 12))
	return c
}

// Advance runs the customer's test clock to to, applying every day that
// ends on the way.
func (c *Customer) Advance(t testing.TB, to time.Time) {
	t.Helper()
	if _, err := c.p.Main.Planes[openflex.Training].Servicing.AdvanceTestClock(context.Background(), c.p.Merchant.ID, c.Clock, to); err != nil {
		t.Fatal(err)
	}
}

// Reload reads the customer's account as it stands.
func (c *Customer) Reload(t testing.TB) *openflex.Account {
	t.Helper()
	a, err := c.p.Main.Stores.Data(openflex.Training).Account(context.Background(), c.Account.Number)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Toronto is the hour of a day in Toronto, where the customers live.
func Toronto(year int, month time.Month, day, hour int) time.Time {
	loc, err := time.LoadLocation("America/Toronto")
	if err != nil {
		panic(err)
	}
	return time.Date(year, month, day, hour, 0, 0, 0, loc)
}
