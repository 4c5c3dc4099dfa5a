package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/storetest"
)

// TestConsentsRevokeByStaff: the lender's staff see who holds a customer's
// consent and end one; the merchant's online purchases then stop.
func TestConsentsRevokeByStaff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		c := config(t, e)
		var mc created
		json.Unmarshal(cli(t, c, "merchant", "create", "--name", "Maple", "--email", "dev@maple.example", "--store", "Toronto:ON", "--json"), &mc)
		m := &Main{Config: c}
		if err := m.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		// The account is opened by an application through Maple: Maple holds
		// the customer's consent, so purchase's online authorization passes.
		number := purchase(t, m, openflex.Training, mc.MerchantID, mc.Stores[0].ID, "Consenting")
		m.Close()

		if out := string(cli(t, c, "consents", "list", "--env", "training", "--account", number)); !strings.Contains(out, mc.MerchantID) ||
			!strings.Contains(out, "by application") || !strings.Contains(out, "active") {
			t.Fatalf("consents list: %s", out)
		}
		out := string(cli(t, c, "consents", "revoke", "--env", "training", "--merchant", mc.MerchantID, "--account", number, "--reason", "customer complaint"))
		if !strings.Contains(out, "revoked") {
			t.Fatalf("consents revoke: %s", out)
		}
		if out := string(cli(t, c, "consents", "list", "--env", "training", "--account", number)); !strings.Contains(out, "revoked") ||
			!strings.Contains(out, "by staff (customer complaint)") {
			t.Fatalf("consents list after revocation: %s", out)
		}
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), []string{"consents", "revoke", "--env", "training", "--merchant", mc.MerchantID, "--account", number}, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), "no active consent") {
			t.Fatalf("revoking again = %v", err)
		}
		if err := run(context.Background(), []string{"consents", "revoke", "--env", "training", "--account", number}, &stdout, &stderr); err == nil {
			t.Fatal("revoke without --merchant was accepted")
		}

		m = &Main{Config: c}
		if err := m.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		_, err = m.Planes[openflex.Training].Lending.Authorize(context.Background(), lending.AuthorizeRequest{MerchantID: mc.MerchantID,
			StoreID: mc.Stores[0].ID, AccountNumber: number, Amount: 10_00, Currency: openflex.CAD, Channel: "online"})
		if openflex.ErrorCode(err) != openflex.CodeConsentRequired {
			t.Fatalf("online purchase after the staff's revocation = %v, want customer_consent_required", err)
		}
	})
}
