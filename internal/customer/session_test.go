package customer_test

import (
	"context"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/customer"
	"github.com/openflex/openflex/internal/storetest"
)

// TestSignInSessions: one answer for every mismatch, TRAINING's code
// passes, and a session ends 10 minutes after its last request, or 2 hours
// after sign-in however busy.
func TestSignInSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := e.Open(t).Data(openflex.Training)
		now := time.Date(2027, 3, 1, 15, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		cust := &openflex.Customer{ID: openflex.NewID("cus"), Language: "fr", Created: now, Applicant: openflex.Applicant{FirstName: "Élise",
			LastName: "Session", DateOfBirth: "1985-06-15", Phone: "+14165550199", Address: openflex.Address{Province: "QC", PostalCode: "H2X 1Y4"}}}
		if err := db.CreateCustomer(ctx, cust); err != nil {
			t.Fatal(err)
		}
		acct := &openflex.Account{Number: credit.NewAccountNumber(), CustomerID: cust.ID, Status: openflex.AccountNormal, CreditLimit: 100_00,
			Currency: openflex.CAD, RiskCategory: openflex.RiskStandard, Province: "QC", Language: "fr", Created: now}
		if err := db.CreateAccount(ctx, acct); err != nil {
			t.Fatal(err)
		}
		verifier := &credit.Service{Env: openflex.Training, Store: db, CodeKey: []byte("k"), Now: clock}
		s := &customer.SignIn{Store: db, Identity: db, Verifier: verifier, Now: clock}

		for _, tc := range []struct{ name, number, dob string }{
			{"wrong date of birth", acct.Number, "1985-06-16"},
			{"unknown account", "70000000000013", "1985-06-15"},
			{"not an account number", "1234", "1985-06-15"},
		} {
			if _, _, err := s.Start(ctx, tc.number, tc.dob, "sms", "fr", "192.0.2.1"); openflex.ErrorCode(err) != openflex.CodeVerifyFailed {
				t.Errorf("%s: Start = %v, want verification_failed", tc.name, err)
			}
		}
		tok, _, err := s.Start(ctx, acct.Number[:4]+" "+acct.Number[4:], "1985-06-15", "sms", "fr", "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		sess, err := s.Session(ctx, tok)
		if err != nil || sess == nil || sess.State != customer.SessionPending {
			t.Fatalf("pending session = %+v, %v", sess, err)
		}
		if err := s.Verify(ctx, sess, "000000"); openflex.ErrorCode(err) != openflex.CodeVerifyFailed {
			t.Fatalf("wrong code: %v", err)
		}
		if err := s.Verify(ctx, sess, "222222"); err != nil {
			t.Fatal(err)
		}
		// Busy: a request every 9 minutes keeps it, up to 2 hours.
		for now = now.Add(9 * time.Minute); now.Before(time.Date(2027, 3, 1, 17, 0, 0, 0, time.UTC)); now = now.Add(9 * time.Minute) {
			if sess, err := s.Session(ctx, tok); err != nil || sess == nil || sess.State != customer.SessionActive {
				t.Fatalf("at %s: session = %+v, %v; want active", now.Format("15:04"), sess, err)
			}
		}
		if sess, err := s.Session(ctx, tok); err != nil || sess != nil {
			t.Fatalf("past 2 hours: session = %+v, %v; want none", sess, err)
		}

		// Idle: 10 minutes without a request ends it.
		now = now.Add(time.Hour)
		tok, _, err = s.Start(ctx, acct.Number, "1985-06-15", "email", "en", "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		sess, _ = s.Session(ctx, tok)
		if err := s.Verify(ctx, sess, "222222"); err != nil {
			t.Fatal(err)
		}
		now = now.Add(10 * time.Minute)
		if sess, err := s.Session(ctx, tok); err != nil || sess != nil {
			t.Fatalf("after 10 idle minutes: session = %+v, %v; want none", sess, err)
		}
	})
}
