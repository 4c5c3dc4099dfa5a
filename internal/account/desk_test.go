package account_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/servicing/engine"
	"github.com/openflex/openflex/internal/storetest"
)

// TestDeskWaiverOnTheCustomerPages: interest the lender's staff waived
// shows in the customer's own transactions and messages, in their
// language.
func TestDeskWaiverOnTheCustomerPages(t *testing.T) {
	p := apptest.Start(t, storetest.Engines(t)[0])
	ctx, env := context.Background(), openflex.Training
	acct := customerWithStatement(t, p, "fr")
	svc := p.Main.Planes[env].Servicing
	// January's statement is not paid: February's charges interest.
	v, err := svc.Account(ctx, acct.Number)
	if err != nil || v.Clock == nil {
		t.Fatalf("Account = %+v, %v; want it on a test clock", v, err)
	}
	toronto, _ := time.LoadLocation("America/Toronto")
	if _, err := svc.AdvanceTestClock(ctx, p.Merchant.ID, v.Clock.ID, time.Date(2027, 3, 2, 12, 0, 0, 0, toronto)); err != nil {
		t.Fatal(err)
	}
	txns, err := p.Main.Stores.Data(env).AccountTransactions(ctx, acct.Number, 50)
	if err != nil {
		t.Fatal(err)
	}
	var interest *openflex.Transaction
	for _, x := range txns {
		if x.Type == openflex.TxnInterest {
			interest = x
		}
	}
	if interest == nil {
		t.Fatalf("no interest charged: %+v", txns)
	}
	if _, err := svc.Waive(ctx, engine.WaiveRequest{AccountNumber: acct.Number, ChargeID: interest.ID, Amount: interest.Amount,
		Staff: "admin:usr_test", Reason: "goodwill", Key: "k1"}); err != nil {
		t.Fatal(err)
	}

	v2 := newVisitor(t, p.URL+"/account/training/")
	expect(t, v2.do("POST", "signin", url.Values{"account_number": {acct.Number}, "date_of_birth": {"1985-06-15"}, "channel": {"sms"}, "lang": {"fr"}}),
		http.StatusSeeOther, "sign-in")
	tok := csrfRE.FindStringSubmatch(v2.do("GET", "code", nil).body)[1]
	expect(t, v2.do("POST", "code", url.Values{"csrf": {tok}, "code": {"222222"}}), http.StatusSeeOther, "code")
	expect(t, v2.do("GET", "", nil), http.StatusOK, "overview", "Intérêts annulés")
	expect(t, v2.do("GET", "?lang=en", nil), http.StatusOK, "overview in English", "Interest waived")
	// and the message that told them, on their Messages page.
	expect(t, v2.do("GET", "messages?lang=fr", nil), http.StatusOK, "messages", "Crédit à votre compte", "Un crédit sur votre compte")
}
