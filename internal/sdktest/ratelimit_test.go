package sdktest_test

import (
	"context"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/storetest"
	"github.com/openflex/openflex/sdk"
)

// TestLongRetryAfterIsReturned: a 429 that asks for minutes (an account's
// verification codes are spent) comes back at once with its RetryAfter,
// rather than the client sleeping through it.
func TestLongRetryAfterIsReturned(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		pf := apptest.Start(t, e)
		c, waits := newClient(t, pf.URL, pf.Training)
		acct := approvedAccount(t, c, pf.Stores[0].ID)
		ctx := context.Background()
		// TRAINING's account limit: 30 codes in 10 minutes.
		for range credit.LimitsFor(openflex.Training).AccountCodesShort {
			if _, err := c.Accounts.CreateVerification(ctx, acct.AccountNumber, &sdk.VerificationParams{Channel: "sms"}); err != nil {
				t.Fatalf("Accounts.CreateVerification: %v", err)
			}
		}
		_, err := c.Accounts.CreateVerification(ctx, acct.AccountNumber, &sdk.VerificationParams{Channel: "sms"})
		ae := apiError(t, err)
		if ae.Status != 429 || ae.Code != "rate_limited" || ae.RetryAfter <= sdk.MaxRetryAfter || ae.RetryAfter > 10*time.Minute {
			t.Fatalf("one code past the limit in 10 minutes = %d %s (RetryAfter %v), want 429 rate_limited asking for up to 10 minutes", ae.Status, ae.Code, ae.RetryAfter)
		}
		if w := waits.all(); len(w) != 0 {
			t.Fatalf("the client slept %v before returning a 429 that asks for %v", w, ae.RetryAfter)
		}
	})
}
