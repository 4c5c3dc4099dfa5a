package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/sqlstore"
)

// consentAccount opens an account straight in the store.
func consentAccount(t *testing.T, db *sqlstore.DB, last string) string {
	t.Helper()
	ctx := context.Background()
	cust := &openflex.Customer{ID: openflex.NewID("cus"), Language: "en", Created: time.Now(), Applicant: openflex.Applicant{
		FirstName: "Store", LastName: last, DateOfBirth: "1980-01-01", Address: openflex.Address{Province: "ON", PostalCode: "M5V 2T6"}}}
	if err := db.CreateCustomer(ctx, cust); err != nil {
		t.Fatal(err)
	}
	a := &openflex.Account{Number: credit.NewAccountNumber(), CustomerID: cust.ID, Status: openflex.AccountNormal, CreditLimit: 100_00,
		Currency: openflex.CAD, RiskCategory: openflex.RiskStandard, Province: "ON", Language: "en", FirstName: "Store", LastName: last, Created: time.Now()}
	if err := db.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	return a.Number
}

func consentOf(number, merchantID, source string) *openflex.AccountConsent {
	return &openflex.AccountConsent{ID: openflex.NewID(openflex.PrefixConsent), AccountNumber: number, MerchantID: merchantID,
		Source: source, CheckoutID: "chk_x", Created: time.Now().UTC().Truncate(time.Microsecond)}
}

// TestConsentsOneActivePerMerchant: however many proofs arrive at once, a
// merchant holds at most one active consent per account; a revoked one
// stays in the history and a new one can follow it.
func TestConsentsOneActivePerMerchant(t *testing.T) {
	Each(t, func(t *testing.T, e Engine) {
		db := e.Open(t).Data(openflex.Production)
		ctx := context.Background()
		n := consentAccount(t, db, "Concurrent")
		var wg sync.WaitGroup
		var mu sync.Mutex
		stored := 0
		for range 8 {
			wg.Go(func() {
				ok, err := db.GrantConsent(ctx, consentOf(n, "mer_a", openflex.ConsentByCheckout))
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					stored++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if stored != 1 {
			t.Fatalf("%d concurrent grants stored, want 1", stored)
		}
		if c, err := db.ActiveConsent(ctx, "mer_b", n); err != nil || c != nil {
			t.Fatalf("mer_b's consent = %+v, %v; want none", c, err)
		}
		at := time.Now().UTC().Truncate(time.Microsecond)
		c, err := db.RevokeConsent(ctx, "mer_a", n, at, openflex.RevokedByStaff, "fraud review")
		if err != nil || c.Active() || !c.RevokedAt.Equal(at) || c.RevokedBy != openflex.RevokedByStaff || c.RevokeReason != "fraud review" {
			t.Fatalf("revoke = %+v, %v", c, err)
		}
		if c, err := db.ActiveConsent(ctx, "mer_a", n); err != nil || c != nil {
			t.Fatalf("active consent after revocation = %+v, %v", c, err)
		}
		if _, err := db.RevokeConsent(ctx, "mer_a", n, at, openflex.RevokedByStaff, ""); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Fatalf("second revoke = %v, want resource_missing", err)
		}
		if ok, err := db.GrantConsent(ctx, consentOf(n, "mer_a", openflex.ConsentByVerification)); !ok || err != nil {
			t.Fatalf("grant after revocation = %v, %v", ok, err)
		}
		all, err := db.Consents(ctx, n)
		if err != nil || len(all) != 2 || all[0].Active() || !all[1].Active() || all[1].Source != openflex.ConsentByVerification {
			t.Fatalf("history = %+v, %v", all, err)
		}
		// Scrubbing (TRAINING's clean-up) takes consents with their account.
		if _, err := db.Scrub(ctx, time.Time{}); err != nil {
			t.Fatalf("scrub with consents: %v", err)
		}
		if all, err := db.Consents(ctx, n); err != nil || len(all) != 0 {
			t.Fatalf("consents after scrub = %d, %v", len(all), err)
		}
	})
}

// TestAccountWithConsent: inside a write transaction the account comes with
// the merchant's active consent (none for another merchant, or when no
// merchant is asked about), and a missing account is resource_missing
// whatever the consent read finds.
func TestAccountWithConsent(t *testing.T) {
	Each(t, func(t *testing.T, e Engine) {
		db := e.Open(t).Data(openflex.Production)
		ctx := context.Background()
		n := consentAccount(t, db, "Reader")
		granted := consentOf(n, "mer_a", openflex.ConsentByCheckout)
		if ok, err := db.GrantConsent(ctx, granted); !ok || err != nil {
			t.Fatalf("grant = %v, %v", ok, err)
		}
		tests := []struct {
			name, number, merchant string
			want                   string // the consent's id
			code                   openflex.Code
		}{
			{"held", n, "mer_a", granted.ID, ""},
			{"another merchant's", n, "mer_b", "", ""},
			{"not asked", n, "", "", ""},
			{"no such account", "0000000000000000", "mer_a", "", openflex.CodeResourceMissing},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := db.Write(ctx, func(ctx context.Context) error {
					a, c, err := db.AccountWithConsent(ctx, tt.number, tt.merchant)
					if err != nil {
						return err
					}
					if a.Number != n || a.CreditLimit != 100_00 {
						t.Errorf("account = %+v", a)
					}
					got := ""
					if c != nil && c.Active() {
						got = c.ID
					}
					if c != nil && got == "" || got != tt.want {
						t.Errorf("consent = %+v, want %q", c, tt.want)
					}
					// The transaction goes on after the paired reads.
					return db.AdjustBalances(ctx, n, 0, 0)
				})
				if openflex.ErrorCode(err) != tt.code || (tt.code == "" && err != nil) {
					t.Fatalf("AccountWithConsent = %v, want code %q", err, tt.code)
				}
			})
		}
	})
}
