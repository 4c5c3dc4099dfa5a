package sdktest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/app"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/merchant"
	"github.com/openflex/openflex/sdk"
)

// The examples run against a real TRAINING platform that TestMain starts:
// these are its address, a key set of its merchant and its Ontario store.
var (
	baseURL      string
	clientID     string
	clientSecret string
	storeID      string
)

func TestMain(m *testing.M) {
	os.Exit(runWithPlatform(m))
}

// runWithPlatform starts the platform for the examples (the tests start
// their own, on every engine, with apptest), then runs everything.
func runWithPlatform(m *testing.M) int {
	dir, err := os.MkdirTemp("", "openflex-sdk-examples-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	pf := &app.Main{Config: app.Config{Addr: "127.0.0.1:0", DataDir: dir, RateTraining: 10_000, RateProduction: 10_000,
		NoJobs: true, NoScrub: true}}
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "start the examples' platform:", err)
		return 1
	}
	if err := pf.Run(ctx); err != nil {
		pf.Close()
		return fail(err)
	}
	defer pf.Close()
	mer, stores, err := pf.Merchants.Create(ctx, "Maple Furniture", "dev@merchant.example",
		[]merchant.NewStore{{Name: "Toronto", Province: "ON"}}, "example")
	if err != nil {
		return fail(err)
	}
	ks, secret, err := pf.Keys.Create(ctx, keys.NewKeySet{MerchantID: mer.ID, Environment: openflex.Training,
		TrustURLs: []string{"https://shop.example.com"}}, keys.Actor{Name: "example"})
	if err != nil {
		return fail(err)
	}
	for _, np := range app.DemoPlans(mer.ID, openflex.Training) {
		if _, err := pf.CreatePlan(ctx, np); err != nil {
			return fail(err)
		}
	}
	baseURL, clientID, clientSecret, storeID = "http://"+pf.Addr(), ks.ClientID, secret, stores[0].ID
	return m.Run()
}

// cad formats cents as dollars, with integers only.
func cad(cents int64) string { return fmt.Sprintf("$%d.%02d", cents/100, cents%100) }

// The whole purchase: a customer applies, sees the plans, buys online on
// one of them; part ships and is captured, part of that is returned; the
// account's history is read back.
func Example() {
	ctx := context.Background()
	c, err := sdk.New(clientID, clientSecret, sdk.WithBaseURL(baseURL))
	if err != nil {
		log.Fatal(err)
	}

	// The customer applies. In TRAINING the middle name A-RR_L approves
	// (low risk). uniqueName makes each run a new person: the same person
	// applying again within 30 days gets the earlier decision.
	app, err := c.Applications.Create(ctx, &sdk.ApplicationParams{
		StoreID: storeID,
		Applicant: sdk.Applicant{
			FirstName: "Émilie", MiddleName: "A-RR_L", LastName: uniqueName("Tremblay"),
			DateOfBirth: "1990-04-12", Email: "emilie@example.com", Phone: "416-555-0199",
			Address:      sdk.Address{Line1: "1 King St W", City: "Toronto", Province: "ON", PostalCode: "M5V 2T6"},
			AnnualIncome: 60_000_00, EmploymentStatus: "employed",
			HousingStatus: "rent", MonthlyHousingCost: 1_500_00,
		},
		Consent: sdk.Consent{CreditCheck: true, TermsAccepted: true},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("application:", app.Status, "with a limit of", cad(*app.CreditLimit))
	acct := app.Account.AccountNumber

	// What would a $1,299.99 sofa cost on each plan?
	q, err := c.Accounts.Quote(ctx, acct, &sdk.QuoteParams{Amount: 1_299_99, StoreID: storeID})
	if err != nil {
		log.Fatal(err)
	}
	var chosen sdk.QuoteOption
	for _, o := range q.Options {
		fmt.Printf("option: %s: %s a month, %s in all\n", o.PlanName, cad(o.MonthlyPayment), cad(o.TotalToPay))
		if o.Category == sdk.PlanEqualPayments {
			chosen = o
		}
	}

	// The customer picks 12 equal payments and buys online.
	auth, err := c.Authorizations.Create(ctx, &sdk.AuthorizationParams{
		AccountNumber: acct, Amount: 1_299_99, Currency: "CAD", StoreID: storeID,
		Channel: sdk.ChannelOnline, Reference: "order-1042",
		Financing: &sdk.FinancingParams{PlanID: chosen.PlanID, TermMonths: chosen.TermMonths},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("authorization:", auth.Status, cad(auth.Amount))

	// The sofa ships (the ottoman is back-ordered): capture part.
	auth, err = c.Authorizations.Capture(ctx, auth.ID, &sdk.CaptureParams{Amount: 999_99})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("captured:", cad(auth.CapturedAmount), "remaining:", cad(auth.RemainingAmount), "status:", auth.Status)

	// A cushion arrives damaged: return part of the capture.
	capture := auth.Captures[len(auth.Captures)-1]
	ret, err := c.Captures.Return(ctx, capture.ID, &sdk.ReturnParams{Amount: 199_99, Reason: "damaged in delivery"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("returned:", cad(ret.Amount), "still returnable:", cad(*ret.RemainingCaptureAmount))

	// The account's history, newest first; All follows the pages.
	for txn, err := range c.Transactions.All(ctx, &sdk.TransactionListParams{AccountNumber: acct}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("history:", txn.Type, cad(txn.Amount))
	}
	// Output:
	// application: approved with a limit of $12000.00
	// option: Regular purchase: $39.00 a month, $1299.99 in all
	// option: 12 months, equal payments, 0% interest + $49.99 fee: $108.33 a month, $1349.98 in all
	// option: 6 months, no interest if paid in full: $216.67 a month, $1299.99 in all
	// authorization: pending $1299.99
	// captured: $999.99 remaining: $300.00 status: partially_captured
	// returned: $199.99 still returnable: $800.00
	// history: return $199.99
	// history: capture $999.99
	// history: authorization $1299.99
}

// A client for a TRAINING key set; the environment comes from the key.
func ExampleNew() {
	c, err := sdk.New(clientID, clientSecret,
		sdk.WithBaseURL(baseURL), // your lender's API host
		sdk.WithUserAgent("MapleDesk-POS/4.2"),
		sdk.WithLanguage("fr-CA"), // French messages and disclosures
		sdk.WithTimeout(10*time.Second),
		sdk.WithMaxRetries(3),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.Environment())
	// Output: training
}

// A purchase larger than the available credit is refused whole: a 402
// insufficient_credit, never a partial hold.
func ExampleError() {
	ctx := context.Background()
	c, err := sdk.New(clientID, clientSecret, sdk.WithBaseURL(baseURL))
	if err != nil {
		log.Fatal(err)
	}
	app, err := c.Applications.Create(ctx, &sdk.ApplicationParams{
		StoreID: storeID,
		Applicant: sdk.Applicant{
			FirstName: "Jean", MiddleName: "A-RR_L", LastName: uniqueName("Gagnon"),
			DateOfBirth: "1985-09-30", Email: "jean@example.com", Phone: "416-555-0199",
			Address:      sdk.Address{Line1: "100 Queen St W", City: "Toronto", Province: "ON", PostalCode: "M5V 2T6"},
			AnnualIncome: 40_000_00, EmploymentStatus: "employed",
			HousingStatus: "rent", MonthlyHousingCost: 1_000_00,
		},
		Consent: sdk.Consent{CreditCheck: true, TermsAccepted: true},
	})
	if err != nil {
		log.Fatal(err)
	}

	_, err = c.Authorizations.Create(ctx, &sdk.AuthorizationParams{
		AccountNumber: app.Account.AccountNumber, Amount: app.Account.AvailableCredit + 1,
		Currency: "CAD", StoreID: storeID, Channel: sdk.ChannelOnline,
	})
	var e *sdk.Error
	if errors.As(err, &e) {
		fmt.Println(e.Status, e.Type, e.Code)
		if e.Code == sdk.CodeInsufficientCredit {
			fmt.Println("offer at most", cad(app.Account.AvailableCredit))
		}
	}
	// Output:
	// 402 credit_error insufficient_credit
	// offer at most $8000.00
}

// A pending application, settled in TRAINING as lender staff would.
func ExampleTestHelperService_DecideApplication() {
	ctx := context.Background()
	c, err := sdk.New(clientID, clientSecret, sdk.WithBaseURL(baseURL))
	if err != nil {
		log.Fatal(err)
	}
	app, err := c.Applications.Create(ctx, &sdk.ApplicationParams{
		StoreID: storeID,
		Applicant: sdk.Applicant{
			FirstName: "Zoë", MiddleName: "P-CREDIT", LastName: uniqueName("Roy"), // P-CREDIT: manual review
			DateOfBirth: "1979-02-28", Email: "zoe@example.com", Phone: "416-555-0199",
			Address:      sdk.Address{Line1: "200 Bay St", City: "Toronto", Province: "ON", PostalCode: "M5J 2J2"},
			AnnualIncome: 85_000_00, EmploymentStatus: "self_employed",
			HousingStatus: "own", MonthlyHousingCost: 2_000_00,
		},
		Consent: sdk.Consent{CreditCheck: true, TermsAccepted: true},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(app.Status, app.Reasons[0].Code)

	app, err = c.TestHelpers.DecideApplication(ctx, app.ID, &sdk.DecideApplicationParams{
		Status: sdk.ApplicationApproved, CreditLimit: 5_000_00,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(app.Status, cad(app.Account.CreditLimit))
	// Output:
	// pending manual_review
	// approved $5000.00
}

// A webhook endpoint: verify the signature on the body exactly as
// received, then act on the event once (deliveries may repeat).
func ExampleVerifyWebhook() {
	secrets := []string{"ofwhs_example_secret"} // during a roll: the old and the new
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		ev, err := sdk.VerifyWebhook(body, r.Header.Get(sdk.WebhookSignatureHeader), secrets, 0, time.Now())
		if err != nil {
			http.Error(w, "bad signature", http.StatusBadRequest)
			return
		}
		if ev.Type == sdk.EventAuthorizationCaptured {
			var auth sdk.Authorization
			if err := ev.DecodeObject(&auth); err != nil {
				http.Error(w, "bad event", http.StatusBadRequest)
				return
			}
			fmt.Println("captured", auth.ID, cad(auth.CapturedAmount))
		}
		w.WriteHeader(http.StatusNoContent)
	})

	// What OpenFlex sends.
	body := []byte(`{"id":"evt_1","object":"event","type":"authorization.captured","environment":"training",` +
		`"created":"2026-11-23T19:40:00Z","data":{"object":{"id":"auth_1","object":"authorization","captured_amount":99999}}}`)
	send := func(header string) int {
		req := httptest.NewRequest(http.MethodPost, "/webhooks/openflex", bytes.NewReader(body))
		req.Header.Set(sdk.WebhookSignatureHeader, header)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		return rec.Code
	}
	fmt.Println(send(sdk.SignWebhook(body, secrets[0], time.Now())))
	fmt.Println(send(sdk.SignWebhook(body, "someone else's secret", time.Now())))
	fmt.Println(send(sdk.SignWebhook(body, secrets[0], time.Now().Add(-time.Hour))))
	// Output:
	// captured auth_1 $999.99
	// 204
	// 400
	// 400
}

// SignWebhook gives receivers the header OpenFlex would send, for their
// own tests.
func ExampleSignWebhook() {
	body := []byte(`{"id":"evt_1","object":"event"}`)
	at := time.Date(2026, 11, 23, 19, 40, 0, 0, time.UTC)
	header := sdk.SignWebhook(body, "whsec_test", at)
	fmt.Println(header[:13])
	_, err := sdk.VerifyWebhook(body, header, []string{"whsec_test"}, 5*time.Minute, at.Add(time.Minute))
	fmt.Println(err)
	_, err = sdk.VerifyWebhook(body, header, []string{"whsec_test"}, 5*time.Minute, at.Add(10*time.Minute))
	fmt.Println(errors.Is(err, sdk.ErrTimestampOutOfRange))
	// Output:
	// t=1795462800,
	// <nil>
	// true
}
