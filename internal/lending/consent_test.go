package lending_test

import (
	"context"
	"sync"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/storetest"
)

// passedCodes stands in for the credit service's verifications (checked
// end to end in internal/securitytest): each id passes once, for its account.
type passedCodes struct {
	mu   sync.Mutex
	left map[string]string // verification id → account number
}

func (p *passedCodes) ConsumeVerification(_ context.Context, _, id, number string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.left[id] != number {
		return &openflex.Error{Code: openflex.CodeVerifyFailed, Param: "verification", Message: "not a passed verification of this account"}
	}
	delete(p.left, id)
	return nil
}

func TestConsentRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		le := newLedger(t, e)
		codes := &passedCodes{left: map[string]string{}}
		le.svc.Verifier = codes
		buy := func(merchant, number, channel, verification, checkout string, amount int64) error {
			_, err := le.svc.Authorize(le.ctx, lending.AuthorizeRequest{MerchantID: merchant, StoreID: "str_test", AccountNumber: number,
				Amount: amount, Currency: openflex.CAD, Channel: channel, VerificationID: verification, CheckoutID: checkout})
			return err
		}
		active := func(merchant, number string) *openflex.AccountConsent {
			t.Helper()
			c, err := le.svc.Consent(le.ctx, merchant, number)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		n := le.account(1000_00) // mer_test holds consent on it

		// An account number alone: refused, nothing held.
		if err := buy("mer_other", n, "online", "", "", 10_00); code(err) != openflex.CodeConsentRequired {
			t.Fatalf("online purchase without consent = %v, want customer_consent_required", err)
		}
		if _, held, _, _ := le.balances(n); held != 0 {
			t.Fatalf("held after a refused purchase = %d, want 0", held)
		}
		// A purchase the account cannot cover, with a code: refused, and
		// neither the consent nor the code's use is kept.
		codes.left["ver_big"] = n
		if err := buy("mer_other", n, "online", "ver_big", "", 5000_00); code(err) != openflex.CodeInsufficientCred {
			t.Fatalf("too big a purchase = %v, want insufficient_credit", err)
		}
		if c := active("mer_other", n); c != nil {
			t.Fatalf("a refused purchase left consent %+v", c)
		}
		// A code with an online purchase grants consent; later online
		// purchases need none. (The real verification's use rolls back with
		// the refused purchase; this stand-in does not, so pass it again.)
		codes.left["ver_big"] = n
		if err := buy("mer_other", n, "online", "ver_big", "", 10_00); err != nil {
			t.Fatalf("online purchase with a passed code = %v", err)
		}
		if c := active("mer_other", n); c == nil || c.Source != openflex.ConsentByVerification || c.VerificationID != "ver_big" {
			t.Fatalf("consent after a verified purchase = %+v, want one by verification ver_big", c)
		}
		if err := buy("mer_other", n, "online", "", "", 10_00); err != nil {
			t.Fatalf("card-on-file purchase = %v", err)
		}
		// In store: a code every time, consent or not; and a till code
		// grants no standing consent.
		if err := buy("mer_test", n, "in_store", "", "", 10_00); code(err) != openflex.CodeVerifyRequired {
			t.Fatalf("in-store purchase without a code = %v, want verification_required", err)
		}
		m2 := le.account(1000_00)
		codes.left["ver_till"] = m2
		if err := buy("mer_till", m2, "in_store", "ver_till", "", 10_00); err != nil {
			t.Fatalf("in-store purchase with a code = %v", err)
		}
		if c := active("mer_till", m2); c != nil {
			t.Fatalf("an in-store code granted consent %+v", c)
		}
		// A completed checkout grants consent.
		if err := buy("mer_shop", m2, "online", "", "chk_1", 10_00); err != nil {
			t.Fatal(err)
		}
		if c := active("mer_shop", m2); c == nil || c.Source != openflex.ConsentByCheckout || c.CheckoutID != "chk_1" {
			t.Fatalf("consent after a checkout = %+v", c)
		}

		// Revocation: staff, then the customer; each refuses again.
		c, err := le.svc.RevokeConsent(le.ctx, lending.RevokeRequest{MerchantID: "mer_other", AccountNumber: n, By: openflex.RevokedByStaff, Reason: "complaint"})
		if err != nil || c.Active() || c.RevokedBy != openflex.RevokedByStaff || c.RevokeReason != "complaint" {
			t.Fatalf("staff revocation = %+v, %v", c, err)
		}
		if err := buy("mer_other", n, "online", "", "", 10_00); code(err) != openflex.CodeConsentRequired {
			t.Fatalf("purchase after revocation = %v, want customer_consent_required", err)
		}
		if _, err := le.svc.RevokeConsent(le.ctx, lending.RevokeRequest{MerchantID: "mer_other", AccountNumber: n, By: openflex.RevokedByStaff}); code(err) != openflex.CodeResourceMissing {
			t.Fatalf("revoking a revoked consent = %v, want resource_missing", err)
		}
		if _, err := le.svc.RevokeConsent(le.ctx, lending.RevokeRequest{MerchantID: "mer_shop", AccountNumber: m2, By: openflex.RevokedByCustomer}); code(err) != openflex.CodeParameterMissing {
			t.Fatalf("customer revocation without a verification = %v, want parameter_missing", err)
		}
		codes.left["ver_rev"] = m2
		if c, err := le.svc.RevokeConsent(le.ctx, lending.RevokeRequest{MerchantID: "mer_shop", AccountNumber: m2, By: openflex.RevokedByCustomer, VerificationID: "ver_rev"}); err != nil || c.RevokedBy != openflex.RevokedByCustomer {
			t.Fatalf("customer revocation = %+v, %v", c, err)
		}
		if err := buy("mer_shop", m2, "online", "", "", 10_00); code(err) != openflex.CodeConsentRequired {
			t.Fatalf("purchase after the customer's revocation = %v, want customer_consent_required", err)
		}
		// Consent can be given again, and the history keeps both.
		if err := buy("mer_shop", m2, "online", "", "chk_2", 10_00); err != nil {
			t.Fatal(err)
		}
		all, err := le.svc.Consents(le.ctx, m2)
		if err != nil {
			t.Fatal(err)
		}
		var revoked, live int
		for _, c := range all {
			if c.MerchantID == "mer_shop" && c.Active() {
				live++
			} else if c.MerchantID == "mer_shop" {
				revoked++
			}
		}
		if live != 1 || revoked != 1 {
			t.Fatalf("mer_shop consents on %s: %d active, %d revoked, want 1 and 1", m2, live, revoked)
		}
		le.verify()
	})
}

// TestGrantConsentIsOncePerMerchant: the partial unique index keeps one
// active consent per account and merchant, however many proofs arrive.
func TestGrantConsentIsOncePerMerchant(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		le := newLedger(t, e)
		n := le.account(100_00) // one consent of mer_test already
		stored, err := le.db.GrantConsent(le.ctx, &openflex.AccountConsent{ID: openflex.NewID(openflex.PrefixConsent), AccountNumber: n,
			MerchantID: "mer_test", Source: openflex.ConsentByVerification, VerificationID: "ver_x", Created: le.now})
		if err != nil || stored {
			t.Fatalf("second grant = %v, %v; want not stored, no error", stored, err)
		}
		all, err := le.db.Consents(le.ctx, n)
		if err != nil || len(all) != 1 || all[0].Source != openflex.ConsentByCheckout {
			t.Fatalf("consents = %+v, %v; want the first one only", all, err)
		}
	})
}
