package sdktest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/webhook"
	"github.com/openflex/openflex/sdk"
)

// TestAccountNumberRuleMatchesTheServer checks that the SDK's account
// number check and the server's agree.
func TestAccountNumberRuleMatchesTheServer(t *testing.T) {
	for i := range 2000 {
		n := fmt.Sprintf("%014d", uint64(i)*7919*104729%100000000000000)
		if got, want := sdk.ValidAccountNumber(n), openflex.ValidAccountNumber(n); got != want {
			t.Fatalf("ValidAccountNumber(%q) = %v, server says %v", n, got, want)
		}
	}
}

// TestSignMatchesTheServer checks SignWebhook against the header the
// server's dispatcher sends, for one secret and during a roll.
func TestSignMatchesTheServer(t *testing.T) {
	body := []byte(`{"id":"evt_1","object":"event"}`)
	at := time.Unix(1795462800, 0)
	if got, want := sdk.SignWebhook(body, "whsec_a", at), webhook.Sign(body, at, "whsec_a"); got != want {
		t.Fatalf("SignWebhook = %q, server signs %q", got, want)
	}
	rolled := webhook.Sign(body, at, "whsec_new", "whsec_old")
	for _, secret := range []string{"whsec_new", "whsec_old"} {
		if _, err := sdk.VerifyWebhook(body, rolled, []string{secret}, 0, at); err != nil {
			t.Fatalf("VerifyWebhook(rolled header, %s) = %v", secret, err)
		}
	}
}
