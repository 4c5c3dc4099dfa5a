package sdktest_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/storetest"
	"github.com/openflex/openflex/sdk"
)

// TestErrors checks that API error replies come back as *sdk.Error with
// every field of the envelope, and that none of them is retried.
func TestErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		p := apptest.Start(t, e)
		ctx := context.Background()
		c, waits := newClient(t, p.URL, p.Training)
		on := p.Stores[0].ID
		acct := approvedAccount(t, c, on)

		t.Run("402 insufficient_credit", func(t *testing.T) {
			_, err := c.Authorizations.Create(ctx, &sdk.AuthorizationParams{AccountNumber: acct.AccountNumber,
				Amount: acct.AvailableCredit + 1, Currency: "CAD", StoreID: on, Channel: sdk.ChannelOnline})
			var e *sdk.Error
			if !errors.As(err, &e) {
				t.Fatalf("Authorizations.Create over the limit = %v, want an *sdk.Error", err)
			}
			if e.Status != http.StatusPaymentRequired || e.Type != sdk.ErrorTypeCredit || e.Code != sdk.CodeInsufficientCredit ||
				e.Message == "" || !strings.HasPrefix(e.RequestID, "req_") {
				t.Fatalf("error = %+v, want 402 credit_error insufficient_credit with a message and request id", e)
			}
			if !strings.Contains(e.Error(), "402 insufficient_credit") || !strings.Contains(e.Error(), e.RequestID) {
				t.Errorf("Error() = %q, want the status, code and request id", e.Error())
			}
			// Never a partial hold.
			if a, err := c.Accounts.Get(ctx, acct.AccountNumber); err != nil || a.AvailableCredit != acct.AvailableCredit {
				t.Fatalf("available credit after a refused hold = %+v, %v; want %d", a, err, acct.AvailableCredit)
			}
		})

		t.Run("400 with every field error", func(t *testing.T) {
			a := applicant("A-RR_L")
			a.Phone = "555"
			a.Email = ""
			a.Address.PostalCode = "V6B 1A1" // a BC postal code in Ontario
			_, err := c.Applications.Create(ctx, &sdk.ApplicationParams{StoreID: on, Applicant: a,
				Consent: sdk.Consent{CreditCheck: true}})
			e := apiError(t, err)
			if e.Status != http.StatusBadRequest || e.Type != sdk.ErrorTypeInvalidRequest || e.Code == "" {
				t.Fatalf("error = %+v, want a 400 invalid_request_error", e)
			}
			var params []string
			for _, f := range e.Errors {
				params = append(params, f.Param)
				if f.Message == "" || (f.Code != sdk.CodeParameterInvalid && f.Code != sdk.CodeParameterMissing) {
					t.Errorf("field error %+v: want a message and parameter_invalid or parameter_missing", f)
				}
			}
			for _, want := range []string{"applicant.phone", "applicant.email", "applicant.address.postal_code", "consent.terms_accepted"} {
				if !slices.Contains(params, want) {
					t.Errorf("field errors %v: missing %s", params, want)
				}
			}
			if i := slices.IndexFunc(e.Errors, func(f sdk.FieldError) bool { return f.Param == "applicant.email" }); i >= 0 &&
				e.Errors[i].Code != sdk.CodeParameterMissing {
				t.Errorf("applicant.email code = %s, want parameter_missing", e.Errors[i].Code)
			}
		})

		t.Run("400 unknown value", func(t *testing.T) {
			_, err := c.Transactions.List(ctx, &sdk.TransactionListParams{Type: "refund"})
			if e := apiError(t, err); e.Status != http.StatusBadRequest || e.Code != sdk.CodeParameterInvalid || e.Param != "type" {
				t.Fatalf("Transactions.List(type refund) = %+v, want 400 parameter_invalid on type", e)
			}
		})

		t.Run("404 resource_missing", func(t *testing.T) {
			_, err := c.Authorizations.Get(ctx, "auth_nope")
			if e := apiError(t, err); e.Status != http.StatusNotFound || e.Code != sdk.CodeResourceMissing {
				t.Fatalf("Authorizations.Get(missing) = %+v, want 404 resource_missing", e)
			}
		})

		t.Run("empty id", func(t *testing.T) {
			if st, err := c.Stores.Get(ctx, ""); err == nil || st != nil {
				t.Fatalf("Stores.Get(\"\") = %+v, %v; want an error, never the store list decoded as a store", st, err)
			}
			if _, err := c.Captures.Return(ctx, "..", &sdk.ReturnParams{Full: true}); err == nil {
				t.Fatal(`Captures.Return("..") succeeded`)
			}
			// Slashes stay inside the one segment: the account route answers.
			if a, err := c.Accounts.Get(ctx, "x/../../stores"); apiError(t, err).Param != "number" || a != nil {
				t.Fatalf("Accounts.Get with slashes = %+v, %v; want the account route to refuse the number", a, err)
			}
		})

		t.Run("409 amount_exceeds_remaining", func(t *testing.T) {
			auth, err := c.Authorizations.Create(ctx, &sdk.AuthorizationParams{AccountNumber: acct.AccountNumber, Amount: 10_00,
				Currency: "CAD", StoreID: on, Channel: sdk.ChannelOnline})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Authorizations.Capture(ctx, auth.ID, &sdk.CaptureParams{Amount: 10_01})
			if e := apiError(t, err); e.Status != http.StatusConflict || e.Code != sdk.CodeAmountExceedsRemaining {
				t.Fatalf("Capture beyond the hold = %+v, want 409 amount_exceeds_remaining", e)
			}
		})

		t.Run("402 verification_required in store", func(t *testing.T) {
			_, err := c.Authorizations.Create(ctx, &sdk.AuthorizationParams{AccountNumber: acct.AccountNumber, Amount: 10_00,
				Currency: "CAD", StoreID: on, Channel: sdk.ChannelInStore})
			if e := apiError(t, err); e.Status != http.StatusPaymentRequired || e.Code != sdk.CodeVerificationRequired {
				t.Fatalf("in-store authorization without a code = %+v, want 402 verification_required", e)
			}
		})

		t.Run("422 idempotency_key_reused", func(t *testing.T) {
			key := uniqueName("key")
			p := &sdk.AuthorizationParams{AccountNumber: acct.AccountNumber, Amount: 10_00, Currency: "CAD", StoreID: on,
				Channel: sdk.ChannelOnline, IdempotencyKey: key}
			first, err := c.Authorizations.Create(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			again, err := c.Authorizations.Create(ctx, p)
			if err != nil || again.ID != first.ID {
				t.Fatalf("replay with the caller's key = %+v, %v; want %s again", again, err, first.ID)
			}
			p.Amount = 11_00
			_, err = c.Authorizations.Create(ctx, p)
			if e := apiError(t, err); e.Status != http.StatusUnprocessableEntity || e.Type != sdk.ErrorTypeIdempotency ||
				e.Code != sdk.CodeIdempotencyKeyReused {
				t.Fatalf("same key, other body = %+v, want 422 idempotency_key_reused", e)
			}
		})

		t.Run("French messages", func(t *testing.T) {
			fr, _ := newClient(t, p.URL, p.Training, sdk.WithLanguage("fr-CA"))
			_, err := fr.Authorizations.Create(ctx, &sdk.AuthorizationParams{AccountNumber: acct.AccountNumber,
				Amount: 99_999_999_99, Currency: "CAD", StoreID: on, Channel: sdk.ChannelOnline})
			if e := apiError(t, err); e.Code != sdk.CodeInsufficientCredit || !strings.Contains(e.Message, "crédit disponible") {
				t.Fatalf("French error = %+v, want insufficient_credit in French", e)
			}
		})

		t.Run("401 invalid_client", func(t *testing.T) {
			bad, badWaits := newClient(t, p.URL, apptest.Keys{ClientID: p.Training.ClientID, ClientSecret: secretFor("train")})
			_, err := bad.Stores.List(ctx, nil)
			e := apiError(t, err)
			if e.Status != http.StatusUnauthorized || e.Code != sdk.CodeInvalidClient || e.Type != sdk.ErrorTypeAuthentication || e.Message == "" {
				t.Fatalf("Stores.List with a wrong secret = %+v, want 401 invalid_client", e)
			}
			if n := len(badWaits.all()); n != 0 {
				t.Fatalf("a 401 invalid_client was retried %d times", n)
			}
		})

		if n := len(waits.all()); n != 0 {
			t.Fatalf("4xx replies were retried %d times; they never should be", n)
		}
	})
}
